/* verify: correct products pass, a planted wrong entry is caught wherever it
 * is, and the message names the entry. */
#include <cblas.h>
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "matbench/matrix.h"
#include "matbench/verify.h"

struct abc {
    size_t n;
    double *A, *B, *C;
};

static struct abc product(size_t n)
{
    struct abc m = {n, mb_matrix_alloc(n, n), mb_matrix_alloc(n, n), mb_matrix_alloc(n, n)};
    cr_assert(m.A && m.B && m.C);
    mb_matrix_fill(m.A, n, n, 3, MB_STREAM_A, 2);
    mb_matrix_fill(m.B, n, n, 3, MB_STREAM_B, 2);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0, m.A, (int)n,
                m.B, (int)n, 0.0, m.C, (int)n);
    return m;
}

static void free_abc(struct abc *m)
{
    mb_matrix_free(m->A);
    mb_matrix_free(m->B);
    mb_matrix_free(m->C);
}

Test(verify, correct_products_pass)
{
    static const size_t sizes[] = {1, 2, 7, 65, 200};
    for (size_t s = 0; s < 5; s++) {
        struct abc m = product(sizes[s]);
        struct mb_verify v;
        struct mb_diag d = {0};
        cr_assert_eq(mb_verify_gemm(m.n, m.A, m.B, m.C, 1, &v, &d), MB_OK, "n=%zu: %s", m.n, d.msg);
        cr_assert(v.ok);
        cr_assert(isfinite(v.residual) && v.residual <= MB_VERIFY_GAMMA, "residual %g", v.residual);
        cr_assert_geq(v.checked, sizes[s] < 9 ? sizes[s] * sizes[s] : MB_VERIFY_SAMPLES);
        free_abc(&m);
    }
}

Test(verify, planted_entry_is_caught_anywhere)
{
    const size_t n = 200;
    const size_t where[][2] = {{0, 0}, {n - 1, n - 1}, {n / 2, 77}, {13, n - 1}, {150, 3}};
    for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
        struct abc m = product(n);
        m.C[where[w][0] * n + where[w][1]] += 1e-3;
        struct mb_verify v;
        struct mb_diag d = {0};
        cr_assert_eq(mb_verify_gemm(n, m.A, m.B, m.C, 1, &v, &d), MB_VERIFY, "(%zu,%zu)",
                     where[w][0], where[w][1]);
        cr_assert_not(v.ok);
        char row[32];
        snprintf(row, sizeof row, "%zu", where[w][0]);
        cr_assert(strstr(d.msg, row) != NULL, "message names row %s: %s", row, d.msg);
        cr_assert(strstr(d.msg, "bound") != NULL, "%s", d.msg);
        free_abc(&m);
    }
}

Test(verify, nan_is_caught)
{
    struct abc m = product(5);
    m.C[7] = NAN;
    struct mb_verify v;
    cr_assert_eq(mb_verify_gemm(5, m.A, m.B, m.C, 1, &v, NULL), MB_VERIFY);
    free_abc(&m);
}

Test(verify, rows_of_another_kernel_are_compared_with_blas)
{
    const size_t n = 150, rows = 70; /* more than one chunk of reference rows */
    struct abc m = product(n);
    struct mb_verify v;
    struct mb_diag d = {0};
    cr_assert_eq(mb_verify_rows(n, rows, m.A, m.B, m.C, &v, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(v.checked, rows * n);
    cr_assert_leq(v.residual, MB_VERIFY_GAMMA);
    m.C[66 * n + 149] -= 1e-6;
    cr_assert_eq(mb_verify_rows(n, rows, m.A, m.B, m.C, &v, &d), MB_VERIFY);
    cr_assert(strstr(d.msg, "C[66][149]") != NULL, "%s", d.msg);
    /* A wrong entry past the computed rows is not this check's business. */
    m.C[66 * n + 149] += 1e-6;
    m.C[100 * n] = 1e9;
    cr_assert_eq(mb_verify_rows(n, rows, m.A, m.B, m.C, &v, &d), MB_OK);
    free_abc(&m);
}
