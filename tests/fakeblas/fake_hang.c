/* A fake BLAS for the matbench blas tests: cblas_dgemm never returns, so
 * only the time limit ends it. */
#include <unistd.h>

void cblas_dgemm(void);

void cblas_dgemm(void)
{
    for (;;)
        pause();
}
