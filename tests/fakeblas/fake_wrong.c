/* A fake BLAS for the matbench blas tests: cblas_dgemm computes C = A*B
 * (row-major, no transposes, as matbench calls it) and then gets the first
 * entry wrong by 1, which the verification must catch. */
void cblas_dgemm(int order, int transa, int transb, int m, int n, int k, double alpha,
                 const double *A, int lda, const double *B, int ldb, double beta, double *C,
                 int ldc);

void cblas_dgemm(int order, int transa, int transb, int m, int n, int k, double alpha,
                 const double *A, int lda, const double *B, int ldb, double beta, double *C,
                 int ldc)
{
    (void)order, (void)transa, (void)transb;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < k; p++)
                s += A[i * lda + p] * B[p * ldb + j];
            C[i * ldc + j] = alpha * s + (beta != 0 ? beta * C[i * ldc + j] : 0);
        }
    if (m > 0 && n > 0)
        C[0] += 1.0;
}
