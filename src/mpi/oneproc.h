/* The one-process comparison of matbench-mpi: the same computation by
 * single-node matbench on the same cores, run by rank 0 in a child while
 * the other ranks wait without spinning. Private to src/mpi. */
#ifndef MATBENCH_MPI_ONEPROC_H
#define MATBENCH_MPI_ONEPROC_H

#include <stddef.h>
#include <stdint.h>

struct mb_oneproc {
    char exe[4096];  /* matbench, beside matbench-mpi */
    char cpus[1024]; /* the CPUs of every rank on the host, for taskset -c */
    int cores;       /* ranks x threads per rank */
    uint64_t seed;
    unsigned repeat, warmup;
};

void mb_quiet_barrier(void);
const char *mb_oneproc_prepare(struct mb_oneproc *p, const char *my_cpus, int cores);
double mb_oneproc_gflops(const struct mb_oneproc *p, const char *kernel, size_t n, char *why,
                         size_t cap);

#endif /* MATBENCH_MPI_ONEPROC_H */
