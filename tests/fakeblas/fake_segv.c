/* A fake BLAS for the matbench blas tests: cblas_dgemm dies of SIGSEGV.
 * raise() rather than a null dereference, which the compiler may drop as
 * undefined behaviour. */
#include <signal.h>

void cblas_dgemm(void);

void cblas_dgemm(void)
{
    raise(SIGSEGV);
}
