/* The kernel registry: every way matbench computes C = A*B, with its name,
 * one-line lesson, flop count, run and verify functions, and traits. A new
 * kernel is one function pair and one row in the table (src/kernels.c); the
 * runner does not change. */
#ifndef MATBENCH_KERNELS_H
#define MATBENCH_KERNELS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "matbench/status.h"
#include "matbench/verify.h"

typedef void mb_kernel_tick_fn(void *user, size_t rows_done);

/* One call of a kernel. A time-boxed kernel computes whole rows of C from
 * row 0 and stops after the row during which deadline_s passed (or stop
 * became non-zero); rows_done tells how far it got, and tick (when not
 * NULL) hears of each row as it completes. */
struct mb_kernel_call {
    size_t n;
    const double *A, *B;
    double *C;
    int threads;                       /* the thread count this run is for */
    double deadline_s;                 /* mb_clock_now_s() limit; 0 = none */
    const volatile sig_atomic_t *stop; /* may be NULL */
    size_t rows_done;                  /* out */
    mb_kernel_tick_fn *tick;           /* may be NULL */
    void *tick_user;
};

typedef double mb_kernel_flops_fn(size_t n);
typedef enum mb_status mb_kernel_run_fn(struct mb_kernel_call *call);
typedef enum mb_status mb_kernel_verify_fn(const struct mb_kernel_call *call, uint64_t seed,
                                           struct mb_verify *out, struct mb_diag *d);

enum mb_kernel_traits {
    MB_BLAS_THREADS = 1u << 0, /* runs at each thread count, set through the BLAS */
    MB_TIMEBOXED = 1u << 1,    /* honours --naive-budget */
    MB_BASELINE = 1u << 2,     /* speed-ups are measured against it */
};

struct mb_kernel {
    const char *name;
    const char *lesson;
    mb_kernel_flops_fn *flops;
    mb_kernel_run_fn *run;
    mb_kernel_verify_fn *verify;
    unsigned traits;
};

double mb_flops_gemm(size_t n);
size_t mb_kernel_count(void);
const struct mb_kernel *mb_kernel_at(size_t i);
const struct mb_kernel *mb_kernel_find(const char *name);

#endif /* MATBENCH_KERNELS_H */
