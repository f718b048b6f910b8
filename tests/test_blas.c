/* blas: what OpenBLAS says about itself, and the thread count, the one piece
 * of global state matbench changes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/blas.h"

Test(blas, thread_count_round_trips)
{
    cr_assert_eq(mb_blas_set_threads(2, NULL), MB_OK);
    cr_assert_eq(mb_blas_get_threads(), 2);
    cr_assert_eq(mb_blas_set_threads(1, NULL), MB_OK);
    cr_assert_eq(mb_blas_get_threads(), 1);
    cr_assert_eq(mb_blas_set_threads(2, NULL), MB_OK, "and back up again");
    cr_assert_eq(mb_blas_get_threads(), 2);
}

Test(blas, the_build_allows_at_least_one_thread)
{
    cr_assert_geq(mb_blas_max_threads(), 1);
    cr_assert_eq(mb_blas_set_threads(mb_blas_max_threads(), NULL), MB_OK, "the maximum itself");
    cr_assert_eq(mb_blas_get_threads(), mb_blas_max_threads());
}

Test(blas, refuses_counts_outside_the_build)
{
    cr_assert_eq(mb_blas_set_threads(1, NULL), MB_OK);
    static const int bad[] = {0, -1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mb_diag d = {0};
        char quoted[16];
        snprintf(quoted, sizeof quoted, "'%d'", bad[i]);
        cr_assert_eq(mb_blas_set_threads(bad[i], &d), MB_USAGE, "%d threads", bad[i]);
        cr_assert(strstr(d.msg, quoted) != NULL, "the message quotes %s: %s", quoted, d.msg);
    }
    struct mb_diag d = {0};
    cr_assert_eq(mb_blas_set_threads(mb_blas_max_threads() + 1, &d), MB_USAGE);
    cr_assert(d.msg[0] != '\0');
    cr_assert_eq(mb_blas_get_threads(), 1, "a refused count changes nothing");
}

Test(blas, info_describes_openblas)
{
    struct mb_blas_info b;
    mb_blas_info(&b);
    cr_assert_str_eq(b.name, "OpenBLAS");
    cr_assert(strchr(b.version, '.') != NULL, "version '%s'", b.version);
    cr_assert(b.core[0] != '\0', "core type");
    cr_assert(b.config[0] != '\0', "config string");
    cr_assert_not_null(b.threading);
    cr_assert(strcmp(b.threading, "sequential") == 0 || strcmp(b.threading, "pthreads") == 0 ||
                  strcmp(b.threading, "openmp") == 0,
              "threading '%s'", b.threading);
    cr_assert_geq(b.max_threads, 1);
    cr_assert_eq(b.max_threads, mb_blas_max_threads());
}

Test(blas, info_reports_the_current_thread_count)
{
    cr_assert_eq(mb_blas_set_threads(2, NULL), MB_OK);
    struct mb_blas_info b;
    mb_blas_info(&b);
    cr_assert_eq(b.threads, 2);
}

Test(blas, info_reports_openblas_num_threads)
{
    cr_assert_eq(setenv("OPENBLAS_NUM_THREADS", "3", 1), 0);
    struct mb_blas_info b;
    mb_blas_info(&b);
    cr_assert(b.env_set);
    cr_assert_str_eq(b.env_value, "3");
    cr_assert_eq(unsetenv("OPENBLAS_NUM_THREADS"), 0);
    mb_blas_info(&b);
    cr_assert_not(b.env_set);
}
