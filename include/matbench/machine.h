/* Facts about the machine: CPU model, physical and logical cores (hwloc),
 * SIMD features, caches (hwloc), memory; and what of it this process may
 * use (its affinity, cgroup cpuset and CPU quota: mb_cpulimit). */
#ifndef MATBENCH_MACHINE_H
#define MATBENCH_MACHINE_H

#include <stdint.h>

#include "matbench/status.h"

struct mb_machine {
    char cpu[128];
    int physical_cores;
    int logical_cores;
    int smt; /* logical CPUs per physical core */
    char simd[64];
    struct mb_cache {
        unsigned long long bytes; /* one cache's size; 0 when hwloc found none */
        int count;                /* how many there are */
    } l1d, l2, l3;
    uint64_t mem_total_bytes;
    uint64_t mem_available_bytes;
    /* What this process may use; physical_cores stays the machine's. */
    int usable_cores;          /* physical cores with a usable CPU, capped at ceil(usable_quota) */
    int usable_cpus;           /* logical CPUs it may run on */
    char usable_cpu_list[256]; /* those CPUs as Linux lists them, "0-3,8" */
    double usable_quota;       /* its cgroup CPU quota in CPUs (1.5); 0 when none */
    unsigned usable_limits;    /* MB_LIMIT_* bits: what makes it less than the whole machine */
    char usable_why[320];      /* the same in words, "affinity: CPU 0"; "" when nothing limits */
};

/* What limits the CPUs a process may use. */
enum mb_limit {
    MB_LIMIT_AFFINITY = 1, /* sched_setaffinity, taskset */
    MB_LIMIT_CPUSET = 2,   /* a cgroup cpuset (docker --cpuset-cpus, systemd AllowedCPUs) */
    MB_LIMIT_QUOTA = 4,    /* a cgroup CPU quota (docker --cpus, systemd CPUQuota) */
};

enum mb_status mb_machine_probe(struct mb_machine *m, struct mb_diag *d);
int mb_machine_usable_cores(const struct mb_machine *m);
enum mb_status mb_meminfo_parse(const char *text, const char *key, uint64_t *bytes);
enum mb_status mb_mem_available(uint64_t *bytes, struct mb_diag *d);

#endif /* MATBENCH_MACHINE_H */
