/* Verification of C = A*B. Three checks, each against a bound from rounding
 * error analysis, each reported as a residual: the error divided by n*u times
 * the scale of the bound, which a correct product keeps below 1 to first
 * order and which must not exceed the check's limit:
 *  - sampled entries against a long-double dot product, componentwise bound
 *    |c^ij - cij| <= gamma*n*u * sum_k |aik||bkj|, limit MB_VERIFY_GAMMA
 *    (Higham, §3.1);
 *  - every row, in MB_VERIFY_GROUPS groups of w = ceil(n/8) columns, through
 *    a +-1 vector x (Freivalds' check): C*x against A*(B*x) in long double,
 *    bound limit * n*u * (|A||B||x|)_i with the proved limit of
 *    mb_verify_row_limit (1.0016 at n = 1000), so a wrong entry anywhere is
 *    caught once it exceeds the rounding the bound allows its row group;
 *  - rows of C computed by another kernel against BLAS, entry by entry.
 * Reach of the row check (mb_verify_row_reach): the smallest single-entry
 * error it catches at any position is limit * n*u * w * n/4 ~ n^3 u / 32 for
 * matbench's matrices (uniform in [-1, 1): E (|A||B|)_ij = n/4): 3.5e-9 at
 * n = 1000 and 4.3e-7 at n = 5000, relative to an entry of typical size
 * (sqrt(n)/3) 3.3e-10 and 1.8e-8; the entry bound is n/16 times finer, so
 * a smaller error is caught only at a sampled entry. Measured: 0.99-1.03
 * times the formula at both sizes. */
#include "matbench/verify.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "matbench/matrix.h"

#define MB_UNIT_ROUNDOFF (DBL_EPSILON / 2) /* u = 2^-53 */
#define MB_VERIFY_CHUNK 64                 /* rows of the BLAS reference at a time */

/* Folds one comparison into out: keeps the comparison furthest past its own
 * pass limit (residual / limit, the row check's limit being tighter than
 * the entries') with its entry, and clears ok when residual exceeds limit.
 * A NaN residual counts as infinite. */
static void keep_worst(struct mb_verify *out, const struct mb_verify *c)
{
    double residual = isnan(c->residual) ? INFINITY : c->residual;
    out->checked++;
    if (out->what == NULL || residual / c->limit > out->residual / out->limit) {
        bool ok = out->ok;
        size_t checked = out->checked;
        *out = *c;
        out->residual = residual;
        out->ok = ok;
        out->checked = checked;
    }
    if (!(residual <= c->limit))
        out->ok = false;
}

/* One entry against its reference: err / (bound_factor * u * scale), a pass
 * <= MB_VERIFY_GAMMA. */
static void record(struct mb_verify *out, const char *what, size_t i, size_t j, double got,
                   double want, double scale, double bound_factor)
{
    double err = fabs(got - want);
    double unit = bound_factor * MB_UNIT_ROUNDOFF * scale;
    double residual = unit > 0 ? err / unit : (err == 0 ? 0.0 : INFINITY);
    if (isnan(got))
        residual = INFINITY;
    keep_worst(out, &(struct mb_verify){.residual = residual,
                                        .limit = MB_VERIFY_GAMMA,
                                        .what = what,
                                        .i = i,
                                        .j = j,
                                        .got = got,
                                        .want = want,
                                        .bound = MB_VERIFY_GAMMA * unit});
}

static void start(struct mb_verify *out)
{
    *out = (struct mb_verify){.ok = true, .residual = 0.0, .limit = MB_VERIFY_GAMMA};
}

static enum mb_status finish(const struct mb_verify *out, struct mb_diag *d)
{
    if (out->ok)
        return MB_OK;
    if (out->j == SIZE_MAX)
        return mb_diag_set(d, MB_VERIFY,
                           "%s: row %zu, columns %zu..%zu: C*x = %.17g, want A*(B*x) = %.17g "
                           "(|error| %.3g > bound %.3g)",
                           out->what, out->i, out->col_first, out->col_last, out->got, out->want,
                           fabs(out->got - out->want), out->bound);
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
    struct mb_verify row;
    const size_t i = out->i;
    start(&row);
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

/* The entries the sampled check compares for n and seed: the four corners,
 * then MB_VERIFY_SAMPLES drawn from seed (repeats allowed), or every entry
 * when n*n <= MB_VERIFY_SAMPLES + 4. Writes the first cap of them to ij and
 * returns how many there are (at most MB_VERIFY_SAMPLES + 4). */
size_t mb_verify_samples(size_t n, uint64_t seed, size_t (*ij)[2], size_t cap)
{
    size_t count = 0;
#define MB_PUT(ii, jj)                                                                             \
    do {                                                                                           \
        if (count < cap)                                                                           \
            ij[count][0] = (ii), ij[count][1] = (jj);                                              \
        count++;                                                                                   \
    } while (0)
    if (n * n <= MB_VERIFY_SAMPLES + 4) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                MB_PUT(i, j);
        return count;
    }
    MB_PUT(0, 0);
    MB_PUT(0, n - 1);
    MB_PUT(n - 1, 0);
    MB_PUT(n - 1, n - 1);
    uint64_t state = seed ^ 0xC0FFEEULL;
    for (int s = 0; s < MB_VERIFY_SAMPLES; s++) {
        size_t i = next_u64(&state) % n, j = next_u64(&state) % n;
        MB_PUT(i, j);
    }
#undef MB_PUT
    return count;
}

/* Columns per group of the row check: n split into MB_VERIFY_GROUPS groups
 * of w = ceil(n / MB_VERIFY_GROUPS) columns (the last one may be shorter). */
static size_t group_width(size_t n)
{
    return n == 0 ? 1 : (n + MB_VERIFY_GROUPS - 1) / MB_VERIFY_GROUPS;
}

static long double gamma_of(size_t m, long double unit)
{
    return m * unit / (1 - m * unit);
}

/* The row check's pass limit on its residual |w^ - z^| / (n*u*T^): a bound
 * proved for every correct C, not a figure tuned to a machine (Higham,
 * "Accuracy and Stability of Numerical Algorithms", 2nd ed.: gamma_m =
 * m*u/(1 - m*u), Lemma 3.1; a dot product of length m in any order has
 * |fl(x'y) - x'y| <= gamma_m |x|'|y|, §3.1; so a matrix product has
 * |C^ - AB| <= gamma_n |A||B|, §3.5). Write X for the +-1 vector kept to the
 * w columns of one group and T = (|A||B||X|)_i. With u = 2^-53, the double
 * roundoff, and v = LDBL_EPSILON/2 (2^-64 on x86-64) for the long-double
 * reference, and x_j = +-1 making every product with X exact:
 *   the kernel:  |(C^X - ABX)_i| <= gamma_n T;
 *   w^ = fl_v(C^X)_i:           |w^ - (C^X)_i| <= gamma'_w (1 + gamma_n) T
 *                               (as |C^| <= (1 + gamma_n)|A||B|);
 *   y' = fl_u(fl_v(BX)), stored as double:
 *                               |y' - BX| <= eta |B||X|, eta = gamma'_w + u (1 + gamma'_w);
 *   z^ = fl_v(A y')_i:          |z^ - (ABX)_i| <= (eta + gamma'_n (1 + eta)) T;
 * gamma' being gamma with v. So |w^ - z^| <= F T with F the sum of the four,
 * and fl_v(w^ - z^) adds a factor (1 + v). The check computes T^ = fl_u(|A|
 * fl_u(fl_v(|B||X|))), sums of non-negative terms, so T^ >= (1 - gamma_n)(1 -
 * u)(1 - gamma'_w) T; n*u*T^ and the quotient are rounded once each in long
 * double and once to double. Hence a correct C has a residual of at most
 *   (1 + v)^2 (1 + u) F / ((1 - v) n u (1 - gamma_n)(1 - u)(1 - gamma'_w)),
 * returned times (1 + 2^-40) to cover evaluating it. That is 1 + 1/n +
 * (n + 3w)/(2048 n) to first order: 1.0017 at n = 1000, 1.0008 at n = 5000. */
double mb_verify_row_limit(size_t n)
{
    const long double u = MB_UNIT_ROUNDOFF, v = LDBL_EPSILON / 2;
    const size_t w = group_width(n);
    long double gn = gamma_of(n, u), gv_n = gamma_of(n, v), gv_w = gamma_of(w, v);
    long double eta = gv_w + u * (1 + gv_w);
    long double f = gn + gv_w * (1 + gn) + eta + gv_n * (1 + eta);
    long double limit =
        (1 + v) * (1 + v) * (1 + u) * f / ((1 - v) * n * u * (1 - gn) * (1 - u) * (1 - gv_w));
    return (double)(limit * (1 + 0x1p-40L));
}

/* The smallest error of one entry that the row check catches wherever it
 * is, for matbench's matrices (entries uniform in [-1, 1), so E|a_ik| =
 * E|b_kj| = 1/2): the check fails when |e| exceeds its bound, the limit times
 * n*u*T with T = sum over the w columns of the group of (|A||B|)_ij, whose
 * expectation is w*n/4. So the reach is limit * n*u * w*n/4, about
 * n^3 u / (4 * MB_VERIFY_GROUPS): 3.5e-9 at n = 1000, 4.3e-7 at n = 5000
 * (the entries themselves are about sqrt(n)/3: 10.5 and 23.6). A row's
 * actual T differs from w*n/4 by O(1/sqrt(n)) relative, and the product's
 * own rounding in that row (far below the bound) moves the edge by as much. */
double mb_verify_row_reach(size_t n)
{
    return mb_verify_row_limit(n) * n * MB_UNIT_ROUNDOFF * group_width(n) * n / 4.0;
}

/* x_j of the row check's vector for seed: -1 or +1, each with probability
 * 1/2, a pure function of (seed, j) (matbench's counter-based generator, a
 * stream of its own). */
int mb_verify_row_sign(uint64_t seed, size_t j)
{
    return mb_prng_value(seed, 0x5EED, j) < 0 ? -1 : 1;
}

/* Freivalds' check, column group by column group: x_j = +-1 from seed (a
 * counter-based draw, so reproducible), and for each row i and each group
 * g of w columns, w^ = sum_{j in g} c_ij x_j against z^ = (A (B X_g))_i, in
 * long double, with the bound of mb_verify_row_limit. With |x_j| = 1 every
 * column counts fully (a uniform x would hide a column whose x_j is near
 * zero), and a group's bound sums the rounding of w = n/8 columns instead of
 * n, which makes the check's reach 8 times finer than one vector's.
 * Cost: one pass over B for Y = B X and S = |B||X| (2 n^2 additions), per
 * row 2 n G multiply-adds for z and T and n additions for w: about
 * (2G + 3) n^2 operations with G = MB_VERIFY_GROUPS, O(n^2) against dgemm's
 * 2 n^3 flops; z in long double (x87, four partial sums because its
 * additions are latency-bound), T in double. Measured at n = 2000 on the
 * project's AVX-512 VM: 0.045 s, 11 % of a one-thread dgemm's CPU time
 * (one vector over whole rows took 0.03 s), and the share falls as 1/n.
 * Memory: 2 n G doubles. */
static enum mb_status check_rows_with_vector(size_t n, const double *A, const double *B,
                                             const double *C, uint64_t seed, struct mb_verify *out,
                                             struct mb_diag *d)
{
    const size_t w = group_width(n), groups = (n + w - 1) / w;
    signed char *x = malloc(n);
    double *y = malloc(groups * n * sizeof *y), *s = malloc(groups * n * sizeof *s);
    if (x == NULL || y == NULL || s == NULL) {
        free(x), free(y), free(s);
        return mb_diag_set(d, MB_NOMEM, "verification: cannot allocate 2 x %zu x %zu", groups, n);
    }
    for (size_t j = 0; j < n; j++)
        x[j] = (signed char)mb_verify_row_sign(seed, j);
    /* y[g*n + k] = (B X_g)_k, s[g*n + k] = (|B||X_g|)_k */
    for (size_t k = 0; k < n; k++) {
        const double *b = B + k * n;
        for (size_t g = 0; g < groups; g++) {
            size_t j1 = (g + 1) * w < n ? (g + 1) * w : n;
            long double acc = 0, abs_acc = 0;
            for (size_t j = g * w; j < j1; j++) {
                acc += x[j] < 0 ? -(long double)b[j] : (long double)b[j];
                abs_acc += fabsl(b[j]);
            }
            y[g * n + k] = (double)acc;
            s[g * n + k] = (double)abs_acc;
        }
    }
    const long double nu = n * (long double)MB_UNIT_ROUNDOFF;
    const double limit = mb_verify_row_limit(n);
    for (size_t i = 0; i < n; i++) {
        const double *a = A + i * n, *c = C + i * n;
        for (size_t g = 0; g < groups; g++) {
            const double *yg = y + g * n, *sg = s + g * n;
            /* four partial sums: x87 additions are latency-bound */
            long double z4[4] = {0, 0, 0, 0}, wsum = 0;
            double t4[4] = {0, 0, 0, 0};
            size_t k = 0;
            for (; k + 4 <= n; k += 4)
                for (int q = 0; q < 4; q++) {
                    z4[q] += (long double)a[k + q] * yg[k + q];
                    t4[q] += fabs(a[k + q]) * sg[k + q];
                }
            for (; k < n; k++) {
                z4[0] += (long double)a[k] * yg[k];
                t4[0] += fabs(a[k]) * sg[k];
            }
            long double z = (z4[0] + z4[1]) + (z4[2] + z4[3]);
            double t = (t4[0] + t4[1]) + (t4[2] + t4[3]);
            size_t j0 = g * w, j1 = (g + 1) * w < n ? (g + 1) * w : n;
            for (size_t j = j0; j < j1; j++)
                wsum += x[j] < 0 ? -(long double)c[j] : (long double)c[j];
            long double err = fabsl(wsum - z), unit = nu * t;
            double residual = unit > 0 ? (double)(err / unit) : (err == 0 ? 0.0 : INFINITY);
            keep_worst(out, &(struct mb_verify){.residual = residual,
                                                .limit = limit,
                                                .what = "row check",
                                                .i = i,
                                                .j = SIZE_MAX,
                                                .col_first = j0,
                                                .col_last = j1 - 1,
                                                .got = (double)wsum,
                                                .want = (double)z,
                                                .bound = (double)(limit * unit)});
        }
    }
    free(x), free(y), free(s);
    if (!out->ok && out->j == SIZE_MAX)
        locate_in_row(n, A, B, C, out);
    return MB_OK;
}

/* Verifies the n x n product C = A*B (row-major) with the checks named in
 * checks (MB_VERIFY_SAMPLED: the entries of mb_verify_samples against a
 * long-double reference; MB_VERIFY_ROWS: every row, group of columns by
 * group, with Freivalds' check). Returns MB_OK when all pass, MB_VERIFY with
 * the worst entry described in d when one fails, MB_NOMEM when the check's
 * vectors cannot be allocated. out always holds the worst residual. */
enum mb_status mb_verify_gemm_ex(size_t n, const double *A, const double *B, const double *C,
                                 uint64_t seed, unsigned checks, struct mb_verify *out,
                                 struct mb_diag *d)
{
    start(out);
    if (checks & MB_VERIFY_SAMPLED) {
        size_t ij[MB_VERIFY_SAMPLES + 4][2];
        size_t count = mb_verify_samples(n, seed, ij, MB_VERIFY_SAMPLES + 4);
        for (size_t e = 0; e < count; e++)
            check_entry(n, A, B, C, ij[e][0], ij[e][1], out);
    }
    if (checks & MB_VERIFY_ROWS) {
        enum mb_status st = check_rows_with_vector(n, A, B, C, seed, out, d);
        if (st != MB_OK)
            return st;
    }
    return finish(out, d);
}

/* mb_verify_gemm_ex with both checks. */
enum mb_status mb_verify_gemm(size_t n, const double *A, const double *B, const double *C,
                              uint64_t seed, struct mb_verify *out, struct mb_diag *d)
{
    return mb_verify_gemm_ex(n, A, B, C, seed, MB_VERIFY_SAMPLED | MB_VERIFY_ROWS, out, d);
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
