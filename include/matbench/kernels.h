/* The kernel registry: every computation matbench times (C = A*B by hand
 * and through BLAS, and LAPACK's factorisations and solve), with its name,
 * one-line lesson, flop count, run and verify functions, and traits. A new
 * kernel is a struct mb_kernel and one entry in the table (src/kernels/kernels.c);
 * the runner does not change. */
#ifndef MATBENCH_KERNELS_H
#define MATBENCH_KERNELS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matbench/status.h"
#include "matbench/verify.h"

typedef void mb_kernel_tick_fn(void *user, size_t rows_done);

#define MB_KERNEL_MAX_WORK 2     /* n x n work matrices a kernel may ask for */
#define MB_KERNEL_MAX_WORKERS 64 /* threads or processes of a hand-written kernel */

/* One call of a kernel. A time-boxed kernel computes whole rows of C from
 * row 0 and stops after the row during which deadline_s passed (or stop
 * became non-zero); rows_done tells how far it got, and tick (when not
 * NULL) hears of each row as it completes.
 * A and B are the random inputs (never written), C the output or, for the
 * LAPACK kernels, the matrix factored in place. The buffers below A, B and C
 * are there when the kernel's work, MB_LAPACK and MB_RHS ask for them. */
struct mb_kernel_call {
    size_t n;
    const double *A, *B;
    double *C;
    double *W[MB_KERNEL_MAX_WORK];   /* n x n each */
    int *ipiv;                       /* n pivots (MB_LAPACK) */
    double *tau;                     /* n reflector scalars (MB_LAPACK) */
    size_t nrhs;                     /* right-hand sides (MB_RHS) */
    double *X, *X0;                  /* n x nrhs: solved in place, and the pristine B */
    bool row_major;                  /* MB_LAPACK: LAPACK_ROW_MAJOR instead of column-major */
    uint64_t seed;                   /* of the random inputs */
    void *scratch;                   /* workers x scratch_stride bytes (scratch_bytes), or NULL */
    size_t scratch_stride;           /* one worker's share of scratch, a multiple of 64 */
    int pids[MB_KERNEL_MAX_WORKERS]; /* out, MB_PROCS: the children of the last call */
    size_t npids;
    double child_cpu_s;                /* out, MB_PROCS: the children's CPU time, summed */
    int threads;                       /* the thread count this run is for */
    double deadline_s;                 /* mb_clock_now_s() limit; 0 = none */
    const volatile sig_atomic_t *stop; /* may be NULL */
    size_t rows_done;                  /* out */
    mb_kernel_tick_fn *tick;           /* may be NULL */
    void *tick_user;
};

typedef double mb_kernel_flops_fn(size_t n, size_t nrhs);
struct mb_kernel;
/* Runs kernel k (the row that holds the function: a worker model reads the
 * step from it) on call. */
typedef enum mb_status mb_kernel_run_fn(const struct mb_kernel *k, struct mb_kernel_call *call,
                                        struct mb_diag *d);
typedef void mb_kernel_setup_fn(struct mb_kernel_call *call);
typedef enum mb_status mb_kernel_verify_fn(const struct mb_kernel_call *call, struct mb_verify *out,
                                           struct mb_diag *d);

struct mb_ladder_step; /* matbench/ladder.h */

enum mb_kernel_traits {
    MB_BLAS_THREADS = 1u << 0, /* runs at each thread count, set through the BLAS */
    MB_TIMEBOXED = 1u << 1,    /* honours --naive-budget */
    MB_BASELINE = 1u << 2,     /* speed-ups are measured against it */
    MB_GEMM = 1u << 3,         /* computes C = A*B: compared with the baseline, needs B */
    MB_LAPACK = 1u << 4,       /* a LAPACKE call: --layout applies, pivots and tau */
    MB_RHS = 1u << 5,          /* solves for --nrhs right-hand sides */
    MB_THREADS = 1u << 6,      /* runs at each thread count, on its own POSIX threads */
    MB_PROCS = 1u << 7,        /* its workers are processes; C is shared work matrix W[0] */
    MB_REFERENCE = 1u << 8,    /* the BLAS product the others are compared with (dgemm) */
};

/* The groups --kernels names as one word (ladder, lapack): a kernel's
 * groups field is a set of these bits. */
enum mb_kernel_group {
    MB_GROUP_LADDER = 1u << 0, /* the hand-written ladder, naive to dgemm */
    MB_GROUP_LAPACK = 1u << 1, /* the LAPACKE calls */
};

/* setup builds a kernel's own pristine input once per size (untimed; NULL
 * when it has none); prepare restores the input before every pass,
 * untimed (NULL when a pass does not consume its input). */
struct mb_kernel {
    const char *name;
    const char *lesson;
    mb_kernel_flops_fn *flops;
    const char *flops_formula; /* the count flops computes, as text ("2n^3") */
    mb_kernel_run_fn *run;
    mb_kernel_verify_fn *verify;
    unsigned traits;
    mb_kernel_setup_fn *setup;
    mb_kernel_setup_fn *prepare;
    unsigned work;   /* n x n work matrices it needs (W), at most MB_KERNEL_MAX_WORK */
    unsigned groups; /* enum mb_kernel_group bits */
    const char *why; /* a one-core ladder step: what it changed over the step before, or NULL */
    const struct mb_ladder_step *step; /* a ladder kernel: the rows its run spreads; else NULL */
};

double mb_flops_gemm(size_t n, size_t nrhs);
enum mb_status mb_kernel_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                             struct mb_diag *d);
size_t mb_kernel_count(void);
const struct mb_kernel *mb_kernel_at(size_t i);
const struct mb_kernel *mb_kernel_find(const char *name);
const char *mb_kernel_workers(const struct mb_kernel *k);
const struct mb_kernel *mb_kernel_with(unsigned traits);
const struct mb_kernel *mb_kernel_variant(const struct mb_kernel *base, unsigned with,
                                          unsigned without);
size_t mb_kernel_scratch_bytes(const struct mb_kernel *k, size_t n);
size_t mb_kernel_group_count(void);
const char *mb_kernel_group_name(size_t i, unsigned *bit);

#endif /* MATBENCH_KERNELS_H */
