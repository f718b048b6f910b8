/* Verification of C = A*B. Three checks, each against a bound from rounding
 * error analysis, each reported as a residual: the error divided by n*u times
 * the scale of the bound, which a correct product keeps below 1 and which
 * must not exceed MB_VERIFY_GAMMA:
 *  - sampled entries against a long-double dot product, componentwise bound
 *    |c^ij - cij| <= gamma*n*u * sum_k |aik||bkj|  (Higham, eq. 3.5);
 *  - every row through a random vector x (Freivalds' check): C*x against
 *    A*(B*x), bound gamma*n*u * (|A|(|B||x|))_i, so a wrong entry anywhere is
 *    caught, not only where a sample falls;
 *  - rows of C computed by another kernel against BLAS, entry by entry. */
#include "matbench/verify.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "matbench/matrix.h"

#define MB_UNIT_ROUNDOFF (DBL_EPSILON / 2) /* u = 2^-53 */
#define MB_VERIFY_CHUNK 64                 /* rows of the BLAS reference at a time */

/* Folds one comparison into out: keeps the worst residual and its entry, and
 * clears ok when the error exceeds the bound. */
static void record(struct mb_verify *out, const char *what, size_t i, size_t j, double got,
                   double want, double scale, double bound_factor)
{
    double err = fabs(got - want);
    double unit = bound_factor * MB_UNIT_ROUNDOFF * scale;
    double residual = unit > 0 ? err / unit : (err == 0 ? 0.0 : INFINITY);
    if (isnan(got))
        residual = INFINITY;
    out->checked++;
    if (residual > out->residual || out->what == NULL) {
        out->residual = residual;
        out->what = what;
        out->i = i;
        out->j = j;
        out->got = got;
        out->want = want;
        out->bound = MB_VERIFY_GAMMA * unit;
    }
    if (!(residual <= MB_VERIFY_GAMMA))
        out->ok = false;
}

static void start(struct mb_verify *out)
{
    *out = (struct mb_verify){.ok = true, .residual = 0.0};
}

static enum mb_status finish(const struct mb_verify *out, struct mb_diag *d)
{
    if (out->ok)
        return MB_OK;
    if (out->j == SIZE_MAX)
        return mb_diag_set(d, MB_VERIFY,
                           "%s: row %zu of C*x = %.17g, want A*(B*x) = %.17g "
                           "(|error| %.3g > bound %.3g)",
                           out->what, out->i, out->got, out->want, fabs(out->got - out->want),
                           out->bound);
    return mb_diag_set(d, MB_VERIFY,
                       "%s: C[%zu][%zu] = %.17g, want %.17g (|error| %.3g > bound %.3g)", out->what,
                       out->i, out->j, out->got, out->want, fabs(out->got - out->want), out->bound);
}

static void check_entry(size_t n, const double *A, const double *B, const double *C, size_t i,
                        size_t j, struct mb_verify *out)
{
    long double ref = 0, scale = 0;
    for (size_t k = 0; k < n; k++) {
        long double p = (long double)A[i * n + k] * B[k * n + j];
        ref += p;
        scale += fabsl(p);
    }
    record(out, "sampled entry", i, j, C[i * n + j], (double)ref, (double)(n * scale), 1.0);
}

/* After a failed row check, finds the entry of that row that is furthest
 * outside its componentwise bound, so the report names (i, j) as a sampled
 * failure does. If no single entry exceeds its bound (the error is spread
 * along the row), the row check's figures stay as they are. */
static void locate_in_row(size_t n, const double *A, const double *B, const double *C,
                          struct mb_verify *out)
{
    struct mb_verify row = {.ok = true};
    const size_t i = out->i;
    for (size_t j = 0; j < n; j++)
        check_entry(n, A, B, C, i, j, &row);
    if (row.ok)
        return;
    out->what = "row check, then the row's entries";
    out->j = row.j;
    out->got = row.got;
    out->want = row.want;
    out->bound = row.bound;
    out->checked += row.checked;
}

static uint64_t next_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Freivalds' check in long double: y = B*x and s = |B||x|, then per row i
 * z = A*y, t = |A|*s, w = C*x. The error of a correct C shows up in w - z as
 * at most gamma_n * t_i; the long-double arithmetic itself adds n*2^-64 of
 * the same scale, far below the bound. */
static enum mb_status check_rows_with_vector(size_t n, const double *A, const double *B,
                                             const double *C, uint64_t seed, struct mb_verify *out,
                                             struct mb_diag *d)
{
    double *x = malloc(n * sizeof *x);
    long double *y = malloc(n * sizeof *y), *s = malloc(n * sizeof *s);
    if (x == NULL || y == NULL || s == NULL) {
        free(x), free(y), free(s);
        return mb_diag_set(d, MB_NOMEM, "verification: cannot allocate 3 vectors of %zu", n);
    }
    for (size_t j = 0; j < n; j++)
        x[j] = mb_prng_value(seed, 0x5EED, j);
    for (size_t k = 0; k < n; k++) {
        long double acc = 0, abs_acc = 0;
        for (size_t j = 0; j < n; j++) {
            acc += (long double)B[k * n + j] * x[j];
            abs_acc += fabsl((long double)B[k * n + j] * x[j]);
        }
        y[k] = acc;
        s[k] = abs_acc;
    }
    for (size_t i = 0; i < n; i++) {
        long double z = 0, t = 0, w = 0;
        for (size_t k = 0; k < n; k++) {
            z += A[i * n + k] * y[k];
            t += fabsl(A[i * n + k]) * s[k];
        }
        for (size_t j = 0; j < n; j++)
            w += (long double)C[i * n + j] * x[j];
        record(out, "row check", i, SIZE_MAX, (double)w, (double)z, (double)(n * t), 1.0);
    }
    free(x), free(y), free(s);
    if (!out->ok && out->j == SIZE_MAX)
        locate_in_row(n, A, B, C, out);
    return MB_OK;
}

/* Verifies the n x n product C = A*B (row-major): at least MB_VERIFY_SAMPLES
 * entries chosen from seed plus the four corners (every entry when n <= 8)
 * against a long-double reference, and every row with Freivalds' check.
 * Returns MB_OK when all pass, MB_VERIFY with the worst entry described in d
 * when one fails, MB_NOMEM when the check's vectors cannot be allocated.
 * out always holds the worst residual. */
enum mb_status mb_verify_gemm(size_t n, const double *A, const double *B, const double *C,
                              uint64_t seed, struct mb_verify *out, struct mb_diag *d)
{
    start(out);
    if (n * n <= MB_VERIFY_SAMPLES + 4) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                check_entry(n, A, B, C, i, j, out);
    } else {
        size_t corners[4][2] = {{0, 0}, {0, n - 1}, {n - 1, 0}, {n - 1, n - 1}};
        for (int c = 0; c < 4; c++)
            check_entry(n, A, B, C, corners[c][0], corners[c][1], out);
        uint64_t state = seed ^ 0xC0FFEEULL;
        for (int s = 0; s < MB_VERIFY_SAMPLES; s++) {
            size_t i = next_u64(&state) % n, j = next_u64(&state) % n;
            check_entry(n, A, B, C, i, j, out);
        }
    }
    enum mb_status st = check_rows_with_vector(n, A, B, C, seed, out, d);
    if (st != MB_OK)
        return st;
    return finish(out, d);
}

/* Compares rows [0, rows) of C, computed by some kernel, with the same rows
 * from cblas_dgemm, entry by entry. Both carry an error of at most
 * gamma_n*sum|aik||bkj| <= gamma_n*||a_i||*||b_j|| (Cauchy-Schwarz, which
 * avoids a second O(n^3) pass for the exact sums), so their difference is
 * bounded by twice that. The reference is made MB_VERIFY_CHUNK rows at a
 * time, so the check needs O(n) extra memory, not another matrix. */
enum mb_status mb_verify_rows(size_t n, size_t rows, const double *A, const double *B,
                              const double *C, struct mb_verify *out, struct mb_diag *d)
{
    start(out);
    if (rows == 0)
        return MB_OK;
    size_t chunk = rows < MB_VERIFY_CHUNK ? rows : MB_VERIFY_CHUNK;
    double *ref = mb_matrix_alloc(chunk, n);
    long double *bnorm = calloc(n, sizeof *bnorm);
    if (ref == NULL || bnorm == NULL) {
        mb_matrix_free(ref);
        free(bnorm);
        return mb_diag_set(d, MB_NOMEM, "verification: cannot allocate %zu x %zu reference rows",
                           chunk, n);
    }
    for (size_t k = 0; k < n; k++)
        for (size_t j = 0; j < n; j++)
            bnorm[j] += (long double)B[k * n + j] * B[k * n + j];
    for (size_t j = 0; j < n; j++)
        bnorm[j] = sqrtl(bnorm[j]);

    for (size_t r0 = 0; r0 < rows; r0 += chunk) {
        size_t m = rows - r0 < chunk ? rows - r0 : chunk;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)n, 1.0,
                    A + r0 * n, (int)n, B, (int)n, 0.0, ref, (int)n);
        for (size_t i = r0; i < r0 + m; i++) {
            long double anorm = 0;
            for (size_t k = 0; k < n; k++)
                anorm += (long double)A[i * n + k] * A[i * n + k];
            anorm = sqrtl(anorm);
            for (size_t j = 0; j < n; j++)
                record(out, "row against BLAS", i, j, C[i * n + j], ref[(i - r0) * n + j],
                       (double)(n * anorm * bnorm[j]), 2.0);
        }
    }
    mb_matrix_free(ref);
    free(bnorm);
    return finish(out, d);
}
