/* What this process may really use of the machine's CPUs: its affinity mask
 * (sched_getaffinity), its cgroup's cpuset and its cgroup CPU quota (v2
 * cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us). The parsers take text,
 * so tests feed them fixtures; mb_cpulimit_probe reads the real files. */
#ifndef MATBENCH_CPULIMIT_H
#define MATBENCH_CPULIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matbench/status.h"

#define MB_CPULIMIT_MAX_CPUS 1024 /* CPU numbers 0..1023, as glibc's CPU_SETSIZE */

/* A set of CPU numbers (Linux's logical CPU ids, hwloc's os_index). */
struct mb_cpuset {
    uint64_t bits[MB_CPULIMIT_MAX_CPUS / 64];
};

/* What was found; every part is optional (a count of 0 or a quota of 0
 * means "not found", not "nothing allowed"). */
struct mb_cpulimit {
    struct mb_cpuset affinity; /* the CPUs sched_getaffinity allows */
    int affinity_cpus;         /* how many; 0 when it could not be read */
    struct mb_cpuset cpuset;   /* the cgroup's effective cpuset */
    int cpuset_cpus;           /* how many; 0 when no cgroup cpuset was found */
    double quota_cpus;         /* the tightest quota / period on the cgroup's path; 0 = none */
    int quota_cgroup;          /* where it came from: 2 (cpu.max), 1 (cpu.cfs_quota_us), 0 */
};

void mb_cpulimit_set(struct mb_cpuset *s, int cpu);
bool mb_cpulimit_has(const struct mb_cpuset *s, int cpu);
int mb_cpulimit_count(const struct mb_cpuset *s);
void mb_cpulimit_intersect(struct mb_cpuset *s, const struct mb_cpuset *with);
bool mb_cpulimit_equal(const struct mb_cpuset *a, const struct mb_cpuset *b);
void mb_cpulimit_format_cpuset(const struct mb_cpuset *s, char *buf, size_t cap);

enum mb_status mb_cpulimit_parse_cpuset(const char *text, struct mb_cpuset *out, struct mb_diag *d);
enum mb_status mb_cpulimit_parse_cpu_max(const char *text, double *cpus, struct mb_diag *d);
enum mb_status mb_cpulimit_parse_cfs(const char *quota_text, const char *period_text, double *cpus,
                                     struct mb_diag *d);
bool mb_cpulimit_cgroup_path(const char *proc_cgroup, const char *controller, char *path,
                             size_t cap);
bool mb_cpulimit_cgroup_dir(const char *mountinfo, const char *controller, const char *path,
                            char *dir, size_t cap, size_t *mount_len);
int mb_cpulimit_usable_cores(int cores, double quota_cpus);

void mb_cpulimit_read_cgroups(const char *proc_cgroup, const char *mountinfo,
                              struct mb_cpulimit *out);
void mb_cpulimit_probe(struct mb_cpulimit *out);

#endif /* MATBENCH_CPULIMIT_H */
