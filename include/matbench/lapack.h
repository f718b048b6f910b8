/* LAPACK through LAPACKE: the LU, Cholesky, two solves and QR kernels, their flop
 * counts (LAPACK Working Note 41) and the scaled residuals HPL and LAPACK's
 * own tests check them by. A correct factorisation keeps each residual of
 * order 1; a pass is below MB_LAPACK_THRESHOLD. Matrices are n x n, stored
 * row-major when row_major is true and column-major otherwise. */
#ifndef MATBENCH_LAPACK_H
#define MATBENCH_LAPACK_H

#include <stdbool.h>
#include <stddef.h>

#include "matbench/kernels.h"
#include "matbench/status.h"

/* HPL's threshold for its scaled residual (HPL.dat, "threshold"): 16. */
#define MB_LAPACK_THRESHOLD 16.0

extern const struct mb_kernel mb_kernel_dgetrf;
extern const struct mb_kernel mb_kernel_dpotrf;
extern const struct mb_kernel mb_kernel_dgesv;
extern const struct mb_kernel mb_kernel_dposv;
extern const struct mb_kernel mb_kernel_dgeqrf;

double mb_flops_getrf(size_t n, size_t nrhs);
double mb_flops_potrf(size_t n, size_t nrhs);
double mb_flops_gesv(size_t n, size_t nrhs);
double mb_flops_posv(size_t n, size_t nrhs);
double mb_flops_geqrf(size_t n, size_t nrhs);

enum mb_status mb_lapack_info(const char *routine, int info, struct mb_diag *d);
enum mb_status mb_residual_lu(bool row_major, size_t n, const double *A, const double *LU,
                              const int *ipiv, double *W, double *out, struct mb_diag *d);
enum mb_status mb_residual_cholesky(bool row_major, size_t n, const double *A, const double *L,
                                    double *W, double *out, struct mb_diag *d);
enum mb_status mb_residual_solve(bool row_major, size_t n, size_t nrhs, const double *A,
                                 const double *X, const double *B, double *out, struct mb_diag *d);
enum mb_status mb_residual_qr(bool row_major, size_t n, const double *A, const double *QR,
                              const double *tau, double *W1, double *W2, double *factor,
                              double *orth, struct mb_diag *d);

#endif /* MATBENCH_LAPACK_H */
