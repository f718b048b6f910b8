/* The kernel registry: C = A*B for n x n row-major matrices by hand (the
 * ladder, whose loops are in ladder.c) and through BLAS, and the LAPACK
 * kernels (lapack.c). Each has a verify function that checks what it
 * computed. */
#include "matbench/kernels.h"

#include <cblas.h>
#include <string.h>

#include "matbench/ladder.h"
#include "matbench/lapack.h"
#include "matbench/simd.h"
#include "mb_internal.h"

/* 2n^3: n^2 entries, each a dot product of n multiplies and n adds (the
 * standard count for GEMM, as in LAPACK Working Note 41). */
double mb_flops_gemm(size_t n, size_t nrhs)
{
    (void)nrhs;
    double x = (double)n;
    return 2.0 * x * x * x;
}

/* Runs kernel k on call, through the run function of its row. */
enum mb_status mb_kernel_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                             struct mb_diag *d)
{
    return k->run(k, call, d);
}

/* The ladder's worker models: the run of every ladder row. Each runs the
 * step of kernel k on the calling thread alone, on call->threads POSIX
 * threads, or in call->threads fork()ed processes. One core is the same code as the threads on one
 * worker, so the ratios between the models measure the workers alone. */
static enum mb_status ladder_one_core_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                                          struct mb_diag *d)
{
    call->threads = 1;
    return mb_ladder_threads(call, k->step, call->C, d);
}

static enum mb_status ladder_threads_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                                         struct mb_diag *d)
{
    return mb_ladder_threads(call, k->step, call->C, d);
}

/* C goes to the shared work matrix W[0]: the children's writes to their
 * copy of an ordinary buffer would never reach the parent. */
static enum mb_status ladder_procs_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                                       struct mb_diag *d)
{
    return mb_ladder_procs(call, k->step, call->W[0], d);
}

/* The rows of C a time-boxed kernel finished, checked row by row. */
static enum mb_status rows_verify(const struct mb_kernel_call *call, struct mb_verify *out,
                                  struct mb_diag *d)
{
    return mb_verify_rows(call->n, call->rows_done, call->A, call->B, call->C, out, d);
}

/* The same for a process kernel, whose C is the shared W[0]. */
static enum mb_status procs_verify(const struct mb_kernel_call *call, struct mb_verify *out,
                                   struct mb_diag *d)
{
    return mb_verify_rows(call->n, call->rows_done, call->A, call->B, call->W[0], out, d);
}

/* cblas_dgemm with however many threads the BLAS is set to use. */
static enum mb_status dgemm_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                                struct mb_diag *d)
{
    (void)k, (void)d;
    const int n = (int)call->n;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, call->A, n, call->B, n,
                0.0, call->C, n);
    call->rows_done = call->n;
    return MB_OK;
}

/* The whole product, sampled against long double and row-checked, with
 * the samples drawn from the seed of the inputs. */
static enum mb_status gemm_verify(const struct mb_kernel_call *call, struct mb_verify *out,
                                  struct mb_diag *d)
{
    return mb_verify_gemm(call->n, call->A, call->B, call->C, call->seed, out, d);
}

static const struct mb_kernel naive = {
    .name = "naive",
    .lesson = "the textbook i-j-k triple loop: one core, strided loads from B",
    .flops = mb_flops_gemm,
    .flops_formula = "2n^3",
    .run = ladder_one_core_run,
    .step = &mb_step_naive,
    .verify = rows_verify,
    .traits = MB_TIMEBOXED | MB_BASELINE | MB_GEMM,
    .groups = MB_GROUP_LADDER,
};

static const struct mb_kernel naive_threads = {
    .name = "naive-threads",
    .lesson = "the same loop, rows of C shared out to POSIX threads: C has no GIL, so each "
              "thread keeps a core busy",
    .flops = mb_flops_gemm,
    .flops_formula = "2n^3",
    .run = ladder_threads_run,
    .step = &mb_step_naive,
    .verify = rows_verify,
    .traits = MB_TIMEBOXED | MB_GEMM | MB_THREADS,
    .groups = MB_GROUP_LADDER,
};

static const struct mb_kernel naive_procs = {
    .name = "naive-procs",
    .lesson = "the same loop in fork()ed processes writing C in shared memory: processes "
              "scale like threads, at the cost of a fork each",
    .flops = mb_flops_gemm,
    .flops_formula = "2n^3",
    .run = ladder_procs_run,
    .step = &mb_step_naive,
    .verify = procs_verify,
    .traits = MB_TIMEBOXED | MB_GEMM | MB_THREADS | MB_PROCS,
    .work = 1,
    .groups = MB_GROUP_LADDER,
};

static const struct mb_kernel ikj = {
    .name = "ikj",
    .lesson = "loops interchanged to i-k-j: the inner loop runs along rows of B and C, unit "
              "stride, so every cache line is used whole and the compiler vectorises it",
    .flops = mb_flops_gemm,
    .flops_formula = "2n^3",
    .run = ladder_one_core_run,
    .step = &mb_step_ikj,
    .verify = rows_verify,
    .traits = MB_TIMEBOXED | MB_GEMM,
    .groups = MB_GROUP_LADDER,
    .why = "unit stride",
};

static const struct mb_kernel tiled = {
    .name = "tiled",
    .lesson = "i-k-j over 128 x 256 tiles of B that stay in the L2 cache while 32 rows use "
              "them: memory traffic falls, one core",
    .flops = mb_flops_gemm,
    .flops_formula = "2n^3",
    .run = ladder_one_core_run,
    .step = &mb_step_tiled,
    .verify = rows_verify,
    .traits = MB_TIMEBOXED | MB_GEMM,
    .groups = MB_GROUP_LADDER,
    .why = "tiles of B reused from the cache",
};

static const struct mb_kernel tiled_threads = {
    .name = "tiled-threads",
    .lesson = "the tiled loop with blocks of rows shared out to POSIX threads",
    .flops = mb_flops_gemm,
    .flops_formula = "2n^3",
    .run = ladder_threads_run,
    .step = &mb_step_tiled,
    .verify = rows_verify,
    .traits = MB_TIMEBOXED | MB_GEMM | MB_THREADS,
    .groups = MB_GROUP_LADDER,
};

static const struct mb_kernel dgemm = {
    .name = "dgemm",
    .lesson = "OpenBLAS cblas_dgemm: blocked for the caches, SIMD, on all its threads",
    .flops = mb_flops_gemm,
    .flops_formula = "2n^3",
    .run = dgemm_run,
    .verify = gemm_verify,
    .traits = MB_BLAS_THREADS | MB_GEMM | MB_REFERENCE,
    .groups = MB_GROUP_LADDER,
    .why = "OpenBLAS",
};

static const struct mb_kernel simd = {
    .name = "simd",
    .lesson = "packed panels of A and B and an 8 x 24 (AVX-512) or 6 x 8 (AVX2) tile of C held "
              "in vector registers, as BLIS and OpenBLAS do: the vector units do the work",
    .flops = mb_flops_gemm,
    .flops_formula = "2n^3",
    .run = ladder_threads_run,
    .step = &mb_step_simd,
    .verify = rows_verify,
    .traits = MB_TIMEBOXED | MB_GEMM | MB_THREADS,
    .groups = MB_GROUP_LADDER,
    .why = "packed panels, registers and vector units",
};

/* In the order --kernels lists them in help and messages. */
static const struct mb_kernel *const kernels[] = {
    &naive,
    &naive_threads,
    &naive_procs,
    &ikj,
    &tiled,
    &tiled_threads,
    &simd,
    &dgemm,
    &mb_kernel_dgetrf,
    &mb_kernel_dpotrf,
    &mb_kernel_dgesv,
    &mb_kernel_dposv,
    &mb_kernel_dgeqrf,
};

size_t mb_kernel_count(void)
{
    return MB__ARRAY_SIZE(kernels);
}

/* The i-th registered kernel, or NULL past the end. */
const struct mb_kernel *mb_kernel_at(size_t i)
{
    return i < mb_kernel_count() ? kernels[i] : NULL;
}

/* What kernel k computes on, in words: "one core", "threads",
 * "processes", "BLAS threads". */
const char *mb_kernel_workers(const struct mb_kernel *k)
{
    if (k->traits & MB_PROCS)
        return "processes";
    if (k->traits & MB_THREADS)
        return "threads";
    if (k->traits & MB_LAPACK)
        return "LAPACK on BLAS threads";
    if (k->traits & MB_BLAS_THREADS)
        return "BLAS threads";
    return "one core";
}

/* The kernel called name, or NULL. */
const struct mb_kernel *mb_kernel_find(const char *name)
{
    for (size_t i = 0; i < mb_kernel_count(); i++)
        if (strcmp(kernels[i]->name, name) == 0)
            return kernels[i];
    return NULL;
}

/* The first kernel with every trait of traits (MB_BASELINE: the naive
 * loop, MB_REFERENCE: dgemm), or NULL. */
const struct mb_kernel *mb_kernel_with(unsigned traits)
{
    for (size_t i = 0; i < mb_kernel_count(); i++)
        if ((kernels[i]->traits & traits) == traits)
            return kernels[i];
    return NULL;
}

/* The ladder kernel that runs the step of base with every trait of with
 * and none of without (the naive loop's thread variant: MB_THREADS without
 * MB_PROCS), or NULL. */
const struct mb_kernel *mb_kernel_variant(const struct mb_kernel *base, unsigned with,
                                          unsigned without)
{
    for (size_t i = 0; base != NULL && base->step != NULL && i < mb_kernel_count(); i++)
        if (kernels[i]->step == base->step && (kernels[i]->traits & with) == with &&
            (kernels[i]->traits & without) == 0)
            return kernels[i];
    return NULL;
}

/* The words --kernels takes for a group of kernels, in the order help and
 * messages list them. */
static const struct {
    const char *name;
    unsigned bit;
} groups[] = {{"lapack", MB_GROUP_LAPACK}, {"ladder", MB_GROUP_LADDER}};

size_t mb_kernel_group_count(void)
{
    return MB__ARRAY_SIZE(groups);
}

/* The name of the i-th group, and its bit in bit (when not NULL); NULL
 * past the end. */
const char *mb_kernel_group_name(size_t i, unsigned *bit)
{
    if (i >= mb_kernel_group_count())
        return NULL;
    if (bit != NULL)
        *bit = groups[i].bit;
    return groups[i].name;
}

/* The scratch one worker of kernel k needs at size n, in bytes, as its
 * ladder step gives it (0: none); the runner allocates it and the plan
 * counts it. */
size_t mb_kernel_scratch_bytes(const struct mb_kernel *k, size_t n)
{
    return k->step != NULL && k->step->scratch_bytes != NULL ? k->step->scratch_bytes(n) : 0;
}
