/* The distributed kernels of matbench-mpi on a BLACS process grid: the
 * fill, pdgemm, pdgesv, pdpotrf and their checks. Private to src/mpi (the
 * matbench-mpi executable and its MPI tests). */
#ifndef MATBENCH_MPI_PKERNELS_H
#define MATBENCH_MPI_PKERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mpi.h>

#include "matbench/dist.h"
#include "matbench/status.h"

/* One size on one grid: the BLACS context, this rank's place in it, the
 * descriptors of an n x n matrix and an n x 1 vector, and the local blocks. */
struct mb_pctx {
    MPI_Comm comm; /* the ranks of the grid, for the checks' reductions */
    int ictxt, myrow, mycol, nprow, npcol;
    int n, nb, mloc, nloc, lld, vloc, vlld;
    int desc[9], descv[9];
    uint64_t seed;
    int *grow, *gcol;  /* the global index (0-based) of each local row, column */
    double *A, *B, *C; /* local blocks; B is the work matrix of the solves */
    double *x, *y, *z, *b, *work;
    int *ipiv;
};

/* A check's outcome: the residual against its limit, and the worst sampled
 * entry of a product. */
struct mb_pcheck {
    bool ok;
    double residual, limit;
    char why[256]; /* when !ok: the figure that failed */
};

enum mb_status mb_pctx_init(struct mb_pctx *c, int ictxt, MPI_Comm comm, size_t n, unsigned nb,
                            uint64_t seed, struct mb_diag *d);
void mb_pctx_free(struct mb_pctx *c);
uint64_t mb_pctx_local_bytes(size_t n, unsigned nb, int myrow, int mycol, int nprow, int npcol);

void mb_pfill(const struct mb_pctx *c, double *M, uint64_t stream);
void mb_pfill_rhs(const struct mb_pctx *c, double *v);

/* setup (once per size), prepare (before each pass), run (timed), check
 * (after the passes). */
void mb_pkernel_setup(const struct mb_dist_kernel *k, struct mb_pctx *c);
void mb_pkernel_prepare(const struct mb_dist_kernel *k, struct mb_pctx *c);
enum mb_status mb_pkernel_run(const struct mb_dist_kernel *k, struct mb_pctx *c, struct mb_diag *d);
enum mb_status mb_pkernel_check(const struct mb_dist_kernel *k, struct mb_pctx *c,
                                struct mb_pcheck *out, struct mb_diag *d);

enum mb_status mb_pcheck_gemm(struct mb_pctx *c, struct mb_pcheck *out);

/* The passes of one measurement. */
struct mb_ppasses {
    unsigned warmup, repeat;
    bool verify;
};

enum mb_status mb_pkernel_measure(const struct mb_dist_kernel *k, struct mb_pctx *c,
                                  struct mb_ppasses p, struct mb_dist_result *r, struct mb_diag *d);

#endif /* MATBENCH_MPI_PKERNELS_H */
