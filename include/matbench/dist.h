/* matbench-mpi's vocabulary, free of MPI so that libmatbench can parse and
 * report it: the process grid, the block size, the distributed kernels
 * (ScaLAPACK's pdgemm, pdgesv, pdgetrf, pdpotrf) and one row of results. The MPI
 * and ScaLAPACK calls themselves live in src/mpi, in the executable. */
#ifndef MATBENCH_DIST_H
#define MATBENCH_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "matbench/format.h"
#include "matbench/kernels.h"
#include "matbench/stats.h"
#include "matbench/status.h"

/* The block size when --nb is not given: inside the 32..256 that HPL's
 * TUNING advises, where OpenBLAS's dgemm on one block is near its rate. */
#define MB_DIST_DEFAULT_NB 128
#define MB_DIST_NB_MAX 4096
#define MB_DIST_MAX_KERNELS 4

/* A P x Q process grid: P process rows, Q process columns. */
struct mb_dist_grid {
    int p, q;
};

/* A distributed kernel: its name, what it runs, its flop count (the
 * single-node kernel's, so rates compare) and the check of its result. */
struct mb_dist_kernel {
    const char *name;
    const char *lesson;
    mb_kernel_flops_fn *flops;
    const char *flops_formula;
    const char *check;  /* the residual its verification reports */
    const char *single; /* the matbench kernel that computes the same on one process */
    bool by_default;    /* in the run when --kernels is not given */
};

struct mb_dist_kernel_list {
    const struct mb_dist_kernel *v[MB_DIST_MAX_KERNELS];
    size_t n;
};

/* One measured configuration. Times are of the slowest rank in each pass,
 * as HPL times: a pass ends when its last rank is done. */
struct mb_dist_result {
    const struct mb_dist_kernel *kernel;
    size_t n;
    int ranks, hosts, threads_per_rank;
    struct mb_dist_grid grid;
    unsigned nb, repeat, warmup;
    struct mb_stats time_s;
    double *samples; /* the timed passes time_s summarises, in order (malloc'd by
                        mb_pkernel_measure; the caller frees them); NULL: none */
    size_t nsamples;
    double gflops;          /* flops / median time */
    double gflops_per_rank; /* gflops / ranks */
    double imbalance;       /* the slowest rank's time over the fastest's, median pass */
    bool verified;
    double residual; /* of kernel->check; a pass is below limit */
    double limit;
    double peak_fraction;      /* gflops / the aggregate FMA peak (header); NAN: not measured */
    double one_rank_gflops;    /* the same kernel on one rank with all the run's threads and
                                  CPUs (1 x 1 grid, one host); NAN: not run */
    int one_rank_threads;      /* its BLAS threads */
    double efficiency;         /* gflops / one_rank_gflops */
    double one_process_gflops; /* kernel->single (LAPACK) in one process on the same CPUs */
    double vs_one_process;     /* gflops / one_process_gflops */
    char one_rank_why[160];    /* why a comparison was not run, when it was not */
    char one_process_why[160];
};

/* What the header says about the run: the libraries and where it ran. */
struct mb_dist_header {
    const char *mpi_library; /* MPI_Get_library_version, first line */
    const char *scalapack;   /* ScaLAPACK's version, from the build */
    const char *blas;        /* the BLAS on rank 0: name, version, core */
    const char *hosts;       /* "host1 (2 ranks), host2 (2 ranks)" */
    int ranks, nhosts;
    struct mb_dist_grid grid;
    unsigned nb;
    int threads_per_rank;
    bool singleton;     /* started without mpirun */
    bool interrupted;   /* a stop signal came: the rows are those finished before it */
    double peak_gflops; /* the FMA peak of the cores the ranks use, all hosts; NAN: none */
};

size_t mb_dist_kernel_count(void);
const struct mb_dist_kernel *mb_dist_kernel_at(size_t i);
const struct mb_dist_kernel *mb_dist_kernel_find(const char *name);
enum mb_status mb_dist_parse_kernels(const char *s, struct mb_dist_kernel_list *out,
                                     struct mb_diag *d);
enum mb_status mb_dist_parse_grid(const char *s, struct mb_dist_grid *out, struct mb_diag *d);
struct mb_dist_grid mb_dist_default_grid(int ranks);
enum mb_status mb_dist_check_grid(struct mb_dist_grid g, int ranks, struct mb_diag *d);
enum mb_status mb_dist_check_nb(unsigned nb, size_t n, struct mb_diag *d);
size_t mb_dist_local_extent(size_t n, unsigned nb, int coord, int nprocs);

enum mb_status mb_report_dist(FILE *out, enum mb_format f, const struct mb_dist_header *h,
                              const struct mb_dist_result *r, size_t count, struct mb_diag *d);
void mb_dist_lesson(FILE *out, const struct mb_dist_result *r, size_t count);
enum mb_status mb_report_dist_json(FILE *out, const struct mb_dist_header *h,
                                   const struct mb_dist_result *r, size_t count, struct mb_diag *d);

#endif /* MATBENCH_DIST_H */
