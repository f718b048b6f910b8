/* matbench-mpi's kernel table, process grid and block size: what can be
 * checked before MPI distributes anything (rank 0 checks, every rank
 * agrees, nothing is allocated first). */
#include "matbench/dist.h"

#include <stdio.h>
#include <string.h>

#include "matbench/lapack.h"
#include "matbench/plan.h"
#include "mb_internal.h"

static const struct mb_dist_kernel kernels[] = {
    {"pdgemm",
     "C = A*B on the process grid (PBLAS pdgemm): the blocks of A and B travel along the grid's "
     "rows and columns, each rank multiplies its own with its BLAS",
     mb_flops_gemm, "2n^3", "Freivalds |C*x - A*(B*x)| / (n*u*|A||B||x|), rows", "dgemm", true},
    {"pdgesv", "LU with partial pivoting and a solve (ScaLAPACK pdgesv): HPL's problem, A*x = b",
     mb_flops_gesv, "2n^3/3 - n^2/2 + 5n/6 + 2n^2 - n",
     "|A*x - b|_inf / (eps*(|A|_inf*|x|_inf + |b|_inf)*n)", "dgesv", true},
    {"pdgetrf",
     "LU with partial pivoting alone (ScaLAPACK pdgetrf): the factorisation that is nearly all of "
     "pdgesv's time, checked by a solve with its factors (pdgetrs)",
     mb_flops_getrf, "2n^3/3 - n^2/2 + 5n/6",
     "|A*x - b|_inf / (eps*(|A|_inf*|x|_inf + |b|_inf)*n), x from the factors", "dgetrf", false},
    {"pdpotrf",
     "Cholesky of the positive definite A*A^T + n*I (ScaLAPACK pdpotrf), checked by a solve",
     mb_flops_potrf, "n^3/3 + n^2/2 + n/6", "|S*x - b|_inf / (eps*(|S|_inf*|x|_inf + |b|_inf)*n)",
     "dpotrf", true},
};

size_t mb_dist_kernel_count(void)
{
    return MB__ARRAY_SIZE(kernels);
}

const struct mb_dist_kernel *mb_dist_kernel_at(size_t i)
{
    return i < MB__ARRAY_SIZE(kernels) ? &kernels[i] : NULL;
}

const struct mb_dist_kernel *mb_dist_kernel_find(const char *name)
{
    for (size_t i = 0; i < MB__ARRAY_SIZE(kernels); i++)
        if (strcmp(kernels[i].name, name) == 0)
            return &kernels[i];
    return NULL;
}

/* A comma-separated list of distributed kernels, in the order given; a
 * kernel named twice runs once. */
enum mb_status mb_dist_parse_kernels(const char *s, struct mb_dist_kernel_list *out,
                                     struct mb_diag *d)
{
    out->n = 0;
    for (const char *p = s;;) {
        size_t len = strcspn(p, ",");
        const struct mb_dist_kernel *k = NULL;
        for (size_t i = 0; i < MB__ARRAY_SIZE(kernels) && k == NULL; i++)
            if (strlen(kernels[i].name) == len && strncmp(kernels[i].name, p, len) == 0)
                k = &kernels[i];
        if (k == NULL) {
            out->n = 0;
            return mb_diag_set(
                d, MB_USAGE,
                "kernels: '%s' is not allowed (a list of pdgemm, pdgesv, pdgetrf, pdpotrf)",
                SHOWN(s));
        }
        bool seen = false;
        for (size_t i = 0; i < out->n; i++)
            seen = seen || out->v[i] == k;
        if (!seen)
            out->v[out->n++] = k;
        if (p[len] == '\0')
            return MB_OK;
        p += len + 1;
    }
}

/* "PxQ" with P and Q decimals in 1..MB_DIST_GRID_MAX (the product is
 * checked against the ranks by mb_dist_check_grid). */
#define MB_DIST_GRID_MAX 65536
enum mb_status mb_dist_parse_grid(const char *s, struct mb_dist_grid *out, struct mb_diag *d)
{
    char p[16], q[16];
    const char *x = strchr(s, 'x');
    unsigned vp, vq;
    bool ok = x != NULL && (size_t)(x - s) < sizeof p && strlen(x + 1) < sizeof q;
    if (ok) {
        snprintf(p, sizeof p, "%.*s", (int)(x - s), s);
        snprintf(q, sizeof q, "%s", x + 1);
        ok = mb_parse_uint("grid", p, 1, MB_DIST_GRID_MAX, &vp, NULL) == MB_OK &&
             mb_parse_uint("grid", q, 1, MB_DIST_GRID_MAX, &vq, NULL) == MB_OK;
    }
    if (!ok)
        return mb_diag_set(d, MB_USAGE,
                           "grid: '%s' is not allowed (PxQ, P process rows times Q process "
                           "columns, e.g. 2x2, each 1..%d; P*Q = the number of ranks)",
                           SHOWN(s), MB_DIST_GRID_MAX);
    *out = (struct mb_dist_grid){(int)vp, (int)vq};
    return MB_OK;
}

/* The squarest P x Q = ranks with P <= Q, as HPL's TUNING advises. */
struct mb_dist_grid mb_dist_default_grid(int ranks)
{
    int p = 1;
    for (int i = 1; (long)i * i <= ranks; i++)
        if (ranks % i == 0)
            p = i;
    return (struct mb_dist_grid){p, ranks / p};
}

enum mb_status mb_dist_check_grid(struct mb_dist_grid g, int ranks, struct mb_diag *d)
{
    if ((long)g.p * g.q != ranks)
        return mb_diag_set(d, MB_USAGE,
                           "grid: '%dx%d' needs %ld ranks but %d run (P*Q must equal the ranks; "
                           "the default is %dx%d)",
                           g.p, g.q, (long)g.p * g.q, ranks, mb_dist_default_grid(ranks).p,
                           mb_dist_default_grid(ranks).q);
    return MB_OK;
}

/* The block size: 1..n (a block larger than the matrix leaves every rank
 * but one idle) and at most MB_DIST_NB_MAX. */
enum mb_status mb_dist_check_nb(unsigned nb, size_t n, struct mb_diag *d)
{
    if (nb == 0 || nb > n || nb > MB_DIST_NB_MAX)
        return mb_diag_set(d, MB_USAGE, "nb: '%u' is not allowed at n = %zu (1..%zu)", nb, n,
                           n < MB_DIST_NB_MAX ? n : (size_t)MB_DIST_NB_MAX);
    return MB_OK;
}

/* The rows (or columns) of an n-long dimension in nb blocks dealt
 * round-robin over nprocs processes that the process at coord holds, the
 * first block on process 0: ScaLAPACK's numroc, for the memory check made
 * before MPI or ScaLAPACK allocate. */
size_t mb_dist_local_extent(size_t n, unsigned nb, int coord, int nprocs)
{
    size_t blocks = n / nb, extent = blocks / (size_t)nprocs * nb;
    size_t extra = blocks % (size_t)nprocs;
    if ((size_t)coord < extra)
        extent += nb;
    else if ((size_t)coord == extra)
        extent += n % nb;
    return extent;
}
