/* report: the derived figures (speed-up over the naive loop, parallel
 * efficiency), and the JSON contract, CSV and table shapes of a hand-built
 * set of results: a time-boxed naive estimate and dgemm at 1 and 2 threads. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/report.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixture ------------------------------------------------------------ */

static struct mb_machine machine = {.cpu = "Test CPU @ 3.0GHz",
                                    .physical_cores = 2,
                                    .logical_cores = 4,
                                    .simd = "avx2 fma",
                                    .mem_total_bytes = 8ULL << 30,
                                    .mem_available_bytes = 6ULL << 30};
static struct mb_blas_info blas = {.name = "OpenBLAS",
                                   .version = "0.3.21",
                                   .config =
                                       "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY MAX_THREADS=64",
                                   .core = "Haswell",
                                   .threading = "pthreads",
                                   .max_threads = 64,
                                   .threads = 2,
                                   .env_set = false};
static struct mb_plan plan;
static struct mb_front front; /* the front end's settings the header and JSON name */
static struct mb_results results;
static const struct mb_peak *peak; /* what the context carries; NULL unless a test sets it */
static bool monitor_on;            /* likewise for the monitor's figures */
static int columns;                /* the terminal width the context carries; 0 unless set */

enum { NAIVE, DGEMM_1, DGEMM_2 }; /* positions in results */

/* A result at n = 100 whose repetitions took 0.9, 1 and 1.2 times median. */
static struct mb_result result(const char *kernel, int threads, double median, bool estimated)
{
    struct mb_result r = {.kernel = mb_kernel_find(kernel),
                          .n = 100,
                          .threads = threads,
                          .repeat = estimated ? 1 : 3,
                          .warmup = estimated ? 0 : 1,
                          .verified = true,
                          .residual = 0.25,
                          .estimated = estimated,
                          .rows_done = estimated ? 12 : 100,
                          .cores_busy = 0.98 * threads,
                          .speedup_vs_naive = NAN,
                          .efficiency = NAN,
                          .max_threads_seen = -1,
                          .peak_fraction = NAN};
    cr_assert_not_null(r.kernel, "kernel %s", kernel);
    const double samples[] = {median * 0.9, median, median * 1.2};
    mb_stats_compute(samples, 3, &r.time_s);
    r.gflops = mb_flops_gemm(100, 1) / median * 1e-9;
    return r;
}

static void setup(void)
{
    mb_plan_defaults(&plan);
    mb_front_defaults(&front);
    plan.sizes.v[0] = 100, plan.sizes.n = 1;
    plan.threads.v[0] = 1, plan.threads.v[1] = 2, plan.threads.n = 2;
    plan.threads_source = MB_THREADS_FLAG;
    plan.naive_budget_s = 0.5;
    memset(&results, 0, sizeof results);
    peak = NULL;
    monitor_on = false;
    columns = 0;
    const struct mb_result rs[] = {
        [NAIVE] = result("naive", 1, 2.0, true),
        [DGEMM_1] = result("dgemm", 1, 0.1, false),
        [DGEMM_2] = result("dgemm", 2, 0.0625, false),
    };
    for (size_t i = 0; i < COUNT(rs); i++)
        cr_assert_eq(mb_results_add(&results, &rs[i], NULL), MB_OK);
    mb_results_derive(&results);
}

static void teardown(void)
{
    mb_results_free(&results);
}

TestSuite(report, .init = setup, .fini = teardown);

/* The report fn renders into a string (free it). */
static char *render_ex(mb_report_fn *fn, bool fancy)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    struct mb_report_ctx ctx = {.machine = &machine,
                                .blas = &blas,
                                .plan = &plan,
                                .front = &front,
                                .results = &results,
                                .pid = 1234,
                                .fancy = fancy,
                                .columns = columns,
                                .peak = peak,
                                .monitor = {monitor_on, 0.1, 50, 0.01, 5.0}};
    struct mb_diag d = {0};
    cr_assert_eq(fn(f, &ctx, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(fclose(f), 0);
    cr_assert_not_null(buf);
    return buf;
}

static char *render(mb_report_fn *fn)
{
    return render_ex(fn, false);
}

static json_t *render_json(void)
{
    char *text = render(mb_report_json);
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    cr_assert_not_null(root, "the JSON parses: %s (line %d)\n%s", err.text, err.line, text);
    free(text);
    return root;
}

/* ---- derived figures ---------------------------------------------------- */

Test(report, speedup_is_the_naive_median_over_the_kernel_median)
{
    const double naive = results.items[NAIVE].time_s.median;
    for (size_t i = 0; i < results.count; i++) {
        const struct mb_result *r = &results.items[i];
        cr_assert_float_eq(r->speedup_vs_naive, naive / r->time_s.median, 1e-12, "result %zu: %g",
                           i, r->speedup_vs_naive);
    }
    cr_assert_float_eq(results.items[NAIVE].speedup_vs_naive, 1.0, 1e-12);
    cr_assert_float_eq(results.items[DGEMM_1].speedup_vs_naive, 20.0, 1e-12);
    cr_assert_float_eq(results.items[DGEMM_2].speedup_vs_naive, 32.0, 1e-12);
}

Test(report, efficiency_is_t1_over_t_times_threads)
{
    const double t1 = results.items[DGEMM_1].time_s.median;
    const double t2 = results.items[DGEMM_2].time_s.median;
    cr_assert_float_eq(results.items[DGEMM_1].efficiency, 1.0, 1e-12);
    cr_assert_float_eq(results.items[DGEMM_2].efficiency, t1 / (t2 * 2), 1e-12, "%g",
                       results.items[DGEMM_2].efficiency);
    cr_assert_float_eq(results.items[DGEMM_2].efficiency, 0.8, 1e-12);
}

Test(report, figures_without_a_reference_are_unknown)
{
    struct mb_results only = {0};
    struct mb_result r = result("dgemm", 2, 0.5, false);
    cr_assert_eq(mb_results_add(&only, &r, NULL), MB_OK);
    mb_results_derive(&only);
    cr_assert(isnan(only.items[0].speedup_vs_naive), "no naive run: no speed-up");
    cr_assert(isnan(only.items[0].efficiency), "no 1-thread run: no efficiency");
    mb_results_free(&only);
}

Test(report, results_find_matches_kernel_size_and_threads)
{
    const struct mb_kernel *dgemm = mb_kernel_with(MB_REFERENCE);
    cr_assert_eq(mb_results_find(&results, dgemm, 100, 2), &results.items[DGEMM_2]);
    cr_assert_eq(mb_results_find(&results, dgemm, 100, 0), &results.items[DGEMM_1], "0: any");
    cr_assert_eq(mb_results_find(&results, NULL, 100, 1), &results.items[NAIVE], "NULL: any");
    cr_assert_null(mb_results_find(&results, dgemm, 100, 4), "no run at 4 threads");
    cr_assert_null(mb_results_find(&results, dgemm, 200, 0), "no run at n = 200");
}

Test(report, results_grow_past_their_first_capacity)
{
    struct mb_results many = {0};
    for (int t = 1; t <= 50; t++) {
        struct mb_result r = result("dgemm", t, 1.0 / t, false);
        cr_assert_eq(mb_results_add(&many, &r, NULL), MB_OK);
    }
    cr_assert_eq(many.count, 50);
    for (size_t i = 0; i < many.count; i++)
        cr_assert_eq(many.items[i].threads, (int)i + 1, "kept in order");
    mb_results_free(&many);
    cr_assert_eq(many.count, 0);
}

/* ---- JSON --------------------------------------------------------------- */

Test(report, json_has_the_top_level_contract)
{
    json_t *root = render_json();
    cr_assert(json_is_string(json_object_get(root, "matbench")), "matbench version");
    cr_assert(json_is_object(json_object_get(root, "machine")));
    cr_assert(json_is_object(json_object_get(root, "blas")));
    cr_assert(json_is_object(json_object_get(root, "settings")));
    cr_assert(json_is_array(json_object_get(root, "results")));
    json_decref(root);
}

Test(report, json_machine_and_blas)
{
    json_t *root = render_json();
    json_t *m = json_object_get(root, "machine");
    cr_assert_str_eq(json_string_value(json_object_get(m, "cpu")), "Test CPU @ 3.0GHz");
    cr_assert(json_is_integer(json_object_get(m, "physical_cores")));
    cr_assert_eq(json_integer_value(json_object_get(m, "physical_cores")), 2);
    cr_assert_eq(json_integer_value(json_object_get(m, "logical_cores")), 4);
    cr_assert_str_eq(json_string_value(json_object_get(m, "simd")), "avx2 fma");

    json_t *b = json_object_get(root, "blas");
    static const struct {
        const char *key, *want;
    } strings[] = {{"name", "OpenBLAS"},
                   {"version", "0.3.21"},
                   {"config", "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY MAX_THREADS=64"},
                   {"core", "Haswell"},
                   {"threading", "pthreads"}};
    for (size_t i = 0; i < COUNT(strings); i++)
        cr_assert_str_eq(json_string_value(json_object_get(b, strings[i].key)), strings[i].want,
                         "blas.%s", strings[i].key);
    json_t *env = json_object_get(b, "env_threads");
    cr_assert_not_null(env, "blas.env_threads is present");
    cr_assert(json_is_null(env), "OPENBLAS_NUM_THREADS unset is null");
    json_decref(root);
}

Test(report, json_env_threads_is_the_variable_as_a_number)
{
    blas.env_set = true;
    snprintf(blas.env_value, sizeof blas.env_value, "3");
    json_t *root = render_json();
    json_t *env = json_object_get(json_object_get(root, "blas"), "env_threads");
    cr_assert(json_is_integer(env), "env_threads is an integer");
    cr_assert_eq(json_integer_value(env), 3);
    json_decref(root);
}

Test(report, json_settings_are_the_resolved_plan)
{
    json_t *root = render_json();
    json_t *s = json_object_get(root, "settings");
    json_t *sizes = json_object_get(s, "sizes");
    cr_assert_eq(json_array_size(sizes), 1);
    cr_assert_eq(json_integer_value(json_array_get(sizes, 0)), 100);
    cr_assert_eq(json_integer_value(json_object_get(s, "n")), 100, "n stays: the largest size");
    json_t *threads = json_object_get(s, "threads");
    cr_assert_eq(json_array_size(threads), 2);
    cr_assert_eq(json_integer_value(json_array_get(threads, 0)), 1);
    cr_assert_eq(json_integer_value(json_array_get(threads, 1)), 2);
    json_decref(root);
}

Test(report, json_results_carry_every_contract_field)
{
    json_t *root = render_json();
    json_t *rs = json_object_get(root, "results");
    cr_assert_eq(json_array_size(rs), 3);
    static const char *const keys[] = {"kernel",           "n",          "threads",  "repeat",
                                       "warmup",           "time_s",     "gflops",   "cores_busy",
                                       "speedup_vs_naive", "efficiency", "verified", "residual",
                                       "estimated",        "rows_done"};
    static const char *const stats[] = {"min", "median", "max", "mean", "stddev"};
    for (size_t i = 0; i < json_array_size(rs); i++) {
        json_t *r = json_array_get(rs, i);
        for (size_t k = 0; k < COUNT(keys); k++)
            cr_assert_not_null(json_object_get(r, keys[k]), "results[%zu].%s", i, keys[k]);
        json_t *time = json_object_get(r, "time_s");
        for (size_t k = 0; k < COUNT(stats); k++)
            cr_assert(json_is_number(json_object_get(time, stats[k])), "results[%zu].time_s.%s", i,
                      stats[k]);
        const struct mb_result *want = &results.items[i];
        cr_assert_str_eq(json_string_value(json_object_get(r, "kernel")), want->kernel->name);
        cr_assert_eq(json_integer_value(json_object_get(r, "n")), 100);
        cr_assert_eq(json_integer_value(json_object_get(r, "threads")), want->threads);
        cr_assert_eq(json_integer_value(json_object_get(r, "repeat")), want->repeat);
        cr_assert_eq(json_integer_value(json_object_get(r, "warmup")), want->warmup);
        cr_assert_float_eq(json_number_value(json_object_get(time, "median")), want->time_s.median,
                           1e-15);
        cr_assert_float_eq(json_number_value(json_object_get(r, "gflops")), want->gflops,
                           1e-12 * want->gflops);
        cr_assert_float_eq(json_number_value(json_object_get(r, "speedup_vs_naive")),
                           want->speedup_vs_naive, 1e-12);
        cr_assert(json_is_true(json_object_get(r, "verified")));
        cr_assert_float_eq(json_number_value(json_object_get(r, "residual")), 0.25, 0);
        cr_assert(json_is_boolean(json_object_get(r, "estimated")));
        cr_assert(json_is_integer(json_object_get(r, "rows_done")));
    }
    json_t *naive = json_array_get(rs, NAIVE);
    cr_assert(json_is_true(json_object_get(naive, "estimated")));
    cr_assert_eq(json_integer_value(json_object_get(naive, "rows_done")), 12);
    json_t *dgemm = json_array_get(rs, DGEMM_2);
    cr_assert(json_is_false(json_object_get(dgemm, "estimated")));
    cr_assert_eq(json_integer_value(json_object_get(dgemm, "rows_done")), 100);
    cr_assert_float_eq(json_number_value(json_object_get(dgemm, "efficiency")), 0.8, 1e-12);
    json_decref(root);
}

Test(report, json_writes_null_for_unknown_figures)
{
    results.items[DGEMM_1].efficiency = NAN;
    results.items[DGEMM_1].residual = NAN;
    results.items[DGEMM_1].speedup_vs_naive = NAN;
    json_t *root = render_json();
    json_t *r = json_array_get(json_object_get(root, "results"), DGEMM_1);
    static const char *const keys[] = {"efficiency", "residual", "speedup_vs_naive"};
    for (size_t k = 0; k < COUNT(keys); k++) {
        json_t *v = json_object_get(r, keys[k]);
        cr_assert_not_null(v, "%s is present", keys[k]);
        cr_assert(json_is_null(v), "%s is null", keys[k]);
    }
    json_decref(root);
}

/* ---- CSV ---------------------------------------------------------------- */

#define MAX_LINES 16
#define MAX_FIELDS 64

/* Splits CSV text into lines and fields in place; returns the line count. */
static size_t split_csv(char *text, char *fields[MAX_LINES][MAX_FIELDS], size_t nfields[MAX_LINES])
{
    size_t lines = 0;
    for (char *line = text; *line != '\0' && lines < MAX_LINES; lines++) {
        char *end = strchr(line, '\n');
        cr_assert_not_null(end, "every line ends in a newline");
        *end = '\0';
        size_t n = 0;
        for (char *f = line;; n++) {
            cr_assert_lt(n, MAX_FIELDS);
            fields[lines][n] = f;
            char *comma = strchr(f, ',');
            if (comma == NULL)
                break;
            *comma = '\0';
            f = comma + 1;
        }
        nfields[lines] = n + 1;
        line = end + 1;
    }
    return lines;
}

static int column(char *const header[], size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(header[i], name) == 0)
            return (int)i;
    cr_assert_fail("the CSV header has no column '%s'", name);
    return -1;
}

Test(report, csv_has_a_header_and_one_row_per_result)
{
    char *text = render(mb_report_csv);
    char *fields[MAX_LINES][MAX_FIELDS];
    size_t nfields[MAX_LINES];
    size_t lines = split_csv(text, fields, nfields);
    cr_assert_eq(lines, 1 + results.count, "header + %zu rows", results.count);
    for (size_t l = 1; l < lines; l++)
        cr_assert_eq(nfields[l], nfields[0], "line %zu has as many fields as the header", l);

    static const char *const required[] = {
        "kernel",           "n",          "threads",     "repeat",        "warmup",    "time_min_s",
        "time_median_s",    "time_max_s", "time_mean_s", "time_stddev_s", "gflops",    "cores_busy",
        "speedup_vs_naive", "efficiency", "verified",    "residual",      "estimated", "rows_done"};
    for (size_t i = 0; i < COUNT(required); i++)
        (void)column(fields[0], nfields[0], required[i]);
    cr_assert_str_eq(fields[0][0], "kernel", "the kernel comes first");

    const int kernel = column(fields[0], nfields[0], "kernel");
    const int threads = column(fields[0], nfields[0], "threads");
    const int verified = column(fields[0], nfields[0], "verified");
    const int estimated = column(fields[0], nfields[0], "estimated");
    const int rows_done = column(fields[0], nfields[0], "rows_done");
    const int median = column(fields[0], nfields[0], "time_median_s");
    for (size_t i = 0; i < results.count; i++) {
        char **row = fields[i + 1];
        cr_assert_str_eq(row[kernel], results.items[i].kernel->name, "row %zu", i);
        cr_assert_eq(atoi(row[threads]), results.items[i].threads, "row %zu", i);
        cr_assert_str_eq(row[verified], "true", "row %zu", i);
        cr_assert_float_eq(strtod(row[median], NULL), results.items[i].time_s.median, 1e-9,
                           "row %zu", i);
    }
    cr_assert_str_eq(fields[1 + NAIVE][estimated], "true");
    cr_assert_str_eq(fields[1 + NAIVE][rows_done], "12");
    cr_assert_str_eq(fields[1 + DGEMM_1][estimated], "false");
    free(text);
}

Test(report, csv_leaves_unknown_figures_empty)
{
    results.items[DGEMM_1].efficiency = NAN;
    results.items[DGEMM_1].residual = NAN;
    char *text = render(mb_report_csv);
    char *fields[MAX_LINES][MAX_FIELDS];
    size_t nfields[MAX_LINES];
    size_t lines = split_csv(text, fields, nfields);
    cr_assert_eq(lines, 4);
    cr_assert_str_eq(fields[1 + DGEMM_1][column(fields[0], nfields[0], "efficiency")], "");
    cr_assert_str_eq(fields[1 + DGEMM_1][column(fields[0], nfields[0], "residual")], "");
    free(text);
}

Test(report, csv_of_no_results_is_the_header_alone)
{
    results.count = 0;
    char *text = render(mb_report_csv);
    char *fields[MAX_LINES][MAX_FIELDS];
    size_t nfields[MAX_LINES];
    cr_assert_eq(split_csv(text, fields, nfields), 1, "%s", text);
    free(text);
}

/* ---- table -------------------------------------------------------------- */

Test(report, table_shows_every_result)
{
    char *text = render(mb_report_table);
    cr_assert(strstr(text, "naive") != NULL, "%s", text);
    cr_assert(strstr(text, "dgemm") != NULL, "%s", text);
    cr_assert(strstr(text, "GFLOP/s") != NULL, "%s", text);
    cr_assert(strstr(text, "~2.00 s") != NULL, "the naive estimate is marked with ~: %s", text);
    free(text);
}

Test(report, table_ends_with_the_lesson_in_numbers)
{
    char *text = render(mb_report_table);
    cr_assert(strstr(text, "32.0 times faster") != NULL, "dgemm at 2 threads vs naive: %s", text);
    free(text);
}

Test(report, every_format_has_a_reporter)
{
    cr_assert_eq(mb_report_for(MB_FORMAT_TABLE), mb_report_table);
    cr_assert_eq(mb_report_for(MB_FORMAT_CSV), mb_report_csv);
    cr_assert_eq(mb_report_for(MB_FORMAT_JSON), mb_report_json);
    cr_assert_eq(mb_report_for(MB_FORMAT_MARKDOWN), mb_report_markdown);
}

Test(report, lesson_ratios_have_three_significant_figures_everywhere)
{
    char *text = render(mb_report_table);
    cr_assert_not_null(strstr(text, "ran 32.0 times faster"), "%s", text);
    cr_assert_not_null(strstr(text, "On one core: dgemm 20.0 times naive (OpenBLAS)"), "%s", text);
    cr_assert_not_null(strstr(text, "made dgemm 1.60 times faster"), "%s", text);
    free(text);
}

Test(report, the_format_rows_carry_name_reporter_and_traits)
{
    const enum mb_format all[] = {MB_FORMAT_TABLE, MB_FORMAT_CSV, MB_FORMAT_JSON,
                                  MB_FORMAT_MARKDOWN};
    for (size_t i = 0; i < COUNT(all); i++) {
        const struct mb_format_row *row = mb_format_row(all[i]);
        cr_assert_not_null(row);
        cr_assert_str_eq(row->name, mb_format_name(all[i]));
        cr_assert_eq(row->write, mb_report_for(all[i]));
    }
    cr_assert_null(mb_format_row((enum mb_format)COUNT(all)), "past the last row");
    cr_assert(mb_format_row(MB_FORMAT_TABLE)->traits & MB_FORMAT_HEADER_ON_STDOUT);
    cr_assert(mb_format_row(MB_FORMAT_MARKDOWN)->traits & MB_FORMAT_SHOWS_HINT);
    cr_assert(mb_format_row(MB_FORMAT_JSON)->traits & MB_FORMAT_DOCUMENT);
    char names[64];
    cr_assert_str_eq(mb_format_names(0, names, sizeof names), "table, csv, json, markdown");
    cr_assert_str_eq(mb_format_names(MB_FORMAT_FOR_COMMANDS, names, sizeof names), "table, json");
}

Test(report, info_names_the_blas_and_the_cpu)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    mb_report_info(f, &machine, &blas);
    fclose(f);
    cr_assert(strstr(buf, "OpenBLAS") && strstr(buf, "0.3.21") && strstr(buf, "Haswell"), "%s",
              buf);
    cr_assert(strstr(buf, "Test CPU @ 3.0GHz") != NULL, "%s", buf);
    free(buf);
}

Test(report, works_with_the_real_blas_info)
{
    struct mb_blas_info real;
    mb_blas_info(&real);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    struct mb_report_ctx ctx = {.machine = &machine,
                                .blas = &real,
                                .plan = &plan,
                                .front = &front,
                                .results = &results,
                                .pid = 1};
    cr_assert_eq(mb_report_json(f, &ctx, NULL), MB_OK);
    fclose(f);
    json_t *root = json_loads(buf, 0, NULL);
    cr_assert_not_null(root);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "blas"), "name")),
                     "OpenBLAS");
    json_decref(root);
    free(buf);
}

/* ---- markdown, bars, colour, the noisy note ---------------------------- */

static size_t count_char(const char *line, size_t len, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        k += line[i] == c;
    return k;
}

Test(report, markdown_is_a_table_then_the_lesson)
{
    char *text = render(mb_report_markdown);
    cr_assert(strncmp(text, "| kernel | n | threads |", 24) == 0, "%s", text);
    const char *line = text;
    size_t pipes = 0, rows = 0;
    for (size_t i = 0; *line == '|'; i++) {
        const char *end = strchr(line, '\n');
        cr_assert_not_null(end);
        size_t k = count_char(line, (size_t)(end - line), '|');
        if (i == 0)
            pipes = k;
        cr_assert_eq(k, pipes, "row %zu has as many cells as the header: %.*s", i,
                     (int)(end - line), line);
        if (i == 1)
            for (const char *c = line; c < end; c++)
                cr_assert(strchr("|-: ", *c) != NULL, "the separator row: %.*s", (int)(end - line),
                          line);
        rows++;
        line = end + 1;
    }
    cr_assert_eq(rows, 2 + results.count, "header, separator, a row per result");
    cr_assert(strstr(line, "32.0 times faster") != NULL, "then the lesson: %s", line);
    cr_assert_null(strchr(text, '\033'), "no escapes");
    free(text);
}

Test(report, a_plain_table_has_no_bars_or_colour)
{
    char *text = render_ex(mb_report_table, false);
    cr_assert_null(strchr(text, '\033'), "%s", text);
    cr_assert_null(strstr(text, "█"), "%s", text);
    free(text);
}

Test(report, a_fancy_table_draws_the_fastest_bar_full)
{
    char *text = render_ex(mb_report_table, true);
    cr_assert_not_null(strstr(text, "\033["), "colour");
    char full[20 * 3 + 1] = "";
    for (int i = 0; i < 20; i++)
        strcat(full, "█");
    const char *at = strstr(text, full);
    cr_assert_not_null(at, "the fastest result has 20 full blocks:\n%s", text);
    const char *row = at;
    while (row > text && row[-1] != '\n')
        row--;
    cr_assert(strncmp(row, "dgemm", 5) == 0 && strstr(row, " 2 ") < at,
              "on dgemm's 2-thread row: %.80s", row);
    cr_assert_null(strstr(at + strlen(full), full), "only one full bar");
    free(text);
}

static size_t cells(const char *bar)
{
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)bar; *c; c++)
        n += (*c & 0xC0) != 0x80; /* count UTF-8 lead bytes */
    return n;
}

Test(report, bar_table)
{
    static const struct {
        double value, max;
        size_t cells;
        const char *tail; /* the last cell, or NULL for an empty bar */
    } cases[] = {
        {100, 100, 20, "█"},        {50, 100, 10, "█"},
        {100.0 / 160, 100, 1, "▏"}, {50 + 300.0 / 160, 100, 11, "▍"},
        {0, 100, 0, NULL},          {NAN, 100, 0, NULL},
        {10, 0, 0, NULL},           {200, 100, 20, "█"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char bar[128];
        mb_report_bar(bar, sizeof bar, cases[i].value, cases[i].max, 20);
        cr_assert_eq(cells(bar), cases[i].cells, "%g of %g: '%s'", cases[i].value, cases[i].max,
                     bar);
        if (cases[i].tail != NULL) {
            size_t len = strlen(bar), tl = strlen(cases[i].tail);
            cr_assert(len >= tl && strcmp(bar + len - tl, cases[i].tail) == 0,
                      "%g of %g ends in %s: '%s'", cases[i].value, cases[i].max, cases[i].tail,
                      bar);
        }
    }
}

Test(report, a_spread_above_10_percent_is_marked_and_explained)
{
    /* the fixture's repetitions run 0.9 to 1.2 times the median: 33 % */
    char *text = render(mb_report_table);
    cr_assert_not_null(strstr(text, "!33%"), "%s", text);
    cr_assert_not_null(strstr(text, "spread more than 10%"), "%s", text);
    free(text);
}

Test(report, a_steady_run_has_no_noise_note)
{
    for (size_t i = 0; i < results.count; i++) {
        const double m = results.items[i].time_s.median, samples[] = {m, m * 1.05, m * 1.1};
        mb_stats_compute(samples, 3, &results.items[i].time_s);
    }
    char *text = render(mb_report_table);
    cr_assert_null(strstr(text, "spread more than"), "%s", text);
    cr_assert_null(strstr(text, "!"), "no mark: %s", text);
    cr_assert_not_null(strstr(text, "10%"), "the spread is shown: %s", text);
    free(text);
}

/* dgemm at sizes 100 and 200, threads 1 and 2, and (at 200) 4 on 2 cores. */
static void grid_results(void)
{
    mb_results_free(&results);
    plan.sizes.v[0] = 100, plan.sizes.v[1] = 200, plan.sizes.n = 2;
    plan.threads.v[2] = 4, plan.threads.n = 3;
    const struct {
        size_t n;
        int threads;
        double median;
    } grid[] = {{100, 1, 0.010}, {100, 2, 0.008}, {100, 4, 0.009},
                {200, 1, 0.080}, {200, 2, 0.042}, {200, 4, 0.050}};
    for (size_t i = 0; i < COUNT(grid); i++) {
        struct mb_result r = result("dgemm", grid[i].threads, grid[i].median, false);
        r.n = grid[i].n;
        cr_assert_eq(mb_results_add(&results, &r, NULL), MB_OK);
    }
    mb_results_derive(&results);
}

Test(report, csv_of_a_grid_has_a_row_per_size_and_thread_count)
{
    grid_results();
    char *text = render(mb_report_csv);
    cr_assert_not_null(strstr(text, "time_min_s,time_median_s,time_max_s,time_mean_s,"
                                    "time_stddev_s"));
    char *fields[MAX_LINES][MAX_FIELDS];
    size_t nfields[MAX_LINES];
    cr_assert_eq(split_csv(text, fields, nfields), 7, "header + 6 rows");
    free(text);
}

Test(report, the_lesson_across_sizes_and_past_the_cores)
{
    grid_results();
    char *text = render(mb_report_table);
    /* from 1 to 2 threads (the physical cores): at n = 100, 0.010 / 0.008
     * = 1.25x; at n = 200, 0.080 / 0.042 = 1.90x */
    cr_assert_not_null(strstr(text, "Threads pay off with size: going from 1 to 2 threads"), "%s",
                       text);
    cr_assert_not_null(strstr(text, "made dgemm 1.25 and 1.90 times as fast at n = 100 and 200."),
                       "%s", text);
    cr_assert_not_null(strstr(text, "Beyond the 2 physical cores more threads did not help"), "%s",
                       text);
    free(text);
}

Test(report, json_settings_carry_sizes_duration_and_config)
{
    plan.duration_s = 2.5;
    json_t *root = render_json();
    json_t *s = json_object_get(root, "settings");
    cr_assert(json_is_array(json_object_get(s, "sizes")));
    cr_assert_float_eq(json_real_value(json_object_get(s, "duration_s")), 2.5, 0);
    cr_assert_float_eq(json_real_value(json_object_get(s, "min_time_s")), MB_DEFAULT_MIN_TIME_S, 0,
                       "the default --min-time");
    cr_assert(json_is_null(json_object_get(s, "config")));
    json_decref(root);
}

Test(report, info_json_has_the_machine_and_the_blas)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(mb_report_info_json(f, &machine, &blas, NULL), MB_OK);
    fclose(f);
    json_t *root = json_loads(buf, 0, NULL);
    cr_assert_not_null(root, "%s", buf);
    cr_assert_eq(
        json_integer_value(json_object_get(json_object_get(root, "machine"), "physical_cores")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "blas"), "name")),
                     "OpenBLAS");
    json_decref(root);
    free(buf);
}

Test(report, only_the_table_draws_bars_and_colour)
{
    /* CSV, JSON and Markdown end up in files and other programs: plain
     * text even when the caller says the terminal could take more */
    static mb_report_fn *const plain[] = {mb_report_csv, mb_report_json, mb_report_markdown};
    for (size_t i = 0; i < COUNT(plain); i++) {
        char *text = render_ex(plain[i], true);
        cr_assert_null(strchr(text, '\033'), "reporter %zu: %s", i, text);
        cr_assert_null(strstr(text, "█"), "reporter %zu: %s", i, text);
        free(text);
    }
}

Test(report, a_bar_never_takes_more_than_its_width)
{
    static const double fractions[] = {0.001, 0.1, 1.0 / 3, 0.5, 0.99, 0.999, 1.0, 1.5, 1e9};
    for (int width = 1; width <= 40; width++)
        for (size_t i = 0; i < COUNT(fractions); i++) {
            char bar[256];
            mb_report_bar(bar, sizeof bar, fractions[i] * 7.0, 7.0, width);
            cr_assert_leq(cells(bar), (size_t)width, "%g of the way in %d cells: '%s'",
                          fractions[i], width, bar);
            if (fractions[i] >= 1)
                cr_assert_eq(cells(bar), (size_t)width, "full in %d cells: '%s'", width, bar);
        }
    char bar[8] = "junk";
    mb_report_bar(bar, sizeof bar, 5, 10, 0);
    cr_assert_str_eq(bar, "", "no width, no bar");
}

Test(report, markdown_marks_noisy_results_too)
{
    /* the fixture's repetitions spread 33 % */
    char *text = render(mb_report_markdown);
    cr_assert_not_null(strstr(text, "| !33% |"), "%s", text);
    cr_assert_not_null(strstr(text, "spread more than 10%"), "%s", text);
    free(text);
}

Test(report, json_settings_name_the_config_file)
{
    front.config = "configs/quick.ini";
    json_t *root = render_json();
    json_t *s = json_object_get(root, "settings");
    cr_assert_str_eq(json_string_value(json_object_get(s, "config")), "configs/quick.ini");
    json_decref(root);
}

/* ---- the cores: per-CPU busy, thread counts, the peak ------------------- */

/* What a monitor and a measured peak would have added to the fixture: the
 * naive loop on CPU 1 of 2, dgemm on one then both; 3 threads each. */
static const struct mb_peak fixture_peak = {MB_ISA_AVX2, 50.0, 90.0, 2, 0.5};

static void add_monitor_and_peak(void)
{
    static const double busy[][2] = {
        [NAIVE] = {0.02, 0.99}, [DGEMM_1] = {0.97, 0.05}, [DGEMM_2] = {0.98, 0.995}};
    for (size_t i = 0; i < results.count; i++) {
        struct mb_result *r = &results.items[i];
        r->ncpus = 2;
        r->per_core_busy[0] = busy[i][0];
        r->per_core_busy[1] = busy[i][1];
        r->max_threads_seen = 3;
    }
    peak = &fixture_peak;
    monitor_on = true;
    mb_results_apply_peak(&results, peak);
}

Test(report, peak_fraction_uses_the_peak_for_the_threads_used)
{
    add_monitor_and_peak();
    /* one thread: 50 GFLOP/s per core; two (= the cores): the all-cores 90 */
    for (size_t i = 0; i < results.count; i++) {
        const struct mb_result *r = &results.items[i];
        double want = r->gflops / (r->threads == 1 ? 50.0 : 90.0);
        cr_assert_float_eq(r->peak_fraction, want, 1e-12, "result %zu", i);
    }
    mb_results_apply_peak(&results, NULL);
    cr_assert(isnan(results.items[DGEMM_2].peak_fraction));
}

Test(report, json_carries_per_core_busy_threads_peak_and_the_monitor)
{
    add_monitor_and_peak();
    json_t *root = render_json();
    json_t *pk = json_object_get(root, "peak");
    cr_assert_str_eq(json_string_value(json_object_get(pk, "isa")), "avx2+fma");
    cr_assert_float_eq(json_number_value(json_object_get(pk, "per_core_gflops")), 50.0, 0);
    cr_assert_float_eq(json_number_value(json_object_get(pk, "all_cores_gflops")), 90.0, 0);
    json_t *mon = json_object_get(root, "monitor");
    cr_assert_eq(json_integer_value(json_object_get(mon, "samples")), 50);
    cr_assert_float_eq(json_number_value(json_object_get(mon, "overhead")), 0.01 / 5.0, 1e-15);
    json_t *r = json_array_get(json_object_get(root, "results"), DGEMM_2);
    json_t *busy = json_object_get(r, "per_core_busy");
    cr_assert_eq(json_array_size(busy), 2);
    cr_assert_float_eq(json_number_value(json_array_get(busy, 1)), 0.995, 0);
    cr_assert_eq(json_integer_value(json_object_get(r, "max_threads_seen")), 3);
    cr_assert_float_eq(json_number_value(json_object_get(r, "peak_fraction")),
                       results.items[DGEMM_2].gflops / 90.0, 1e-12);
    json_decref(root);
}

Test(report, json_without_monitor_or_peak_has_nulls)
{
    json_t *root = render_json();
    cr_assert(json_is_null(json_object_get(root, "peak")));
    cr_assert(json_is_null(json_object_get(root, "monitor")));
    json_t *r = json_array_get(json_object_get(root, "results"), DGEMM_1);
    cr_assert(json_is_null(json_object_get(r, "per_core_busy")));
    cr_assert(json_is_null(json_object_get(r, "max_threads_seen")));
    cr_assert(json_is_null(json_object_get(r, "peak_fraction")));
    json_decref(root);
}

Test(report, json_unknown_cpus_are_null_inside_the_array)
{
    add_monitor_and_peak();
    results.items[NAIVE].per_core_busy[0] = NAN;
    json_t *root = render_json();
    json_t *busy =
        json_object_get(json_array_get(json_object_get(root, "results"), NAIVE), "per_core_busy");
    cr_assert(json_is_null(json_array_get(busy, 0)));
    cr_assert(json_is_number(json_array_get(busy, 1)));
    json_decref(root);
}

Test(report, csv_appends_peak_fraction_threads_and_per_core_busy)
{
    add_monitor_and_peak();
    results.items[NAIVE].per_core_busy[0] = NAN;
    char *csv = render(mb_report_csv);
    cr_assert(strstr(csv, ",rows_done,peak_fraction,max_threads_seen,per_core_busy\n") != NULL,
              "%s", csv);
    char want[128];
    snprintf(want, sizeof want, ",100,%.9g,3,0.98;0.995\n", results.items[DGEMM_2].peak_fraction);
    cr_assert(strstr(csv, want) != NULL, "%s in\n%s", want, csv);
    cr_assert(strstr(csv, ",true,12,") != NULL && strstr(csv, ",3,;0.99\n") != NULL,
              "an unknown CPU is an empty entry:\n%s", csv);
    free(csv);
}

Test(report, csv_without_monitor_leaves_the_new_fields_empty)
{
    char *csv = render(mb_report_csv);
    cr_assert(strstr(csv, ",false,100,,,\n") != NULL && strstr(csv, ",true,12,,,\n") != NULL, "%s",
              csv);
    free(csv);
}

Test(report, table_shows_per_cpu_percentages_and_share_of_peak)
{
    add_monitor_and_peak();
    char *t = render(mb_report_table);
    cr_assert(strstr(t, "of peak") != NULL && strstr(t, "busy per CPU %") != NULL, "%s", t);
    cr_assert(strstr(t, " 2 99 ") != NULL, "naive on CPU 1:\n%s", t);
    cr_assert(strstr(t, " 98 100 ") != NULL, "dgemm on both:\n%s", t);
    char pct[16];
    snprintf(pct, sizeof pct, " %.0f%% ", results.items[DGEMM_2].peak_fraction * 100);
    cr_assert(strstr(t, pct) != NULL, "%s in\n%s", pct, t);
    free(t);
}

Test(report, table_without_figures_shows_dashes)
{
    char *t = render(mb_report_table);
    char *row = strstr(t, "\ndgemm ");
    cr_assert_not_null(row);
    char line[256];
    sscanf(row + 1, "%255[^\n]", line);
    /* kernel n threads time spread GFLOP/s of-peak cores-busy per-CPU ... */
    char k[16], n[16], th[16], tm[16], unit[8], spread[16], gf[16], pk[16], busy[16], cpu[16];
    cr_assert_eq(sscanf(line, "%15s %15s %15s %15s %7s %15s %15s %15s %15s %15s", k, n, th, tm,
                        unit, spread, gf, pk, busy, cpu),
                 10, "%s", line);
    cr_assert_str_eq(pk, "-", "%s", line);
    cr_assert_str_eq(cpu, "-", "%s", line);
    free(t);
}

Test(report, many_cpus_are_one_glyph_each)
{
    add_monitor_and_peak();
    struct mb_result *r = &results.items[DGEMM_2];
    r->ncpus = 12;
    for (size_t i = 0; i < 12; i++)
        r->per_core_busy[i] = i < 6 ? 1.0 : 0.0;
    r->per_core_busy[11] = NAN;
    char *t = render(mb_report_table);
    cr_assert(strstr(t, "██████▁▁▁▁▁?") != NULL, "%s", t);
    free(t);
}

Test(report, lesson_names_the_busy_cpus_the_threads_and_the_peak)
{
    add_monitor_and_peak();
    char *t = render(mb_report_table);
    cr_assert(strstr(t, "the naive loop on 1 thread kept 1 CPU mostly busy (cpu0 2%, cpu1 99%) "
                        "with 3 threads in the process") != NULL,
              "%s", t);
    cr_assert(strstr(t, "dgemm on 2 threads kept 2 CPUs mostly busy (cpu0 98%, cpu1 100%)") != NULL,
              "%s", t);
    char want[160];
    snprintf(want, sizeof want,
             "dgemm on 2 threads reached %.0f%% of the measured avx2+fma FMA peak for that many "
             "threads (90.0 GFLOP/s); the naive loop %.1f%% of one core's.",
             results.items[DGEMM_2].peak_fraction * 100, results.items[NAIVE].peak_fraction * 100);
    cr_assert(strstr(t, want) != NULL, "%s in\n%s", want, t);
    free(t);
}

Test(report, header_states_the_peak_and_info_the_caches)
{
    add_monitor_and_peak();
    machine.l1d = (struct mb_cache){48 * 1024, 2};
    machine.l2 = (struct mb_cache){1024 * 1024, 2};
    machine.l3 = (struct mb_cache){0, 0};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct mb_report_ctx ctx = {.machine = &machine,
                                .blas = &blas,
                                .plan = &plan,
                                .front = &front,
                                .results = &results,
                                .pid = 7,
                                .peak = peak};
    mb_report_header(f, &ctx);
    fclose(f);
    cr_assert(strstr(buf, "Peak      avx2+fma FMA, measured: 50.0 GFLOP/s on one core, 90.0 on 2 "
                          "cores at once") != NULL,
              "%s", buf);
    cr_assert(strstr(buf, "caches: L1d 48 KiB x 2, L2 1 MiB x 2, L3 unknown") != NULL, "%s", buf);
    free(buf);
}

/* ---- the table on a terminal of a given width --------------------------- */

/* The widest line of the table (the lines before the first blank one) of
 * text, in display cells. */
static size_t widest_table_line(char *text)
{
    size_t widest = 0;
    for (char *line = text, *nl; (nl = strchr(line, '\n')) != NULL && nl != line; line = nl + 1) {
        *nl = '\0';
        size_t w = mb_report_cells(line);
        widest = w > widest ? w : widest;
        *nl = '\n';
    }
    return widest;
}

/* Results whose row is wide: a monitor that saw 8 CPUs (0 10 ... 70 %
 * busy) and complete runs. */
static void wide_rows(void)
{
    for (size_t i = 0; i < results.count; i++) {
        results.items[i].ncpus = 8;
        for (size_t c = 0; c < 8; c++)
            results.items[i].per_core_busy[c] = 0.1 * (double)c;
        results.items[i].estimated = false;
        results.items[i].rows_done = results.items[i].n;
    }
}

/* The widest table line of the fancy table at the given width. */
static size_t fancy_width(int width)
{
    columns = width;
    char *text = render_ex(mb_report_table, true);
    size_t w = widest_table_line(text);
    free(text);
    return w;
}

Test(report, cells_of_colour_escapes_are_none)
{
    cr_assert_eq(mb_report_cells("\033[36m██\033[0m ok"), 5);
}

Test(report, a_fancy_table_fits_120_and_80_columns)
{
    wide_rows();
    const size_t full = fancy_width(0);
    cr_assert_gt(full, 120, "the test needs a row wider than 120");
    cr_assert_leq(fancy_width(120), 120);
    columns = 120;
    char *at120 = render_ex(mb_report_table, true);
    cr_assert_not_null(strstr(at120, "CPU %"), "the per-CPU column, narrower: %s", at120);
    cr_assert_not_null(strstr(at120, "0 10 20"), "the first figures: %s", at120);
    cr_assert_not_null(strstr(at120, "…"), "the cut marked: %s", at120);
    free(at120);
    /* the columns other than the bar and the per-CPU figures alone take
     * more than 80 cells: at 80 both are gone and the table is as narrow
     * as they leave it */
    columns = 80;
    char *text = render_ex(mb_report_table, true);
    cr_assert_null(strstr(text, "█"), "%s", text);
    cr_assert_null(strstr(text, "busy per CPU %"), "%s", text);
    cr_assert_eq(widest_table_line(text), full - 21 - 24,
                 "less the bar and 22 cells of figures: %s", text);
    free(text);
}

Test(report, a_narrower_terminal_narrows_the_bar_first)
{
    wide_rows();
    const size_t full = fancy_width(0);
    columns = (int)full - 10;
    char *text = render_ex(mb_report_table, true);
    cr_assert_leq(widest_table_line(text), full - 10, "%s", text);
    cr_assert_not_null(strstr(text, "\033[36m██████████\033[0m "), "a 10-cell bar: %s", text);
    cr_assert_not_null(strstr(text, "0 10 20 30 40 50 60 70"), "every figure: %s", text);
    free(text);
}

Test(report, per_cpu_figures_are_cut_whole_to_fit)
{
    wide_rows();
    const size_t full = fancy_width(0);
    /* no room for a bar (20 cells and its space) and 3 cells short for the figures */
    columns = (int)full - 21 - 3;
    char *text = render_ex(mb_report_table, true);
    cr_assert_leq(widest_table_line(text), (size_t)columns, "%s", text);
    cr_assert_null(strstr(text, "█"), "%s", text);
    cr_assert_not_null(strstr(text, " 0 10 20 30 40 50… "), "%s", text);
    free(text);
}

Test(report, an_unknown_width_leaves_the_table_as_it_was)
{
    wide_rows();
    char *text = render_ex(mb_report_table, true);
    cr_assert_not_null(strstr(text, "0 10 20 30 40 50 60 70"), "%s", text);
    cr_assert_not_null(strstr(text, "████████████████████"), "the full bar: %s", text);
    free(text);
    columns = 80;
    char *plain = render_ex(mb_report_table, false);
    columns = 0;
    char *plain0 = render_ex(mb_report_table, false);
    cr_assert_str_eq(plain, plain0, "without bars the width changes nothing");
    free(plain);
    free(plain0);
}

Test(report, a_narrow_per_cpu_column_takes_a_short_title)
{
    wide_rows();
    const size_t others = fancy_width(0) - 21 - 24; /* no bar, no per-CPU column */
    columns = (int)others + 2 + 8;
    char *text = render_ex(mb_report_table, true);
    cr_assert_leq(widest_table_line(text), (size_t)columns, "%s", text);
    cr_assert_null(strstr(text, "busy per CPU %"), "%s", text);
    cr_assert_not_null(strstr(text, "  CPU %   "), "%s", text);
    cr_assert_not_null(strstr(text, "  0 10 20… "), "%s", text);
    free(text);
}

/* ---- scaling: Karp–Flatt, Amdahl, the crossover ------------------------- */

/* dgemm at n = 100, 200, 400 on 1 and 2 threads whose 2-thread gains are
 * 0.8, 1.0 and 1.3: the 10 % crossover lies at 200 + 200 * 0.1 / 0.3. */
static void crossover_results(void)
{
    mb_results_free(&results);
    plan.sizes.v[0] = 100, plan.sizes.v[1] = 200, plan.sizes.v[2] = 400, plan.sizes.n = 3;
    plan.kernels.v[0] = mb_kernel_find("dgemm"), plan.kernels.n = 1;
    const struct {
        size_t n;
        double one, gain;
    } grid[] = {{100, 0.010, 0.8}, {200, 0.080, 1.0}, {400, 0.640, 1.3}};
    for (size_t i = 0; i < COUNT(grid); i++)
        for (int t = 1; t <= 2; t++) {
            struct mb_result r =
                result("dgemm", t, t == 1 ? grid[i].one : grid[i].one / grid[i].gain, false);
            r.n = grid[i].n;
            cr_assert_eq(mb_results_add(&results, &r, NULL), MB_OK);
        }
    mb_results_derive(&results);
}

Test(report, json_scaling_carries_karp_flatt_amdahl_and_the_crossover)
{
    plan.kernels.v[0] = mb_kernel_find("naive"), plan.kernels.v[1] = mb_kernel_find("dgemm");
    plan.kernels.n = 2;
    json_t *root = render_json();
    json_t *s = json_object_get(root, "scaling");
    cr_assert(json_is_object(s), "a scaling object");
    json_t *kf = json_object_get(s, "karp_flatt");
    cr_assert_eq(json_array_size(kf), 1, "dgemm at 2 threads (naive ran at one only)");
    json_t *x = json_array_get(kf, 0);
    cr_assert_str_eq(json_string_value(json_object_get(x, "kernel")), "dgemm");
    cr_assert_eq(json_integer_value(json_object_get(x, "threads")), 2);
    /* S = 0.1 / 0.0625 = 1.6; e = (1/1.6 - 1/2) / (1 - 1/2) = 0.25 */
    cr_assert_float_eq(json_number_value(json_object_get(x, "speedup")), 1.6, 1e-12);
    cr_assert_float_eq(json_number_value(json_object_get(x, "efficiency")), 0.8, 1e-12);
    cr_assert_float_eq(json_number_value(json_object_get(x, "e")), 0.25, 1e-12);
    json_t *a = json_array_get(json_object_get(s, "amdahl_serial_fraction"), 0);
    cr_assert(json_is_null(json_object_get(a, "serial_fraction")), "two thread counts: no fit");
    cr_assert_eq(json_integer_value(json_object_get(a, "thread_counts")), 2);
    cr_assert_eq(json_array_size(json_object_get(s, "crossover_n")), 0, "one size: no crossover");
    json_decref(root);
}

Test(report, json_and_lesson_carry_the_crossover_n)
{
    crossover_results();
    json_t *root = render_json();
    json_t *c = json_array_get(json_object_get(json_object_get(root, "scaling"), "crossover_n"), 0);
    cr_assert_not_null(c);
    cr_assert_float_eq(json_number_value(json_object_get(c, "n")), 200.0 + 200.0 / 3.0, 1e-9);
    cr_assert(json_is_false(json_object_get(c, "at_or_below_smallest")));
    cr_assert_eq(json_integer_value(json_object_get(c, "sizes")), 3);
    json_decref(root);
    char *text = render(mb_report_table);
    cr_assert_not_null(strstr(text, "dgemm: the most threads first beat one thread by 10% at n = "
                                    "267 (interpolated"),
                       "%s", text);
    /* at the largest size: S = 1.3, e = (1/1.3 - 1/2) / (1/2) = 0.54 */
    cr_assert_not_null(strstr(text, "e = 0.54 at 2 threads."), "%s", text);
    free(text);
}

Test(report, the_lesson_fits_amdahl_with_three_thread_counts)
{
    grid_results();
    char *text = render(mb_report_table);
    /* n = 200: S(2) = 0.080 / 0.042, S(4) = 0.080 / 0.050 */
    cr_assert_not_null(strstr(text, "Amdahl's law fitted to the 3 thread counts"), "%s", text);
    cr_assert_not_null(strstr(text, "above the 2 usable cores it measures threads taking turns"),
                       "%s", text);
    free(text);
}
