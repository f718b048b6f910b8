/* stats: summary statistics of known samples. The standard deviation is the
 * sample one (n - 1 in the denominator). */
#include <criterion/criterion.h>

#include "matbench/stats.h"

Test(stats, odd_count_of_unsorted_samples)
{
    const double x[] = {3, 1, 2};
    struct mb_stats s;
    mb_stats_compute(x, 3, &s);
    cr_assert_eq(s.count, 3);
    cr_assert_float_eq(s.min, 1, 1e-15);
    cr_assert_float_eq(s.median, 2, 1e-15);
    cr_assert_float_eq(s.max, 3, 1e-15);
    cr_assert_float_eq(s.mean, 2, 1e-15);
    cr_assert_float_eq(s.stddev, 1, 1e-15, "sample standard deviation (n - 1), got %.17g",
                       s.stddev);
}

Test(stats, even_count_median_is_the_mean_of_the_two_middle)
{
    const double x[] = {4, 1, 10, 2};
    struct mb_stats s;
    mb_stats_compute(x, 4, &s);
    cr_assert_eq(s.count, 4);
    cr_assert_float_eq(s.min, 1, 1e-15);
    cr_assert_float_eq(s.max, 10, 1e-15);
    cr_assert_float_eq(s.median, 3, 1e-15, "(2 + 4) / 2, got %.17g", s.median);
    cr_assert_float_eq(s.mean, 4.25, 1e-15);
    /* squared deviations from 4.25 sum to 48.75; over n - 1 = 3 */
    cr_assert_float_eq(s.stddev, 4.031128874149275, 1e-12, "sqrt(48.75 / 3), got %.17g", s.stddev);
}

Test(stats, two_samples)
{
    const double x[] = {0.25, 0.75};
    struct mb_stats s;
    mb_stats_compute(x, 2, &s);
    cr_assert_float_eq(s.median, 0.5, 1e-15);
    cr_assert_float_eq(s.mean, 0.5, 1e-15);
    cr_assert_float_eq(s.stddev, 0.35355339059327373, 1e-15, "got %.17g", s.stddev);
}

Test(stats, single_sample_has_zero_spread)
{
    const double x[] = {0.5};
    struct mb_stats s;
    mb_stats_compute(x, 1, &s);
    cr_assert_eq(s.count, 1);
    cr_assert_float_eq(s.min, 0.5, 0);
    cr_assert_float_eq(s.median, 0.5, 0);
    cr_assert_float_eq(s.max, 0.5, 0);
    cr_assert_float_eq(s.mean, 0.5, 0);
    cr_assert_float_eq(s.stddev, 0, 0);
}

Test(stats, equal_samples_have_zero_spread)
{
    const double x[] = {7, 7, 7, 7, 7};
    struct mb_stats s;
    mb_stats_compute(x, 5, &s);
    cr_assert_float_eq(s.median, 7, 0);
    cr_assert_float_eq(s.stddev, 0, 0);
}
