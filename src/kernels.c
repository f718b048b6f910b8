/* The kernel registry: C = A*B for n x n row-major matrices by hand and
 * through BLAS (here), and the LAPACK kernels (lapack.c). Each has a verify
 * function that checks what it computed. */
#include "matbench/kernels.h"

#include <cblas.h>
#include <string.h>

#include "matbench/clock.h"
#include "matbench/lapack.h"

/* 2n^3: n^2 entries, each a dot product of n multiplies and n adds (the
 * standard count for GEMM, as in LAPACK Working Note 41). */
double mb_flops_gemm(size_t n, size_t nrhs)
{
    (void)nrhs;
    double x = (double)n;
    return 2.0 * x * x * x;
}

/* The textbook i-j-k loop. The inner loop walks B down a column, a stride of
 * n doubles, so almost every B load misses the cache line the previous one
 * used; and it is one thread. Time-boxed: after each row it reports the
 * row and checks the deadline and the stop flag. */
static enum mb_status naive_run(struct mb_kernel_call *call, struct mb_diag *d)
{
    (void)d;
    const size_t n = call->n;
    const double *A = call->A, *B = call->B;
    double *C = call->C;
    call->rows_done = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            double sum = 0.0;
            for (size_t k = 0; k < n; k++)
                sum += A[i * n + k] * B[k * n + j];
            C[i * n + j] = sum;
        }
        call->rows_done = i + 1;
        if (call->tick != NULL)
            call->tick(call->tick_user, i + 1);
        if (call->stop != NULL && *call->stop)
            break;
        if (call->deadline_s > 0 && mb_clock_now_s() >= call->deadline_s)
            break;
    }
    return MB_OK;
}

static enum mb_status rows_verify(const struct mb_kernel_call *call, uint64_t seed,
                                  struct mb_verify *out, struct mb_diag *d)
{
    (void)seed;
    return mb_verify_rows(call->n, call->rows_done, call->A, call->B, call->C, out, d);
}

/* cblas_dgemm with however many threads the BLAS is set to use. */
static enum mb_status dgemm_run(struct mb_kernel_call *call, struct mb_diag *d)
{
    (void)d;
    const int n = (int)call->n;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, call->A, n, call->B, n,
                0.0, call->C, n);
    call->rows_done = call->n;
    return MB_OK;
}

static enum mb_status gemm_verify(const struct mb_kernel_call *call, uint64_t seed,
                                  struct mb_verify *out, struct mb_diag *d)
{
    return mb_verify_gemm(call->n, call->A, call->B, call->C, seed, out, d);
}

static const struct mb_kernel naive = {
    .name = "naive",
    .lesson = "the textbook i-j-k triple loop: one core, strided loads from B",
    .flops = mb_flops_gemm,
    .run = naive_run,
    .verify = rows_verify,
    .traits = MB_TIMEBOXED | MB_BASELINE | MB_GEMM,
};

static const struct mb_kernel dgemm = {
    .name = "dgemm",
    .lesson = "OpenBLAS cblas_dgemm: blocked for the caches, SIMD, on all its threads",
    .flops = mb_flops_gemm,
    .run = dgemm_run,
    .verify = gemm_verify,
    .traits = MB_BLAS_THREADS | MB_GEMM,
};

/* In the order --kernels lists them in help and messages. */
static const struct mb_kernel *const kernels[] = {
    &naive, &dgemm, &mb_kernel_dgetrf, &mb_kernel_dpotrf, &mb_kernel_dgesv, &mb_kernel_dgeqrf,
};

size_t mb_kernel_count(void)
{
    return sizeof kernels / sizeof kernels[0];
}

/* The i-th registered kernel, or NULL past the end. */
const struct mb_kernel *mb_kernel_at(size_t i)
{
    return i < mb_kernel_count() ? kernels[i] : NULL;
}

/* The kernel called name, or NULL. */
const struct mb_kernel *mb_kernel_find(const char *name)
{
    for (size_t i = 0; i < mb_kernel_count(); i++)
        if (strcmp(kernels[i]->name, name) == 0)
            return kernels[i];
    return NULL;
}
