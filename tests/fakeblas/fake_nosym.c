/* A fake BLAS for the matbench blas tests: a shared library with neither
 * cblas_dgemm nor dgemm_, which matbench blas must refuse. */
int fake_blas_nothing(void);

int fake_blas_nothing(void)
{
    return 0;
}
