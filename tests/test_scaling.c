/* The scaling arithmetic (scaling.h) on speed-ups whose answers are known:
 * Karp–Flatt at and around the ideal, the Amdahl fit on speed-ups made
 * from a known serial fraction, and the crossover size interpolated on
 * synthetic gains. */
#include <criterion/criterion.h>
#include <math.h>

#include "matbench/scaling.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Amdahl's speed-up on p threads with serial fraction f. */
static double amdahl(double f, int p)
{
    return 1.0 / (f + (1.0 - f) / (double)p);
}

Test(karp_flatt, ideal_none_partial_and_superlinear)
{
    cr_assert_float_eq(mb_karp_flatt(2.0, 2), 0.0, 1e-15, "perfect: no serial part");
    cr_assert_float_eq(mb_karp_flatt(1.0, 2), 1.0, 1e-15, "no gain: all serial");
    cr_assert_float_eq(mb_karp_flatt(1.5, 2), 1.0 / 3.0, 1e-15);
    cr_assert_float_eq(mb_karp_flatt(3.0, 4), 1.0 / 9.0, 1e-15);
    cr_assert_float_eq(mb_karp_flatt(3.0, 2), -1.0 / 3.0, 1e-15, "S > p: negative");
    cr_assert_float_eq(mb_karp_flatt(0.5, 2), 3.0, 1e-15, "S < 1: above 1");
}

Test(karp_flatt, recovers_amdahls_fraction)
{
    for (int p = 2; p <= 64; p *= 2)
        cr_assert_float_eq(mb_karp_flatt(amdahl(0.05, p), p), 0.05, 1e-12, "p = %d", p);
}

Test(karp_flatt, undefined_where_it_means_nothing)
{
    cr_assert(isnan(mb_karp_flatt(1.0, 1)), "p = 1");
    cr_assert(isnan(mb_karp_flatt(1.0, 0)), "p = 0");
    cr_assert(isnan(mb_karp_flatt(0.0, 2)), "S = 0");
    cr_assert(isnan(mb_karp_flatt(-1.0, 2)), "S < 0");
    cr_assert(isnan(mb_karp_flatt(NAN, 2)), "S unknown");
    cr_assert(isnan(mb_karp_flatt(INFINITY, 2)), "S infinite");
}

Test(amdahl, fits_a_known_serial_fraction)
{
    const int p[] = {1, 2, 4, 8};
    double s[COUNT(p)];
    for (size_t i = 0; i < COUNT(p); i++)
        s[i] = amdahl(0.1, p[i]);
    cr_assert_float_eq(mb_amdahl_serial_fraction(p, s, COUNT(p)), 0.1, 1e-12);
}

Test(amdahl, perfect_and_superlinear_and_slower)
{
    const int p[] = {1, 2, 4};
    const double perfect[] = {1, 2, 4}, super[] = {1, 2.5, 5}, slower[] = {1, 0.9, 0.8};
    cr_assert_float_eq(mb_amdahl_serial_fraction(p, perfect, 3), 0.0, 1e-15);
    cr_assert_lt(mb_amdahl_serial_fraction(p, super, 3), 0.0, "superlinear: negative");
    cr_assert_gt(mb_amdahl_serial_fraction(p, slower, 3), 1.0, "slower with threads: above 1");
}

Test(amdahl, needs_three_thread_counts)
{
    const int p[] = {1, 2};
    const double s[] = {1, 1.8};
    cr_assert(isnan(mb_amdahl_serial_fraction(p, s, 2)), "1 and 2 threads: one point");
    const int q[] = {1, 2, 4};
    const double t[] = {1, 1.8, NAN};
    cr_assert(isnan(mb_amdahl_serial_fraction(q, t, 3)), "an unknown speed-up is no point");
    cr_assert(isnan(mb_amdahl_serial_fraction(q, t, 0)), "nothing");
}

/* The speed-up on p threads whose Karp–Flatt figure is e. */
static double with_e(double e, int p)
{
    return 1.0 / (e * (1.0 - 1.0 / (double)p) + 1.0 / (double)p);
}

Test(karp_flatt, grows_only_when_each_point_is_above_the_last)
{
    const int p[] = {1, 2, 4, 8};
    const double growing[] = {1, with_e(0.05, 2), with_e(0.10, 4), with_e(0.20, 8)};
    const double fixed[] = {1, amdahl(0.1, 2), amdahl(0.1, 4), amdahl(0.1, 8)};
    const double dips[] = {1, with_e(0.05, 2), with_e(0.20, 4), with_e(0.10, 8)};
    cr_assert(mb_karp_flatt_grows(p, growing, 4));
    cr_assert(!mb_karp_flatt_grows(p, fixed, 4), "a fixed serial part: e stays");
    cr_assert(!mb_karp_flatt_grows(p, dips, 4));
    cr_assert(!mb_karp_flatt_grows(p, growing, 2), "one point shows no trend");
}

Test(crossover, interpolates_between_the_sizes_around_it)
{
    const size_t n[] = {100, 200, 400, 800};
    const double gain[] = {0.8, 1.0, 1.3, 1.8};
    bool below;
    double x = mb_crossover_n(n, gain, COUNT(n), MB_CROSSOVER_GAIN, &below);
    cr_assert_float_eq(x, 200.0 + 200.0 * (0.1 / 0.3), 1e-9, "got %g", x);
    cr_assert(!below);
}

Test(crossover, exactly_at_a_size)
{
    const size_t n[] = {100, 200};
    const double gain[] = {1.0, 1.1};
    bool below;
    cr_assert_float_eq(mb_crossover_n(n, gain, 2, 1.1, &below), 200.0, 1e-9);
}

Test(crossover, already_at_the_smallest_size)
{
    const size_t n[] = {500, 1000};
    const double gain[] = {1.5, 1.9};
    bool below;
    cr_assert_float_eq(mb_crossover_n(n, gain, 2, MB_CROSSOVER_GAIN, &below), 500.0, 1e-9);
    cr_assert(below);
}

Test(crossover, never_reached_or_unknown)
{
    const size_t n[] = {100, 200, 400};
    const double gain[] = {0.7, 0.9, 1.05};
    bool below;
    cr_assert(isnan(mb_crossover_n(n, gain, 3, MB_CROSSOVER_GAIN, &below)));
    cr_assert(!below);
    cr_assert(isnan(mb_crossover_n(n, gain, 0, MB_CROSSOVER_GAIN, &below)), "no size");
    const double holes[] = {0.9, NAN, 1.3};
    cr_assert_float_eq(mb_crossover_n(n, holes, 3, MB_CROSSOVER_GAIN, &below),
                       100.0 + 300.0 * (0.2 / 0.4), 1e-9, "an unknown gain is skipped");
}
