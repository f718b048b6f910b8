/* The baseline for matbench's dgetrf: the same matrix as matbench (same
 * allocation, fill and seed), LAPACKE_dgetrf column-major on the row-major
 * fill as matbench's default --layout col does, a monotonic clock around the
 * call alone, and nothing else: no verification, no bookkeeping.
 * Usage: bare_dgetrf N [THREADS] [REPEAT]; prints the median GFLOP/s. */
#include <cblas.h>
#include <errno.h>
#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/clock.h"
#include "matbench/matrix.h"
#include "matbench/plan.h"
#include "matbench/stats.h"

/* The flops of an LU of an m x n matrix, LAPACK Working Note 41 (xGETRF):
 * mn^2/2 - n^3/6 + mn/2 - n^2/2 + 2n/3 multiplications and
 * mn^2/2 - n^3/6 - mn/2 + n/6 additions. Written out here rather than taken
 * from matbench's mb_flops_getrf, so that the two are checks of each other;
 * at m = n it is 2n^3/3 - n^2/2 + 5n/6. */
static double getrf_flops(double m, double n)
{
    double mul = m * n * n / 2 - n * n * n / 6 + m * n / 2 - n * n / 2 + 2 * n / 3;
    double add = m * n * n / 2 - n * n * n / 6 - m * n / 2 + n / 6;
    return mul + add;
}

/* Sets *out to text, the argument called name, when the whole of it is a
 * decimal integer in lo..hi; otherwise says what is allowed and returns 0. */
static int parse_int(const char *name, const char *text, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "bare_dgetrf: %s: '%s' is not allowed (an integer, %ld..%ld)\n", name, text,
                lo, hi);
        return 0;
    }
    *out = (int)v;
    return 1;
}

int main(int argc, char **argv)
{
    enum { MAX_REPEAT = 1000 };
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: bare_dgetrf N [THREADS] [REPEAT]\n");
        return 2;
    }
    int n = 0, threads = 0, repeat = MB_DEFAULT_REPEAT;
    /* LAPACKE takes n as an int; 2^20 (8 TiB a matrix) is past any memory */
    if (!parse_int("N", argv[1], 1, 1 << 20, &n) ||
        (argc > 2 && !parse_int("THREADS (0 = as set)", argv[2], 0, 4096, &threads)) ||
        (argc > 3 && !parse_int("REPEAT", argv[3], 1, MAX_REPEAT, &repeat)))
        return 2;
    const size_t nz = (size_t)n;
    double *A = mb_matrix_alloc(nz, nz), *C = mb_matrix_alloc(nz, nz);
    lapack_int *ipiv = malloc(nz * sizeof *ipiv);
    int status = 0;
    if (A == NULL || C == NULL || ipiv == NULL) {
        fprintf(stderr, "bare_dgetrf: out of memory (two %d x %d matrices)\n", n, n);
        status = 1;
        goto out;
    }
    mb_matrix_fill(A, nz, nz, MB_DEFAULT_SEED, MB_STREAM_A, mb_fill_threads());
    if (threads > 0)
        openblas_set_num_threads(threads);

    /* dgetrf overwrites its input: each repetition factorises a fresh copy
     * of the pristine A, copied before the clock starts. */
    double samples[MAX_REPEAT];
    for (int r = -MB_DEFAULT_WARMUP; r < repeat; r++) {
        memcpy(C, A, nz * nz * sizeof *C);
        double t0 = mb_clock_now_s();
        lapack_int info = LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, C, n, ipiv);
        double t = mb_clock_now_s() - t0;
        if (info != 0) {
            fprintf(stderr, "bare_dgetrf: LAPACKE_dgetrf returned info %d (%s)\n", (int)info,
                    info > 0 ? "U(info,info) is exactly zero: the matrix is singular"
                             : "an argument had an illegal value or LAPACKE ran out of memory");
            status = 1;
            goto out;
        }
        if (r >= 0)
            samples[r] = t;
    }
    struct mb_stats st;
    mb_stats_compute(samples, (size_t)repeat, &st);
    printf("bare_dgetrf n=%d threads=%d median_s=%.6f gflops=%.2f\n", n, openblas_get_num_threads(),
           st.median, getrf_flops(n, n) / st.median * 1e-9);
out:
    mb_matrix_free(A);
    mb_matrix_free(C);
    free(ipiv);
    return status;
}
