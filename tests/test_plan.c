/* plan: every value a user can give is parsed exactly, and every bad one is
 * refused with MB_USAGE and a one-line message that quotes it. Each parser
 * is a table of {input, expected status, expected result or message part}. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "matbench/plan.h"
#include "mb_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define NO_LIST                                                                                    \
    {                                                                                              \
        0                                                                                          \
    }

/* ---- N ----------------------------------------------------------------- */

static const struct {
    const char *input;
    enum mb_status status;
    size_t n; /* when MB_OK */
} size_cases[] = {
    {"1", MB_OK, 1},
    {"5000", MB_OK, 5000},
    {"007", MB_OK, 7},
    {"2147483647", MB_OK, 2147483647},
    {"0", MB_USAGE, 0},
    {"-5", MB_USAGE, 0},
    {"abc", MB_USAGE, 0},
    {"5000x", MB_USAGE, 0},
    {"1e3", MB_USAGE, 0},
    {"", MB_USAGE, 0},
    {" 5", MB_USAGE, 0},
    {"5 ", MB_USAGE, 0},
    {"+5", MB_USAGE, 0},
    {"5.0", MB_USAGE, 0},
    {"0x10", MB_USAGE, 0},
    {"2147483648", MB_USAGE, 0},
    {"99999999999999999999", MB_USAGE, 0},
};

Test(plan, size_table)
{
    for (size_t i = 0; i < COUNT(size_cases); i++) {
        struct mb_diag d = {0};
        size_t n = 12345;
        cr_assert_eq(mb_parse_size(size_cases[i].input, &n, &d), size_cases[i].status, "N '%s': %s",
                     size_cases[i].input, d.msg);
        if (size_cases[i].status == MB_OK) {
            cr_assert_eq(n, size_cases[i].n, "N '%s' is %zu, got %zu", size_cases[i].input,
                         size_cases[i].n, n);
        } else {
            assert_quotes(d.msg, size_cases[i].input);
            cr_assert_eq(n, 12345, "N '%s': output untouched on error", size_cases[i].input);
        }
    }
}

Test(plan, size_message_says_what_is_allowed)
{
    struct mb_diag d = {0};
    size_t n;
    cr_assert_eq(mb_parse_size("0", &n, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "2147483647") != NULL, "names the range: %s", d.msg);
}

/* ---- thread lists (max 64, 2 physical cores) --------------------------- */

static const struct {
    const char *input;
    enum mb_status status;
    size_t count;
    int want[8];
} thread_cases[] = {
    {"1,2,4", MB_OK, 3, {1, 2, 4}},
    {"1-4", MB_OK, 4, {1, 2, 3, 4}},
    {"max", MB_OK, 1, {2}},
    {"3", MB_OK, 1, {3}},
    {"1,3-5,8", MB_OK, 5, {1, 3, 4, 5, 8}},
    {"2-2", MB_OK, 1, {2}},
    {"64", MB_OK, 1, {64}},
    {"0", MB_USAGE, 0, NO_LIST},
    {"1,,2", MB_USAGE, 0, NO_LIST},
    {"-3", MB_USAGE, 0, NO_LIST},
    {"", MB_USAGE, 0, NO_LIST},
    {",", MB_USAGE, 0, NO_LIST},
    {"1-", MB_USAGE, 0, NO_LIST},
    {"-", MB_USAGE, 0, NO_LIST},
    {"4-2", MB_USAGE, 0, NO_LIST},
    {"a,b", MB_USAGE, 0, NO_LIST},
    {"65", MB_USAGE, 0, NO_LIST},
    {"1-65", MB_USAGE, 0, NO_LIST},
    {"1,2,", MB_USAGE, 0, NO_LIST},
    {",1", MB_USAGE, 0, NO_LIST},
    {"0-2", MB_USAGE, 0, NO_LIST},
    {"2 ", MB_USAGE, 0, NO_LIST},
    {"max,1", MB_OK, 2, {2, 1}},
    {"cores", MB_OK, 1, {2}},
    {"1-max", MB_OK, 2, {1, 2}},
    {"2*cores", MB_OK, 1, {4}},
    {"1-2*cores", MB_OK, 4, {1, 2, 3, 4}},
    {"cores-2*cores", MB_OK, 3, {2, 3, 4}},
    {"32*cores", MB_OK, 1, {64}},
    {"33*cores", MB_USAGE, 0, NO_LIST},
    {"0*cores", MB_USAGE, 0, NO_LIST},
    {"*cores", MB_USAGE, 0, NO_LIST},
    {"2*max", MB_USAGE, 0, NO_LIST},
    {"cores*2", MB_USAGE, 0, NO_LIST},
    {"2*", MB_USAGE, 0, NO_LIST},
    {"2cores", MB_USAGE, 0, NO_LIST},
    {"MAX", MB_USAGE, 0, NO_LIST},
};

Test(plan, thread_list_table)
{
    for (size_t c = 0; c < COUNT(thread_cases); c++) {
        struct mb_thread_list out = {.n = 99};
        struct mb_diag d = {0};
        const char *s = thread_cases[c].input;
        cr_assert_eq(mb_parse_threads(s, 64, 2, &out, &d), thread_cases[c].status,
                     "threads '%s': %s", s, d.msg);
        if (thread_cases[c].status != MB_OK) {
            assert_quotes(d.msg, s);
            continue;
        }
        cr_assert_eq(out.n, thread_cases[c].count, "threads '%s' has %zu entries, got %zu", s,
                     thread_cases[c].count, out.n);
        for (size_t i = 0; i < out.n; i++)
            cr_assert_eq(out.v[i], thread_cases[c].want[i], "threads '%s'[%zu]", s, i);
    }
}

Test(plan, max_is_the_physical_core_count)
{
    struct mb_thread_list out = {0};
    cr_assert_eq(mb_parse_threads("max", 64, 6, &out, NULL), MB_OK);
    cr_assert_eq(out.n, 1);
    cr_assert_eq(out.v[0], 6);
}

Test(plan, a_list_longer_than_the_plan_holds_is_refused)
{
    struct mb_thread_list out = {0};
    struct mb_diag d = {0};
    char more[16];
    snprintf(more, sizeof more, "1-%d", MB_PLAN_MAX_THREADS + 1);
    cr_assert_eq(mb_parse_threads(more, MB_PLAN_MAX_THREADS + 1, 2, &out, &d), MB_USAGE);
    assert_quotes(d.msg, more);
    cr_assert_eq(out.n, 0, "a refused list is left empty");
    snprintf(more, sizeof more, "1-%d", MB_PLAN_MAX_THREADS);
    cr_assert_eq(mb_parse_threads(more, MB_PLAN_MAX_THREADS, 2, &out, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(out.n, MB_PLAN_MAX_THREADS);
}

/* ---- kernels ----------------------------------------------------------- */

Test(plan, kernel_lists_keep_the_order_given)
{
    struct mb_kernel_list k = {0};
    struct mb_diag d = {0};
    cr_assert_eq(mb_parse_kernels("naive,dgemm", &k, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(k.n, 2);
    cr_assert_eq(k.v[0], mb_kernel_find("naive"));
    cr_assert_eq(k.v[1], mb_kernel_find("dgemm"));
    cr_assert_eq(mb_parse_kernels("dgemm", &k, &d), MB_OK);
    cr_assert_eq(k.n, 1);
    cr_assert_eq(k.v[0], mb_kernel_find("dgemm"));
}

Test(plan, unknown_kernels_are_refused_with_the_known_ones_listed)
{
    static const char *const bad[] = {"foo",   "",       "naive,",   "naive,,dgemm",
                                      "DGEMM", ",dgemm", "naive,foo"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        struct mb_kernel_list k = {0};
        struct mb_diag d = {0};
        cr_assert_eq(mb_parse_kernels(bad[i], &k, &d), MB_USAGE, "kernels '%s'", bad[i]);
        assert_quotes(d.msg, bad[i]);
        cr_assert(strstr(d.msg, "naive") && strstr(d.msg, "dgemm"), "lists the kernels: %s", d.msg);
    }
}

Test(plan, lapack_names_the_four_lapack_kernels_and_duplicates_run_once)
{
    struct mb_kernel_list k = {0};
    struct mb_diag d = {0};
    cr_assert_eq(mb_parse_kernels("dgemm,lapack", &k, &d), MB_OK, "%s", d.msg);
    static const char *const want[] = {"dgemm", "dgetrf", "dpotrf", "dgesv", "dposv", "dgeqrf"};
    cr_assert_eq(k.n, COUNT(want));
    for (size_t i = 0; i < COUNT(want); i++)
        cr_assert_str_eq(k.v[i]->name, want[i], "position %zu", i);
    cr_assert_eq(mb_parse_kernels("dgesv,lapack,dgesv", &k, &d), MB_OK);
    cr_assert_eq(k.n, 5, "dgesv named three times runs once");
    cr_assert_str_eq(k.v[0]->name, "dgesv", "in the order first given");
    cr_assert_str_eq(k.v[1]->name, "dgetrf");
}

Test(plan, the_unknown_kernel_message_lists_the_groups)
{
    struct mb_kernel_list k = {0};
    struct mb_diag d = {0};
    cr_assert_eq(mb_parse_kernels("lapak", &k, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "lapack = dgetrf,dpotrf,dgesv,dposv,dgeqrf") != NULL, "%s", d.msg);
    cr_assert(strstr(d.msg, "dgeqrf") != NULL, "%s", d.msg);
}

Test(plan, layout_table)
{
    static const struct {
        const char *input;
        enum mb_status status;
        enum mb_layout layout;
    } cases[] = {{"col", MB_OK, MB_LAYOUT_COL},
                 {"row", MB_OK, MB_LAYOUT_ROW},
                 {"ROW", MB_USAGE, 0},
                 {"column", MB_USAGE, 0},
                 {"", MB_USAGE, 0},
                 {"row ", MB_USAGE, 0}};
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct mb_diag d = {0};
        enum mb_layout l = MB_LAYOUT_COL;
        cr_assert_eq(mb_parse_layout(cases[i].input, &l, &d), cases[i].status, "layout '%s'",
                     cases[i].input);
        if (cases[i].status == MB_OK) {
            cr_assert_eq(l, cases[i].layout);
            cr_assert_str_eq(mb_layout_name(l), cases[i].input, "the name round-trips");
        } else {
            assert_quotes(d.msg, cases[i].input);
            cr_assert(strstr(d.msg, "col") && strstr(d.msg, "row"), "lists the layouts: %s", d.msg);
        }
    }
}

/* ---- counts, seconds, seeds, formats ------------------------------------ */

static const struct {
    const char *what, *input;
    unsigned min, max;
    enum mb_status status;
    unsigned value;
} uint_cases[] = {
    {"repeat", "0", 1, 100, MB_USAGE, 0},   {"repeat", "1", 1, 100, MB_OK, 1},
    {"repeat", "5", 1, 100, MB_OK, 5},      {"repeat", "100", 1, 100, MB_OK, 100},
    {"repeat", "101", 1, 100, MB_USAGE, 0}, {"repeat", "-1", 1, 100, MB_USAGE, 0},
    {"repeat", "3x", 1, 100, MB_USAGE, 0},  {"repeat", "", 1, 100, MB_USAGE, 0},
    {"warmup", "0", 0, 100, MB_OK, 0},      {"warmup", "4294967296", 0, 100, MB_USAGE, 0},
};

Test(plan, count_table)
{
    for (size_t i = 0; i < COUNT(uint_cases); i++) {
        struct mb_diag d = {0};
        unsigned u = 777;
        cr_assert_eq(mb_parse_uint(uint_cases[i].what, uint_cases[i].input, uint_cases[i].min,
                                   uint_cases[i].max, &u, &d),
                     uint_cases[i].status, "%s '%s': %s", uint_cases[i].what, uint_cases[i].input,
                     d.msg);
        if (uint_cases[i].status == MB_OK) {
            cr_assert_eq(u, uint_cases[i].value);
        } else {
            assert_quotes(d.msg, uint_cases[i].input);
            cr_assert(strstr(d.msg, uint_cases[i].what) != NULL, "names the option: %s", d.msg);
        }
    }
}

static const struct {
    const char *input;
    enum mb_status status;
    double value;
} seconds_cases[] = {
    {"0", MB_OK, 0.0},    {"2.5", MB_OK, 2.5},   {"10", MB_OK, 10.0},  {"-1", MB_USAGE, 0},
    {"nan", MB_USAGE, 0}, {"inf", MB_USAGE, 0},  {"1x", MB_USAGE, 0},  {"", MB_USAGE, 0},
    {" 1", MB_USAGE, 0},  {"-0.5", MB_USAGE, 0}, {"2e7", MB_USAGE, 0}, {"infinity", MB_USAGE, 0},
};

Test(plan, seconds_table)
{
    for (size_t i = 0; i < COUNT(seconds_cases); i++) {
        struct mb_diag d = {0};
        double s = -42;
        cr_assert_eq(mb_parse_seconds("naive-budget", seconds_cases[i].input, 1e6, &s, &d),
                     seconds_cases[i].status, "naive-budget '%s': %s", seconds_cases[i].input,
                     d.msg);
        if (seconds_cases[i].status == MB_OK) {
            cr_assert_float_eq(s, seconds_cases[i].value, 0, "'%s'", seconds_cases[i].input);
        } else {
            assert_quotes(d.msg, seconds_cases[i].input);
            cr_assert(strstr(d.msg, "naive-budget") != NULL, "names the option: %s", d.msg);
        }
    }
}

Test(plan, seeds_cover_64_bits)
{
    struct mb_diag d = {0};
    uint64_t seed = 0;
    cr_assert_eq(mb_parse_u64("seed", "0", &seed, &d), MB_OK);
    cr_assert_eq(seed, 0);
    cr_assert_eq(mb_parse_u64("seed", "18446744073709551615", &seed, &d), MB_OK);
    cr_assert_eq(seed, UINT64_MAX);
    static const char *const bad[] = {"18446744073709551616", "-1", "x", ""};
    for (size_t i = 0; i < COUNT(bad); i++) {
        cr_assert_eq(mb_parse_u64("seed", bad[i], &seed, &d), MB_USAGE, "seed '%s'", bad[i]);
        assert_quotes(d.msg, bad[i]);
    }
}

static const struct {
    const char *input;
    enum mb_status status;
    enum mb_format format;
} format_cases[] = {
    {"table", MB_OK, MB_FORMAT_TABLE},
    {"csv", MB_OK, MB_FORMAT_CSV},
    {"json", MB_OK, MB_FORMAT_JSON},
    {"markdown", MB_OK, MB_FORMAT_MARKDOWN},
    {"xml", MB_USAGE, 0},
    {"CSV", MB_USAGE, 0},
    {"", MB_USAGE, 0},
};

Test(plan, format_table)
{
    for (size_t i = 0; i < COUNT(format_cases); i++) {
        struct mb_diag d = {0};
        enum mb_format f = MB_FORMAT_TABLE;
        cr_assert_eq(mb_parse_format(format_cases[i].input, &f, &d), format_cases[i].status,
                     "format '%s'", format_cases[i].input);
        if (format_cases[i].status == MB_OK) {
            cr_assert_eq(f, format_cases[i].format);
            cr_assert_str_eq(mb_format_name(f), format_cases[i].input, "the name round-trips");
        } else {
            assert_quotes(d.msg, format_cases[i].input);
            cr_assert(strstr(d.msg, "table") && strstr(d.msg, "csv") && strstr(d.msg, "json") &&
                          strstr(d.msg, "markdown"),
                      "lists the formats: %s", d.msg);
        }
    }
}

/* ---- size lists ---------------------------------------------------------- */

static const struct {
    const char *input;
    enum mb_status status;
    size_t count;
    size_t want[8];
} sizes_cases[] = {
    {"1000", MB_OK, 1, {1000}},
    {"1000,2000,4000", MB_OK, 3, {1000, 2000, 4000}},
    {"4000,1000", MB_OK, 2, {4000, 1000}},
    {"1000:5000:1000", MB_OK, 5, {1000, 2000, 3000, 4000, 5000}},
    {"1:10:3", MB_OK, 4, {1, 4, 7, 10}},
    {"5:5:1", MB_OK, 1, {5}},
    {"1000:1999:1000", MB_OK, 1, {1000}},
    {"100,200:400:100", MB_OK, 4, {100, 200, 300, 400}},
    {"2147483647", MB_OK, 1, {2147483647}},
    {"1000:500:100", MB_USAGE, 0, NO_LIST},
    {"1:10:0", MB_USAGE, 0, NO_LIST},
    {"a,b", MB_USAGE, 0, NO_LIST},
    {"", MB_USAGE, 0, NO_LIST},
    {",", MB_USAGE, 0, NO_LIST},
    {"1,,2", MB_USAGE, 0, NO_LIST},
    {"1,", MB_USAGE, 0, NO_LIST},
    {"1:2", MB_USAGE, 0, NO_LIST},
    {"1:2:3:4", MB_USAGE, 0, NO_LIST},
    {"0", MB_USAGE, 0, NO_LIST},
    {"-5", MB_USAGE, 0, NO_LIST},
    {"1:10:-1", MB_USAGE, 0, NO_LIST},
    {"2147483648", MB_USAGE, 0, NO_LIST},
    {"1 000", MB_USAGE, 0, NO_LIST},
    {"1:100:1", MB_USAGE, 0, NO_LIST}, /* 100 sizes: more than the plan holds */
};

Test(plan, size_list_table)
{
    for (size_t i = 0; i < COUNT(sizes_cases); i++) {
        struct mb_size_list out = {.n = 99};
        struct mb_diag d = {0};
        const char *in = sizes_cases[i].input;
        cr_assert_eq(mb_parse_sizes(in, &out, &d), sizes_cases[i].status, "sizes '%s': %s", in,
                     d.msg);
        cr_assert_eq(out.n, sizes_cases[i].count, "sizes '%s' gives %zu sizes, got %zu", in,
                     sizes_cases[i].count, out.n);
        for (size_t k = 0; k < out.n; k++)
            cr_assert_eq(out.v[k], sizes_cases[i].want[k], "sizes '%s' [%zu]", in, k);
        if (sizes_cases[i].status != MB_OK)
            assert_quotes(d.msg, in);
    }
}

Test(plan, a_size_range_past_the_plan_says_how_many_fit)
{
    struct mb_size_list out;
    struct mb_diag d = {0};
    cr_assert_eq(mb_parse_sizes("1:100:1", &out, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "more than 64") != NULL, "%s", d.msg);
    cr_assert_eq(mb_parse_sizes("1:64:1", &out, &d), MB_OK);
    cr_assert_eq(out.n, 64);
}

/* ---- the configurations of a plan --------------------------------------- */

static struct mb_plan grid_plan(void)
{
    struct mb_plan p;
    mb_plan_defaults(&p);
    p.sizes.v[0] = 300, p.sizes.v[1] = 100, p.sizes.n = 2;
    p.threads.v[0] = 1, p.threads.v[1] = 2, p.threads.n = 2;
    return p; /* kernels: naive, dgemm */
}

Test(plan, runs_are_sizes_then_kernels_then_threads)
{
    struct mb_plan p = grid_plan();
    static const struct {
        const char *kernel;
        size_t n;
        int threads;
    } want[] = {
        {"naive", 300, 1}, {"dgemm", 300, 1}, {"dgemm", 300, 2},
        {"naive", 100, 1}, {"dgemm", 100, 1}, {"dgemm", 100, 2},
    };
    cr_assert_eq(mb_plan_run_count(&p), COUNT(want));
    for (size_t i = 0; i < COUNT(want); i++) {
        struct mb_run_spec s;
        cr_assert(mb_plan_run_at(&p, i, &s), "run %zu exists", i);
        cr_assert_str_eq(s.kernel->name, want[i].kernel, "run %zu", i);
        cr_assert_eq(s.n, want[i].n, "run %zu", i);
        cr_assert_eq(s.threads, want[i].threads, "run %zu", i);
    }
    struct mb_run_spec s;
    cr_assert_not(mb_plan_run_at(&p, COUNT(want), &s), "nothing past the end");
}

Test(plan, the_largest_size_sets_the_memory)
{
    struct mb_plan p = grid_plan();
    cr_assert_eq(mb_plan_largest_size(&p), 300);
    p.sizes.v[2] = 700, p.sizes.n = 3;
    cr_assert_eq(mb_plan_largest_size(&p), 700);
}

/* ---- defaults ----------------------------------------------------------- */

Test(plan, defaults_match_the_design)
{
    struct mb_plan p;
    mb_plan_defaults(&p);
    cr_assert_eq(p.sizes.n, 1);
    cr_assert_eq(p.sizes.v[0], 2000);
    cr_assert_eq(p.repeat, 3);
    cr_assert_eq(p.warmup, 1);
    cr_assert_float_eq(p.naive_budget_s, 10.0, 0);
    cr_assert(p.verify);
    cr_assert_eq(p.nrhs, 1, "one right-hand side");
    cr_assert_eq(p.layout, MB_LAYOUT_COL, "column-major, as LAPACK stores matrices");
    cr_assert_eq(p.kernels.n, 2);
    cr_assert_str_eq(p.kernels.v[0]->name, "naive");
    cr_assert_str_eq(p.kernels.v[1]->name, "dgemm");
}

static const struct {
    const char *env;
    int physical;
    enum mb_status status;
    enum mb_threads_source source;
    size_t count;
    int want[8];
} default_thread_cases[] = {
    {NULL, 1, MB_OK, MB_THREADS_DEFAULT, 1, {1}},
    {NULL, 2, MB_OK, MB_THREADS_DEFAULT, 2, {1, 2}},
    {NULL, 4, MB_OK, MB_THREADS_DEFAULT, 3, {1, 2, 4}},
    {NULL, 6, MB_OK, MB_THREADS_DEFAULT, 4, {1, 2, 4, 6}},
    {NULL, 8, MB_OK, MB_THREADS_DEFAULT, 4, {1, 2, 4, 8}},
    {NULL, 12, MB_OK, MB_THREADS_DEFAULT, 5, {1, 2, 4, 8, 12}},
    {"3", 2, MB_OK, MB_THREADS_ENV, 1, {3}},
    {"1", 8, MB_OK, MB_THREADS_ENV, 1, {1}},
    {"abc", 2, MB_USAGE, 0, 0, NO_LIST},
    {"0", 2, MB_USAGE, 0, 0, NO_LIST},
    {"-2", 2, MB_USAGE, 0, 0, NO_LIST},
    {"65", 2, MB_USAGE, 0, 0, NO_LIST},
    {"2x", 2, MB_USAGE, 0, 0, NO_LIST},
};

Test(plan, default_thread_list_table)
{
    for (size_t c = 0; c < COUNT(default_thread_cases); c++) {
        const char *env = default_thread_cases[c].env;
        struct mb_thread_list out = {.n = 99};
        enum mb_threads_source source = MB_THREADS_FLAG;
        struct mb_diag d = {0};
        cr_assert_eq(
            mb_plan_default_threads(env, 64, default_thread_cases[c].physical, &out, &source, &d),
            default_thread_cases[c].status, "env %s, %d cores: %s", env ? env : "(unset)",
            default_thread_cases[c].physical, d.msg);
        if (default_thread_cases[c].status != MB_OK) {
            cr_assert(strstr(d.msg, "OPENBLAS_NUM_THREADS") != NULL, "names the variable: %s",
                      d.msg);
            assert_quotes(d.msg, env);
            continue;
        }
        cr_assert_eq(source, default_thread_cases[c].source, "env %s", env ? env : "(unset)");
        cr_assert_eq(out.n, default_thread_cases[c].count, "env %s, %d cores: %zu entries",
                     env ? env : "(unset)", default_thread_cases[c].physical, out.n);
        for (size_t i = 0; i < out.n; i++)
            cr_assert_eq(out.v[i], default_thread_cases[c].want[i], "env %s, %d cores: [%zu]",
                         env ? env : "(unset)", default_thread_cases[c].physical, i);
    }
}

/* ---- memory ------------------------------------------------------------- */

/* The default plan (naive and dgemm: A, B, C) at size n, for the memory
 * checks. */
static struct mb_plan plan_at(size_t n)
{
    struct mb_plan p;
    mb_plan_defaults(&p);
    p.sizes.v[0] = n;
    return p;
}

Test(plan, memory_that_fits_is_accepted)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_plan_check_memory((struct mb_plan[]){plan_at(5000)}, 1ULL << 34, &d), MB_OK,
                 "%s", d.msg);
    cr_assert_eq(mb_plan_check_memory((struct mb_plan[]){plan_at(5000)}, 600000000ULL, &d), MB_OK,
                 "exactly enough");
    cr_assert_eq(mb_plan_check_memory((struct mb_plan[]){plan_at(1)}, 24, &d), MB_OK);
}

Test(plan, memory_that_does_not_fit_names_the_size)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_plan_check_memory((struct mb_plan[]){plan_at(5000)}, 100000000ULL, &d),
                 MB_USAGE);
    cr_assert(strstr(d.msg, "5000") != NULL, "%s", d.msg);
    /* 1e8 bytes hold three 2041 x 2041 matrices (99.98 MB), not 2042. */
    cr_assert(strstr(d.msg, "2041") != NULL, "names the largest N that fits: %s", d.msg);
    cr_assert_eq(mb_plan_check_memory((struct mb_plan[]){plan_at(5000)}, 599999999ULL, &d),
                 MB_USAGE, "one byte short");
}

/* The plan at size n running the given kernels. */
static struct mb_plan plan_with(size_t n, const char *kernels)
{
    struct mb_plan p = plan_at(n);
    struct mb_diag d = {0};
    cr_assert_eq(mb_parse_kernels(kernels, &p.kernels, &d), MB_OK, "%s", d.msg);
    return p;
}

Test(plan, memory_counts_what_the_kernels_need)
{
    struct mb_memory m;
    const uint64_t mat = 1000ULL * 1000 * 8;
    struct mb_plan p = plan_with(1000, "dgemm");
    cr_assert_eq(mb_plan_memory(&p, 1000, &m), MB_OK);
    cr_assert_eq(m.matrices, 3, "A, B, C");
    cr_assert_eq(m.bytes, 3 * mat);
    cr_assert_eq(m.need, m.bytes, "no LAPACKE copies");

    p = plan_with(1000, "dgetrf");
    cr_assert_eq(mb_plan_memory(&p, 1000, &m), MB_OK);
    cr_assert(!m.has_b, "no B without a product");
    cr_assert_eq(m.matrices, 3, "A, C and one work matrix");
    cr_assert_eq(m.bytes, 3 * mat + 1000 * (sizeof(int) + sizeof(double)), "and pivots and tau");

    p = plan_with(1000, "dgemm,lapack");
    p.nrhs = 10;
    cr_assert_eq(mb_plan_memory(&p, 1000, &m), MB_OK);
    cr_assert_eq(m.matrices, 5, "A, B, C and the two work matrices of dpotrf and dgeqrf");
    cr_assert_eq(m.bytes, 5 * mat + 1000 * 12 + 2 * 1000 * 10 * 8, "two blocks of 10 columns");
    cr_assert_eq(m.lapacke_bytes, 0, "column-major: LAPACKE copies nothing");
    char names[96];
    cr_assert_str_eq(mb_memory_names(&m, names, sizeof names), "A, B, C and 2 work matrices");

    p.layout = MB_LAYOUT_ROW;
    cr_assert_eq(mb_plan_memory(&p, 1000, &m), MB_OK);
    cr_assert_eq(m.lapacke_bytes, mat + 1000 * 10 * 8, "row-major: a transposed A and B");
    cr_assert_eq(m.need, m.bytes + m.lapacke_bytes);
}

Test(plan, the_memory_check_counts_the_lapack_work_matrices)
{
    struct mb_diag d = {0};
    struct mb_plan p = plan_with(5000, "dgeqrf");
    /* A, C and two work matrices: 4 x 200 MB, and n doubles and ints. */
    const uint64_t need = 4ULL * 5000 * 5000 * 8 + 5000 * 12;
    cr_assert_eq(mb_plan_check_memory(&p, need, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(mb_plan_check_memory(&p, need - 1, &d), MB_USAGE, "one byte short");
    cr_assert(strstr(d.msg, "A, C and 2 work matrices") != NULL, "%s", d.msg);
    cr_assert(strstr(d.msg, "largest N here: 4999") != NULL, "%s", d.msg);
}

Test(plan, memory_need_beyond_64_bits_is_refused_not_wrapped)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_plan_check_memory((struct mb_plan[]){plan_at(2147483647)}, UINT64_MAX, &d),
                 MB_USAGE);
    cr_assert(strstr(d.msg, "2147483647") != NULL, "%s", d.msg);
}
