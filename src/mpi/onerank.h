/* The one-rank comparison of matbench-mpi: the same ScaLAPACK kernel on a
 * 1 x 1 grid in rank 0 with all the run's threads on all its CPUs (one
 * host). Private to src/mpi. */
#ifndef MATBENCH_MPI_ONERANK_H
#define MATBENCH_MPI_ONERANK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matbench/dist.h"
#include "mpi/pkernels.h"

struct mb_onerank {
    int ictxt;                      /* the 1 x 1 grid; -1 on the other ranks */
    int threads;                    /* its BLAS threads: the cores of the run */
    int threads_before;             /* the BLAS threads to give back */
    unsigned char mask_before[128]; /* the CPUs to give back, a cpu_set_t */
    bool widened;                   /* rank 0 has changed both */
};

int mb_host_cpus(void);
const char *mb_onerank_begin(struct mb_onerank *p, int cores);
double mb_onerank_gflops(struct mb_onerank *p, const struct mb_dist_kernel *k, size_t n,
                         unsigned nb, uint64_t seed, struct mb_ppasses passes, char *why,
                         size_t cap);
void mb_onerank_end(struct mb_onerank *p);

#endif /* MATBENCH_MPI_ONERANK_H */
