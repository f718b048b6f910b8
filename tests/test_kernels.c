/* kernels: the registry, the flop count, and every entry of C = A*B from the
 * naive loop and from dgemm (at 1 and 2 BLAS threads) against a
 * straightforward long-double reference at awkward sizes; the naive loop
 * honours its deadline and the stop flag. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <float.h>
#include <math.h>

#include "matbench/blas.h"
#include "matbench/clock.h"
#include "matbench/kernels.h"
#include "matbench/matrix.h"

/* ---- fixture: A and B filled from one seed, C poisoned with NaN -------- */

static struct {
    size_t n;
    double *A, *B, *C;
} m;

static void make_abc(size_t n)
{
    m.n = n;
    m.A = mb_matrix_alloc(n, n);
    m.B = mb_matrix_alloc(n, n);
    m.C = mb_matrix_alloc(n, n);
    cr_assert(m.A && m.B && m.C, "allocating three %zu x %zu matrices", n, n);
    mb_matrix_fill(m.A, n, n, 11, MB_STREAM_A, 2);
    mb_matrix_fill(m.B, n, n, 11, MB_STREAM_B, 2);
    for (size_t i = 0; i < n * n; i++)
        m.C[i] = NAN;
}

static void free_abc(void)
{
    mb_matrix_free(m.A);
    mb_matrix_free(m.B);
    mb_matrix_free(m.C);
    m.A = m.B = m.C = NULL;
}

TestSuite(kernels, .fini = free_abc);

static struct mb_kernel_call call_for(int threads)
{
    return (struct mb_kernel_call){.n = m.n, .A = m.A, .B = m.B, .C = m.C, .threads = threads};
}

/* Rows [0, rows) of C hold A*B: every entry within 4*n*eps*sum|a||b| of a
 * long-double triple loop. eps is DBL_EPSILON = 2u (u = 2^-53), so the
 * bound is 8*n*u*sum|a||b|: at least four times Higham's bound, which
 * holds for any order of summation, FMA or not, so whatever kernel
 * OpenBLAS picked (gamma_n = n*u/(1 - n*u) for the product, plus u for
 * rounding the reference to double; Accuracy and Stability of Numerical
 * Algorithms, 2nd ed., 3.5). */
static void assert_rows_are_the_product(size_t rows, const char *kernel, int threads)
{
    const size_t n = m.n;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < n; j++) {
            long double ref = 0, scale = 0;
            for (size_t k = 0; k < n; k++) {
                long double p = (long double)m.A[i * n + k] * m.B[k * n + j];
                ref += p;
                scale += fabsl(p);
            }
            double got = m.C[i * n + j];
            double bound = 4.0 * (double)n * DBL_EPSILON * (double)scale;
            cr_assert(fabs(got - (double)ref) <= bound,
                      "%s, %d thread(s), n=%zu: C[%zu][%zu] = %.17g, want %.17Lg (bound %.3g)",
                      kernel, threads, n, i, j, got, ref, bound);
        }
}

static void assert_kernel_verifies(const struct mb_kernel *k, const struct mb_kernel_call *call)
{
    struct mb_verify v;
    struct mb_diag d = {0};
    cr_assert_eq(k->verify(call, &v, &d), MB_OK, "%s n=%zu: %s", k->name, call->n, d.msg);
    cr_assert(v.ok, "%s n=%zu: verify says ok", k->name, call->n);
}

/* ---- the registry ------------------------------------------------------ */

Test(kernels, registry_has_naive_and_dgemm)
{
    const struct mb_kernel *naive = mb_kernel_find("naive"), *dgemm = mb_kernel_find("dgemm");
    cr_assert_not_null(naive);
    cr_assert_not_null(dgemm);
    cr_assert_str_eq(naive->name, "naive");
    cr_assert_str_eq(dgemm->name, "dgemm");
    cr_assert(naive->traits & MB_TIMEBOXED, "the naive loop honours --naive-budget");
    cr_assert(naive->traits & MB_BASELINE, "speed-ups are measured against the naive loop");
    cr_assert(dgemm->traits & MB_BLAS_THREADS, "dgemm runs at each BLAS thread count");
}

Test(kernels, unknown_names_are_not_found)
{
    cr_assert_null(mb_kernel_find("nope"));
    cr_assert_null(mb_kernel_find(""));
    cr_assert_null(mb_kernel_find("DGEMM"), "names are case-sensitive");
    cr_assert_null(mb_kernel_find("naive "));
}

Test(kernels, every_registered_kernel_is_complete_and_findable)
{
    cr_assert_geq(mb_kernel_count(), 2);
    for (size_t i = 0; i < mb_kernel_count(); i++) {
        const struct mb_kernel *k = mb_kernel_at(i);
        cr_assert_not_null(k, "kernel %zu", i);
        cr_assert(k->name != NULL && k->name[0] != '\0', "kernel %zu has a name", i);
        cr_assert(k->lesson != NULL && k->lesson[0] != '\0', "%s has a lesson", k->name);
        cr_assert(k->flops != NULL && k->run != NULL && k->verify != NULL, "%s", k->name);
        cr_assert_eq(mb_kernel_find(k->name), k, "%s is found by name", k->name);
    }
    cr_assert_null(mb_kernel_at(mb_kernel_count()), "past the end is NULL");
}

Test(kernels, the_naive_loop_has_one_thread_and_one_process_variant)
{
    const struct mb_kernel *naive = mb_kernel_with(MB_BASELINE);
    const struct mb_kernel *th = mb_kernel_variant(naive, MB_THREADS, MB_PROCS);
    const struct mb_kernel *pr = mb_kernel_variant(naive, MB_PROCS, 0);
    cr_assert_not_null(th);
    cr_assert_not_null(pr);
    cr_assert_str_eq(th->name, "naive-threads");
    cr_assert_str_eq(pr->name, "naive-procs");
    cr_assert_eq(th->step, naive->step, "the same loop");
    cr_assert_null(mb_kernel_variant(mb_kernel_with(MB_REFERENCE), MB_THREADS, 0),
                   "dgemm is no ladder step: it has no variants");
    cr_assert_null(mb_kernel_variant(NULL, 0, 0));
}

Test(kernels, gemm_flops_are_2n_cubed)
{
    cr_assert_float_eq(mb_flops_gemm(1, 1), 2.0, 0);
    cr_assert_float_eq(mb_flops_gemm(7, 1), 686.0, 0);
    cr_assert_float_eq(mb_flops_gemm(5000, 1), 2.5e11, 0);
    cr_assert_float_eq(mb_flops_gemm(100000, 1), 2e15, 0, "no integer overflow at large n");
    cr_assert_float_eq(mb_kernel_find("naive")->flops(33, 1), 2.0 * 33 * 33 * 33, 0);
    cr_assert_float_eq(mb_kernel_find("dgemm")->flops(33, 1), 2.0 * 33 * 33 * 33, 0);
}

/* ---- correctness at awkward sizes -------------------------------------- */

static size_t sizes[] = {1, 2, 7, 33, 65, 130};

ParameterizedTestParameters(kernels, naive_computes_every_entry)
{
    return cr_make_param_array(size_t, sizes, sizeof sizes / sizeof sizes[0]);
}

ParameterizedTest(size_t *n, kernels, naive_computes_every_entry)
{
    const struct mb_kernel *k = mb_kernel_find("naive");
    cr_assert_not_null(k);
    make_abc(*n);
    struct mb_kernel_call call = call_for(1); /* deadline 0: run in full */
    cr_assert_eq(mb_kernel_run(k, &call, NULL), MB_OK);
    cr_assert_eq(call.rows_done, *n, "naive n=%zu computes every row, got %zu", *n, call.rows_done);
    assert_rows_are_the_product(*n, "naive", 1);
    assert_kernel_verifies(k, &call);
}

ParameterizedTestParameters(kernels, dgemm_computes_every_entry_at_1_and_2_threads)
{
    return cr_make_param_array(size_t, sizes, sizeof sizes / sizeof sizes[0]);
}

ParameterizedTest(size_t *n, kernels, dgemm_computes_every_entry_at_1_and_2_threads)
{
    const struct mb_kernel *k = mb_kernel_find("dgemm");
    cr_assert_not_null(k);
    make_abc(*n);
    for (int threads = 1; threads <= 2; threads++) {
        /* The runner sets the BLAS thread count; dgemm's run only reads it. */
        cr_assert_eq(mb_blas_set_threads(threads, NULL), MB_OK);
        for (size_t i = 0; i < *n * *n; i++)
            m.C[i] = NAN;
        struct mb_kernel_call call = call_for(threads);
        cr_assert_eq(mb_kernel_run(k, &call, NULL), MB_OK);
        cr_assert_eq(call.rows_done, *n, "dgemm reports every row done");
        assert_rows_are_the_product(*n, "dgemm", threads);
        assert_kernel_verifies(k, &call);
    }
}

/* ---- the time box ------------------------------------------------------ */

Test(kernels, naive_with_a_past_deadline_computes_exactly_one_row)
{
    make_abc(40);
    struct mb_kernel_call call = call_for(1);
    call.deadline_s = mb_clock_now_s() - 1.0;
    cr_assert_eq(mb_kernel_run(mb_kernel_find("naive"), &call, NULL), MB_OK);
    cr_assert_eq(call.rows_done, 1,
                 "it stops after the row during which the deadline passed, got %zu rows",
                 call.rows_done);
    assert_rows_are_the_product(1, "naive", 1);
    for (size_t i = 40; i < 40 * 40; i++)
        cr_assert(isnan(m.C[i]), "C[%zu][%zu] untouched past the rows done", i / 40, i % 40);
    assert_kernel_verifies(mb_kernel_find("naive"), &call);
}

Test(kernels, naive_with_a_distant_deadline_computes_every_row)
{
    make_abc(40);
    struct mb_kernel_call call = call_for(1);
    call.deadline_s = mb_clock_now_s() + 3600.0;
    cr_assert_eq(mb_kernel_run(mb_kernel_find("naive"), &call, NULL), MB_OK);
    cr_assert_eq(call.rows_done, 40);
    assert_rows_are_the_product(40, "naive", 1);
}

Test(kernels, naive_with_the_stop_flag_raised_returns_after_at_most_one_row)
{
    make_abc(40);
    volatile sig_atomic_t stop = 1;
    struct mb_kernel_call call = call_for(1);
    call.stop = &stop;
    cr_assert_eq(mb_kernel_run(mb_kernel_find("naive"), &call, NULL), MB_OK);
    cr_assert_leq(call.rows_done, 1, "got %zu rows", call.rows_done);
    assert_rows_are_the_product(call.rows_done, "naive", 1);
}

Test(kernels, naive_with_the_stop_flag_lowered_runs_in_full)
{
    make_abc(40);
    volatile sig_atomic_t stop = 0;
    struct mb_kernel_call call = call_for(1);
    call.stop = &stop;
    cr_assert_eq(mb_kernel_run(mb_kernel_find("naive"), &call, NULL), MB_OK);
    cr_assert_eq(call.rows_done, 40);
}
