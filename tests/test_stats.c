/* stats: summary statistics of known samples. */
#include <criterion/criterion.h>

#include "matbench/stats.h"

Test(stats, odd_count)
{
    const double x[] = {3, 1, 2};
    struct mb_stats s;
    mb_stats_compute(x, 3, &s);
    cr_assert_eq(s.count, 3);
    cr_assert_float_eq(s.min, 1, 1e-15);
    cr_assert_float_eq(s.median, 2, 1e-15);
    cr_assert_float_eq(s.max, 3, 1e-15);
    cr_assert_float_eq(s.mean, 2, 1e-15);
    cr_assert_float_eq(s.stddev, 1, 1e-15, "sample standard deviation (n - 1)");
    cr_assert_eq(x[0], 3, "the samples are not reordered");
}

Test(stats, even_count_median_is_the_middle_mean)
{
    const double x[] = {4, 1, 10, 2};
    struct mb_stats s;
    mb_stats_compute(x, 4, &s);
    cr_assert_float_eq(s.median, 3, 1e-15);
    cr_assert_float_eq(s.mean, 4.25, 1e-15);
    cr_assert_float_eq(s.stddev, 4.031128874149275, 1e-12);
}

Test(stats, single_sample)
{
    const double x[] = {0.5};
    struct mb_stats s;
    mb_stats_compute(x, 1, &s);
    cr_assert_float_eq(s.min, 0.5, 0);
    cr_assert_float_eq(s.median, 0.5, 0);
    cr_assert_float_eq(s.max, 0.5, 0);
    cr_assert_float_eq(s.stddev, 0, 0);
}
