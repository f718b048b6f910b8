/* Facts about the machine: CPU model, physical and logical cores (hwloc),
 * SIMD features, memory. */
#ifndef MATBENCH_MACHINE_H
#define MATBENCH_MACHINE_H

#include <stdint.h>

#include "matbench/status.h"

struct mb_machine {
    char cpu[128];
    int physical_cores;
    int logical_cores;
    char simd[64];
    uint64_t mem_total_bytes;
    uint64_t mem_available_bytes;
};

enum mb_status mb_machine_probe(struct mb_machine *m, struct mb_diag *d);

#endif /* MATBENCH_MACHINE_H */
