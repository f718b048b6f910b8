/* The `simd` ladder step against OpenBLAS on one core: mb_rows_simd over
 * all rows of matbench's matrices (same allocation, fill and seed) and
 * cblas_dgemm at one thread, interleaved so a shared machine's noise falls
 * on both, one warm-up each and the median of REPEAT timed calls.
 * Usage: simd_gemm N [REPEAT] [ISA]; ISA (avx512, avx2, portable) forces
 * the micro-kernel, else the widest the CPU has is used. Prints both rates
 * in GFLOP/s and their ratio; exits 1 if the two products disagree. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "matbench/clock.h"
#include "matbench/matrix.h"
#include "matbench/plan.h"
#include "matbench/simd.h"
#include "matbench/stats.h"

#define MAX_REPEAT 1000

/* The largest |x - y| over the n x n matrices x and y. */
static double max_abs_diff(const double *x, const double *y, size_t n)
{
    double most = 0;
    for (size_t i = 0; i < n * n; i++)
        most = fmax(most, fabs(x[i] - y[i]));
    return most;
}

/* The largest |x| over the n x n matrix x. */
static double max_abs(const double *x, size_t n)
{
    double most = 0;
    for (size_t i = 0; i < n * n; i++)
        most = fmax(most, fabs(x[i]));
    return most;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: simd_gemm N [REPEAT] [avx512|avx2|portable]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    int repeat = argc > 2 ? atoi(argv[2]) : MB_DEFAULT_REPEAT;
    if (n < 1 || n > 20000 || repeat < 1 || repeat > MAX_REPEAT) {
        fprintf(stderr, "simd_gemm: 1 <= N <= 20000, 1 <= REPEAT <= %d\n", MAX_REPEAT);
        return 2;
    }
    enum mb_isa isa = mb_isa_widest();
    if (argc > 3) {
        struct mb_diag d = {0};
        if (mb_simd_path_isa(argv[3], &isa, &d) != MB_OK) {
            fprintf(stderr, "simd_gemm: %s\n", d.msg);
            return 2;
        }
    }
    size_t nn = (size_t)n;
    size_t scratch_bytes = (mb_simd_scratch_bytes(nn) + 63) / 64 * 64;
    double *A = mb_matrix_alloc(nn, nn), *B = mb_matrix_alloc(nn, nn), *C = mb_matrix_alloc(nn, nn),
           *R = mb_matrix_alloc(nn, nn);
    void *scratch = aligned_alloc(64, scratch_bytes);
    if (A == NULL || B == NULL || C == NULL || R == NULL || scratch == NULL) {
        fprintf(stderr, "simd_gemm: out of memory\n");
        return 1;
    }
    mb_matrix_fill(A, nn, nn, MB_DEFAULT_SEED, MB_STREAM_A, mb_fill_threads());
    mb_matrix_fill(B, nn, nn, MB_DEFAULT_SEED, MB_STREAM_B, mb_fill_threads());
    openblas_set_num_threads(1);

    double simd_s[MAX_REPEAT], dgemm_s[MAX_REPEAT];
    for (int r = -MB_DEFAULT_WARMUP; r < repeat; r++) {
        double t0 = mb_clock_now_s();
        mb_rows_simd_ex(A, B, C, nn, 0, nn, scratch, isa);
        double t1 = mb_clock_now_s();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, R, n);
        double t2 = mb_clock_now_s();
        if (r >= 0) {
            simd_s[r] = t1 - t0;
            dgemm_s[r] = t2 - t1;
        }
    }
    struct mb_stats simd, dgemm;
    mb_stats_compute(simd_s, (size_t)repeat, &simd);
    mb_stats_compute(dgemm_s, (size_t)repeat, &dgemm);

    /* Each entry is a dot product of length n: both results lie within
     * n u sum|a||b| <= n u n max|A| max|B| of the exact one (Higham's
     * gamma_n, u = 2^-53), so they differ by at most twice that. */
    double err = max_abs_diff(C, R, nn);
    double bound = 2.0 * n * 0x1p-53 * n * max_abs(A, nn) * max_abs(B, nn);
    double flops = 2.0 * n * (double)n * n;
    printf("simd_gemm n=%d isa=%s repeat=%d simd_gflops=%.2f dgemm_gflops=%.2f ratio=%.3f "
           "max_err=%.3g\n",
           n, mb_simd_path_name(isa), repeat, flops / simd.median * 1e-9, flops / dgemm.median * 1e-9,
           dgemm.median / simd.median, err);
    int code = 0;
    if (!(err <= bound)) {
        fprintf(stderr, "simd_gemm: results differ by %g (allowed %g)\n", err, bound);
        code = 1;
    }
    free(scratch);
    mb_matrix_free(A);
    mb_matrix_free(B);
    mb_matrix_free(C);
    mb_matrix_free(R);
    return code;
}
