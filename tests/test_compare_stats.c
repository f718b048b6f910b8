/* The comparison statistics (compare_stats.h) on samples whose answers are
 * known: U and its p-value against counts done by hand, by a closed form,
 * or by enumerating every split of the pooled values (an independent
 * Python script, exact fractions, not run by the tests); the bootstrap
 * interval on samples with a known ratio; the geometric mean; the
 * verdict. */
#include <criterion/criterion.h>
#include <math.h>

#include "matbench/compare_stats.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* p within a relative tolerance: the references are exact fractions or
 * closed forms, the code sums doubles. */
#define assert_p(got, want)                                                                        \
    cr_assert_float_eq((got), (want), 1e-12 * (want), "p = %.17g, want %.17g", (got), (want))

static struct mb_mwu mwu(const double *a, size_t na, const double *b, size_t nb)
{
    struct mb_mwu r;
    cr_assert_eq(mb_mann_whitney(a, na, b, nb, &r), MB_OK);
    return r;
}

/* ---- Mann–Whitney U ---------------------------------------------------- */

Test(mann_whitney, separated_3_vs_3_exact)
{
    /* Every a below every b: U_a = 0, U_b = 9. Of the C(6, 3) = 20 equally
     * likely splits, only this one has U = 0 (and one U = 9), so the
     * two-sided p = 2/20 = 0.1. */
    const double a[] = {1, 2, 3}, b[] = {4, 5, 6};
    struct mb_mwu r = mwu(a, 3, b, 3);
    cr_assert_eq(r.u_a, 0.0);
    cr_assert_eq(r.u_b, 9.0);
    cr_assert(r.exact);
    assert_p(r.p, 0.1);
}

Test(mann_whitney, separated_9_vs_9_exact)
{
    /* U_a = 0 and p = 2 / C(18, 9) = 2/48620 = 4.1135335252982e-05;
     * enumerating the 48620 splits gives 1/24310, the same. */
    double a[9], b[9];
    for (int i = 0; i < 9; i++) {
        a[i] = i;
        b[i] = 10 + i;
    }
    struct mb_mwu r = mwu(a, 9, b, 9);
    cr_assert_eq(r.u_a, 0.0);
    cr_assert_eq(r.u_b, 81.0);
    cr_assert(r.exact);
    assert_p(r.p, 2.0 / 48620.0);
}

Test(mann_whitney, separated_50_vs_50_still_exact)
{
    /* At the exact bound: p = 2 / C(100, 50) = 1.9823306042836678e-29
     * (Python's math.comb), far past the 2^53 where counts stop being
     * exact in doubles. */
    double a[50], b[50];
    for (int i = 0; i < 50; i++) {
        a[i] = 100 + i;
        b[i] = i;
    }
    struct mb_mwu r = mwu(a, 50, b, 50);
    cr_assert_eq(r.u_a, 2500.0);
    cr_assert_eq(r.u_b, 0.0);
    cr_assert(r.exact);
    assert_p(r.p, 1.9823306042836678e-29);
}

Test(mann_whitney, overlapping_3_vs_4_exact)
{
    /* a = {1, 4, 5}, b = {2, 3, 6, 7}: 4 and 5 are each above 2 and 3, so
     * U_a = 4, U_b = 8. The counts of U = 0..12 over the C(7, 3) = 35
     * splits are the coefficients of the Gaussian binomial [7 choose 3]_q:
     * 1 1 2 3 4 4 5 4 4 3 2 1 1, so P(U <= 4) = 11/35 and p = 22/35 =
     * 0.62857142857142856 (enumeration agrees). */
    const double a[] = {1, 4, 5}, b[] = {2, 3, 6, 7};
    struct mb_mwu r = mwu(a, 3, b, 4);
    cr_assert_eq(r.u_a, 4.0);
    cr_assert_eq(r.u_b, 8.0);
    cr_assert(r.exact);
    assert_p(r.p, 22.0 / 35.0);
}

Test(mann_whitney, interleaved_exact_against_enumeration)
{
    /* By enumerating the C(11, 5) = 462 and C(17, 8) = 24310 splits:
     * 5 vs 6: U_a = 9, p = 76/231; 8 vs 9: U_a = 28, p = 5843/12155. */
    const double a[] = {1, 3, 5, 7, 9}, b[] = {2, 4, 6, 10, 11, 12};
    struct mb_mwu r = mwu(a, COUNT(a), b, COUNT(b));
    cr_assert_eq(r.u_a, 9.0);
    cr_assert(r.exact);
    assert_p(r.p, 76.0 / 231.0);
    const double c[] = {1, 2, 4, 7, 9, 12, 13, 16}, d[] = {3, 5, 6, 8, 10, 11, 14, 15, 17};
    r = mwu(c, COUNT(c), d, COUNT(d));
    cr_assert_eq(r.u_a, 28.0);
    cr_assert(r.exact);
    assert_p(r.p, 5843.0 / 12155.0);
}

Test(mann_whitney, ties_use_the_corrected_normal_approximation)
{
    /* a = {1, 2, 2, 3}, b = {2, 3, 4, 5}, by hand: the 1 is above no b;
     * each 2 ties the b 2 (1/2 each); the 3 is above the 2 and ties the 3
     * (1.5): U_a = 2.5, U_b = 16 - 2.5 = 13.5. Tied groups: three 2s and two
     * 3s, sum(t^3 - t) = 24 + 6 = 30; N = 8, so the variance is
     * 16/12 (9 - 30/56) = 11.285714285714285. With U = max = 13.5 and the
     * continuity correction, z = (13.5 - 8 - 0.5) / sqrt(11.2857...) =
     * 1.4883513944689681, and p = erfc(z / sqrt 2) = 0.13665824773814753. */
    const double a[] = {1, 2, 2, 3}, b[] = {2, 3, 4, 5};
    struct mb_mwu r = mwu(a, 4, b, 4);
    cr_assert_eq(r.u_a, 2.5);
    cr_assert_eq(r.u_b, 13.5);
    cr_assert(!r.exact, "ties: no exact distribution");
    cr_assert_float_eq(r.p, 0.13665824773814753, 1e-12);
}

Test(mann_whitney, large_samples_use_the_normal_approximation)
{
    /* a = 0..59, b = 20.5..79.5: each b below 60 sits above the a's below
     * it, U_b = sum_{i=0..39} (21 + i) + 20 * 60 = 1620 + 1200 = 2820 and
     * U_a = 3600 - 2820 = 780. No ties: variance 3600 * 121 / 12 = 36300,
     * z = (2820 - 1800 - 0.5) / sqrt(36300) = 5.350987267625668, p =
     * erfc(z / sqrt 2) = 8.747567722893554e-08. */
    double a[60], b[60];
    for (int i = 0; i < 60; i++) {
        a[i] = i;
        b[i] = i + 20.5;
    }
    struct mb_mwu r = mwu(a, 60, b, 60);
    cr_assert_eq(r.u_a, 780.0);
    cr_assert_eq(r.u_b, 2820.0);
    cr_assert(!r.exact, "60 values are past MB_MWU_EXACT_MAX");
    cr_assert_float_eq(r.p, 8.747567722893554e-08, 1e-9 * 8.747567722893554e-08);
}

Test(mann_whitney, u_a_plus_u_b_is_na_nb_and_swapping_keeps_p)
{
    const double x[] = {3.1, 2.2, 5.0, 5.0, 1.0, 9.5, 4.4};
    const double y[] = {2.2, 6.0, 7.5, 5.0, 8.1};
    const double z[] = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5};
    const struct {
        const double *a;
        size_t na;
        const double *b;
        size_t nb;
    } cases[] = {
        {x, COUNT(x), y, COUNT(y)}, /* ties: normal */
        {z, COUNT(z), y, COUNT(y)}, /* one tie at 7.5 */
        {z, 4, x + 4, 3},           /* no ties: exact */
        {x, 1, y, 1},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct mb_mwu ab = mwu(cases[i].a, cases[i].na, cases[i].b, cases[i].nb);
        struct mb_mwu ba = mwu(cases[i].b, cases[i].nb, cases[i].a, cases[i].na);
        cr_assert_eq(ab.u_a + ab.u_b, (double)(cases[i].na * cases[i].nb), "case %zu", i);
        cr_assert_eq(ab.u_a, ba.u_b, "case %zu", i);
        cr_assert_eq(ab.u_b, ba.u_a, "case %zu", i);
        cr_assert_eq(ab.exact, ba.exact, "case %zu", i);
        cr_assert_float_eq(ab.p, ba.p, 1e-15, "case %zu", i);
        cr_assert(ab.p > 0 && ab.p <= 1, "case %zu: p = %g", i, ab.p);
    }
}

Test(mann_whitney, all_values_equal_give_p_one)
{
    const double a[] = {2, 2, 2}, b[] = {2, 2, 2, 2};
    struct mb_mwu r = mwu(a, 3, b, 4);
    cr_assert_eq(r.u_a, 6.0, "every pair a tie: 12 / 2");
    cr_assert_eq(r.p, 1.0);
    const double one[] = {1}, two[] = {2};
    cr_assert_eq(mwu(one, 1, two, 1).p, 1.0, "1 vs 1: U = 0 or 1, each half the time");
}

Test(mann_whitney, refuses_empty_and_nan_samples)
{
    const double a[] = {1, 2}, bad[] = {1, NAN};
    struct mb_mwu r;
    cr_assert_eq(mb_mann_whitney(a, 2, a, 0, &r), MB_USAGE);
    cr_assert(isnan(r.p));
    cr_assert_eq(mb_mann_whitney(a, 0, a, 2, &r), MB_USAGE);
    cr_assert(isnan(r.p));
    cr_assert_eq(mb_mann_whitney(a, 2, bad, 2, &r), MB_USAGE);
    cr_assert(isnan(r.p));
}

/* ---- bootstrap --------------------------------------------------------- */

#define SPREAD_N 31

/* Times spread evenly over 0.95..1.05 in a shuffled order, and the same
 * times scaled by ratio. */
static void spread(double *old, double *new_, double ratio)
{
    for (int i = 0; i < SPREAD_N; i++) {
        int j = (i * 7) % SPREAD_N; /* 7 is prime to 31: a permutation */
        old[i] = 0.95 + 0.10 * j / (SPREAD_N - 1);
        new_[i] = old[i] * ratio;
    }
}

Test(bootstrap, same_seed_same_interval_other_seed_another)
{
    double old[SPREAD_N], new_[SPREAD_N];
    spread(old, new_, 1.10);
    double lo1, hi1, lo2, hi2, lo3, hi3;
    cr_assert_eq(mb_bootstrap_ratio_ci(old, SPREAD_N, new_, SPREAD_N, MB_COMPARE_RESAMPLES,
                                       MB_COMPARE_LEVEL, MB_COMPARE_SEED, &lo1, &hi1),
                 MB_OK);
    cr_assert_eq(mb_bootstrap_ratio_ci(old, SPREAD_N, new_, SPREAD_N, MB_COMPARE_RESAMPLES,
                                       MB_COMPARE_LEVEL, MB_COMPARE_SEED, &lo2, &hi2),
                 MB_OK);
    cr_assert_eq(lo1, lo2, "reproducible");
    cr_assert_eq(hi1, hi2, "reproducible");
    cr_assert_eq(mb_bootstrap_ratio_ci(old, SPREAD_N, new_, SPREAD_N, MB_COMPARE_RESAMPLES,
                                       MB_COMPARE_LEVEL, 42, &lo3, &hi3),
                 MB_OK);
    cr_assert(lo3 != lo1 || hi3 != hi1, "another seed, other draws");
}

Test(bootstrap, contains_a_known_ratio_and_excludes_one)
{
    /* new = old * 1.10 exactly: the medians' ratio is 1.10, and a resample's
     * medians stay within the 0.95..1.05 spread, so no ratio can fall
     * below 1.10 * 0.95 / 1.05 = 0.995 and nearly all are well above 1. */
    double old[SPREAD_N], new_[SPREAD_N], lo, hi;
    spread(old, new_, 1.10);
    cr_assert_eq(mb_bootstrap_ratio_ci(old, SPREAD_N, new_, SPREAD_N, MB_COMPARE_RESAMPLES,
                                       MB_COMPARE_LEVEL, MB_COMPARE_SEED, &lo, &hi),
                 MB_OK);
    cr_assert(lo <= 1.10 && 1.10 <= hi, "[%g, %g] holds 1.10", lo, hi);
    cr_assert_gt(lo, 1.0, "[%g, %g] excludes 1", lo, hi);
    cr_assert_eq(mb_compare_verdict(1.10, lo, hi, MB_COMPARE_THRESHOLD), MB_VERDICT_SLOWER);
    /* and the other way round: new = old / 1.10 */
    spread(new_, old, 1.10);
    cr_assert_eq(mb_bootstrap_ratio_ci(old, SPREAD_N, new_, SPREAD_N, MB_COMPARE_RESAMPLES,
                                       MB_COMPARE_LEVEL, MB_COMPARE_SEED, &lo, &hi),
                 MB_OK);
    cr_assert(lo <= 1 / 1.10 && 1 / 1.10 <= hi, "[%g, %g] holds 1/1.10", lo, hi);
    cr_assert_eq(mb_compare_verdict(1 / 1.10, lo, hi, MB_COMPARE_THRESHOLD), MB_VERDICT_FASTER);
}

Test(bootstrap, identical_samples_hold_one_and_are_the_same)
{
    double old[SPREAD_N], new_[SPREAD_N], lo, hi;
    spread(old, new_, 1.0);
    cr_assert_eq(mb_bootstrap_ratio_ci(old, SPREAD_N, new_, SPREAD_N, MB_COMPARE_RESAMPLES,
                                       MB_COMPARE_LEVEL, MB_COMPARE_SEED, &lo, &hi),
                 MB_OK);
    cr_assert(lo < 1 && 1 < hi, "[%g, %g] holds 1", lo, hi);
    cr_assert_eq(mb_compare_verdict(1.0, lo, hi, MB_COMPARE_THRESHOLD), MB_VERDICT_SAME);
}

Test(bootstrap, constant_samples_give_the_exact_ratio)
{
    /* Every resample of a constant sample has that constant as median,
     * for odd and even counts alike: the interval is the point 1.5. */
    const double old[] = {2, 2, 2, 2}, new_[] = {3, 3, 3};
    double lo, hi;
    cr_assert_eq(mb_bootstrap_ratio_ci(old, 4, new_, 3, 1000, 0.9, 1, &lo, &hi), MB_OK);
    cr_assert_eq(lo, 1.5);
    cr_assert_eq(hi, 1.5);
}

Test(bootstrap, one_resample_is_a_point)
{
    double old[SPREAD_N], new_[SPREAD_N], lo, hi;
    spread(old, new_, 1.3);
    cr_assert_eq(mb_bootstrap_ratio_ci(old, SPREAD_N, new_, SPREAD_N, 1, 0.5, 7, &lo, &hi), MB_OK);
    cr_assert_eq(lo, hi);
}

Test(bootstrap, refuses_bad_input)
{
    const double x[] = {1, 2, 3}, zero[] = {1, 0, 3}, unknown[] = {1, NAN, 3};
    const double infinite[] = {1, INFINITY};
    double lo, hi;
    const struct {
        const double *old;
        size_t no;
        unsigned resamples;
        double level;
        const char *what;
    } cases[] = {
        {x, 0, 100, 0.95, "no samples"},
        {x, 3, 0, 0.95, "no resamples"},
        {x, 3, 100, 0.0, "level 0"},
        {x, 3, 100, 1.0, "level 1"},
        {x, 3, 100, NAN, "level unknown"},
        {zero, 3, 100, 0.95, "a zero time"},
        {unknown, 3, 100, 0.95, "an unknown time"},
        {infinite, 2, 100, 0.95, "an infinite time"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        cr_assert_eq(mb_bootstrap_ratio_ci(cases[i].old, cases[i].no, x, 3, cases[i].resamples,
                                           cases[i].level, 1, &lo, &hi),
                     MB_USAGE, "%s", cases[i].what);
        cr_assert(isnan(lo) && isnan(hi), "%s", cases[i].what);
    }
    cr_assert_eq(mb_bootstrap_ratio_ci(x, 3, x, 0, 100, 0.95, 1, &lo, &hi), MB_USAGE, "no new");
}

/* ---- geometric mean and verdict ---------------------------------------- */

Test(geomean, of_known_values)
{
    const double x[] = {2, 8}, y[] = {0.5, 2, 1}, z[] = {3};
    cr_assert_float_eq(mb_geomean(x, 2), 4.0, 1e-15, "sqrt(16)");
    cr_assert_float_eq(mb_geomean(y, 3), 1.0, 1e-15, "r and 1/r cancel");
    cr_assert_float_eq(mb_geomean(z, 1), 3.0, 1e-15);
}

Test(geomean, undefined_without_positive_values)
{
    const double zero[] = {2, 0}, neg[] = {2, -8}, unknown[] = {2, NAN};
    cr_assert(isnan(mb_geomean(zero, 0)), "n = 0");
    cr_assert(isnan(mb_geomean(zero, 2)), "a zero");
    cr_assert(isnan(mb_geomean(neg, 2)), "a negative");
    cr_assert(isnan(mb_geomean(unknown, 2)), "an unknown");
}

Test(verdict, faster_slower_and_same)
{
    const double t = MB_COMPARE_THRESHOLD;
    const struct {
        double ratio, lo, hi;
        enum mb_verdict want;
        const char *why;
    } cases[] = {
        {0.90, 0.85, 0.95, MB_VERDICT_FASTER, "interval below 1, 10 % faster"},
        {1.10, 1.05, 1.15, MB_VERDICT_SLOWER, "interval above 1, 10 % slower"},
        {0.90, 0.80, 1.01, MB_VERDICT_SAME, "interval holds 1"},
        {1.10, 0.99, 1.20, MB_VERDICT_SAME, "interval holds 1"},
        {0.99, 0.985, 0.995, MB_VERDICT_SAME, "real but below the threshold"},
        {1.01, 1.005, 1.015, MB_VERDICT_SAME, "real but below the threshold"},
        {0.97, 0.96, 0.98, MB_VERDICT_FASTER, "3 % is past 2 %"},
        {1.00, 0.98, 1.02, MB_VERDICT_SAME, "no change"},
        {NAN, NAN, NAN, MB_VERDICT_SAME, "nothing known"},
    };
    for (size_t i = 0; i < COUNT(cases); i++)
        cr_assert_eq(mb_compare_verdict(cases[i].ratio, cases[i].lo, cases[i].hi, t), cases[i].want,
                     "%s", cases[i].why);
}
