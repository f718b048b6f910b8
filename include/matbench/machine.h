/* Facts about the machine: CPU model, physical and logical cores (hwloc),
 * SIMD features, caches (hwloc), memory. */
#ifndef MATBENCH_MACHINE_H
#define MATBENCH_MACHINE_H

#include <stdint.h>

#include "matbench/status.h"

struct mb_machine {
    char cpu[128];
    int physical_cores;
    int logical_cores;
    int smt;             /* logical CPUs per physical core */
    char simd[64];
    struct mb_cache {
        unsigned long long bytes; /* one cache's size; 0 when hwloc found none */
        int count;                /* how many there are */
    } l1d, l2, l3;
    uint64_t mem_total_bytes;
    uint64_t mem_available_bytes;
};

enum mb_status mb_machine_probe(struct mb_machine *m, struct mb_diag *d);

#endif /* MATBENCH_MACHINE_H */
