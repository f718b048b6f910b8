/* blas: what OpenBLAS says about itself, and the thread count round trip. */
#include <criterion/criterion.h>
#include <string.h>

#include "matbench/blas.h"

Test(blas, thread_count_round_trips)
{
    cr_assert_eq(mb_blas_set_threads(2, NULL), MB_OK);
    cr_assert_eq(mb_blas_get_threads(), 2);
    cr_assert_eq(mb_blas_set_threads(1, NULL), MB_OK);
    cr_assert_eq(mb_blas_get_threads(), 1);
}

Test(blas, refuses_counts_outside_the_build)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_blas_set_threads(0, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "'0'") != NULL, "%s", d.msg);
    cr_assert_eq(mb_blas_set_threads(mb_blas_max_threads() + 1, &d), MB_USAGE);
}

Test(blas, info_describes_openblas)
{
    struct mb_blas_info b;
    mb_blas_info(&b);
    cr_assert_str_eq(b.name, "OpenBLAS");
    cr_assert(strchr(b.version, '.') != NULL, "version '%s'", b.version);
    cr_assert(strlen(b.core) > 0);
    cr_assert(strstr(b.config, "OpenBLAS") != NULL);
    cr_assert(strcmp(b.threading, "pthreads") == 0 || strcmp(b.threading, "openmp") == 0 ||
              strcmp(b.threading, "sequential") == 0);
    cr_assert_geq(b.max_threads, 1);
}
