/* The distributed kernels on a BLACS grid, with ScaLAPACK doing all the
 * distribution and communication: each rank fills its own blocks of the
 * global matrices from the counter-based generator at global indices, so
 * entry (i, j) is the value single-node matbench uses for the same seed,
 * whatever the grid and the block size. */
#include "mpi/pkernels.h"

#include <float.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/lapack.h"
#include "matbench/matrix.h"
#include "matbench/verify.h"
#include "mpi/scalapack.h"

#define MB_STREAM_CHECK 4       /* the +-1 vector and the sampled entries of the checks */
#define MB_PCHECK_SAMPLES 32    /* entries of C checked against long double */
#define MB_PCHECK_ROW_LIMIT 4.5 /* the row check's pass limit: see mb_pcheck_gemm */

static const int i_one = 1, i_zero = 0;
static const double d_one = 1.0, d_zero = 0.0, d_minus_one = -1.0;

/* The bytes one rank allocates at size n: three local n x n blocks, four
 * local vectors and the pivots (the memory check's figure). */
uint64_t mb_pctx_local_bytes(size_t n, unsigned nb, int myrow, int mycol, int nprow, int npcol)
{
    uint64_t m = mb_dist_local_extent(n, nb, myrow, nprow);
    uint64_t q = mb_dist_local_extent(n, nb, mycol, npcol);
    return 3 * m * q * sizeof(double) + 5 * (m + nb) * sizeof(double) + (m + nb) * sizeof(int);
}

/* The descriptors and local blocks of size n on grid ictxt. */
enum mb_status mb_pctx_init(struct mb_pctx *c, int ictxt, MPI_Comm comm, size_t n, unsigned nb,
                            uint64_t seed, struct mb_diag *d)
{
    *c = (struct mb_pctx){.comm = comm, .ictxt = ictxt, .n = (int)n, .nb = (int)nb, .seed = seed};
    Cblacs_gridinfo(ictxt, &c->nprow, &c->npcol, &c->myrow, &c->mycol);
    c->mloc = numroc_(&c->n, &c->nb, &c->myrow, &i_zero, &c->nprow);
    c->nloc = numroc_(&c->n, &c->nb, &c->mycol, &i_zero, &c->npcol);
    c->lld = c->mloc > 1 ? c->mloc : 1;
    c->vloc = c->mycol == 0 ? c->mloc : 0;
    c->vlld = c->lld;
    int info;
    descinit_(c->desc, &c->n, &c->n, &c->nb, &c->nb, &i_zero, &i_zero, &ictxt, &c->lld, &info);
    if (info == 0)
        descinit_(c->descv, &c->n, &i_one, &c->nb, &c->nb, &i_zero, &i_zero, &ictxt, &c->vlld,
                  &info);
    if (info != 0)
        return mb_diag_set(d, MB_RUNTIME, "descinit: argument %d is wrong (n %zu, nb %u)", -info, n,
                           nb);
    size_t blocks = (size_t)c->lld * (size_t)(c->nloc > 0 ? c->nloc : 1);
    size_t vec = (size_t)c->vlld + (size_t)c->nb;
    c->grow = malloc((size_t)c->lld * sizeof *c->grow);
    c->gcol = malloc((size_t)(c->nloc > 0 ? c->nloc : 1) * sizeof *c->gcol);
    c->A = mb_matrix_alloc(blocks, 1);
    c->B = mb_matrix_alloc(blocks, 1);
    c->C = mb_matrix_alloc(blocks, 1);
    c->x = mb_matrix_alloc(vec, 1);
    c->y = mb_matrix_alloc(vec, 1);
    c->z = mb_matrix_alloc(vec, 1);
    c->b = mb_matrix_alloc(vec, 1);
    c->work = mb_matrix_alloc(vec + (size_t)c->nloc + (size_t)c->nb, 1);
    c->ipiv = malloc(vec * sizeof *c->ipiv);
    if (!c->grow || !c->gcol || !c->A || !c->B || !c->C || !c->x || !c->y || !c->z || !c->b ||
        !c->work || !c->ipiv) {
        mb_pctx_free(c);
        return mb_diag_set(d, MB_NOMEM, "cannot allocate the local blocks of n = %zu", n);
    }
    for (int i = 0; i < c->mloc; i++) {
        int li = i + 1;
        c->grow[i] = indxl2g_(&li, &c->nb, &c->myrow, &i_zero, &c->nprow) - 1;
    }
    for (int j = 0; j < c->nloc; j++) {
        int lj = j + 1;
        c->gcol[j] = indxl2g_(&lj, &c->nb, &c->mycol, &i_zero, &c->npcol) - 1;
    }
    return MB_OK;
}

void mb_pctx_free(struct mb_pctx *c)
{
    free(c->grow), free(c->gcol), free(c->ipiv);
    mb_matrix_free(c->A), mb_matrix_free(c->B), mb_matrix_free(c->C);
    mb_matrix_free(c->x), mb_matrix_free(c->y), mb_matrix_free(c->z), mb_matrix_free(c->b);
    mb_matrix_free(c->work);
    c->grow = c->gcol = c->ipiv = NULL;
    c->A = c->B = c->C = c->x = c->y = c->z = c->b = c->work = NULL;
}

/* This rank's blocks of the global matrix of stream: entry (i, j) is
 * mb_prng_value(seed, stream, i*n + j), single-node matbench's A[i][j]. */
void mb_pfill(const struct mb_pctx *c, double *M, uint64_t stream)
{
    for (int j = 0; j < c->nloc; j++)
        for (int i = 0; i < c->mloc; i++)
            M[i + (size_t)j * c->lld] = mb_prng_value(
                c->seed, stream, (uint64_t)c->grow[i] * (uint64_t)c->n + (uint64_t)c->gcol[j]);
}

/* This rank's part of the right-hand side b (single-node X0 with one
 * right-hand side: entry i at index i). */
void mb_pfill_rhs(const struct mb_pctx *c, double *v)
{
    for (int i = 0; i < c->vloc; i++)
        v[i] = mb_prng_value(c->seed, MB_STREAM_RHS, (uint64_t)c->grow[i]);
}

/* S = A*A^T + n*I into B: positive definite (n*I lifts the smallest
 * eigenvalue of the semi-definite A*A^T to n), as single-node dpotrf's. */
static void make_spd(struct mb_pctx *c)
{
    mb_pfill(c, c->A, MB_STREAM_A);
    pdgemm_("N", "T", &c->n, &c->n, &c->n, &d_one, c->A, &i_one, &i_one, c->desc, c->A, &i_one,
            &i_one, c->desc, &d_zero, c->B, &i_one, &i_one, c->desc);
    for (int j = 0; j < c->nloc; j++)
        for (int i = 0; i < c->mloc; i++)
            if (c->grow[i] == c->gcol[j])
                c->B[i + (size_t)j * c->lld] += (double)c->n;
}

/* Once per size, untimed: A and B for pdgemm (it writes neither), S for
 * pdpotrf (in B). */
void mb_pkernel_setup(const struct mb_dist_kernel *k, struct mb_pctx *c)
{
    if (strcmp(k->name, "pdgemm") == 0) {
        mb_pfill(c, c->A, MB_STREAM_A);
        mb_pfill(c, c->B, MB_STREAM_B);
    } else if (strcmp(k->name, "pdpotrf") == 0) {
        make_spd(c);
    }
}

/* Before every pass, untimed: what the pass consumes. A and b for pdgesv
 * (made again from the seed), the factor's input C = S for pdpotrf. */
void mb_pkernel_prepare(const struct mb_dist_kernel *k, struct mb_pctx *c)
{
    size_t bytes = (size_t)c->lld * (size_t)c->nloc * sizeof(double);
    if (strcmp(k->name, "pdgesv") == 0 || strcmp(k->name, "pdgetrf") == 0) {
        mb_pfill(c, c->A, MB_STREAM_A);
        mb_pfill_rhs(c, c->b);
    } else if (strcmp(k->name, "pdpotrf") == 0 && bytes > 0) {
        memcpy(c->C, c->B, bytes);
    }
}

/* LAPACK's info, told on every rank (ScaLAPACK returns it on all). */
static enum mb_status pinfo(const char *routine, int info, struct mb_diag *d)
{
    if (info == 0)
        return MB_OK;
    if (info < 0)
        return mb_diag_set(d, MB_RUNTIME, "%s: argument %d had an illegal value (info %d)", routine,
                           -info, info);
    return mb_diag_set(d, MB_RUNTIME, "%s returned info %d: the matrix is %s at column %d", routine,
                       info, routine[2] == 'p' ? "not positive definite" : "singular", info);
}

/* The timed call. */
enum mb_status mb_pkernel_run(const struct mb_dist_kernel *k, struct mb_pctx *c, struct mb_diag *d)
{
    int info = 0;
    if (strcmp(k->name, "pdgemm") == 0) {
        pdgemm_("N", "N", &c->n, &c->n, &c->n, &d_one, c->A, &i_one, &i_one, c->desc, c->B, &i_one,
                &i_one, c->desc, &d_zero, c->C, &i_one, &i_one, c->desc);
        return MB_OK;
    }
    if (strcmp(k->name, "pdgesv") == 0) {
        pdgesv_(&c->n, &i_one, c->A, &i_one, &i_one, c->desc, c->ipiv, c->b, &i_one, &i_one,
                c->descv, &info);
        return pinfo("pdgesv", info, d);
    }
    if (strcmp(k->name, "pdgetrf") == 0) {
        pdgetrf_(&c->n, &c->n, c->A, &i_one, &i_one, c->desc, c->ipiv, &info);
        return pinfo("pdgetrf", info, d);
    }
    pdpotrf_("L", &c->n, c->C, &i_one, &i_one, c->desc, &info);
    return pinfo("pdpotrf", info, d);
}

/* The largest of v over every rank of the grid. */
static double max_all(const struct mb_pctx *c, double v)
{
    double out;
    MPI_Allreduce(&v, &out, 1, MPI_DOUBLE, MPI_MAX, c->comm);
    return out;
}

/* y = alpha*M*v + beta*y for the n x n M and n x 1 v, y. */
static void gemv(struct mb_pctx *c, double alpha, const double *M, const double *v, double beta,
                 double *y)
{
    pdgemv_("N", &c->n, &c->n, &alpha, M, &i_one, &i_one, c->desc, v, &i_one, &i_one, c->descv,
            &i_one, &beta, y, &i_one, &i_one, c->descv, &i_one);
}

/* Freivalds' check of C = A*B with a +-1 vector x, componentwise as
 * matbench's row check: w = C*x and z = A*(B*x) in double through pdgemv,
 * T = |A|*(|B|*|x|), and per row r_i = |w_i - z_i| / (n*u*T_i). Any
 * summation order has |fl(x'y) - x'y| <= gamma_n |x|'|y| (Higham, Lemma
 * 3.1, §3.1), so a correct C has |C^ - AB| <= gamma_n |A||B|, and the three
 * products w, y = B*x and z = A*y add gamma_n (1 + gamma_n) T, gamma_n T
 * (A times the error of y) and gamma_n (1 + gamma_n) T: |w - z| <= (4
 * gamma_n + 2 gamma_n^2) T. T is computed from non-negative terms, so it
 * is off by at most a factor (1 - gamma_n)^2; with gamma_n/(n*u) = 1/(1 -
 * n*u) the residual of a correct C stays below 4 (1 + 3 n*u) plus rounding
 * of the quotient: MB_PCHECK_ROW_LIMIT = 4.5 holds for every n with n*u <
 * 0.01. A and B are overwritten by |A| and |B|: the next pass fills them
 * again. Then MB_PCHECK_SAMPLES entries of C, gathered with pdelget,
 * against a long-double dot product from the generator on rank 0 with
 * matbench's componentwise entry bound (MB_VERIFY_GAMMA). */
enum mb_status mb_pcheck_gemm(struct mb_pctx *c, struct mb_pcheck *out)
{
    const double u = DBL_EPSILON / 2;
    for (int i = 0; i < c->vloc; i++)
        c->x[i] = mb_prng_value(c->seed, MB_STREAM_CHECK, (uint64_t)c->grow[i]) < 0 ? -1.0 : 1.0;
    gemv(c, 1.0, c->C, c->x, 0.0, c->z); /* z = C x, kept in z until w */
    memcpy(c->work, c->z, (size_t)c->vlld * sizeof *c->z);
    gemv(c, 1.0, c->B, c->x, 0.0, c->y); /* y = B x */
    gemv(c, 1.0, c->A, c->y, 0.0, c->z); /* z = A y */
    size_t nn = (size_t)c->lld * (size_t)c->nloc;
    for (size_t i = 0; i < nn; i++)
        c->A[i] = fabs(c->A[i]), c->B[i] = fabs(c->B[i]);
    for (int i = 0; i < c->vloc; i++)
        c->x[i] = 1.0;
    gemv(c, 1.0, c->B, c->x, 0.0, c->y); /* |B| |x| */
    gemv(c, 1.0, c->A, c->y, 0.0, c->b); /* T = |A| |B| |x| */
    double worst = 0;
    for (int i = 0; i < c->vloc; i++) {
        double r = fabs(c->work[i] - c->z[i]) / ((double)c->n * u * c->b[i]);
        worst = isnan(r) || r > worst ? (isnan(r) ? INFINITY : r) : worst;
    }
    out->residual = max_all(c, worst);
    out->limit = MB_PCHECK_ROW_LIMIT;
    out->ok = out->residual <= out->limit;
    if (!out->ok)
        snprintf(out->why, sizeof out->why,
                 "pdgemm: Freivalds' row check %.3g > %.3g: C*x and A*(B*x) differ by more than "
                 "the rounding allows",
                 out->residual, out->limit);
    int rank;
    MPI_Comm_rank(c->comm, &rank);
    char why[256] = "";
    for (int s = 0; s < MB_PCHECK_SAMPLES; s++) {
        int gi =
            (int)((mb_prng_value(c->seed, MB_STREAM_CHECK, 2 * (uint64_t)s + c->n) + 1) / 2 * c->n);
        int gj = (int)((mb_prng_value(c->seed, MB_STREAM_CHECK, 2 * (uint64_t)s + 1 + c->n) + 1) /
                       2 * c->n);
        gi = gi < c->n ? gi : c->n - 1, gj = gj < c->n ? gj : c->n - 1;
        int ia = gi + 1, ja = gj + 1;
        double got;
        pdelget_("A", " ", &got, c->C, &ia, &ja, c->desc);
        if (rank != 0)
            continue;
        long double ref = 0, scale = 0;
        for (int k = 0; k < c->n; k++) {
            long double a = mb_prng_value(c->seed, MB_STREAM_A, (uint64_t)gi * c->n + k);
            long double b = mb_prng_value(c->seed, MB_STREAM_B, (uint64_t)k * c->n + gj);
            ref += a * b, scale += fabsl(a * b);
        }
        double bound = MB_VERIFY_GAMMA * c->n * u * (double)scale;
        if (fabs(got - (double)ref) > bound && why[0] == '\0')
            snprintf(why, sizeof why,
                     "pdgemm: C[%d][%d] = %.17g, want %.17g (|error| %.3g > bound %.3g)", gi, gj,
                     got, (double)ref, fabs(got - (double)ref), bound);
    }
    int bad = why[0] != '\0';
    MPI_Bcast(&bad, 1, MPI_INT, 0, c->comm);
    if (bad) {
        MPI_Bcast(why, sizeof why, MPI_CHAR, 0, c->comm);
        out->ok = false;
        snprintf(out->why, sizeof out->why, "%s", why);
    }
    return MB_OK;
}

/* HPL's scaled residual of the solve in c->b (x) against the matrix M
 * and the right-hand side made again from the seed:
 * |M*x - b|_inf / (eps*(|M|_inf*|x|_inf + |b|_inf)*n), eps = 2^-53. */
static void check_solve(struct mb_pctx *c, const double *M, const char *what, struct mb_pcheck *out)
{
    const double eps = DBL_EPSILON / 2;
    mb_pfill_rhs(c, c->y); /* r = b - M x */
    double bnorm = pdlange_("I", &c->n, &i_one, c->y, &i_one, &i_one, c->descv, c->work);
    double xnorm = pdlange_("I", &c->n, &i_one, c->b, &i_one, &i_one, c->descv, c->work);
    double mnorm = pdlange_("I", &c->n, &c->n, M, &i_one, &i_one, c->desc, c->work);
    gemv(c, d_minus_one, M, c->b, 1.0, c->y);
    double rnorm = pdlange_("I", &c->n, &i_one, c->y, &i_one, &i_one, c->descv, c->work);
    out->residual = rnorm / (eps * (mnorm * xnorm + bnorm) * c->n);
    out->limit = MB_LAPACK_THRESHOLD;
    out->ok = out->residual < out->limit; /* NaN fails */
    if (!out->ok)
        snprintf(out->why, sizeof out->why, "%s: scaled residual %.3g, not below %.3g", what,
                 out->residual, out->limit);
}

/* The check after the passes: Freivalds and sampled entries for pdgemm;
 * for pdgesv the solve residual against A made again (for pdgetrf after
 * a solve with its factors, pdgetrs); for pdpotrf a solve
 * with the factor (pdpotrs) and its residual against S. */
enum mb_status mb_pkernel_check(const struct mb_dist_kernel *k, struct mb_pctx *c,
                                struct mb_pcheck *out, struct mb_diag *d)
{
    *out = (struct mb_pcheck){.residual = NAN};
    if (strcmp(k->name, "pdgemm") == 0)
        return mb_pcheck_gemm(c, out);
    int info;
    if (strcmp(k->name, "pdgetrf") == 0) { /* x from the factors, then as pdgesv */
        pdgetrs_("N", &c->n, &i_one, c->A, &i_one, &i_one, c->desc, c->ipiv, c->b, &i_one, &i_one,
                 c->descv, &info);
        if (pinfo("pdgetrs", info, d) != MB_OK)
            return MB_RUNTIME;
    }
    if (strcmp(k->name, "pdgesv") == 0 || strcmp(k->name, "pdgetrf") == 0) {
        mb_pfill(c, c->B, MB_STREAM_A);
        check_solve(c, c->B, k->name, out);
        return MB_OK;
    }
    mb_pfill_rhs(c, c->b);
    pdpotrs_("L", &c->n, &i_one, c->C, &i_one, &i_one, c->desc, c->b, &i_one, &i_one, c->descv,
             &info);
    enum mb_status st = pinfo("pdpotrs", info, d);
    if (st == MB_OK)
        check_solve(c, c->B, "pdpotrf", out);
    return st;
}

/* Whether every rank of the grid said yes. */
static bool every_rank(const struct mb_pctx *c, bool ok)
{
    int mine = ok, every;
    MPI_Allreduce(&mine, &every, 1, MPI_INT, MPI_LAND, c->comm);
    return every;
}

/* Times kernel k at c's size: warm-up and timed passes, each between a
 * barrier and the slowest rank's end (HPL's timing), then the check.
 * Every rank goes on to the next pass only if all did: a rank that
 * stopped alone would leave the others waiting in a collective. */
enum mb_status mb_pkernel_measure(const struct mb_dist_kernel *k, struct mb_pctx *c,
                                  struct mb_ppasses p, struct mb_dist_result *r, struct mb_diag *d)
{
    double *slow = malloc(p.repeat * sizeof *slow), *fast = malloc(p.repeat * sizeof *fast);
    enum mb_status st = slow && fast ? MB_OK : MB_NOMEM;
    if (st != MB_OK)
        mb_diag_set(d, st, "cannot allocate the samples");
    bool every = every_rank(c, st == MB_OK);
    if (every)
        mb_pkernel_setup(k, c);
    for (unsigned pass = 0; every && pass < p.warmup + p.repeat; pass++) {
        mb_pkernel_prepare(k, c);
        MPI_Barrier(c->comm);
        double t0 = MPI_Wtime();
        st = mb_pkernel_run(k, c, d);
        double t = MPI_Wtime() - t0, tmax, tmin;
        MPI_Allreduce(&t, &tmax, 1, MPI_DOUBLE, MPI_MAX, c->comm);
        MPI_Allreduce(&t, &tmin, 1, MPI_DOUBLE, MPI_MIN, c->comm);
        if (pass >= p.warmup)
            slow[pass - p.warmup] = tmax, fast[pass - p.warmup] = tmin;
        every = every_rank(c, st == MB_OK);
    }
    if (!every) {
        free(slow), free(fast);
        return st != MB_OK ? st : mb_diag_set(d, MB_RUNTIME, "%s failed on another rank", k->name);
    }
    struct mb_stats fs;
    mb_stats_compute(slow, p.repeat, &r->time_s);
    mb_stats_compute(fast, p.repeat, &fs);
    free(r->samples);
    r->samples = slow;
    r->nsamples = p.repeat;
    free(fast);
    int ranks;
    MPI_Comm_size(c->comm, &ranks);
    r->gflops = k->flops((size_t)c->n, 1) / r->time_s.median / 1e9;
    r->gflops_per_rank = r->gflops / ranks;
    r->imbalance = r->time_s.median / fs.median;
    r->residual = r->limit = NAN;
    r->verified = false;
    if (!p.verify)
        return MB_OK;
    struct mb_pcheck check;
    st = mb_pkernel_check(k, c, &check, d);
    if (st != MB_OK)
        return st;
    r->verified = check.ok, r->residual = check.residual, r->limit = check.limit;
    if (!check.ok)
        return mb_diag_set(d, MB_VERIFY, "%s", check.why);
    return MB_OK;
}
