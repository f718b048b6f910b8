/* The baseline for "matbench adds nothing to the library's speed": the same
 * matrices as matbench (same allocation, fill and seed), cblas_dgemm, a
 * monotonic clock, and nothing else: no verification, no bookkeeping.
 * Usage: bare_dgemm N [THREADS] [REPEAT]; prints the median GFLOP/s. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

#include "matbench/clock.h"
#include "matbench/matrix.h"
#include "matbench/plan.h"
#include "matbench/stats.h"

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: bare_dgemm N [THREADS] [REPEAT]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    int threads = argc > 2 ? atoi(argv[2]) : 0;
    int repeat = argc > 3 ? atoi(argv[3]) : MB_DEFAULT_REPEAT;
    if (n < 1 || threads < 0 || repeat < 1 || repeat > 1000) {
        fprintf(stderr, "bare_dgemm: N >= 1, THREADS >= 0 (0 = as set), 1 <= REPEAT <= 1000\n");
        return 2;
    }
    double *A = mb_matrix_alloc((size_t)n, (size_t)n), *B = mb_matrix_alloc((size_t)n, (size_t)n),
           *C = mb_matrix_alloc((size_t)n, (size_t)n);
    if (A == NULL || B == NULL || C == NULL) {
        fprintf(stderr, "bare_dgemm: out of memory\n");
        return 1;
    }
    mb_matrix_fill(A, (size_t)n, (size_t)n, MB_DEFAULT_SEED, MB_STREAM_A, mb_fill_threads());
    mb_matrix_fill(B, (size_t)n, (size_t)n, MB_DEFAULT_SEED, MB_STREAM_B, mb_fill_threads());
    if (threads > 0)
        openblas_set_num_threads(threads);

    double samples[1000];
    for (int r = -MB_DEFAULT_WARMUP; r < repeat; r++) {
        double t0 = mb_clock_now_s();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
        if (r >= 0)
            samples[r] = mb_clock_now_s() - t0;
    }
    struct mb_stats st;
    mb_stats_compute(samples, (size_t)repeat, &st);
    printf("bare_dgemm n=%d threads=%d median_s=%.6f gflops=%.2f\n", n, openblas_get_num_threads(),
           st.median, 2.0 * n * (double)n * n / st.median * 1e-9);
    mb_matrix_free(A);
    mb_matrix_free(B);
    mb_matrix_free(C);
    return 0;
}
