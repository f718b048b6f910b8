/* The hand-written ladder from the naive loop towards BLAS: each step a way
 * to compute rows of C = A*B (n x n, row-major), and the two ways to run a
 * step on several workers: POSIX threads, or processes made with fork()
 * that write C in shared memory. Workers take blocks of rows in order from
 * a shared counter, so the rows done are always a prefix of C, and stop
 * taking blocks once the call's deadline has passed: a time-boxed run
 * computes whole rows, as the naive loop does. */
#ifndef MATBENCH_LADDER_H
#define MATBENCH_LADDER_H

#include <stddef.h>

#include "matbench/kernels.h"
#include "matbench/status.h"

#define MB_LADDER_MAX_WORKERS 64

/* Computes rows [begin, end) of C = A*B for n x n row-major matrices.
 * scratch is the worker's own buffer of the step's scratch bytes (NULL
 * when it needs none), 64-byte aligned. */
typedef void mb_rows_fn(const double *A, const double *B, double *C, size_t n, size_t begin,
                        size_t end, void *scratch);

/* A step of the ladder: how it computes rows, how many rows a worker takes
 * at a time, and the scratch each worker needs for size n. */
struct mb_ladder_step {
    mb_rows_fn *rows;
    size_t (*block_rows)(size_t n);
    size_t (*scratch_bytes)(size_t n);
};

void mb_rows_naive(const double *A, const double *B, double *C, size_t n, size_t begin, size_t end,
                   void *scratch);
void mb_rows_ikj(const double *A, const double *B, double *C, size_t n, size_t begin, size_t end,
                 void *scratch);
void mb_rows_tiled(const double *A, const double *B, double *C, size_t n, size_t begin, size_t end,
                   void *scratch);

/* The steps on one core, one row (naive, ikj) or one tile of rows (tiled)
 * at a time. */
extern const struct mb_ladder_step mb_step_naive;
extern const struct mb_ladder_step mb_step_ikj;
extern const struct mb_ladder_step mb_step_tiled;

enum mb_status mb_ladder_threads(struct mb_kernel_call *call, const struct mb_ladder_step *step,
                                 double *C, struct mb_diag *d);
enum mb_status mb_ladder_procs(struct mb_kernel_call *call, const struct mb_ladder_step *step,
                               double *C, struct mb_diag *d);

#endif /* MATBENCH_LADDER_H */
