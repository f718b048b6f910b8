/* report: derived figures, and the JSON, CSV and table shapes. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/report.h"

static struct mb_machine machine = {
    .cpu = "Test CPU", .physical_cores = 2, .logical_cores = 4, .simd = "avx2 fma"};
static struct mb_blas_info blas = {.name = "OpenBLAS",
                                   .version = "0.3.21",
                                   .config = "cfg",
                                   .core = "Haswell",
                                   .threading = "pthreads",
                                   .max_threads = 64};
static struct mb_plan plan;
static struct mb_results results;

static struct mb_result result(const char *kernel, int threads, double median, bool estimated)
{
    struct mb_result r = {.kernel = mb_kernel_find(kernel),
                          .n = 100,
                          .threads = threads,
                          .repeat = 3,
                          .warmup = 1,
                          .verified = true,
                          .residual = 0.25,
                          .estimated = estimated,
                          .rows_done = estimated ? 12 : 100,
                          .cores_busy = threads,
                          .speedup_vs_naive = NAN,
                          .efficiency = NAN};
    const double samples[] = {median * 0.9, median, median * 1.2};
    mb_stats_compute(samples, 3, &r.time_s);
    r.gflops = 2e6 / median * 1e-9;
    return r;
}

static void setup(void)
{
    mb_plan_defaults(&plan);
    plan.n = 100;
    plan.threads[0] = 1, plan.threads[1] = 2, plan.nthreads = 2;
    memset(&results, 0, sizeof results);
    struct mb_result rs[] = {result("naive", 1, 2.0, true), result("dgemm", 1, 0.1, false),
                             result("dgemm", 2, 0.0625, false)};
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(mb_results_add(&results, &rs[i], NULL), MB_OK);
    mb_results_derive(&results);
}

static void teardown(void)
{
    mb_results_free(&results);
}

TestSuite(report, .init = setup, .fini = teardown);

static char *render(mb_report_fn *fn)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    struct mb_report_ctx ctx = {&machine, &blas, &plan, &results, 1234, false};
    struct mb_diag d = {0};
    cr_assert_eq(fn(f, &ctx, &d), MB_OK, "%s", d.msg);
    fclose(f);
    return buf;
}

Test(report, derives_speedup_and_efficiency)
{
    cr_assert_float_eq(results.items[0].speedup_vs_naive, 1.0, 1e-12);
    cr_assert_float_eq(results.items[1].speedup_vs_naive, 20.0, 1e-12);
    cr_assert_float_eq(results.items[2].speedup_vs_naive, 32.0, 1e-12);
    cr_assert_float_eq(results.items[1].efficiency, 1.0, 1e-12);
    cr_assert_float_eq(results.items[2].efficiency, 0.1 / (0.0625 * 2), 1e-12);
}

Test(report, json_follows_the_contract)
{
    char *text = render(mb_report_json);
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    cr_assert_not_null(root, "JSON parses: %s", err.text);
    cr_assert(json_is_string(json_object_get(root, "matbench")));
    json_t *m = json_object_get(root, "machine");
    cr_assert_str_eq(json_string_value(json_object_get(m, "cpu")), "Test CPU");
    cr_assert_eq(json_integer_value(json_object_get(m, "physical_cores")), 2);
    cr_assert_eq(json_integer_value(json_object_get(m, "logical_cores")), 4);
    cr_assert(json_is_string(json_object_get(m, "simd")));
    json_t *b = json_object_get(root, "blas");
    static const char *const blas_keys[] = {"name", "version", "config", "core", "threading"};
    for (size_t i = 0; i < 5; i++)
        cr_assert(json_is_string(json_object_get(b, blas_keys[i])), "blas.%s", blas_keys[i]);
    cr_assert(json_is_null(json_object_get(b, "env_threads")), "unset is null");
    cr_assert(json_is_object(json_object_get(root, "settings")));

    json_t *rs = json_object_get(root, "results");
    cr_assert_eq(json_array_size(rs), 3);
    static const char *const keys[] = {"kernel",           "n",          "threads",  "repeat",
                                       "warmup",           "time_s",     "gflops",   "cores_busy",
                                       "speedup_vs_naive", "efficiency", "verified", "residual",
                                       "estimated",        "rows_done"};
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            cr_assert_not_null(json_object_get(json_array_get(rs, i), keys[k]), "results[%zu].%s",
                               i, keys[k]);
    json_t *naive = json_array_get(rs, 0);
    cr_assert_str_eq(json_string_value(json_object_get(naive, "kernel")), "naive");
    cr_assert(json_is_true(json_object_get(naive, "estimated")));
    cr_assert_eq(json_integer_value(json_object_get(naive, "rows_done")), 12);
    json_t *time = json_object_get(json_array_get(rs, 2), "time_s");
    static const char *const stats[] = {"min", "median", "max", "mean", "stddev"};
    for (size_t k = 0; k < 5; k++)
        cr_assert(json_is_number(json_object_get(time, stats[k])), "time_s.%s", stats[k]);
    cr_assert_float_eq(json_number_value(json_object_get(time, "median")), 0.0625, 1e-15);
    cr_assert(json_is_null(json_object_get(naive, "speedup_vs_naive")) == false);
    json_decref(root);
    free(text);
}

Test(report, json_writes_null_for_unknown_figures)
{
    results.items[1].efficiency = NAN;
    results.items[1].residual = NAN;
    char *text = render(mb_report_json);
    json_t *root = json_loads(text, 0, NULL);
    cr_assert_not_null(root);
    json_t *r = json_array_get(json_object_get(root, "results"), 1);
    cr_assert(json_is_null(json_object_get(r, "efficiency")));
    cr_assert(json_is_null(json_object_get(r, "residual")));
    json_decref(root);
    free(text);
}

Test(report, csv_has_a_header_and_one_row_per_result)
{
    char *text = render(mb_report_csv);
    size_t lines = 0, header_commas = 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n"), lines++) {
        size_t commas = 0;
        for (char *c = line; *c; c++)
            commas += *c == ',';
        if (lines == 0) {
            header_commas = commas;
            cr_assert(strncmp(line, "kernel,n,threads,", 17) == 0, "%s", line);
            cr_assert(strstr(line, "time_median_s") && strstr(line, "gflops") &&
                      strstr(line, "verified"));
        } else {
            cr_assert_eq(commas, header_commas, "line %zu: %s", lines, line);
        }
    }
    cr_assert_eq(lines, 4);
    free(text);
}

Test(report, table_shows_every_result_and_the_lesson)
{
    char *text = render(mb_report_table);
    cr_assert(strstr(text, "naive") && strstr(text, "dgemm"));
    cr_assert(strstr(text, "GFLOP/s") != NULL);
    cr_assert(strstr(text, "~2.00 s") != NULL, "the estimate is marked: %s", text);
    cr_assert(strstr(text, "yes (12 of 100 rows)") != NULL, "%s", text);
    cr_assert(strstr(text, "ran 32 times faster than the naive loop") != NULL, "%s", text);
    free(text);
}
