/* lapack: the four LAPACK kernels, run the way the runner runs them, factor and
 * solve correctly at awkward sizes in both layouts and at 1 and 2 BLAS threads;
 * a singular or indefinite input is a run failure naming the column; LAPACKE's
 * info reads as words; the scaled residuals catch a planted error; the flop
 * counts are LAPACK Working Note 41's; the registry lists the four kernels. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/blas.h"
#include "matbench/kernels.h"
#include "matbench/lapack.h"
#include "matbench/matrix.h"

#define SEED 23

/* ---- fixture: every buffer a LAPACK kernel may use, as the runner has them */

static struct {
    size_t n, nrhs;
    double *A, *A0, *C, *W[MB_KERNEL_MAX_WORK], *tau, *X, *X0;
    int *ipiv;
} b;

static void free_bufs(void);

/* A random from SEED (and a copy of it, A0, to prove A is never written);
 * the buffers of an earlier size freed first. */
static void alloc_bufs(size_t n, size_t nrhs)
{
    free_bufs();
    b.n = n;
    b.nrhs = nrhs;
    b.A = mb_matrix_alloc(n, n);
    b.A0 = mb_matrix_alloc(n, n);
    b.C = mb_matrix_alloc(n, n);
    cr_assert(b.A && b.A0 && b.C, "allocating %zu x %zu matrices", n, n);
    for (size_t i = 0; i < MB_KERNEL_MAX_WORK; i++) {
        b.W[i] = mb_matrix_alloc(n, n);
        cr_assert_not_null(b.W[i], "allocating work matrix %zu", i);
    }
    b.X = mb_matrix_alloc(n, nrhs);
    b.X0 = mb_matrix_alloc(n, nrhs);
    b.ipiv = malloc(n * sizeof *b.ipiv);
    b.tau = malloc(n * sizeof *b.tau);
    cr_assert(b.X && b.X0 && b.ipiv && b.tau, "allocating the vectors of n = %zu", n);
    mb_matrix_fill(b.A, n, n, SEED, MB_STREAM_A, 2);
    memcpy(b.A0, b.A, n * n * sizeof *b.A);
}

/* The outputs poisoned with NaN and -1, so nothing passes by accident. */
static void poison(void)
{
    const size_t nn = b.n * b.n, nx = b.n * b.nrhs;
    for (size_t i = 0; i < nn; i++) {
        b.C[i] = NAN;
        for (size_t w = 0; w < MB_KERNEL_MAX_WORK; w++)
            b.W[w][i] = NAN;
    }
    for (size_t i = 0; i < nx; i++)
        b.X[i] = b.X0[i] = NAN;
    for (size_t i = 0; i < b.n; i++) {
        b.ipiv[i] = -1;
        b.tau[i] = NAN;
    }
}

static void free_bufs(void)
{
    mb_matrix_free(b.A);
    mb_matrix_free(b.A0);
    mb_matrix_free(b.C);
    for (size_t i = 0; i < MB_KERNEL_MAX_WORK; i++)
        mb_matrix_free(b.W[i]);
    mb_matrix_free(b.X);
    mb_matrix_free(b.X0);
    free(b.ipiv);
    free(b.tau);
    memset(&b, 0, sizeof b);
}

TestSuite(lapack, .fini = free_bufs);

/* The call the runner builds: only the work matrices the kernel asks for (a
 * kernel that reads past its `work` meets NULL), the right-hand sides only
 * for MB_RHS. */
static struct mb_kernel_call call_for(const struct mb_kernel *k, bool row_major)
{
    struct mb_kernel_call call = {.n = b.n,
                                  .A = b.A,
                                  .C = b.C,
                                  .ipiv = b.ipiv,
                                  .tau = b.tau,
                                  .row_major = row_major,
                                  .seed = SEED,
                                  .threads = 1};
    for (unsigned i = 0; i < k->work; i++)
        call.W[i] = b.W[i];
    if (k->traits & MB_RHS) {
        call.nrhs = b.nrhs;
        call.X = b.X;
        call.X0 = b.X0;
    }
    return call;
}

static const char *layout_name(bool row_major)
{
    return row_major ? "row-major" : "column-major";
}

/* One pass: setup (once per size in the runner), prepare, run. */
static enum mb_status setup_and_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                                    struct mb_diag *d)
{
    if (k->setup != NULL)
        k->setup(call);
    if (k->prepare != NULL)
        k->prepare(call);
    return mb_kernel_run(k, call, d);
}

/* A clean pass that must succeed. */
static void run_ok(const struct mb_kernel *k, struct mb_kernel_call *call)
{
    struct mb_diag d = {0};
    cr_assert_eq(setup_and_run(k, call, &d), MB_OK, "%s n=%zu %s: %s", k->name, call->n,
                 layout_name(call->row_major), d.msg);
    cr_assert_eq(call->rows_done, call->n, "%s reports the whole matrix done", k->name);
}

static void assert_verifies(const struct mb_kernel *k, const struct mb_kernel_call *call,
                            int threads)
{
    struct mb_verify v = {.residual = NAN};
    struct mb_diag d = {0};
    const char *lay = layout_name(call->row_major);
    cr_assert_eq(k->verify(call, &v, &d), MB_OK, "%s n=%zu nrhs=%zu %s %d thread(s): %s", k->name,
                 call->n, call->nrhs, lay, threads, d.msg);
    cr_assert(v.ok, "%s n=%zu %s: verify says ok", k->name, call->n, lay);
    cr_assert(isfinite(v.residual), "%s n=%zu %s: residual %g is finite", k->name, call->n, lay,
              v.residual);
    cr_assert(v.residual >= 0 && v.residual < MB_LAPACK_THRESHOLD,
              "%s n=%zu %s %d thread(s): residual %g below %g", k->name, call->n, lay, threads,
              v.residual, MB_LAPACK_THRESHOLD);
    cr_assert_not_null(v.what, "%s names what it checked", k->name);
}

/* The offset of entry (i, j) of an n x n matrix in either layout. */
static size_t at(bool row_major, size_t n, size_t i, size_t j)
{
    return row_major ? i * n + j : i + j * n;
}

/* ---- 1. every kernel, every awkward size, both layouts, 1 and 2 threads - */

static size_t sizes[] = {1, 2, 7, 33, 65};

static void assert_correct_everywhere(const char *name, size_t n, size_t nrhs)
{
    const struct mb_kernel *k = mb_kernel_find(name);
    cr_assert_not_null(k, "%s is registered", name);
    alloc_bufs(n, nrhs);
    for (int rm = 0; rm <= 1; rm++)
        for (int threads = 1; threads <= 2; threads++) {
            cr_assert_eq(mb_blas_set_threads(threads, NULL), MB_OK);
            poison();
            struct mb_kernel_call call = call_for(k, rm);
            call.threads = threads;
            run_ok(k, &call);
            assert_verifies(k, &call, threads);
            cr_assert(memcmp(b.A, b.A0, n * n * sizeof *b.A) == 0, "%s never writes A", name);
        }
}

ParameterizedTestParameters(lapack, dgetrf_factors_in_both_layouts_at_1_and_2_threads)
{
    return cr_make_param_array(size_t, sizes, sizeof sizes / sizeof sizes[0]);
}

ParameterizedTest(size_t *n, lapack, dgetrf_factors_in_both_layouts_at_1_and_2_threads)
{
    assert_correct_everywhere("dgetrf", *n, 1);
}

ParameterizedTestParameters(lapack, dpotrf_factors_in_both_layouts_at_1_and_2_threads)
{
    return cr_make_param_array(size_t, sizes, sizeof sizes / sizeof sizes[0]);
}

ParameterizedTest(size_t *n, lapack, dpotrf_factors_in_both_layouts_at_1_and_2_threads)
{
    assert_correct_everywhere("dpotrf", *n, 1);
}

ParameterizedTestParameters(lapack, dgesv_solves_1_and_3_rhs_in_both_layouts_at_1_and_2_threads)
{
    return cr_make_param_array(size_t, sizes, sizeof sizes / sizeof sizes[0]);
}

/* nrhs = 3 too: the row-major X has leading dimension 3, not n. */
ParameterizedTest(size_t *n, lapack, dgesv_solves_1_and_3_rhs_in_both_layouts_at_1_and_2_threads)
{
    assert_correct_everywhere("dgesv", *n, 1);
    assert_correct_everywhere("dgesv", *n, 3);
}

ParameterizedTestParameters(lapack, dposv_solves_1_and_3_rhs_in_both_layouts_at_1_and_2_threads)
{
    return cr_make_param_array(size_t, sizes, sizeof sizes / sizeof sizes[0]);
}

ParameterizedTest(size_t *n, lapack, dposv_solves_1_and_3_rhs_in_both_layouts_at_1_and_2_threads)
{
    assert_correct_everywhere("dposv", *n, 1);
    assert_correct_everywhere("dposv", *n, 3);
}

ParameterizedTestParameters(lapack, dgeqrf_factors_in_both_layouts_at_1_and_2_threads)
{
    return cr_make_param_array(size_t, sizes, sizeof sizes / sizeof sizes[0]);
}

ParameterizedTest(size_t *n, lapack, dgeqrf_factors_in_both_layouts_at_1_and_2_threads)
{
    assert_correct_everywhere("dgeqrf", *n, 1);
}

Test(lapack, dgesv_leaves_the_pristine_right_hand_sides_alone)
{
    const struct mb_kernel *k = mb_kernel_find("dgesv");
    alloc_bufs(33, 3);
    for (int rm = 0; rm <= 1; rm++) {
        poison();
        struct mb_kernel_call call = call_for(k, rm);
        run_ok(k, &call);
        double *B = malloc(33 * 3 * sizeof *B);
        cr_assert_not_null(B);
        mb_matrix_fill(B, 33, 3, SEED, MB_STREAM_RHS, 1);
        int same = memcmp(b.X0, B, 33 * 3 * sizeof *B);
        free(B);
        cr_assert_eq(same, 0, "X0 is the seed's right-hand sides after the solve (%s)",
                     layout_name(rm));
    }
}

/* prepare restores the input: a second pass factors the same matrix and, at
 * one thread, gives the same bits. */
static void assert_second_pass_is_identical(const char *name)
{
    const struct mb_kernel *k = mb_kernel_find(name);
    const size_t n = 65, nrhs = 2;
    alloc_bufs(n, nrhs);
    cr_assert_eq(mb_blas_set_threads(1, NULL), MB_OK);
    double *C1 = malloc(n * n * sizeof *C1), *X1 = malloc(n * nrhs * sizeof *X1);
    double *tau1 = malloc(n * sizeof *tau1);
    int *ipiv1 = malloc(n * sizeof *ipiv1);
    cr_assert(C1 && X1 && tau1 && ipiv1);
    for (int rm = 0; rm <= 1; rm++) {
        poison();
        struct mb_kernel_call call = call_for(k, rm);
        run_ok(k, &call); /* setup, prepare, run */
        memcpy(C1, b.C, n * n * sizeof *C1);
        memcpy(X1, b.X, n * nrhs * sizeof *X1);
        memcpy(tau1, b.tau, n * sizeof *tau1);
        memcpy(ipiv1, b.ipiv, n * sizeof *ipiv1);
        if (k->prepare != NULL)
            k->prepare(&call);
        struct mb_diag d = {0};
        cr_assert_eq(mb_kernel_run(k, &call, &d), MB_OK, "%s second pass: %s", name, d.msg);
        bool same_c = memcmp(C1, b.C, n * n * sizeof *C1) == 0;
        bool same_ipiv = memcmp(ipiv1, b.ipiv, n * sizeof *ipiv1) == 0;
        bool same_tau = memcmp(tau1, b.tau, n * sizeof *tau1) == 0;
        bool same_x = memcmp(X1, b.X, n * nrhs * sizeof *X1) == 0;
        cr_assert(same_c, "%s %s: the second factor is the first, byte for byte", name,
                  layout_name(rm));
        if (strcmp(name, "dgetrf") == 0 || strcmp(name, "dgesv") == 0)
            cr_assert(same_ipiv, "%s %s: the same pivots", name, layout_name(rm));
        if (strcmp(name, "dgeqrf") == 0)
            cr_assert(same_tau, "%s %s: the same tau", name, layout_name(rm));
        if (k->traits & MB_RHS)
            cr_assert(same_x, "%s %s: the same solution", name, layout_name(rm));
        assert_verifies(k, &call, 1);
    }
    free(C1);
    free(X1);
    free(tau1);
    free(ipiv1);
}

Test(lapack, dgetrf_second_pass_after_prepare_gives_the_same_factor)
{
    assert_second_pass_is_identical("dgetrf");
}

Test(lapack, dpotrf_second_pass_after_prepare_gives_the_same_factor)
{
    assert_second_pass_is_identical("dpotrf");
}

Test(lapack, dgesv_second_pass_after_prepare_gives_the_same_solution)
{
    assert_second_pass_is_identical("dgesv");
}

Test(lapack, dposv_second_pass_after_prepare_gives_the_same_solution)
{
    assert_second_pass_is_identical("dposv");
}

Test(lapack, dgeqrf_second_pass_after_prepare_gives_the_same_factor)
{
    assert_second_pass_is_identical("dgeqrf");
}

/* ---- 2. singular and indefinite inputs are run failures, with the column */

static void assert_msg_has(const char *msg, const char *part, const char *ctx)
{
    cr_assert(strstr(msg, part) != NULL, "%s: \"%s\" in \"%s\"", ctx, part, msg);
}

/* The message names the number want right after word ("column 17", not
 * "column 1" read out of "column 17"). */
static void assert_msg_names(const char *msg, const char *word, long want, const char *ctx)
{
    const char *at_word = strstr(msg, word);
    cr_assert_not_null(at_word, "%s: \"%s\" in \"%s\"", ctx, word, msg);
    char *end;
    long got = strtol(at_word + strlen(word), &end, 10);
    cr_assert(end != at_word + strlen(word) && got == want, "%s: \"%s%ld\" in \"%s\"", ctx, word,
              want, msg);
}

/* Column col of A all zero: the elimination never changes an exactly zero
 * column (each update subtracts l * 0), and the columns before it are
 * random, so the first zero pivot is U(col, col): info = col + 1. */
static void assert_zero_column_is_singular(const char *name, size_t n, size_t col)
{
    const struct mb_kernel *k = mb_kernel_find(name);
    alloc_bufs(n, 1);
    for (int rm = 0; rm <= 1; rm++)
        for (int threads = 1; threads <= 2; threads++) {
            cr_assert_eq(mb_blas_set_threads(threads, NULL), MB_OK);
            mb_matrix_fill(b.A, n, n, SEED, MB_STREAM_A, 1);
            for (size_t i = 0; i < n; i++)
                b.A[at(rm, n, i, col)] = 0.0;
            poison();
            struct mb_kernel_call call = call_for(k, rm);
            struct mb_diag d = {0};
            char ctx[96], part[32];
            snprintf(ctx, sizeof ctx, "%s n=%zu zero column %zu %s %d thread(s)", name, n, col,
                     layout_name(rm), threads);
            cr_assert_eq(setup_and_run(k, &call, &d), MB_RUNTIME, "%s: %s", ctx, d.msg);
            assert_msg_has(d.msg, "singular", ctx);
            assert_msg_names(d.msg, "column ", (long)col + 1, ctx);
            assert_msg_names(d.msg, "info ", (long)col + 1, ctx);
            snprintf(part, sizeof part, "LAPACKE_%s", name);
            assert_msg_has(d.msg, part, ctx);
        }
}

Test(lapack, dgetrf_of_a_matrix_with_a_zero_column_is_singular_at_that_column)
{
    assert_zero_column_is_singular("dgetrf", 33, 0);
    assert_zero_column_is_singular("dgetrf", 33, 16);
    assert_zero_column_is_singular("dgetrf", 33, 32);
    assert_zero_column_is_singular("dgetrf", 1, 0);
}

Test(lapack, dgesv_of_a_matrix_with_a_zero_column_is_singular_at_that_column)
{
    assert_zero_column_is_singular("dgesv", 33, 0);
    assert_zero_column_is_singular("dgesv", 65, 40);
    assert_zero_column_is_singular("dgesv", 2, 1);
}

/* [a b; a b]: the multiplier is exactly 1, so U(2,2) = b - 1*b = 0 exactly. */
Test(lapack, dgetrf_of_two_equal_rows_is_singular_at_column_2)
{
    const struct mb_kernel *k = mb_kernel_find("dgetrf");
    alloc_bufs(2, 1);
    for (int rm = 0; rm <= 1; rm++) {
        b.A[at(rm, 2, 0, 0)] = b.A[at(rm, 2, 1, 0)] = 0.3;
        b.A[at(rm, 2, 0, 1)] = b.A[at(rm, 2, 1, 1)] = -0.7;
        poison();
        struct mb_kernel_call call = call_for(k, rm);
        struct mb_diag d = {0};
        cr_assert_eq(setup_and_run(k, &call, &d), MB_RUNTIME, "%s", d.msg);
        assert_msg_has(d.msg, "singular", layout_name(rm));
        assert_msg_names(d.msg, "column ", 2, layout_name(rm));
    }
}

/* The runner passes d = NULL after a first failure: the status still comes
 * back, and nothing is written through the NULL. */
Test(lapack, a_singular_run_without_a_diagnostic_still_fails)
{
    const struct mb_kernel *k = mb_kernel_find("dgetrf");
    alloc_bufs(7, 1);
    for (size_t i = 0; i < 7; i++)
        b.A[at(false, 7, i, 3)] = 0.0;
    poison();
    struct mb_kernel_call call = call_for(k, false);
    cr_assert_eq(setup_and_run(k, &call, NULL), MB_RUNTIME);
}

/* S(j,j) = -1 in the SPD input: the leading minors of order up to j are
 * untouched and positive, and the pivot at j is -1 - s^T S_j^-1 s < 0, so
 * dpotrf stops at info = j + 1. */
Test(lapack, dpotrf_of_a_matrix_with_a_negative_diagonal_is_not_positive_definite)
{
    const struct mb_kernel *k = mb_kernel_find("dpotrf");
    const size_t n = 33, js[] = {0, 16, 32};
    alloc_bufs(n, 1);
    for (int rm = 0; rm <= 1; rm++)
        for (size_t t = 0; t < sizeof js / sizeof js[0]; t++)
            for (int threads = 1; threads <= 2; threads++) {
                cr_assert_eq(mb_blas_set_threads(threads, NULL), MB_OK);
                poison();
                struct mb_kernel_call call = call_for(k, rm);
                k->setup(&call);
                b.W[0][at(rm, n, js[t], js[t])] = -1.0;
                k->prepare(&call);
                struct mb_diag d = {0};
                char ctx[96];
                snprintf(ctx, sizeof ctx, "dpotrf S(%zu,%zu) = -1 %s %d thread(s)", js[t], js[t],
                         layout_name(rm), threads);
                cr_assert_eq(mb_kernel_run(k, &call, &d), MB_RUNTIME, "%s: %s", ctx, d.msg);
                assert_msg_has(d.msg, "not positive definite", ctx);
                assert_msg_names(d.msg, "info ", (long)js[t] + 1, ctx);
                assert_msg_names(d.msg, "column ", (long)js[t] + 1, ctx);
            }
}

/* dposv on the same input stops where dpotrf does and computes no
 * solution. */
Test(lapack, dposv_of_a_matrix_with_a_negative_diagonal_is_not_positive_definite)
{
    const struct mb_kernel *k = mb_kernel_find("dposv");
    const size_t n = 33, j = 16;
    alloc_bufs(n, 2);
    for (int rm = 0; rm <= 1; rm++) {
        poison();
        struct mb_kernel_call call = call_for(k, rm);
        k->setup(&call);
        b.W[0][at(rm, n, j, j)] = -1.0;
        k->prepare(&call);
        struct mb_diag d = {0};
        cr_assert_eq(mb_kernel_run(k, &call, &d), MB_RUNTIME, "%s", d.msg);
        assert_msg_has(d.msg, "not positive definite", layout_name(rm));
        assert_msg_names(d.msg, "column ", (long)j + 1, layout_name(rm));
    }
}

/* A symmetric matrix whose leading minor of order 2 is negative:
 * [1 2; 2 1] has determinant -3. */
Test(lapack, dpotrf_of_a_symmetric_indefinite_matrix_fails_at_order_2)
{
    const struct mb_kernel *k = mb_kernel_find("dpotrf");
    alloc_bufs(2, 1);
    for (int rm = 0; rm <= 1; rm++) {
        poison();
        struct mb_kernel_call call = call_for(k, rm);
        b.C[0] = b.C[3] = 1.0;
        b.C[1] = b.C[2] = 2.0;
        struct mb_diag d = {0};
        cr_assert_eq(mb_kernel_run(k, &call, &d), MB_RUNTIME, "%s", d.msg);
        assert_msg_has(d.msg, "not positive definite", layout_name(rm));
        assert_msg_names(d.msg, "info ", 2, layout_name(rm));
    }
}

/* ---- 3. LAPACKE's info in words ---------------------------------------- */

static const struct {
    const char *routine;
    int info;
    enum mb_status want;
    const char *parts[3]; /* each in the message */
} infos[] = {
    {"dgetrf", -4, MB_RUNTIME, {"LAPACKE_dgetrf", "argument 4", "illegal"}},
    {"dgesv", -7, MB_RUNTIME, {"LAPACKE_dgesv", "argument 7", "info -7"}},
    {"dgetrf", LAPACK_WORK_MEMORY_ERROR, MB_NOMEM, {"LAPACKE_dgetrf", "allocate", "workspace"}},
    {"dgeqrf", LAPACK_TRANSPOSE_MEMORY_ERROR, MB_NOMEM, {"LAPACKE_dgeqrf", "allocate", "row"}},
    {"dgetrf", 5, MB_RUNTIME, {"LAPACKE_dgetrf", "singular", "column 5"}},
    {"dgesv", 12, MB_RUNTIME, {"LAPACKE_dgesv", "singular", "column 12"}},
    {"dpotrf", 3, MB_RUNTIME, {"LAPACKE_dpotrf", "not positive definite", "column 3"}},
    {"dposv", 4, MB_RUNTIME, {"LAPACKE_dposv", "not positive definite", "no solution"}},
    {"dgeqrf", 9, MB_RUNTIME, {"LAPACKE_dgeqrf", "info 9", NULL}},
    {"dorgqr", 2, MB_RUNTIME, {"LAPACKE_dorgqr", "info 2", NULL}},
};

Test(lapack, info_zero_is_ok_and_leaves_the_diagnostic_alone)
{
    struct mb_diag d = {.msg = "untouched"};
    cr_assert_eq(mb_lapack_info("dgetrf", 0, &d), MB_OK);
    cr_assert_str_eq(d.msg, "untouched");
    cr_assert_eq(mb_lapack_info("dgetrf", 0, NULL), MB_OK);
}

Test(lapack, info_is_told_in_words_with_the_right_status)
{
    for (size_t i = 0; i < sizeof infos / sizeof infos[0]; i++) {
        struct mb_diag d = {0};
        char ctx[64];
        snprintf(ctx, sizeof ctx, "%s info %d", infos[i].routine, infos[i].info);
        cr_assert_eq(mb_lapack_info(infos[i].routine, infos[i].info, &d), infos[i].want, "%s: %s",
                     ctx, d.msg);
        for (size_t p = 0; p < 3 && infos[i].parts[p] != NULL; p++)
            assert_msg_has(d.msg, infos[i].parts[p], ctx);
        cr_assert_eq(mb_lapack_info(infos[i].routine, infos[i].info, NULL), infos[i].want,
                     "%s without a diagnostic", ctx);
    }
}

Test(lapack, positive_info_of_an_unknown_routine_claims_no_meaning)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_lapack_info("dgeqrf", 9, &d), MB_RUNTIME);
    cr_assert_null(strstr(d.msg, "singular"), "%s", d.msg);
    cr_assert_null(strstr(d.msg, "positive definite"), "%s", d.msg);
}

/* ---- 4. the residuals catch a planted error --------------------------- */

/* A perturbation of 1e-6 against entries of order 1, scaled by
 * |A|_1 * n * eps (about 6e-14 at n = 33), is a residual of some 10^7: far
 * above the threshold of 16. */
#define PLANTED 1e-6
#define FAR_ABOVE (100.0 * MB_LAPACK_THRESHOLD)

/* What a clean factorization must give: below MB_LAPACK_THRESHOLD, HPL's
 * documented pass (16), and nothing tighter. The figures are of order 1,
 * but which side of 1 depends on the BLAS kernels: with OpenBLAS 0.3.21's
 * Haswell and Zen kernels the QR orthogonality residual at n = 33 is below
 * 1, with its SkylakeX, Cooperlake, Sandybridge, Nehalem and Core2 kernels
 * it is 1.02 to 1.09. The planted errors give some 10^7 and must exceed
 * FAR_ABOVE, 100 times the pass, so clean and wrong stay far apart. */
static void assert_clean(double residual, const char *what, bool row_major)
{
    cr_assert(residual >= 0 && residual < MB_LAPACK_THRESHOLD, "%s %g, the pass is below %g (%s)",
              what, residual, MB_LAPACK_THRESHOLD, layout_name(row_major));
}

/* A correct pass of the kernel name at n = 33, in the layout asked for. */
static struct mb_kernel_call clean_pass(const char *name, bool row_major, size_t nrhs)
{
    const struct mb_kernel *k = mb_kernel_find(name);
    if (b.A == NULL)
        alloc_bufs(33, nrhs);
    cr_assert_eq(mb_blas_set_threads(1, NULL), MB_OK);
    poison();
    struct mb_kernel_call call = call_for(k, row_major);
    run_ok(k, &call);
    return call;
}

/* The kernel's verify on a planted error: MB_VERIFY, not ok, the residual
 * given back (want, unless NAN), and a message naming the routine and the
 * threshold. */
static void assert_verify_rejects(const char *name, const struct mb_kernel_call *call,
                                  const char *what_part, double want)
{
    const struct mb_kernel *k = mb_kernel_find(name);
    struct mb_verify v = {.ok = true, .residual = NAN};
    struct mb_diag d = {0};
    cr_assert_eq(k->verify(call, &v, &d), MB_VERIFY, "%s %s", name, layout_name(call->row_major));
    cr_assert(!v.ok);
    cr_assert(v.residual > FAR_ABOVE, "%s %s: residual %g", name, layout_name(call->row_major),
              v.residual);
    assert_msg_has(d.msg, name, "verify");
    assert_msg_has(d.msg, "scaled residual", "verify");
    assert_msg_has(d.msg, "threshold", "verify");
    if (!isnan(want))
        cr_assert_float_eq(v.residual, want, 0, "%s: verify gives back the residual", name);
    if (what_part != NULL) {
        cr_assert_not_null(v.what);
        assert_msg_has(v.what, what_part, "the figure named");
    }
}

static double lu_residual(bool rm)
{
    double r = NAN;
    struct mb_diag d = {0};
    cr_assert_eq(mb_residual_lu(rm, b.n, b.A, b.C, b.ipiv, b.W[1], &r, &d), MB_OK, "%s", d.msg);
    return r;
}

Test(lapack, lu_residual_catches_a_planted_error_in_l_and_in_u)
{
    for (int rm = 0; rm <= 1; rm++) {
        struct mb_kernel_call call = clean_pass("dgetrf", rm, 1);
        const size_t n = b.n;
        assert_clean(lu_residual(rm), "unperturbed LU residual", rm);

        b.C[at(rm, n, n - 1, 2)] += PLANTED; /* L(n-1, 2), below the diagonal */
        double r = lu_residual(rm);
        cr_assert(r > FAR_ABOVE, "L perturbed: residual %g (%s)", r, layout_name(rm));
        assert_verify_rejects("dgetrf", &call, NULL, r);

        call = clean_pass("dgetrf", rm, 1);
        b.C[at(rm, n, 1, 1)] *= 1.0 + PLANTED; /* U(1,1) */
        r = lu_residual(rm);
        cr_assert(r > FAR_ABOVE, "U perturbed: residual %g (%s)", r, layout_name(rm));
        assert_verify_rejects("dgetrf", &call, NULL, r);
    }
}

Test(lapack, lu_residual_catches_a_wrong_pivot)
{
    for (int rm = 0; rm <= 1; rm++) {
        clean_pass("dgetrf", rm, 1);
        /* Pivot 0 names row n (1-based) where dgetrf chose another. */
        b.ipiv[0] = b.ipiv[0] == (int)b.n ? 1 : (int)b.n;
        double r = lu_residual(rm);
        cr_assert(r > FAR_ABOVE, "wrong pivot: residual %g (%s)", r, layout_name(rm));
    }
}

static double cholesky_residual(bool rm)
{
    double r = NAN;
    struct mb_diag d = {0};
    cr_assert_eq(mb_residual_cholesky(rm, b.n, b.W[0], b.C, b.W[1], &r, &d), MB_OK, "%s", d.msg);
    return r;
}

Test(lapack, cholesky_residual_catches_a_planted_error_in_l)
{
    for (int rm = 0; rm <= 1; rm++) {
        struct mb_kernel_call call = clean_pass("dpotrf", rm, 1);
        const size_t n = b.n;
        assert_clean(cholesky_residual(rm), "unperturbed Cholesky residual", rm);

        b.C[at(rm, n, n - 1, 1)] += PLANTED; /* L(n-1, 1) */
        double r = cholesky_residual(rm);
        cr_assert(r > FAR_ABOVE, "L perturbed: residual %g (%s)", r, layout_name(rm));
        assert_verify_rejects("dpotrf", &call, NULL, r);
    }
}

/* dpotrf('L') leaves the strict upper triangle as it found it; the check
 * must read L's triangle only. */
Test(lapack, cholesky_residual_ignores_the_upper_triangle)
{
    for (int rm = 0; rm <= 1; rm++) {
        struct mb_kernel_call call = clean_pass("dpotrf", rm, 1);
        for (size_t i = 0; i < b.n; i++)
            for (size_t j = i + 1; j < b.n; j++)
                b.C[at(rm, b.n, i, j)] = NAN;
        assert_clean(cholesky_residual(rm), "NaN above the diagonal: residual", rm);
        assert_verifies(mb_kernel_find("dpotrf"), &call, 1);
    }
}

static double solve_residual(bool rm)
{
    double r = NAN;
    struct mb_diag d = {0};
    cr_assert_eq(mb_residual_solve(rm, b.n, b.nrhs, b.A, b.X, b.X0, &r, &d), MB_OK, "%s", d.msg);
    return r;
}

/* The planted error sits in the last of three columns: the residual is the
 * worst over the columns, so it must find it in either layout. */
Test(lapack, solve_residual_catches_a_planted_error_in_any_column)
{
    alloc_bufs(33, 3);
    for (int rm = 0; rm <= 1; rm++) {
        struct mb_kernel_call call = clean_pass("dgesv", rm, 3);
        const size_t n = b.n, nrhs = b.nrhs;
        assert_clean(solve_residual(rm), "unperturbed solve residual", rm);

        double xmax = 0;
        for (size_t i = 0; i < n * nrhs; i++)
            xmax = fmax(xmax, fabs(b.X[i]));
        size_t last = rm ? (n / 2) * nrhs + 2 : 2 * n + n / 2; /* x(n/2, 2) */
        b.X[last] += PLANTED * xmax;
        double r = solve_residual(rm);
        cr_assert(r > FAR_ABOVE, "x perturbed: residual %g (%s)", r, layout_name(rm));
        assert_verify_rejects("dgesv", &call, NULL, r);
    }
}

static void qr_residuals(bool rm, double *factor, double *orth)
{
    struct mb_diag d = {0};
    *factor = *orth = NAN;
    cr_assert_eq(mb_residual_qr(rm, b.n, b.A, b.C, b.tau, b.W[0], b.W[1], factor, orth, &d), MB_OK,
                 "%s", d.msg);
}

Test(lapack, qr_residual_catches_a_planted_error_in_r)
{
    for (int rm = 0; rm <= 1; rm++) {
        struct mb_kernel_call call = clean_pass("dgeqrf", rm, 1);
        const size_t n = b.n;
        double factor, orth;
        qr_residuals(rm, &factor, &orth);
        assert_clean(factor, "unperturbed QR factor residual", rm);
        assert_clean(orth, "unperturbed QR orthogonality", rm);

        b.C[at(rm, n, 0, n - 1)] += PLANTED; /* R(0, n-1) */
        qr_residuals(rm, &factor, &orth);
        cr_assert(factor > FAR_ABOVE, "R perturbed: factor %g (%s)", factor, layout_name(rm));
        assert_clean(orth, "R perturbed: Q is still orthogonal, orth", rm);
        assert_verify_rejects("dgeqrf", &call, "Q*R", factor);
    }
}

/* H = I - tau*v*v^T is orthogonal only for tau = 2/(v^T*v): a changed tau,
 * or a changed v, leaves H^T*H - I = (tau^2*v^T*v - 2*tau)*v*v^T, of order
 * the change itself. */
Test(lapack, qr_residual_catches_a_q_that_is_not_orthogonal)
{
    for (int rm = 0; rm <= 1; rm++) {
        struct mb_kernel_call call = clean_pass("dgeqrf", rm, 1);
        const size_t n = b.n;
        double factor, orth;
        b.tau[0] *= 1.0 + PLANTED;
        qr_residuals(rm, &factor, &orth);
        cr_assert(orth > FAR_ABOVE, "tau perturbed: orth %g (%s)", orth, layout_name(rm));
        assert_verify_rejects("dgeqrf", &call, NULL, fmax(factor, orth));

        call = clean_pass("dgeqrf", rm, 1);
        b.C[at(rm, n, n - 1, 0)] += PLANTED; /* v_1(n-1), below the diagonal */
        qr_residuals(rm, &factor, &orth);
        cr_assert(orth > FAR_ABOVE, "v perturbed: orth %g (%s)", orth, layout_name(rm));
        assert_verify_rejects("dgeqrf", &call, NULL, fmax(factor, orth));
    }
}

/* ---- the figures are the documented formulas, recomputed the slow way -- */

#define EPS 0x1p-53 /* LAPACK's dlamch('E'), the unit roundoff */

/* The agreement asked of a figure and its long-double recomputation, in
 * the figure's own units (|A|_1 * n * eps): they differ by the rounding of
 * the double computation, gamma_n * |L|*|U| for the product it forms, which
 * in those units is about |L|*|U| / |A|, of order 1 like a clean figure and
 * below the pass threshold that bounds one (measured: at most 0.12 under
 * every OpenBLAS core type this CPU runs). The planted errors make the
 * figures 10^6 to 10^9: 16 apart is a relative 3e-6 at most. */
#define SAME_FIGURE MB_LAPACK_THRESHOLD

static double get(bool rm, const double *M, size_t i, size_t j)
{
    return M[at(rm, b.n, i, j)];
}

/* The 1-norm (largest column sum) of the n x n row-major D. */
static long double norm1_ld(const long double *D)
{
    long double best = 0;
    for (size_t j = 0; j < b.n; j++) {
        long double sum = 0;
        for (size_t i = 0; i < b.n; i++)
            sum += fabsl(D[i * b.n + j]);
        best = fmaxl(best, sum);
    }
    return best;
}

static long double norm1_of(bool rm, const double *M)
{
    long double *D = malloc(b.n * b.n * sizeof *D);
    cr_assert_not_null(D);
    for (size_t i = 0; i < b.n; i++)
        for (size_t j = 0; j < b.n; j++)
            D[i * b.n + j] = get(rm, M, i, j);
    long double r = norm1_ld(D);
    free(D);
    return r;
}

static long double *scratch(void)
{
    long double *D = malloc(b.n * b.n * sizeof *D);
    cr_assert_not_null(D);
    return D;
}

/* |L*U - P*A|_1 / (|A|_1 * n * eps), P the row interchanges of ipiv applied
 * in order (the row permutation does not change a 1-norm). */
static double reference_lu(bool rm)
{
    const size_t n = b.n;
    size_t *perm = malloc(n * sizeof *perm);
    long double *D = scratch();
    cr_assert_not_null(perm);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = 0; i < n; i++) {
        size_t p = (size_t)b.ipiv[i] - 1, t = perm[i];
        perm[i] = perm[p];
        perm[p] = t;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            long double lu = 0;
            for (size_t k = 0; k <= i && k <= j; k++)
                lu += (k == i ? 1.0L : (long double)get(rm, b.C, i, k)) * get(rm, b.C, k, j);
            D[i * n + j] = lu - get(rm, b.A, perm[i], j);
        }
    double r = (double)(norm1_ld(D) / (norm1_of(rm, b.A) * n * EPS));
    free(D);
    free(perm);
    return r;
}

/* |L*L^T - S|_1 / (|S|_1 * n * eps), S the kernel's input in W[0]. */
static double reference_cholesky(bool rm)
{
    const size_t n = b.n;
    long double *D = scratch();
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            long double ll = 0;
            for (size_t k = 0; k <= i && k <= j; k++)
                ll += (long double)get(rm, b.C, i, k) * get(rm, b.C, j, k);
            D[i * n + j] = ll - get(rm, b.W[0], i, j);
        }
    double r = (double)(norm1_ld(D) / (norm1_of(rm, b.W[0]) * n * EPS));
    free(D);
    return r;
}

/* HPL: max over the columns of |A*x - b|_inf / (eps * (|A|_inf*|x|_inf +
 * |b|_inf) * n). */
static double reference_solve(bool rm)
{
    const size_t n = b.n, k = b.nrhs;
    long double norm_a = 0, worst = 0;
    for (size_t i = 0; i < n; i++) {
        long double sum = 0;
        for (size_t j = 0; j < n; j++)
            sum += fabsl((long double)get(rm, b.A, i, j));
        norm_a = fmaxl(norm_a, sum);
    }
    for (size_t c = 0; c < k; c++) {
        long double norm_r = 0, norm_x = 0, norm_b = 0;
        for (size_t i = 0; i < n; i++) {
            long double r = -(long double)b.X0[rm ? i * k + c : i + c * n];
            for (size_t j = 0; j < n; j++)
                r += (long double)get(rm, b.A, i, j) * b.X[rm ? j * k + c : j + c * n];
            norm_r = fmaxl(norm_r, fabsl(r));
            norm_x = fmaxl(norm_x, fabsl((long double)b.X[rm ? i * k + c : i + c * n]));
            norm_b = fmaxl(norm_b, fabsl((long double)b.X0[rm ? i * k + c : i + c * n]));
        }
        worst = fmaxl(worst, norm_r / (EPS * (norm_a * norm_x + norm_b) * n));
    }
    return (double)worst;
}

/* Q from dorgqr on a copy of the factor; |Q*R - A|_1 / (|A|_1 * n * eps)
 * and |I - Q^T*Q|_1 / (n * eps). */
static void reference_qr(bool rm, double *factor, double *orth)
{
    const size_t n = b.n;
    double *Q = malloc(n * n * sizeof *Q);
    long double *D = scratch();
    cr_assert_not_null(Q);
    memcpy(Q, b.C, n * n * sizeof *Q);
    cr_assert_eq(LAPACKE_dorgqr(rm ? LAPACK_ROW_MAJOR : LAPACK_COL_MAJOR, (int)n, (int)n, (int)n, Q,
                                (int)n, b.tau),
                 0);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            long double qr = 0;
            for (size_t k = 0; k <= j; k++)
                qr += (long double)get(rm, Q, i, k) * get(rm, b.C, k, j);
            D[i * n + j] = qr - get(rm, b.A, i, j);
        }
    *factor = (double)(norm1_ld(D) / (norm1_of(rm, b.A) * n * EPS));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            long double qtq = 0;
            for (size_t k = 0; k < n; k++)
                qtq += (long double)get(rm, Q, k, i) * get(rm, Q, k, j);
            D[i * n + j] = (i == j) - qtq;
        }
    *orth = (double)(norm1_ld(D) / (n * EPS));
    free(D);
    free(Q);
}

static void assert_same_figure(double got, double want, const char *what, bool rm)
{
    cr_assert(want > FAR_ABOVE, "%s (%s): the planted error shows, %g", what, layout_name(rm),
              want);
    cr_assert(fabs(got - want) < SAME_FIGURE, "%s (%s): %.8g, recomputed %.8g, %.3g apart", what,
              layout_name(rm), got, want, fabs(got - want));
}

/* The planted error is placed where every column sum sees a different
 * amount of it, so a 1-norm and an infinity norm tell apart. */
Test(lapack, lu_residual_is_the_scaled_one_norm_of_p_a_minus_l_u)
{
    for (int rm = 0; rm <= 1; rm++) {
        clean_pass("dgetrf", rm, 1);
        b.C[at(rm, b.n, b.n - 1, 2)] += PLANTED;
        b.C[at(rm, b.n, 3, 5)] -= 2 * PLANTED;
        assert_same_figure(lu_residual(rm), reference_lu(rm), "LU residual", rm);
    }
}

Test(lapack, cholesky_residual_is_the_scaled_one_norm_of_a_minus_l_lt)
{
    for (int rm = 0; rm <= 1; rm++) {
        clean_pass("dpotrf", rm, 1);
        b.C[at(rm, b.n, b.n - 1, 1)] += PLANTED;
        b.C[at(rm, b.n, 7, 7)] -= 3 * PLANTED;
        assert_same_figure(cholesky_residual(rm), reference_cholesky(rm), "Cholesky residual", rm);
    }
}

Test(lapack, solve_residual_is_hpls_scaled_residual_worst_over_the_columns)
{
    alloc_bufs(33, 3);
    for (int rm = 0; rm <= 1; rm++) {
        clean_pass("dgesv", rm, 3);
        b.X[rm ? 4 * 3 + 1 : 1 * 33 + 4] += PLANTED;       /* x(4, 1) */
        b.X[rm ? 20 * 3 + 2 : 2 * 33 + 20] -= 3 * PLANTED; /* x(20, 2) */
        assert_same_figure(solve_residual(rm), reference_solve(rm), "solve residual", rm);
    }
}

Test(lapack, qr_residuals_are_the_scaled_one_norms_of_a_minus_q_r_and_i_minus_qt_q)
{
    for (int rm = 0; rm <= 1; rm++) {
        clean_pass("dgeqrf", rm, 1);
        b.tau[1] *= 1.0 + PLANTED;
        b.C[at(rm, b.n, 2, 9)] += PLANTED;
        double factor, orth, want_factor, want_orth;
        qr_residuals(rm, &factor, &orth);
        reference_qr(rm, &want_factor, &want_orth);
        assert_same_figure(factor, want_factor, "QR factor residual", rm);
        assert_same_figure(orth, want_orth, "QR orthogonality", rm);
    }
}

/* dgeqrf's verify passes only when both figures do, and reports the worse. */
Test(lapack, dgeqrf_verify_reports_the_worse_of_its_two_figures)
{
    for (int rm = 0; rm <= 1; rm++) {
        for (int which = 0; which <= 1; which++) {
            struct mb_kernel_call call = clean_pass("dgeqrf", rm, 1);
            if (which == 0)
                b.C[at(rm, b.n, 0, b.n - 1)] += PLANTED; /* R: the factor figure is worse */
            else
                b.tau[0] *= 1.0 + PLANTED; /* tau: Q is no longer orthogonal */
            double factor, orth;
            qr_residuals(rm, &factor, &orth);
            struct mb_verify v = {.residual = NAN};
            struct mb_diag d = {0};
            cr_assert_eq(mb_kernel_find("dgeqrf")->verify(&call, &v, &d), MB_VERIFY);
            cr_assert_float_eq(v.residual, fmax(factor, orth), 0, "%s: %g, figures %g and %g",
                               layout_name(rm), v.residual, factor, orth);
            assert_msg_has(v.what, orth > factor ? "Q^T*Q" : "Q*R", layout_name(rm));
        }
    }
}

/* ---- 5. flop counts, LAPACK Working Note 41 (square case) ------------- */

static const struct {
    mb_kernel_flops_fn *fn;
    const char *name;
    size_t n, nrhs;
    double want;
} flops[] = {
    /* getrf(n) = 2n^3/3 - n^2/2 + 5n/6 */
    {mb_flops_getrf, "getrf", 1, 1, 1.0},   /* 4/6 - 3/6 + 5/6 */
    {mb_flops_getrf, "getrf", 2, 1, 5.0},   /* 16/3 - 2 + 5/3 */
    {mb_flops_getrf, "getrf", 3, 1, 16.0},  /* 18 - 9/2 + 5/2 */
    {mb_flops_getrf, "getrf", 7, 9, 210.0}, /* 1372/6 - 147/6 + 35/6 = 1260/6; nrhs ignored */
    /* potrf(n) = n^3/3 + n^2/2 + n/6 */
    {mb_flops_potrf, "potrf", 1, 1, 1.0},   /* 2/6 + 3/6 + 1/6 */
    {mb_flops_potrf, "potrf", 3, 1, 14.0},  /* 9 + 9/2 + 1/2 */
    {mb_flops_potrf, "potrf", 7, 4, 140.0}, /* 686/6 + 147/6 + 7/6 = 840/6 */
    /* gesv(n, k) = getrf(n) + k(2n^2 - n) */
    {mb_flops_gesv, "gesv", 1, 1, 2.0},   /* 1 + 1 */
    {mb_flops_gesv, "gesv", 3, 1, 31.0},  /* 16 + 15 */
    {mb_flops_gesv, "gesv", 3, 4, 76.0},  /* 16 + 4*15 */
    {mb_flops_gesv, "gesv", 7, 2, 392.0}, /* 210 + 2*91 */
    /* geqrf(n) = 4n^3/3 + 2n^2 + 14n/3 */
    {mb_flops_geqrf, "geqrf", 1, 1, 8.0},   /* 4/3 + 2 + 14/3 */
    {mb_flops_geqrf, "geqrf", 3, 1, 68.0},  /* 36 + 18 + 14 */
    {mb_flops_geqrf, "geqrf", 7, 5, 588.0}, /* 1372/3 + 98 + 98/3 = 490 + 98 */
};

Test(lapack, flop_counts_are_lawn_41_at_small_n)
{
    for (size_t i = 0; i < sizeof flops / sizeof flops[0]; i++) {
        double got = flops[i].fn(flops[i].n, flops[i].nrhs);
        cr_assert(fabs(got - flops[i].want) <= 1e-12 * flops[i].want,
                  "%s(n=%zu, nrhs=%zu) = %.17g, want %g", flops[i].name, flops[i].n, flops[i].nrhs,
                  got, flops[i].want);
    }
}

Test(lapack, flop_counts_approach_their_leading_terms)
{
    const double n = 4000, n3 = n * n * n;
    const struct {
        double got, lead;
        const char *name;
    } lead[] = {
        {mb_flops_getrf(4000, 1), 2.0 / 3.0 * n3, "getrf ~ 2n^3/3"},
        {mb_flops_potrf(4000, 1), n3 / 3.0, "potrf ~ n^3/3"},
        {mb_flops_gesv(4000, 1), 2.0 / 3.0 * n3, "gesv ~ 2n^3/3"},
        {mb_flops_geqrf(4000, 1), 4.0 / 3.0 * n3, "geqrf ~ 4n^3/3"},
    };
    for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++) {
        double rel = fabs(lead[i].got / lead[i].lead - 1.0);
        cr_assert(rel < 1e-3, "%s: %.6g against %.6g, %.2g apart", lead[i].name, lead[i].got,
                  lead[i].lead, rel);
        cr_assert(rel > 0, "%s: the lower terms are there", lead[i].name);
    }
    /* n = 10^5: n^3 = 10^15 is counted in double, not in an overflowing int. */
    cr_assert(fabs(mb_flops_getrf(100000, 1) / (2.0 / 3.0 * 1e15) - 1.0) < 1e-4);
}

Test(lapack, registry_flop_pointers_are_the_lawn_41_functions)
{
    cr_assert(mb_kernel_find("dgetrf")->flops == mb_flops_getrf);
    cr_assert(mb_kernel_find("dpotrf")->flops == mb_flops_potrf);
    cr_assert(mb_kernel_find("dgesv")->flops == mb_flops_gesv);
    cr_assert(mb_kernel_find("dgeqrf")->flops == mb_flops_geqrf);
}

/* ---- 6. the registry --------------------------------------------------- */

Test(lapack, registry_has_the_four_lapack_kernels_with_their_traits)
{
    static const struct {
        const char *name;
        const struct mb_kernel *k;
        bool rhs;
    } want[] = {
        {"dgetrf", &mb_kernel_dgetrf, false},
        {"dpotrf", &mb_kernel_dpotrf, false},
        {"dgesv", &mb_kernel_dgesv, true},
        {"dgeqrf", &mb_kernel_dgeqrf, false},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct mb_kernel *k = mb_kernel_find(want[i].name);
        cr_assert_eq(k, want[i].k, "%s is found by name", want[i].name);
        cr_assert_str_eq(k->name, want[i].name);
        cr_assert(k->lesson != NULL && k->lesson[0] != '\0', "%s has a lesson", k->name);
        cr_assert(k->run != NULL && k->verify != NULL && k->flops != NULL, "%s", k->name);
        cr_assert(k->traits & MB_BLAS_THREADS, "%s runs at each BLAS thread count", k->name);
        cr_assert(k->traits & MB_LAPACK, "%s is a LAPACKE call", k->name);
        cr_assert_eq((k->traits & MB_RHS) != 0, want[i].rhs, "%s and MB_RHS", k->name);
        cr_assert(!(k->traits & (MB_TIMEBOXED | MB_BASELINE | MB_GEMM)), "%s is not a GEMM",
                  k->name);
        cr_assert_leq(k->work, MB_KERNEL_MAX_WORK, "%s asks for %u work matrices", k->name,
                      k->work);
        cr_assert_not_null(k->prepare, "%s restores its input before each pass", k->name);
    }
}
