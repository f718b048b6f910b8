/* The LAPACK kernels. Each times one LAPACKE call on a copy of its pristine
 * input (the copy is made before the clock starts) and is checked afterwards
 * the way LAPACK's test suite and HPL check a factorisation:
 *  - LU       |P*A - L*U|_1 / (|A|_1 * n * eps)        (LAPACK's dget01)
 *  - Cholesky |A - L*L^T|_1 / (|A|_1 * n * eps)        (dpot01)
 *  - solve    |A*x - b|_inf / (eps * (|A|_inf*|x|_inf + |b|_inf) * n)  (HPL)
 *  - QR       |A - Q*R|_1 / (|A|_1 * n * eps) and |I - Q^T*Q|_1 / (n * eps)
 *                                                      (dqrt01)
 * eps is LAPACK's relative machine precision, dlamch('E') = 2^-53. */
#include "matbench/lapack.h"

#include <assert.h>
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/matrix.h"
#include "mb_internal.h"

static_assert(sizeof(lapack_int) == sizeof(int), "LAPACKE's integers are the pivots' int");

/* ---- flop counts, LAPACK Working Note 41 (square case, m = n) --------- */

/* xGETRF: n^3/3 + 2n/3 multiplications, n^3/3 - n^2/2 + n/6 additions. */
double mb_flops_getrf(size_t n, size_t nrhs)
{
    (void)nrhs;
    double x = (double)n;
    return 2.0 / 3.0 * x * x * x - 0.5 * x * x + 5.0 / 6.0 * x;
}

/* xPOTRF: n^3/6 + n^2/2 + n/3 multiplications, n^3/6 - n/6 additions. */
double mb_flops_potrf(size_t n, size_t nrhs)
{
    (void)nrhs;
    double x = (double)n;
    return x * x * x / 3.0 + 0.5 * x * x + x / 6.0;
}

/* xGESV = xGETRF + xGETRS; xGETRS: nrhs*n^2 multiplications and
 * nrhs*(n^2 - n) additions (the two triangular solves). */
double mb_flops_gesv(size_t n, size_t nrhs)
{
    double x = (double)n, k = (double)nrhs;
    return mb_flops_getrf(n, nrhs) + k * (2.0 * x * x - x);
}

/* xPOSV = xPOTRF + xPOTRS; xPOTRS: nrhs*n*(n+1) multiplications and
 * nrhs*n*(n-1) additions (two triangular solves, neither unit). */
double mb_flops_posv(size_t n, size_t nrhs)
{
    double x = (double)n, k = (double)nrhs;
    return mb_flops_potrf(n, nrhs) + k * 2.0 * x * x;
}

/* xGEQRF: 2n^3/3 + 3n^2/2 + 23n/6 multiplications, 2n^3/3 + n^2/2 + 5n/6
 * additions. */
double mb_flops_geqrf(size_t n, size_t nrhs)
{
    (void)nrhs;
    double x = (double)n;
    return 4.0 / 3.0 * x * x * x + 2.0 * x * x + 14.0 / 3.0 * x;
}

/* ---- LAPACKE's info, in words ----------------------------------------- */

/* What a positive info k means, per routine (LAPACK's documentation of
 * each): the verdict, and the reason in LAPACK's terms. */
static const struct {
    const char *routine;
    const char *verdict, *reason;
} positive_info[] = {
    {"dgetrf", "the matrix is singular", "U(k,k) is exactly zero"},
    {"dgesv", "the matrix is singular", "U(k,k) is exactly zero, no solution was computed"},
    {"dpotrf", "the matrix is not positive definite",
     "the leading minor of order k is not positive"},
    {"dposv", "the matrix is not positive definite",
     "the leading minor of order k is not positive, no solution was computed"},
};

/* MB_OK when info is 0; otherwise the meaning of LAPACKE_<routine>'s info
 * in d, with MB_NOMEM when LAPACKE could not allocate and MB_RUNTIME else. */
enum mb_status mb_lapack_info(const char *routine, int info, struct mb_diag *d)
{
    if (info == 0)
        return MB_OK;
    if (info == LAPACK_WORK_MEMORY_ERROR)
        return mb_diag_set(d, MB_NOMEM, "LAPACKE_%s could not allocate its workspace", routine);
    if (info == LAPACK_TRANSPOSE_MEMORY_ERROR)
        return mb_diag_set(d, MB_NOMEM,
                           "LAPACKE_%s could not allocate its transposed copy of the row-major "
                           "input (--layout row)",
                           routine);
    if (info < 0)
        return mb_diag_set(d, MB_RUNTIME, "LAPACKE_%s: argument %d had an illegal value (info %d)",
                           routine, -info, info);
    for (size_t i = 0; i < MB__ARRAY_SIZE(positive_info); i++)
        if (strcmp(positive_info[i].routine, routine) == 0)
            return mb_diag_set(d, MB_RUNTIME,
                               "LAPACKE_%s returned info %d: %s at column %d (k = %d: %s)", routine,
                               info, positive_info[i].verdict, info, info, positive_info[i].reason);
    return mb_diag_set(d, MB_RUNTIME, "LAPACKE_%s returned info %d", routine, info);
}

/* ---- helpers of the checks -------------------------------------------- */

/* The offset of entry (i, j) in an n x n matrix of either layout. */
static inline size_t at(bool row_major, size_t n, size_t i, size_t j)
{
    return row_major ? i * n + j : i + j * n;
}

static CBLAS_ORDER order(bool row_major)
{
    return row_major ? CblasRowMajor : CblasColMajor;
}

static int layout(bool row_major)
{
    return row_major ? LAPACK_ROW_MAJOR : LAPACK_COL_MAJOR;
}

/* The 1-norm (largest column sum) or infinity norm (largest row sum, inf
 * true) of M. A row-major matrix is the column-major storage of its
 * transpose, whose 1-norm is the other norm: LAPACKE's column-major dlange
 * serves both layouts without a copy. work holds n doubles. */
static double norm(bool row_major, bool inf, size_t n, const double *M, double *work)
{
    char which = inf != row_major ? 'I' : '1';
    return LAPACKE_dlange_work(LAPACK_COL_MAJOR, which, (lapack_int)n, (lapack_int)n, M,
                               (lapack_int)n, work);
}

/* The triangle of S: its upper (lower false) or lower part, the diagonal
 * included, into W; the other part of W zero. */
static void triangle(bool row_major, size_t n, const double *S, bool lower, double *W)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            size_t k = at(row_major, n, i, j);
            W[k] = (lower ? i >= j : i <= j) ? S[k] : 0.0;
        }
}

/* |W - A|_1 / (|A|_1 * n * eps), W overwritten; 0 for an exact match and
 * infinity for a mismatch against a zero A. */
static double scaled_difference(bool row_major, size_t n, double *W, const double *A, double *work)
{
    const size_t nn = n * n;
    for (size_t k = 0; k < nn; k++)
        W[k] -= A[k];
    double err = norm(row_major, false, n, W, work);
    double scale = norm(row_major, false, n, A, work) * (double)n * LAPACKE_dlamch('E');
    if (isnan(err))
        return NAN;
    return scale > 0 ? err / scale : (err == 0 ? 0.0 : INFINITY);
}

static enum mb_status alloc_work(size_t n, double **work, struct mb_diag *d)
{
    *work = malloc((n ? n : 1) * sizeof **work);
    if (*work == NULL)
        return mb_diag_set(d, MB_NOMEM, "verification: cannot allocate a vector of %zu", n);
    return MB_OK;
}

/* ---- the checks ------------------------------------------------------- */

/* The LU check: rebuilds L*U from dgetrf's factors in LU (unit lower L
 * below the diagonal, U on and above), undoes the row interchanges of ipiv
 * (1-based, applied in order by dgetrf, so undone last to first) and sets
 * *out = |P^T*L*U - A|_1 / (|A|_1 * n * eps). W is an n x n work matrix. */
enum mb_status mb_residual_lu(bool row_major, size_t n, const double *A, const double *LU,
                              const int *ipiv, double *W, double *out, struct mb_diag *d)
{
    double *work;
    if (alloc_work(n, &work, d) != MB_OK)
        return MB_NOMEM;
    const int ni = (int)n;
    triangle(row_major, n, LU, false, W);
    cblas_dtrmm(order(row_major), CblasLeft, CblasLower, CblasNoTrans, CblasUnit, ni, ni, 1.0, LU,
                ni, W, ni);
    const int stride = row_major ? 1 : ni; /* between entries of a row */
    for (size_t i = n; i-- > 0;) {
        size_t p = (size_t)ipiv[i] - 1;
        if (p != i && p < n)
            cblas_dswap(ni, W + at(row_major, n, i, 0), stride, W + at(row_major, n, p, 0), stride);
    }
    *out = scaled_difference(row_major, n, W, A, work);
    free(work);
    return MB_OK;
}

/* The Cholesky check for A = L*L^T with L in the lower triangle of L (its
 * upper part is not read): *out = |L*L^T - A|_1 / (|A|_1 * n * eps). */
enum mb_status mb_residual_cholesky(bool row_major, size_t n, const double *A, const double *L,
                                    double *W, double *out, struct mb_diag *d)
{
    double *work;
    if (alloc_work(n, &work, d) != MB_OK)
        return MB_NOMEM;
    const int ni = (int)n;
    triangle(row_major, n, L, true, W);
    cblas_dtrmm(order(row_major), CblasRight, CblasLower, CblasTrans, CblasNonUnit, ni, ni, 1.0, L,
                ni, W, ni);
    *out = scaled_difference(row_major, n, W, A, work);
    free(work);
    return MB_OK;
}

/* HPL's scaled residual of the solution X of A*X = B (n x nrhs, leading
 * dimension n column-major, nrhs row-major), the largest over the columns:
 * |A*x - b|_inf / (eps * (|A|_inf * |x|_inf + |b|_inf) * n). */
enum mb_status mb_residual_solve(bool row_major, size_t n, size_t nrhs, const double *A,
                                 const double *X, const double *B, double *out, struct mb_diag *d)
{
    double *r;
    if (alloc_work(n, &r, d) != MB_OK)
        return MB_NOMEM;
    const int ni = (int)n;
    const int inc = row_major ? (int)nrhs : 1; /* between entries of a column */
    const double eps = LAPACKE_dlamch('E');
    const double norm_a = norm(row_major, true, n, A, r);
    *out = 0.0;
    for (size_t c = 0; c < nrhs; c++) {
        const size_t first = row_major ? c : c * n;
        const double *x = X + first, *b = B + first;
        cblas_dcopy(ni, b, inc, r, 1);
        cblas_dgemv(order(row_major), CblasNoTrans, ni, ni, 1.0, A, ni, x, inc, -1.0, r, 1);
        double norm_r = n ? fabs(r[cblas_idamax(ni, r, 1)]) : 0.0;
        double norm_x = n ? fabs(x[(size_t)cblas_idamax(ni, x, inc) * (size_t)inc]) : 0.0;
        double norm_b = n ? fabs(b[(size_t)cblas_idamax(ni, b, inc) * (size_t)inc]) : 0.0;
        double scale = eps * (norm_a * norm_x + norm_b) * (double)n;
        double res = scale > 0 ? norm_r / scale : (norm_r == 0 ? 0.0 : INFINITY);
        if (isnan(norm_r) || isnan(norm_x))
            res = NAN;
        if (isnan(res) || res > *out)
            *out = res;
        if (isnan(res))
            break;
    }
    free(r);
    return MB_OK;
}

/* The QR checks of dgeqrf's output QR (R on and above the diagonal, the
 * Householder vectors below, with tau): Q is formed with dorgqr in W1,
 * *orth = |I - Q^T*Q|_1 / (n * eps) from W2, then *factor =
 * |Q*R - A|_1 / (|A|_1 * n * eps) in W1. */
enum mb_status mb_residual_qr(bool row_major, size_t n, const double *A, const double *QR,
                              const double *tau, double *W1, double *W2, double *factor,
                              double *orth, struct mb_diag *d)
{
    double *work;
    if (alloc_work(n, &work, d) != MB_OK)
        return MB_NOMEM;
    const int ni = (int)n;
    memcpy(W1, QR, n * n * sizeof *W1);
    enum mb_status st =
        mb_lapack_info("dorgqr", LAPACKE_dorgqr(layout(row_major), ni, ni, ni, W1, ni, tau), d);
    if (st != MB_OK) {
        free(work);
        return st;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            W2[at(row_major, n, i, j)] = i == j;
    cblas_dsyrk(order(row_major), CblasUpper, CblasTrans, ni, ni, -1.0, W1, ni, 1.0, W2, ni);
    for (size_t i = 0; i < n; i++) /* the lower triangle mirrors the upper */
        for (size_t j = 0; j < i; j++)
            W2[at(row_major, n, i, j)] = W2[at(row_major, n, j, i)];
    double err = norm(row_major, false, n, W2, work);
    double scale = (double)n * LAPACKE_dlamch('E');
    *orth = isnan(err) ? NAN : scale > 0 ? err / scale : 0.0;
    cblas_dtrmm(order(row_major), CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, ni, ni, 1.0,
                QR, ni, W1, ni);
    *factor = scaled_difference(row_major, n, W1, A, work);
    free(work);
    return MB_OK;
}

/* ---- the kernels ------------------------------------------------------ */

static size_t ldx(const struct mb_kernel_call *call)
{
    return call->row_major ? call->nrhs : call->n;
}

static void copy_a(struct mb_kernel_call *call)
{
    memcpy(call->C, call->A, call->n * call->n * sizeof *call->C);
}

/* Fills in a verification result from a scaled residual. */
static enum mb_status verdict(const char *routine, const char *what, double residual,
                              size_t checked, struct mb_verify *out, struct mb_diag *d)
{
    *out = (struct mb_verify){.ok = residual < MB_LAPACK_THRESHOLD,
                              .residual = residual,
                              .checked = checked,
                              .what = what,
                              .bound = MB_LAPACK_THRESHOLD};
    if (out->ok)
        return MB_OK;
    return mb_diag_set(d, MB_VERIFY,
                       "%s: scaled residual %s = %.3g, not below %g (HPL's threshold)", routine,
                       what, residual, MB_LAPACK_THRESHOLD);
}

static enum mb_status getrf_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                                struct mb_diag *d)
{
    (void)k;
    const int n = (int)call->n;
    int info = LAPACKE_dgetrf(layout(call->row_major), n, n, call->C, n, call->ipiv);
    call->rows_done = call->n;
    return mb_lapack_info("dgetrf", info, d);
}

static enum mb_status getrf_verify(const struct mb_kernel_call *call, struct mb_verify *out,
                                   struct mb_diag *d)
{
    double r;
    enum mb_status st =
        mb_residual_lu(call->row_major, call->n, call->A, call->C, call->ipiv, call->W[0], &r, d);
    if (st != MB_OK)
        return st;
    return verdict("dgetrf", "|P*A - L*U|_1 / (|A|_1*n*eps)", r, call->n, out, d);
}

/* The symmetric positive definite input: S = A*A^T + n*I in W[0]. A*A^T is
 * positive semi-definite, and n*I lifts its smallest eigenvalue to n or
 * more, so S is safely positive definite and well conditioned. */
static void potrf_setup(struct mb_kernel_call *call)
{
    const size_t n = call->n;
    const bool rm = call->row_major;
    double *S = call->W[0];
    cblas_dsyrk(order(rm), CblasLower, CblasNoTrans, (int)n, (int)n, 1.0, call->A, (int)n, 0.0, S,
                (int)n);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            S[at(rm, n, j, i)] = S[at(rm, n, i, j)];
        S[at(rm, n, i, i)] += (double)n;
    }
}

static void potrf_prepare(struct mb_kernel_call *call)
{
    memcpy(call->C, call->W[0], call->n * call->n * sizeof *call->C);
}

static enum mb_status potrf_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                                struct mb_diag *d)
{
    (void)k;
    const int n = (int)call->n;
    int info = LAPACKE_dpotrf(layout(call->row_major), 'L', n, call->C, n);
    call->rows_done = call->n;
    return mb_lapack_info("dpotrf", info, d);
}

static enum mb_status potrf_verify(const struct mb_kernel_call *call, struct mb_verify *out,
                                   struct mb_diag *d)
{
    double r;
    enum mb_status st =
        mb_residual_cholesky(call->row_major, call->n, call->W[0], call->C, call->W[1], &r, d);
    if (st != MB_OK)
        return st;
    return verdict("dpotrf", "|A - L*L^T|_1 / (|A|_1*n*eps)", r, call->n, out, d);
}

/* The right-hand sides: random, from their own stream of the seed. */
static void gesv_setup(struct mb_kernel_call *call)
{
    mb_matrix_fill(call->X0, call->n, call->nrhs, call->seed, MB_STREAM_RHS, mb_fill_threads());
}

static void gesv_prepare(struct mb_kernel_call *call)
{
    copy_a(call);
    memcpy(call->X, call->X0, call->n * call->nrhs * sizeof *call->X);
}

static enum mb_status gesv_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                               struct mb_diag *d)
{
    (void)k;
    const int n = (int)call->n;
    int info = LAPACKE_dgesv(layout(call->row_major), n, (int)call->nrhs, call->C, n, call->ipiv,
                             call->X, (int)ldx(call));
    call->rows_done = call->n;
    return mb_lapack_info("dgesv", info, d);
}

static enum mb_status gesv_verify(const struct mb_kernel_call *call, struct mb_verify *out,
                                  struct mb_diag *d)
{
    double r;
    enum mb_status st =
        mb_residual_solve(call->row_major, call->n, call->nrhs, call->A, call->X, call->X0, &r, d);
    if (st != MB_OK)
        return st;
    return verdict("dgesv", "|A*x - b|_inf / (eps*(|A|_inf*|x|_inf + |b|_inf)*n)", r, call->nrhs,
                   out, d);
}

/* The positive definite S of dpotrf in W[0] and the right-hand sides of
 * dgesv. */
static void posv_setup(struct mb_kernel_call *call)
{
    potrf_setup(call);
    gesv_setup(call);
}

static void posv_prepare(struct mb_kernel_call *call)
{
    potrf_prepare(call);
    memcpy(call->X, call->X0, call->n * call->nrhs * sizeof *call->X);
}

static enum mb_status posv_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                               struct mb_diag *d)
{
    (void)k;
    const int n = (int)call->n;
    int info = LAPACKE_dposv(layout(call->row_major), 'L', n, (int)call->nrhs, call->C, n, call->X,
                             (int)ldx(call));
    call->rows_done = call->n;
    return mb_lapack_info("dposv", info, d);
}

/* The solve residual of dgesv, against S. */
static enum mb_status posv_verify(const struct mb_kernel_call *call, struct mb_verify *out,
                                  struct mb_diag *d)
{
    double r;
    enum mb_status st = mb_residual_solve(call->row_major, call->n, call->nrhs, call->W[0], call->X,
                                          call->X0, &r, d);
    if (st != MB_OK)
        return st;
    return verdict("dposv", "|S*x - b|_inf / (eps*(|S|_inf*|x|_inf + |b|_inf)*n)", r, call->nrhs,
                   out, d);
}

static enum mb_status geqrf_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                                struct mb_diag *d)
{
    (void)k;
    const int n = (int)call->n;
    int info = LAPACKE_dgeqrf(layout(call->row_major), n, n, call->C, n, call->tau);
    call->rows_done = call->n;
    return mb_lapack_info("dgeqrf", info, d);
}

static enum mb_status geqrf_verify(const struct mb_kernel_call *call, struct mb_verify *out,
                                   struct mb_diag *d)
{
    double factor, orth;
    enum mb_status st = mb_residual_qr(call->row_major, call->n, call->A, call->C, call->tau,
                                       call->W[0], call->W[1], &factor, &orth, d);
    if (st != MB_OK)
        return st;
    if (isnan(orth) || orth > factor)
        return verdict("dgeqrf", "|I - Q^T*Q|_1 / (n*eps)", orth, call->n, out, d);
    return verdict("dgeqrf", "|A - Q*R|_1 / (|A|_1*n*eps)", factor, call->n, out, d);
}

const struct mb_kernel mb_kernel_dgetrf = {
    .name = "dgetrf",
    .lesson = "LAPACK LU with partial pivoting (LAPACKE_dgetrf, as scipy.linalg.lu and HPL): "
              "blocked, most of its time in dgemm, so it runs on BLAS's threads",
    .flops = mb_flops_getrf,
    .flops_formula = "2n^3/3 - n^2/2 + 5n/6",
    .run = getrf_run,
    .verify = getrf_verify,
    .traits = MB_BLAS_THREADS | MB_LAPACK,
    .prepare = copy_a,
    .work = 1,
    .groups = MB_GROUP_LAPACK,
};

const struct mb_kernel mb_kernel_dpotrf = {
    .name = "dpotrf",
    .lesson = "LAPACK Cholesky of the positive definite A*A^T + n*I (LAPACKE_dpotrf): half "
              "the flops of LU, no pivoting",
    .flops = mb_flops_potrf,
    .flops_formula = "n^3/3 + n^2/2 + n/6",
    .run = potrf_run,
    .verify = potrf_verify,
    .traits = MB_BLAS_THREADS | MB_LAPACK,
    .setup = potrf_setup,
    .prepare = potrf_prepare,
    .work = 2,
    .groups = MB_GROUP_LAPACK,
};

const struct mb_kernel mb_kernel_dgesv = {
    .name = "dgesv",
    .lesson = "solve A*X = B (LAPACKE_dgesv: LU, then two triangular solves), what "
              "numpy.linalg.solve calls",
    .flops = mb_flops_gesv,
    .flops_formula = "2n^3/3 - n^2/2 + 5n/6 + K(2n^2 - n), K = --nrhs",
    .run = gesv_run,
    .verify = gesv_verify,
    .traits = MB_BLAS_THREADS | MB_LAPACK | MB_RHS,
    .setup = gesv_setup,
    .prepare = gesv_prepare,
    .work = 0,
    .groups = MB_GROUP_LAPACK,
};

const struct mb_kernel mb_kernel_dposv = {
    .name = "dposv",
    .lesson = "solve S*X = B for the positive definite S of dpotrf (LAPACKE_dposv: Cholesky, "
              "then two triangular solves), what scipy.linalg.solve(assume_a='pos') calls",
    .flops = mb_flops_posv,
    .flops_formula = "n^3/3 + n^2/2 + n/6 + 2Kn^2, K = --nrhs",
    .run = posv_run,
    .verify = posv_verify,
    .traits = MB_BLAS_THREADS | MB_LAPACK | MB_RHS,
    .setup = posv_setup,
    .prepare = posv_prepare,
    .work = 1,
    .groups = MB_GROUP_LAPACK,
};

const struct mb_kernel mb_kernel_dgeqrf = {
    .name = "dgeqrf",
    .lesson = "LAPACK QR by Householder reflections (LAPACKE_dgeqrf): twice the flops of LU, "
              "blocked the same way",
    .flops = mb_flops_geqrf,
    .flops_formula = "4n^3/3 + 2n^2 + 14n/3",
    .run = geqrf_run,
    .verify = geqrf_verify,
    .traits = MB_BLAS_THREADS | MB_LAPACK,
    .prepare = copy_a,
    .work = 2,
    .groups = MB_GROUP_LAPACK,
};
