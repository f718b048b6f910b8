/* verify: correct products pass at every size and thread count, their
 * residual within its proved limit; one wrong entry is caught wherever it is
 * (the check covers every row, not only sampled entries) and the message
 * names it; the row check's reach is what mb_verify_row_reach says, measured
 * at an entry no sample covers; a wrong tile at the matrix edge and a
 * float-precision product are caught by the row check alone; rows computed
 * by another kernel are compared with BLAS. */
#include <cblas.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/blas.h"
#include "matbench/kernels.h"
#include "matbench/matrix.h"
#include "matbench/verify.h"

/* ---- fixture: A, B and C = A*B from cblas_dgemm ------------------------- */

static struct {
    size_t n;
    double *A, *B, *C;
} m;

static void product(size_t n)
{
    m.n = n;
    m.A = mb_matrix_alloc(n, n);
    m.B = mb_matrix_alloc(n, n);
    m.C = mb_matrix_alloc(n, n);
    cr_assert(m.A && m.B && m.C);
    mb_matrix_fill(m.A, n, n, 3, MB_STREAM_A, 2);
    mb_matrix_fill(m.B, n, n, 3, MB_STREAM_B, 2);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0, m.A, (int)n,
                m.B, (int)n, 0.0, m.C, (int)n);
}

static void free_abc(void)
{
    mb_matrix_free(m.A);
    mb_matrix_free(m.B);
    mb_matrix_free(m.C);
    m.A = m.B = m.C = NULL;
}

TestSuite(verify, .fini = free_abc);

/* True when the decimal integer value appears in msg as a number of its own
 * (not a digit run inside a longer number or a fraction or exponent). */
static bool mentions_integer(const char *msg, size_t value)
{
    char want[32];
    snprintf(want, sizeof want, "%zu", value);
    size_t len = strlen(want);
    for (const char *p = msg; (p = strstr(p, want)) != NULL; p++) {
        bool starts = p == msg || !(isdigit((unsigned char)p[-1]) || p[-1] == '.' || p[-1] == '-' ||
                                    p[-1] == '+' || p[-1] == 'e');
        bool ends = !isdigit((unsigned char)p[len]) && p[len] != '.';
        if (starts && ends)
            return true;
    }
    return false;
}

/* ---- correct products -------------------------------------------------- */

struct size_threads {
    size_t n;
    int threads;
};

/* 203 is no multiple of any micro-tile (prime to 2, 3, 4, 8, 16, 24), so the
 * BLAS edge kernels run; 1 and 2 BLAS threads as the other suites use. */
static struct size_threads pass_sizes[] = {
    {1, 1}, {2, 1}, {7, 1}, {33, 1}, {203, 1}, {1000, 1},
    {1, 2}, {2, 2}, {7, 2}, {33, 2}, {203, 2}, {1000, 2},
};

ParameterizedTestParameters(verify, a_correct_product_passes)
{
    return cr_make_param_array(struct size_threads, pass_sizes,
                               sizeof pass_sizes / sizeof pass_sizes[0]);
}

ParameterizedTest(struct size_threads *p, verify, a_correct_product_passes)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_blas_set_threads(p->threads, &d), MB_OK, "%s", d.msg);
    product(p->n);
    struct mb_verify v;
    cr_assert_eq(mb_verify_gemm(p->n, m.A, m.B, m.C, 1, &v, &d), MB_OK, "n=%zu threads=%d: %s",
                 p->n, p->threads, d.msg);
    cr_assert(v.ok, "n=%zu", p->n);
    cr_assert(isfinite(v.residual), "n=%zu: residual %g", p->n, v.residual);
    cr_assert_leq(v.residual, v.limit, "n=%zu: within the limit of its check", p->n);
    cr_assert_leq(v.residual, MB_VERIFY_GAMMA, "n=%zu", p->n);
    cr_assert_geq(v.residual, 0.0);
    cr_assert_gt(v.checked, 0, "n=%zu: something was compared", p->n);
    /* the row check alone, which covers every entry */
    cr_assert_eq(mb_verify_gemm_ex(p->n, m.A, m.B, m.C, 7, MB_VERIFY_ROWS, &v, &d), MB_OK,
                 "n=%zu threads=%d, rows only: %s", p->n, p->threads, d.msg);
    cr_assert_leq(v.residual, mb_verify_row_limit(p->n));
}

/* The row check's limit is a proved bound slightly above 1 (see
 * mb_verify_row_limit), never a loosened one: at most 2 even for n = 1
 * (where storing B*x as double costs as much as the product itself). */
Test(verify, the_row_limit_is_just_above_one)
{
    static const size_t sizes[] = {1, 2, 7, 203, 1000, 5000, 100000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        double limit = mb_verify_row_limit(sizes[s]);
        cr_assert(limit > 1.0 && limit <= 2.0 + 1e-2, "n=%zu: limit %.17g", sizes[s], limit);
        cr_assert_leq(limit, 1.0 + 1.0 / sizes[s] + 2e-3, "n=%zu: about 1 + 1/n", sizes[s]);
    }
}

Test(verify, a_correct_product_passes_for_any_seed)
{
    product(65);
    for (uint64_t seed = 0; seed < 20; seed++) {
        struct mb_verify v;
        struct mb_diag d = {0};
        cr_assert_eq(mb_verify_gemm(65, m.A, m.B, m.C, seed, &v, &d), MB_OK, "seed %llu: %s",
                     (unsigned long long)seed, d.msg);
    }
}

/* ---- a planted wrong entry --------------------------------------------- */

struct plant {
    size_t n, i, j;
};

/* Corners, the middle, and entries a sample is unlikely to hit: the check
 * must cover every row, so the position must not matter. */
static struct plant plants[] = {
    {1, 0, 0},      {2, 1, 0},     {7, 3, 3},       {7, 6, 6},       {65, 64, 64},
    {65, 32, 17},   {200, 0, 0},   {200, 199, 199}, {200, 100, 100}, {200, 100, 77},
    {200, 13, 199}, {200, 150, 3}, {200, 199, 0},   {200, 57, 141},
};

ParameterizedTestParameters(verify, a_wrong_entry_is_caught_anywhere)
{
    return cr_make_param_array(struct plant, plants, sizeof plants / sizeof plants[0]);
}

ParameterizedTest(struct plant *p, verify, a_wrong_entry_is_caught_anywhere)
{
    product(p->n);
    m.C[p->i * p->n + p->j] += 1e-3;
    struct mb_verify v;
    struct mb_diag d = {0};
    cr_assert_eq(mb_verify_gemm(p->n, m.A, m.B, m.C, 1, &v, &d), MB_VERIFY,
                 "n=%zu, C[%zu][%zu] + 1e-3 is caught", p->n, p->i, p->j);
    cr_assert_not(v.ok);
    cr_assert_gt(v.residual, MB_VERIFY_GAMMA, "residual %g", v.residual);
    cr_assert_eq(v.i, p->i, "the worst entry is in row %zu, got %zu", p->i, v.i);
    cr_assert(d.msg[0] != '\0', "there is a message");
}

ParameterizedTestParameters(verify, the_message_names_the_wrong_entry)
{
    return cr_make_param_array(struct plant, plants, sizeof plants / sizeof plants[0]);
}

ParameterizedTest(struct plant *p, verify, the_message_names_the_wrong_entry)
{
    product(p->n);
    m.C[p->i * p->n + p->j] += 1e-3;
    struct mb_verify v;
    struct mb_diag d = {0};
    cr_assert_eq(mb_verify_gemm(p->n, m.A, m.B, m.C, 1, &v, &d), MB_VERIFY);
    cr_assert(mentions_integer(d.msg, p->i) && mentions_integer(d.msg, p->j),
              "n=%zu: the message names row %zu and column %zu: %s", p->n, p->i, p->j, d.msg);
}

Test(verify, nan_and_infinity_are_caught)
{
    product(5);
    m.C[7] = NAN;
    struct mb_verify v;
    cr_assert_eq(mb_verify_gemm(5, m.A, m.B, m.C, 1, &v, NULL), MB_VERIFY, "NaN");
    cr_assert_not(v.ok);
    free_abc();
    product(100);
    m.C[55 * 100 + 44] = INFINITY;
    cr_assert_eq(mb_verify_gemm(100, m.A, m.B, m.C, 1, &v, NULL), MB_VERIFY, "infinity");
    cr_assert_not(v.ok);
}

/* ---- what the row check reaches ---------------------------------------- */

/* An entry of C no sample covers, in a row no sample touches, in a column
 * outside the last group (which may be shorter than the others), with
 * |c_ij| >= at_least: there only the row check can see an error. */
static void unsampled_entry(size_t n, double at_least, size_t *pi, size_t *pj)
{
    size_t ij[MB_VERIFY_SAMPLES + 4][2];
    size_t count = mb_verify_samples(n, 1, ij, MB_VERIFY_SAMPLES + 4);
    const size_t width = (n + MB_VERIFY_GROUPS - 1) / MB_VERIFY_GROUPS;
    size_t last_group = (n - 1) / width * width;
    if (last_group == 0)
        last_group = n; /* one group */
    for (size_t i = n / 2; i < n; i++) {
        bool touched = false;
        for (size_t e = 0; e < count; e++)
            touched |= ij[e][0] == i;
        for (size_t j = n / 3; !touched && j < last_group; j++)
            if (fabs(m.C[i * n + j]) >= at_least) {
                *pi = i, *pj = j;
                return;
            }
    }
    cr_assert_fail("n=%zu: no unsampled entry with |c| >= %g", n, at_least);
}

/* Scales C[i][j] by (1 + rel) as a faulty kernel might, runs the full check
 * (seed 1, whose samples miss (i, j)), restores C[i][j]; returns whether the
 * check failed, with the planted error in *err. */
static bool caught_scaled(size_t n, size_t i, size_t j, double rel, double *err,
                          struct mb_verify *v, struct mb_diag *d)
{
    const double c = m.C[i * n + j];
    m.C[i * n + j] = c * (1 + rel);
    *err = fabs(m.C[i * n + j] - c); /* exact (Sterbenz) */
    enum mb_status st = mb_verify_gemm(n, m.A, m.B, m.C, 1, v, d);
    m.C[i * n + j] = c;
    cr_assert(st == MB_OK || st == MB_VERIFY, "status %d", (int)st);
    return st == MB_VERIFY;
}

static size_t reach_sizes[] = {203, 1000};

ParameterizedTestParameters(verify, the_row_check_reaches_what_the_formula_says)
{
    return cr_make_param_array(size_t, reach_sizes, sizeof reach_sizes / sizeof reach_sizes[0]);
}

/* Single-entry errors of relative size 1e-3, 1e-4, ..., 1e-14 at an entry
 * no sample covers: detection must stop once and stay stopped, and where it
 * stops (found to 0.1 % by bisection within the last decade) must be within
 * a factor 2 of mb_verify_row_reach(n). Why 2: the formula uses the
 * expected sum of the group's (|A||B|)_ij over matbench's fill, w*n/4; one
 * row's sum differs from it by O(1/sqrt(n)) relative (a few per cent here),
 * and the correct product's own rounding in that row, far below the bound,
 * moves the edge by less still; measured within 3 % at n = 1000 and 5000.
 * A factor 2 is many standard deviations of that, and still rules out a
 * check whose reach is the old one (n^3 u / 4 or coarser: 8 times the formula
 * and more). The check is exact arithmetic on fixed data, so the outcome is
 * the same on every machine and BLAS whose product is correct. */
ParameterizedTest(size_t *np, verify, the_row_check_reaches_what_the_formula_says)
{
    const size_t n = *np;
    product(n);
    size_t i, j;
    unsampled_entry(n, 1.0, &i, &j);
    struct mb_verify v;
    struct mb_diag d = {0};
    double err, rel = 1e-3, last_caught = 0;
    bool stopped = false;
    for (int decade = 3; decade <= 14; decade++, rel /= 10) {
        bool caught = caught_scaled(n, i, j, rel, &err, &v, &d);
        if (caught) {
            cr_assert_not(stopped, "n=%zu: C[%zu][%zu] * (1 + %g) caught after a larger miss", n, i,
                          j, rel);
            cr_assert(mentions_integer(d.msg, i) && mentions_integer(d.msg, j),
                      "the message names C[%zu][%zu]: %s", i, j, d.msg);
            cr_assert_str_eq(v.what, "row check, then the row's entries", "%s", d.msg);
            last_caught = rel;
        } else {
            stopped = true;
        }
    }
    cr_assert_gt(last_caught, 0, "n=%zu: relative 1e-3 is caught", n);
    cr_assert(stopped, "n=%zu: relative 1e-14 (%.3g) passes", n, 1e-14 * fabs(m.C[i * n + j]));
    double lo = last_caught / 10, hi = last_caught; /* missed, caught */
    while (hi / lo > 1.001) {
        double mid = sqrt(lo * hi);
        if (caught_scaled(n, i, j, mid, &err, &v, &d))
            hi = mid;
        else
            lo = mid;
    }
    caught_scaled(n, i, j, hi, &err, &v, &d);
    const double reach = mb_verify_row_reach(n);
    cr_log_info("n=%zu: C[%zu][%zu] = %.4g caught from an error of %.4g (relative %.3g), %.3f "
                "times the formula's %.4g",
                n, i, j, m.C[i * n + j], err, hi, err / reach, reach);
    cr_assert(err >= reach / 2 && err <= reach * 2,
              "n=%zu: C[%zu][%zu] = %g caught from an error of %.4g, the formula says %.4g", n, i,
              j, m.C[i * n + j], err, reach);
}

/* The case: at n = 1000 an entry off by a relative 1e-9 (an error
 * of about 1e-8, 180 times the entry bound) passed unless it was sampled;
 * the row check's reach is now 3.5e-9. */
Test(verify, a_relative_1e_9_error_is_caught_anywhere_at_1000)
{
    const size_t n = 1000;
    product(n);
    size_t i, j;
    unsampled_entry(n, 8.0, &i, &j);
    struct mb_verify v;
    struct mb_diag d = {0};
    double err;
    cr_assert(caught_scaled(n, i, j, 1e-9, &err, &v, &d), "C[%zu][%zu] = %g, error %g", i, j,
              m.C[i * n + j], err);
    cr_assert_eq(v.i, i, "%s", d.msg);
    cr_assert_eq(v.j, j, "%s", d.msg);
    cr_assert_gt(err, 2 * mb_verify_row_reach(n));
}

/* An error spread over one row group, each entry at 1.5 n*u*(|A||B|)_ij in
 * the direction of x_j: every entry is within its own bound (residual 0.75
 * of MB_VERIFY_GAMMA = 2), the group's sum is 1.5 times the row bound. The
 * row check catches it and, finding no single entry to blame, names the row
 * and the columns. */
Test(verify, an_error_spread_over_a_row_group_is_caught_and_named)
{
    const size_t n = 203, i = 120, w = (n + MB_VERIFY_GROUPS - 1) / MB_VERIFY_GROUPS;
    product(n);
    for (size_t j = 0; j < w; j++) {
        long double scale = 0;
        for (size_t k = 0; k < n; k++)
            scale += fabsl((long double)m.A[i * n + k] * m.B[k * n + j]);
        m.C[i * n + j] += mb_verify_row_sign(1, j) * 1.5 * n * (DBL_EPSILON / 2) * (double)scale;
    }
    struct mb_verify v;
    struct mb_diag d = {0};
    cr_assert_eq(mb_verify_gemm(n, m.A, m.B, m.C, 1, &v, &d), MB_VERIFY);
    cr_assert_eq(v.j, SIZE_MAX, "no entry to blame: %s", d.msg);
    cr_assert_eq(v.i, i);
    char cols[64];
    snprintf(cols, sizeof cols, "columns 0..%zu", w - 1);
    cr_assert(mentions_integer(d.msg, i) && strstr(d.msg, cols) != NULL, "%s", d.msg);
    cr_assert(v.residual > 1.4 && v.residual < 1.6, "residual %g", v.residual);
}

/* ---- wrong tiles and a float product ------------------------------------ */

enum tile_fault { TILE_ZERO, TILE_MISSING_LAST_K, TILE_OFF_1E_8 };

/* Makes rows [r0, r0 + rows) x columns [c0, c0 + cols) of C wrong, as a
 * micro-kernel edge case would: left unwritten (zero), missing the last
 * rank-1 update (a k-remainder bug), or off by a relative 1e-8. */
static void spoil_tile(size_t r0, size_t rows, size_t c0, size_t cols, enum tile_fault f)
{
    const size_t n = m.n;
    for (size_t i = r0; i < r0 + rows; i++)
        for (size_t j = c0; j < c0 + cols; j++) {
            double *c = &m.C[i * n + j];
            if (f == TILE_ZERO)
                *c = 0;
            else if (f == TILE_MISSING_LAST_K)
                *c -= m.A[i * n + n - 1] * m.B[(n - 1) * n + j];
            else
                *c *= 1 + 1e-8;
        }
}

/* Whether any sampled entry falls in the tile. */
static bool tile_sampled(size_t n, size_t r0, size_t rows, size_t c0, size_t cols)
{
    size_t ij[MB_VERIFY_SAMPLES + 4][2];
    size_t count = mb_verify_samples(n, 1, ij, MB_VERIFY_SAMPLES + 4);
    for (size_t e = 0; e < count; e++)
        if (ij[e][0] >= r0 && ij[e][0] < r0 + rows && ij[e][1] >= c0 && ij[e][1] < c0 + cols)
            return true;
    return false;
}

/* Micro-tiles of BLAS kernels (OpenBLAS: 4x8 Haswell, 16x2 SkylakeX, 6x8
 * and 8x24 in BLIS-style kernels) and n = 203, which none of them divides:
 * the wrong tile is the corner one (rows n-r.., columns n-c..), one on the
 * bottom edge and one on the right edge away from the corners, placed where
 * no sample falls. The row check alone must catch each, and name an entry
 * inside the tile. */
Test(verify, a_wrong_edge_tile_is_caught)
{
    const size_t n = 203;
    static const size_t tiles[][2] = {{6, 8}, {8, 24}, {4, 8}, {16, 2}};
    static const char *const faults[] = {"zero", "missing the last k", "off by 1e-8"};
    product(n);
    double *good = malloc(n * n * sizeof *good);
    cr_assert_not_null(good);
    memcpy(good, m.C, n * n * sizeof *good);
    for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++) {
        const size_t mr = tiles[t][0], nr = tiles[t][1];
        const size_t rows = n % mr, cols = n % nr; /* the edge remainders */
        size_t where[3][4] = {
            {n - rows, rows, n - cols, cols}, {n - rows, rows, 0, nr}, {0, mr, n - cols, cols}};
        for (size_t c0 = nr; tile_sampled(n, where[1][0], rows, c0 - nr, nr); c0 += nr)
            where[1][2] = c0;
        for (size_t r0 = mr; tile_sampled(n, where[2][0], mr, n - cols, cols); r0 += mr)
            where[2][0] = r0;
        for (int w = 0; w < 3; w++) {
            const size_t r0 = where[w][0], nrow = where[w][1], c0 = where[w][2], ncol = where[w][3];
            if (w > 0)
                cr_assert_not(tile_sampled(n, r0, nrow, c0, ncol));
            for (int f = 0; f < 3; f++) {
                memcpy(m.C, good, n * n * sizeof *good);
                spoil_tile(r0, nrow, c0, ncol, (enum tile_fault)f);
                struct mb_verify v;
                struct mb_diag d = {0};
                cr_assert_eq(mb_verify_gemm_ex(n, m.A, m.B, m.C, 1, MB_VERIFY_ROWS, &v, &d),
                             MB_VERIFY, "%zux%zu tile at (%zu, %zu), %s: row check", nrow, ncol, r0,
                             c0, faults[f]);
                cr_assert(v.i >= r0 && v.i < r0 + nrow && v.j >= c0 && v.j < c0 + ncol,
                          "%zux%zu tile at (%zu, %zu), %s: names C[%zu][%zu]: %s", nrow, ncol, r0,
                          c0, faults[f], v.i, v.j, d.msg);
                cr_assert_eq(mb_verify_gemm(n, m.A, m.B, m.C, 1, &v, &d), MB_VERIFY);
            }
        }
    }
    free(good);
}

static size_t float_sizes[] = {33, 203, 1000};

ParameterizedTestParameters(verify, a_float_precision_product_is_caught)
{
    return cr_make_param_array(size_t, float_sizes, sizeof float_sizes / sizeof float_sizes[0]);
}

/* C from cblas_sgemm on A and B rounded to float, and the correct C rounded
 * to float: every entry off by about 1e-7 relative. Caught by the row check
 * alone and by the full check. */
ParameterizedTest(size_t *np, verify, a_float_precision_product_is_caught)
{
    const size_t n = *np;
    product(n);
    float *a = malloc(n * n * sizeof *a), *b = malloc(n * n * sizeof *b),
          *c = malloc(n * n * sizeof *c);
    cr_assert(a && b && c);
    for (size_t e = 0; e < n * n; e++)
        a[e] = (float)m.A[e], b[e] = (float)m.B[e];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0f, a, (int)n,
                b, (int)n, 0.0f, c, (int)n);
    double *good = malloc(n * n * sizeof *good);
    cr_assert_not_null(good);
    memcpy(good, m.C, n * n * sizeof *good);
    struct mb_verify v;
    struct mb_diag d = {0};
    for (int way = 0; way < 2; way++) {
        for (size_t e = 0; e < n * n; e++)
            m.C[e] = way == 0 ? (double)c[e] : (double)(float)good[e];
        const char *what = way == 0 ? "sgemm" : "C rounded to float";
        cr_assert_eq(mb_verify_gemm_ex(n, m.A, m.B, m.C, 1, MB_VERIFY_ROWS, &v, &d), MB_VERIFY,
                     "n=%zu, %s: row check", n, what);
        cr_assert_eq(mb_verify_gemm(n, m.A, m.B, m.C, 1, &v, &d), MB_VERIFY, "n=%zu, %s", n, what);
    }
    free(a), free(b), free(c), free(good);
}

/* ---- rows of another kernel ------------------------------------------- */

/* C recomputed by the naive loop, rows [0, rows) only, the rest NaN. */
static void naive_rows(size_t rows)
{
    const size_t n = m.n;
    for (size_t i = 0; i < n * n; i++)
        m.C[i] = NAN;
    struct mb_kernel_call call = {.n = n, .A = m.A, .B = m.B, .C = m.C, .threads = 1};
    cr_assert_eq(mb_kernel_run(mb_kernel_find("naive"), &call, NULL), MB_OK);
    cr_assert_eq(call.rows_done, n);
    for (size_t i = rows * n; i < n * n; i++)
        m.C[i] = NAN;
}

Test(verify, naive_rows_pass_against_blas)
{
    const size_t n = 150, rows = 70; /* more rows than one reference chunk, fewer than n */
    product(n);
    naive_rows(rows);
    struct mb_verify v;
    struct mb_diag d = {0};
    cr_assert_eq(mb_verify_rows(n, rows, m.A, m.B, m.C, &v, &d), MB_OK, "%s", d.msg);
    cr_assert(v.ok);
    cr_assert(isfinite(v.residual) && v.residual <= MB_VERIFY_GAMMA, "residual %g", v.residual);
    cr_assert_eq(v.checked, rows * n, "every entry of the computed rows");
}

Test(verify, every_naive_row_passes_against_blas)
{
    product(65);
    naive_rows(65);
    struct mb_verify v;
    struct mb_diag d = {0};
    cr_assert_eq(mb_verify_rows(65, 65, m.A, m.B, m.C, &v, &d), MB_OK, "%s", d.msg);
    cr_assert_leq(v.residual, MB_VERIFY_GAMMA);
}

Test(verify, a_wrong_entry_in_a_computed_row_is_caught)
{
    const size_t n = 150, rows = 70;
    static const size_t where[][2] = {{0, 0}, {66, 149}, {69, 0}, {35, 75}};
    product(n);
    for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
        naive_rows(rows);
        const size_t i = where[w][0], j = where[w][1];
        m.C[i * n + j] += 1e-3;
        struct mb_verify v;
        struct mb_diag d = {0};
        cr_assert_eq(mb_verify_rows(n, rows, m.A, m.B, m.C, &v, &d), MB_VERIFY, "C[%zu][%zu]", i,
                     j);
        cr_assert_not(v.ok);
        cr_assert_eq(v.i, i);
        cr_assert_eq(v.j, j);
        cr_assert(mentions_integer(d.msg, i) && mentions_integer(d.msg, j),
                  "the message names C[%zu][%zu]: %s", i, j, d.msg);
    }
}

Test(verify, rows_past_the_computed_ones_are_not_checked)
{
    const size_t n = 150, rows = 70;
    product(n);
    naive_rows(rows); /* rows 70.. are NaN */
    m.C[100 * n] = 1e9;
    struct mb_verify v;
    cr_assert_eq(mb_verify_rows(n, rows, m.A, m.B, m.C, &v, NULL), MB_OK);
    cr_assert_eq(mb_verify_rows(n, 0, m.A, m.B, m.C, &v, NULL), MB_OK, "no rows, nothing wrong");
}
