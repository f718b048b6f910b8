/* verify: correct products pass with a residual within MB_VERIFY_GAMMA; one
 * wrong entry is caught wherever it is (the check covers every row, not
 * only sampled entries) and the message names it; rows computed by another
 * kernel are compared with BLAS. */
#include <cblas.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

static size_t pass_sizes[] = {1, 2, 7, 65, 200};

ParameterizedTestParameters(verify, a_correct_product_passes)
{
    return cr_make_param_array(size_t, pass_sizes, sizeof pass_sizes / sizeof pass_sizes[0]);
}

ParameterizedTest(size_t *n, verify, a_correct_product_passes)
{
    product(*n);
    struct mb_verify v;
    struct mb_diag d = {0};
    cr_assert_eq(mb_verify_gemm(*n, m.A, m.B, m.C, 1, &v, &d), MB_OK, "n=%zu: %s", *n, d.msg);
    cr_assert(v.ok, "n=%zu", *n);
    cr_assert(isfinite(v.residual), "n=%zu: residual %g", *n, v.residual);
    cr_assert_leq(v.residual, MB_VERIFY_GAMMA, "n=%zu", *n);
    cr_assert_geq(v.residual, 0.0);
    cr_assert_gt(v.checked, 0, "n=%zu: something was compared", *n);
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

/* ---- rows of another kernel ------------------------------------------- */

/* C recomputed by the naive loop, rows [0, rows) only, the rest NaN. */
static void naive_rows(size_t rows)
{
    const size_t n = m.n;
    for (size_t i = 0; i < n * n; i++)
        m.C[i] = NAN;
    struct mb_kernel_call call = {.n = n, .A = m.A, .B = m.B, .C = m.C, .threads = 1};
    cr_assert_eq(mb_kernel_find("naive")->run(&call, NULL), MB_OK);
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
