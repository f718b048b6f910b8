/* plan: every value a user can give is parsed exactly, and every bad one is
 * refused with a message that quotes it. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "matbench/plan.h"

struct bad_case {
    const char *input;
    const char *fragment; /* must appear in the message */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

Test(plan, accepts_plain_sizes)
{
    static const struct {
        const char *s;
        size_t n;
    } good[] = {{"1", 1}, {"5000", 5000}, {"007", 7}, {"2147483647", 2147483647}};
    for (size_t i = 0; i < COUNT(good); i++) {
        size_t n = 0;
        cr_assert_eq(mb_parse_size(good[i].s, &n, NULL), MB_OK, "%s", good[i].s);
        cr_assert_eq(n, good[i].n);
    }
}

Test(plan, rejects_bad_sizes)
{
    static const struct bad_case bad[] = {
        {"0", "'0'"},
        {"-5", "'-5'"},
        {"abc", "'abc'"},
        {"5000x", "'5000x'"},
        {"1e3", "'1e3'"},
        {"", "''"},
        {" 5", "' 5'"},
        {"+5", "'+5'"},
        {"2147483648", "'2147483648'"},
        {"5.0", "'5.0'"},
        {"99999999999999999999", "'99999999999999999999'"},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        struct mb_diag d = {0};
        size_t n = 123;
        cr_assert_eq(mb_parse_size(bad[i].input, &n, &d), MB_USAGE, "'%s'", bad[i].input);
        cr_assert(strstr(d.msg, bad[i].fragment) != NULL, "message: %s", d.msg);
        cr_assert(strstr(d.msg, "2147483647") != NULL, "names the range: %s", d.msg);
        cr_assert_eq(n, 123, "output untouched on error");
    }
}

static void assert_threads(const char *s, const int *want, size_t nwant)
{
    int out[MB_PLAN_MAX_THREADS];
    size_t count = 0;
    struct mb_diag d = {0};
    cr_assert_eq(mb_parse_threads(s, 64, 2, out, MB_PLAN_MAX_THREADS, &count, &d), MB_OK, "%s: %s",
                 s, d.msg);
    cr_assert_eq(count, nwant, "%s", s);
    for (size_t i = 0; i < nwant; i++)
        cr_assert_eq(out[i], want[i], "%s[%zu]", s, i);
}

Test(plan, parses_thread_lists)
{
    assert_threads("1,2,4", (int[]){1, 2, 4}, 3);
    assert_threads("1-4", (int[]){1, 2, 3, 4}, 4);
    assert_threads("max", (int[]){2}, 1);
    assert_threads("3", (int[]){3}, 1);
    assert_threads("1,3-5,8", (int[]){1, 3, 4, 5, 8}, 5);
    assert_threads("64", (int[]){64}, 1);
}

Test(plan, rejects_bad_thread_lists)
{
    static const char *const bad[] = {"0",   "1,,2", "-3",   "",     ",",  "1-",    "4-2",
                                      "a,b", "65",   "1,2,", "1-65", "2 ", "max,1", "0-2"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        int out[MB_PLAN_MAX_THREADS];
        size_t count = 99;
        struct mb_diag d = {0};
        cr_assert_eq(mb_parse_threads(bad[i], 64, 2, out, MB_PLAN_MAX_THREADS, &count, &d),
                     MB_USAGE, "'%s'", bad[i]);
        char quoted[32];
        snprintf(quoted, sizeof quoted, "'%s'", bad[i]);
        cr_assert(strstr(d.msg, quoted) != NULL, "message quotes %s: %s", quoted, d.msg);
        cr_assert_eq(count, 0);
    }
}

Test(plan, parses_kernel_lists)
{
    const struct mb_kernel *k[MB_PLAN_MAX_KERNELS];
    size_t count = 0;
    struct mb_diag d = {0};
    cr_assert_eq(mb_parse_kernels("dgemm,naive", k, MB_PLAN_MAX_KERNELS, &count, &d), MB_OK);
    cr_assert_eq(count, 2);
    cr_assert_str_eq(k[0]->name, "dgemm");
    cr_assert_str_eq(k[1]->name, "naive");
    static const char *const bad[] = {"foo", "", "naive,", "naive,,dgemm", "DGEMM"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        cr_assert_eq(mb_parse_kernels(bad[i], k, MB_PLAN_MAX_KERNELS, &count, &d), MB_USAGE, "'%s'",
                     bad[i]);
        cr_assert(strstr(d.msg, "naive, dgemm") != NULL, "lists the kernels: %s", d.msg);
    }
}

Test(plan, parses_counts_seconds_seeds_and_formats)
{
    struct mb_diag d = {0};
    unsigned u = 0;
    cr_assert_eq(mb_parse_uint("repeat", "0", 1, 100, &u, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "repeat: '0'") != NULL, "%s", d.msg);
    cr_assert_eq(mb_parse_uint("repeat", "101", 1, 100, &u, &d), MB_USAGE);
    cr_assert_eq(mb_parse_uint("warmup", "0", 0, 100, &u, &d), MB_OK);
    cr_assert_eq(mb_parse_uint("repeat", "5", 1, 100, &u, &d), MB_OK);
    cr_assert_eq(u, 5);

    double s = -1;
    cr_assert_eq(mb_parse_seconds("naive-budget", "0", 1e6, &s, &d), MB_OK);
    cr_assert_eq(s, 0.0);
    cr_assert_eq(mb_parse_seconds("naive-budget", "2.5", 1e6, &s, &d), MB_OK);
    cr_assert_eq(s, 2.5);
    static const char *const bad_seconds[] = {"-1", "nan", "inf", "1x", "", " 1", "2e7"};
    for (size_t i = 0; i < COUNT(bad_seconds); i++) {
        cr_assert_eq(mb_parse_seconds("naive-budget", bad_seconds[i], 1e6, &s, &d), MB_USAGE,
                     "'%s'", bad_seconds[i]);
        cr_assert(strstr(d.msg, "naive-budget") != NULL);
    }

    uint64_t seed = 0;
    cr_assert_eq(mb_parse_u64("seed", "18446744073709551615", &seed, &d), MB_OK);
    cr_assert_eq(seed, UINT64_MAX);
    cr_assert_eq(mb_parse_u64("seed", "18446744073709551616", &seed, &d), MB_USAGE);
    cr_assert_eq(mb_parse_u64("seed", "-1", &seed, &d), MB_USAGE);

    enum mb_format f;
    cr_assert_eq(mb_parse_format("csv", &f, &d), MB_OK);
    cr_assert_eq(f, MB_FORMAT_CSV);
    cr_assert_eq(mb_parse_format("json", &f, &d), MB_OK);
    cr_assert_eq(mb_parse_format("table", &f, &d), MB_OK);
    cr_assert_eq(mb_parse_format("xml", &f, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "'xml'") != NULL && strstr(d.msg, "table, csv, json") != NULL);
}

static void assert_default(const char *env, int physical, const int *want, size_t nwant,
                           enum mb_threads_source source)
{
    int out[MB_PLAN_MAX_THREADS];
    size_t count = 0;
    enum mb_threads_source got;
    cr_assert_eq(
        mb_plan_default_threads(env, 64, physical, out, MB_PLAN_MAX_THREADS, &count, &got, NULL),
        MB_OK);
    cr_assert_eq(got, source);
    cr_assert_eq(count, nwant, "physical %d", physical);
    for (size_t i = 0; i < nwant; i++)
        cr_assert_eq(out[i], want[i]);
}

Test(plan, default_thread_lists)
{
    assert_default(NULL, 1, (int[]){1}, 1, MB_THREADS_DEFAULT);
    assert_default(NULL, 2, (int[]){1, 2}, 2, MB_THREADS_DEFAULT);
    assert_default(NULL, 6, (int[]){1, 2, 4, 6}, 4, MB_THREADS_DEFAULT);
    assert_default(NULL, 8, (int[]){1, 2, 4, 8}, 4, MB_THREADS_DEFAULT);
    assert_default("", 2, (int[]){1, 2}, 2, MB_THREADS_DEFAULT);
    assert_default("3", 2, (int[]){3}, 1, MB_THREADS_ENV);

    int out[MB_PLAN_MAX_THREADS];
    size_t count;
    enum mb_threads_source src;
    struct mb_diag d = {0};
    static const char *const bad[] = {"abc", "0", "-2", "65"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        cr_assert_eq(
            mb_plan_default_threads(bad[i], 64, 2, out, MB_PLAN_MAX_THREADS, &count, &src, &d),
            MB_USAGE);
        cr_assert(strstr(d.msg, "OPENBLAS_NUM_THREADS") != NULL, "%s", d.msg);
    }
}

Test(plan, memory_check_names_the_size)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_plan_check_memory(5000, 1ULL << 34, &d), MB_OK);
    cr_assert_eq(mb_plan_check_memory(5000, 100000000ULL, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "'5000'") != NULL, "%s", d.msg);
    cr_assert(strstr(d.msg, "largest N here: 2041") != NULL, "%s", d.msg);
    cr_assert_eq(mb_plan_check_memory(2147483647, UINT64_MAX, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "'2147483647'") != NULL, "%s", d.msg);
}
