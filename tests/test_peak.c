/* peak: the instruction-set table, flop arithmetic at known counts, the peak
 * that applies at a thread count, and the measurement's contract (never its
 * speed: these tests run on shared machines). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "matbench/peak.h"

Test(peak, isa_table)
{
    cr_assert_str_eq(mb_isa_name(MB_ISA_SSE2), "sse2");
    cr_assert_str_eq(mb_isa_name(MB_ISA_AVX2), "avx2+fma");
    cr_assert_str_eq(mb_isa_name(MB_ISA_AVX512), "avx512");
    cr_assert_eq(mb_isa_lanes(MB_ISA_SSE2), 2);
    cr_assert_eq(mb_isa_lanes(MB_ISA_AVX2), 4);
    cr_assert_eq(mb_isa_lanes(MB_ISA_AVX512), 8);
    /* SSE2 has no FMA: a multiply or an add on 2 lanes; FMA is 2 flops a lane */
    cr_assert_eq(mb_isa_flops_per_instruction(MB_ISA_SSE2), 2);
    cr_assert_eq(mb_isa_flops_per_instruction(MB_ISA_AVX2), 8);
    cr_assert_eq(mb_isa_flops_per_instruction(MB_ISA_AVX512), 16);
}

Test(peak, unknown_isa_has_no_name_lanes_or_flops)
{
    enum mb_isa bad = (enum mb_isa)7;
    cr_assert_str_eq(mb_isa_name(bad), "unknown");
    cr_assert_eq(mb_isa_lanes(bad), 0);
    cr_assert_eq(mb_isa_flops_per_instruction(bad), 0);
    cr_assert_not(mb_isa_supported(bad));
}

Test(peak, flops_at_known_instruction_counts)
{
    cr_assert_float_eq(mb_peak_flops(MB_ISA_AVX512, 1000000000), 16e9, 0);
    cr_assert_float_eq(mb_peak_flops(MB_ISA_AVX2, 1000000000), 8e9, 0);
    cr_assert_float_eq(mb_peak_flops(MB_ISA_SSE2, 1000000000), 2e9, 0);
    cr_assert_float_eq(mb_peak_flops(MB_ISA_AVX512, 0), 0, 0);
    cr_assert_float_eq(mb_peak_flops(MB_ISA_AVX2, 3), 24, 0);
    /* 2^50 instructions x 16 = 2^54 flops, still exact in a double */
    cr_assert_float_eq(mb_peak_flops(MB_ISA_AVX512, UINT64_C(1) << 50), 0x1p54, 0);
}

Test(peak, widest_isa_agrees_with_the_cpu)
{
    enum mb_isa want = __builtin_cpu_supports("avx512f") ? MB_ISA_AVX512
                       : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
                           ? MB_ISA_AVX2
                           : MB_ISA_SSE2;
    cr_assert_eq(mb_isa_widest(), want, "widest %s, expected %s", mb_isa_name(mb_isa_widest()),
                 mb_isa_name(want));
    cr_assert(mb_isa_supported(MB_ISA_SSE2), "every x86-64 has SSE2");
    cr_assert(mb_isa_supported(mb_isa_widest()));
}

/* 2 cores, 30 GFLOP/s alone, 50 together (shared clocks keep it below 60) */
static const struct mb_peak two_cores = {MB_ISA_AVX2, 30.0, 50.0, 2, 0.5};
static const struct mb_peak four_cores = {MB_ISA_AVX512, 100.0, 360.0, 4, 0.5};

Test(peak, for_threads_below_at_and_above_the_cores)
{
    cr_assert_float_eq(mb_peak_for_threads(&four_cores, 1), 100.0, 1e-12);
    cr_assert_float_eq(mb_peak_for_threads(&four_cores, 2), 200.0, 1e-12);
    cr_assert_float_eq(mb_peak_for_threads(&four_cores, 3), 300.0, 1e-12);
    cr_assert_float_eq(mb_peak_for_threads(&four_cores, 4), 360.0, 1e-12);
    cr_assert_float_eq(mb_peak_for_threads(&four_cores, 8), 360.0, 1e-12, "oversubscribed");
}

Test(peak, for_threads_is_capped_at_the_all_cores_figure)
{
    cr_assert_float_eq(mb_peak_for_threads(&two_cores, 1), 30.0, 1e-12);
    cr_assert_float_eq(mb_peak_for_threads(&two_cores, 2), 50.0, 1e-12);
    /* 3 x 100 > 250: the cap applies below the core count too */
    const struct mb_peak hot = {MB_ISA_AVX512, 100.0, 250.0, 4, 0.5};
    cr_assert_float_eq(mb_peak_for_threads(&hot, 2), 200.0, 1e-12);
    cr_assert_float_eq(mb_peak_for_threads(&hot, 3), 250.0, 1e-12);
}

Test(peak, for_threads_without_a_measurement_is_nan)
{
    cr_assert(isnan(mb_peak_for_threads(NULL, 1)));
    const struct mb_peak unmeasured = {0};
    cr_assert(isnan(mb_peak_for_threads(&unmeasured, 1)));
    cr_assert(isnan(mb_peak_for_threads(&four_cores, 0)));
}

Test(peak, measures_the_widest_isa_on_two_threads)
{
    struct mb_peak pk;
    struct mb_diag d = {0};
    enum mb_isa isa = mb_isa_widest();
    cr_assert_eq(mb_peak_measure(isa, 2, 0.02, &pk, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(pk.isa, isa);
    cr_assert_eq(pk.cores, 2);
    cr_assert(isfinite(pk.per_core_gflops) && pk.per_core_gflops > 0, "%g", pk.per_core_gflops);
    cr_assert(isfinite(pk.all_cores_gflops) && pk.all_cores_gflops > 0, "%g", pk.all_cores_gflops);
    cr_assert(isfinite(pk.seconds) && pk.seconds > 0, "%g", pk.seconds);
    cr_assert(isfinite(mb_peak_for_threads(&pk, 1)));
}

Test(peak, measures_every_isa_the_cpu_has)
{
    for (enum mb_isa isa = MB_ISA_SSE2; isa <= MB_ISA_AVX512; isa++) {
        if (!mb_isa_supported(isa))
            continue;
        struct mb_peak pk;
        struct mb_diag d = {0};
        cr_assert_eq(mb_peak_measure(isa, 1, 0.02, &pk, &d), MB_OK, "%s: %s", mb_isa_name(isa),
                     d.msg);
        cr_assert_eq(pk.cores, 1);
        cr_assert(isfinite(pk.per_core_gflops) && pk.per_core_gflops > 0, "%s: %g",
                  mb_isa_name(isa), pk.per_core_gflops);
        cr_assert_float_eq(pk.all_cores_gflops, pk.per_core_gflops, 0, "one core: one figure");
    }
}

Test(peak, refuses_an_isa_the_cpu_lacks)
{
    enum mb_isa lacking = MB_ISA_SSE2;
    for (enum mb_isa isa = MB_ISA_AVX512; isa > MB_ISA_SSE2; isa--)
        if (!mb_isa_supported(isa))
            lacking = isa;
    if (lacking == MB_ISA_SSE2)
        cr_skip_test("this CPU has every instruction set (avx512 included)");
    struct mb_peak pk = {.per_core_gflops = 1};
    struct mb_diag d = {0};
    cr_assert_eq(mb_peak_measure(lacking, 1, 0.02, &pk, &d), MB_USAGE);
    cr_assert(strstr(d.msg, mb_isa_name(lacking)) != NULL, "names the isa: %s", d.msg);
    cr_assert(isnan(mb_peak_for_threads(&pk, 1)), "left unmeasured");
}

/* Each bad argument is refused before anything runs, with a message that
 * names the value. */
static const struct {
    enum mb_isa isa;
    int cores;
    double seconds;
    const char *names;
} bad_cases[] = {
    {MB_ISA_SSE2, 0, 0.02, "'0'"},
    {MB_ISA_SSE2, -1, 0.02, "'-1'"},
    {MB_ISA_SSE2, MB_PEAK_MAX_THREADS + 1, 0.02, "'257'"},
    {MB_ISA_SSE2, 1, 0, "'0'"},
    {MB_ISA_SSE2, 1, -0.5, "'-0.5'"},
    {MB_ISA_SSE2, 1, NAN, "'nan'"},
    {MB_ISA_SSE2, 1, MB_PEAK_MAX_PHASE_S * 2, "'120'"},
    {(enum mb_isa)7, 1, 0.02, "'7'"},
};

Test(peak, refuses_bad_arguments_with_a_message)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        struct mb_peak pk = {.all_cores_gflops = 1};
        struct mb_diag d = {0};
        enum mb_status st =
            mb_peak_measure(bad_cases[i].isa, bad_cases[i].cores, bad_cases[i].seconds, &pk, &d);
        cr_assert_eq(st, MB_USAGE, "case %zu", i);
        cr_assert(strstr(d.msg, bad_cases[i].names) != NULL, "case %zu names %s: %s", i,
                  bad_cases[i].names, d.msg);
        cr_assert(strchr(d.msg, '\n') == NULL, "one line: %s", d.msg);
        cr_assert(isnan(mb_peak_for_threads(&pk, 1)), "case %zu left unmeasured", i);
    }
}

Test(peak, refuses_a_null_result)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_peak_measure(MB_ISA_SSE2, 1, 0.02, NULL, &d), MB_USAGE);
    cr_assert(d.msg[0] != '\0');
    cr_assert_eq(mb_peak_measure(MB_ISA_SSE2, 0, 0.02, NULL, NULL), MB_USAGE, "d may be NULL");
}
