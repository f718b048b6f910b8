/* kernels: every registered kernel computes C = A*B correctly at awkward
 * sizes, against a straightforward long-double reference; the naive loop
 * honours its deadline and the stop flag. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <float.h>
#include <math.h>

#include "matbench/blas.h"
#include "matbench/clock.h"
#include "matbench/kernels.h"
#include "matbench/matrix.h"

struct abc {
    size_t n;
    double *A, *B, *C;
};

static struct abc make_abc(size_t n)
{
    struct abc m = {n, mb_matrix_alloc(n, n), mb_matrix_alloc(n, n), mb_matrix_alloc(n, n)};
    cr_assert(m.A && m.B && m.C);
    mb_matrix_fill(m.A, n, n, 11, MB_STREAM_A, 2);
    mb_matrix_fill(m.B, n, n, 11, MB_STREAM_B, 2);
    for (size_t i = 0; i < n * n; i++)
        m.C[i] = NAN;
    return m;
}

static void free_abc(struct abc *m)
{
    mb_matrix_free(m->A);
    mb_matrix_free(m->B);
    mb_matrix_free(m->C);
}

/* Every entry within 4*n*eps*sum|a||b| of the long-double product. */
static void assert_product(const struct abc *m, size_t rows, const char *kernel)
{
    const size_t n = m->n;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < n; j++) {
            long double ref = 0, scale = 0;
            for (size_t k = 0; k < n; k++) {
                ref += (long double)m->A[i * n + k] * m->B[k * n + j];
                scale += fabsl((long double)m->A[i * n + k] * m->B[k * n + j]);
            }
            double err = fabs(m->C[i * n + j] - (double)ref);
            cr_assert_leq(err, 4.0 * (double)n * DBL_EPSILON * (double)scale,
                          "%s n=%zu C[%zu][%zu] = %.17g, want %.17Lg", kernel, n, i, j,
                          m->C[i * n + j], ref);
        }
}

static const size_t sizes[] = {1, 2, 7, 33, 65, 130};

ParameterizedTestParameters(kernels, correct_at_awkward_sizes)
{
    return cr_make_param_array(size_t, (void *)sizes, sizeof sizes / sizeof sizes[0]);
}

ParameterizedTest(size_t *n, kernels, correct_at_awkward_sizes)
{
    static const int thread_counts[] = {1, 2};
    for (size_t ki = 0; ki < mb_kernel_count(); ki++) {
        const struct mb_kernel *k = mb_kernel_at(ki);
        for (size_t t = 0; t < 2; t++) {
            struct abc m = make_abc(*n);
            cr_assert_eq(mb_blas_set_threads(thread_counts[t], NULL), MB_OK);
            struct mb_kernel_call call = {
                .n = *n, .A = m.A, .B = m.B, .C = m.C, .threads = thread_counts[t]};
            cr_assert_eq(k->run(&call), MB_OK);
            cr_assert_eq(call.rows_done, *n, "%s computes every row", k->name);
            assert_product(&m, *n, k->name);
            struct mb_verify v;
            struct mb_diag d = {0};
            cr_assert_eq(k->verify(&call, 5, &v, &d), MB_OK, "%s: %s", k->name, d.msg);
            cr_assert(v.ok);
            free_abc(&m);
        }
    }
}

Test(kernels, registry_lists_naive_and_dgemm)
{
    const struct mb_kernel *naive = mb_kernel_find("naive"), *dgemm = mb_kernel_find("dgemm");
    cr_assert_not_null(naive);
    cr_assert_not_null(dgemm);
    cr_assert(naive->traits & MB_TIMEBOXED);
    cr_assert(naive->traits & MB_BASELINE);
    cr_assert(dgemm->traits & MB_BLAS_THREADS);
    cr_assert_null(mb_kernel_find("nope"));
    cr_assert_null(mb_kernel_at(mb_kernel_count()));
    for (size_t i = 0; i < mb_kernel_count(); i++)
        cr_assert(mb_kernel_at(i)->lesson[0] != '\0');
}

Test(kernels, gemm_flops_are_2n_cubed)
{
    cr_assert_float_eq(mb_flops_gemm(1), 2.0, 0);
    cr_assert_float_eq(mb_flops_gemm(5000), 2.5e11, 0);
}

Test(kernels, naive_stops_after_the_row_where_the_deadline_passed)
{
    struct abc m = make_abc(40);
    struct mb_kernel_call call = {
        .n = 40, .A = m.A, .B = m.B, .C = m.C, .threads = 1, .deadline_s = mb_clock_now_s() - 1.0};
    cr_assert_eq(mb_kernel_find("naive")->run(&call), MB_OK);
    cr_assert_eq(call.rows_done, 1);
    assert_product(&m, 1, "naive");
    free_abc(&m);
}

Test(kernels, naive_honours_the_stop_flag)
{
    struct abc m = make_abc(40);
    volatile sig_atomic_t stop = 1;
    struct mb_kernel_call call = {
        .n = 40, .A = m.A, .B = m.B, .C = m.C, .threads = 1, .stop = &stop};
    cr_assert_eq(mb_kernel_find("naive")->run(&call), MB_OK);
    cr_assert_eq(call.rows_done, 1);
    free_abc(&m);
}
