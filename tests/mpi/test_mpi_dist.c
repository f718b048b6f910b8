/* matbench-mpi's kernels on every grid of the ranks it is started on
 * (mpirun -np 1, 2, 4): the distributed fill is single-node matbench's,
 * entry for entry, whatever the grid and block size; pdgemm equals
 * single-node cblas_dgemm within the rounding bound; the pdgesv, pdgetrf and pdpotrf
 * residuals pass; a planted wrong entry of C is caught. Plain C with MPI
 * (Criterion forks each test, which MPI does not survive); prints one line
 * per failure and "N passed, N failed" from rank 0, and exits 1 on any
 * failure. */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/blas.h"
#include "matbench/matrix.h"
#include "mpi/pkernels.h"
#include "mpi/scalapack.h"

#define SEED 20260101ULL

static int passed, failed, rank;

static void expect(bool ok, const char *what, const struct mb_pctx *c)
{
    int mine = ok, all;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (rank == 0) {
        if (all)
            passed++;
        else
            fprintf(stderr, "FAILED: %s (n %d, nb %d, grid %dx%d)\n", what, c->n, c->nb, c->nprow,
                    c->npcol);
        failed += !all;
    }
}

/* The whole global matrix M on rank 0 (row-major, as single-node
 * matbench stores it), gathered entry by entry with global indices. */
static double *gather(const struct mb_pctx *c, const double *M)
{
    int ranks, count = c->mloc * c->nloc;
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    double *mine = malloc((size_t)(count > 0 ? count : 1) * 3 * sizeof *mine);
    for (int j = 0, k = 0; j < c->nloc; j++)
        for (int i = 0; i < c->mloc; i++, k++) {
            mine[3 * k] = c->grow[i];
            mine[3 * k + 1] = c->gcol[j];
            mine[3 * k + 2] = M[i + (size_t)j * c->lld];
        }
    int *counts = malloc((size_t)ranks * sizeof *counts),
        *offs = malloc((size_t)ranks * sizeof *offs);
    int mine3 = 3 * count;
    MPI_Gather(&mine3, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    double *all = NULL, *full = NULL;
    if (rank == 0) {
        for (int r = 0, o = 0; r < ranks; o += counts[r], r++)
            offs[r] = o;
        all = malloc((size_t)c->n * c->n * 3 * sizeof *all);
        full = malloc((size_t)c->n * c->n * sizeof *full);
    }
    MPI_Gatherv(mine, mine3, MPI_DOUBLE, all, counts, offs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank == 0)
        for (size_t k = 0; k < (size_t)c->n * c->n; k++)
            full[(size_t)all[3 * k] * c->n + (size_t)all[3 * k + 1]] = all[3 * k + 2];
    free(mine), free(counts), free(offs), free(all);
    return full;
}

/* Fill and pdgemm against single-node matbench on rank 0. */
static void product_matches_one_node(struct mb_pctx *c)
{
    const struct mb_dist_kernel *k = mb_dist_kernel_find("pdgemm");
    mb_pkernel_setup(k, c);
    mb_pkernel_prepare(k, c);
    struct mb_diag d = {0};
    expect(mb_pkernel_run(k, c, &d) == MB_OK, "pdgemm runs", c);
    double *A = gather(c, c->A), *C = gather(c, c->C);
    bool same_fill = true, within = true;
    if (rank == 0) {
        size_t n = (size_t)c->n;
        double *A1 = mb_matrix_alloc(n, n), *B1 = mb_matrix_alloc(n, n),
               *C1 = mb_matrix_alloc(n, n);
        mb_matrix_fill(A1, n, n, SEED, MB_STREAM_A, 1);
        mb_matrix_fill(B1, n, n, SEED, MB_STREAM_B, 1);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0, A1,
                    (int)n, B1, (int)n, 0.0, C1, (int)n);
        same_fill = memcmp(A, A1, n * n * sizeof *A) == 0;
        /* both within gamma_n |A||B| of A*B: within 2 gamma_n of each other */
        const double u = DBL_EPSILON / 2, g = n * u / (1 - n * u);
        for (size_t i = 0; i < n && within; i++)
            for (size_t j = 0; j < n && within; j++) {
                double scale = 0;
                for (size_t q = 0; q < n; q++)
                    scale += fabs(A1[i * n + q] * B1[q * n + j]);
                within = fabs(C[i * n + j] - C1[i * n + j]) <= 2 * g * scale * (1 + 1e-12);
            }
        mb_matrix_free(A1), mb_matrix_free(B1), mb_matrix_free(C1);
    }
    free(A), free(C);
    expect(same_fill, "the distributed A is single-node matbench's, bit for bit", c);
    expect(within, "pdgemm's C is single-node dgemm's within 2 gamma_n |A||B|", c);
    struct mb_pcheck check;
    mb_pkernel_check(k, c, &check, &d);
    expect(check.ok && check.residual <= check.limit, "the pdgemm check passes", c);
}

/* A wrong entry of C, planted on the rank that holds it, fails the check. */
static void planted_error_is_caught(struct mb_pctx *c)
{
    const struct mb_dist_kernel *k = mb_dist_kernel_find("pdgemm");
    mb_pkernel_setup(k, c);
    struct mb_diag d = {0};
    mb_pkernel_run(k, c, &d);
    int gi = c->n / 2, gj = c->n / 3;
    for (int i = 0; i < c->mloc; i++)
        for (int j = 0; j < c->nloc; j++)
            if (c->grow[i] == gi && c->gcol[j] == gj)
                c->C[i + (size_t)j * c->lld] += 1e-6;
    struct mb_pcheck check;
    mb_pkernel_check(k, c, &check, &d);
    expect(!check.ok && check.why[0] != '\0', "a planted error of 1e-6 in C is caught", c);
}

static void factorisation_passes(struct mb_pctx *c, const char *name)
{
    const struct mb_dist_kernel *k = mb_dist_kernel_find(name);
    mb_pkernel_setup(k, c);
    mb_pkernel_prepare(k, c);
    struct mb_diag d = {0};
    enum mb_status st = mb_pkernel_run(k, c, &d);
    struct mb_pcheck check = {0};
    if (st == MB_OK)
        st = mb_pkernel_check(k, c, &check, &d);
    char what[96];
    snprintf(what, sizeof what, "%s's scaled residual is below 16", name);
    expect(st == MB_OK && check.ok && check.residual < 16, what, c);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int ranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    mb_blas_set_threads(1, NULL);
    static const size_t sizes[] = {1, 2, 33, 130, 257};
    static const unsigned nbs[] = {1, 7, 64};
    for (int p = 1; p <= ranks; p++) {
        if (ranks % p != 0)
            continue;
        int ictxt;
        Cblacs_get(-1, 0, &ictxt);
        Cblacs_gridinit(&ictxt, "Row", p, ranks / p);
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
            for (size_t b = 0; b < sizeof nbs / sizeof *nbs; b++) {
                if (nbs[b] > sizes[s] || (sizes[s] == 257 && nbs[b] == 1))
                    continue; /* nb 1 at 257: 66049 one-entry blocks, slow and covered at 130 */
                struct mb_pctx c;
                struct mb_diag d = {0};
                if (mb_pctx_init(&c, ictxt, MPI_COMM_WORLD, sizes[s], nbs[b], SEED, &d) != MB_OK) {
                    fprintf(stderr, "FAILED: %s\n", d.msg);
                    MPI_Abort(MPI_COMM_WORLD, 1);
                }
                product_matches_one_node(&c);
                factorisation_passes(&c, "pdgesv");
                factorisation_passes(&c, "pdgetrf");
                factorisation_passes(&c, "pdpotrf");
                if (sizes[s] >= 33)
                    planted_error_is_caught(&c);
                mb_pctx_free(&c);
            }
        Cblacs_gridexit(ictxt);
    }
    if (rank == 0)
        printf("%d passed, %d failed\n", passed, failed);
    int code = failed > 0;
    MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return code;
}
