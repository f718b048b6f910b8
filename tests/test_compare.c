/* matbench compare: reports written here with known samples (the library's
 * mb_compare_files), and the command line's verdicts, exit codes and
 * refusals. The statistics themselves are tested in test_compare_stats.c;
 * here, what a user reads: identical reports are "same", every sample 10 %
 * slower is "slower" and --fail-if-slower 5 exits 1, rows of one side only
 * and environment differences are listed, bad input exits 2 naming the
 * file. No timing is asserted. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "matbench/compare.h"
#include "mb_test.h"

#define SAMPLES 12

/* A matbench report with one result per (kernel, n, threads) of rows,
 * each with SAMPLES samples spread around base * scale, written to a
 * temporary file whose name goes to path. core is blas.core. */
struct row {
    const char *kernel;
    int n, threads;
    double base;
};

static void report(char *path, size_t cap, const struct row *rows, size_t count, double scale,
                   const char *core)
{
    json_t *results = json_array();
    for (size_t i = 0; i < count; i++) {
        json_t *s = json_array();
        for (int k = 0; k < SAMPLES; k++) /* 0.95 .. 1.06 of base, each value once */
            json_array_append_new(s, json_real(rows[i].base * scale * (0.95 + 0.01 * k)));
        json_array_append_new(results,
                              json_pack("{s:s, s:i, s:i, s:{s:f, s:o}}", "kernel", rows[i].kernel,
                                        "n", rows[i].n, "threads", rows[i].threads, "time_s",
                                        "median", rows[i].base * scale, "samples", s));
    }
    json_t *doc = json_pack("{s:s, s:{s:s, s:i}, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:i, s:b}, s:o}",
                            "matbench", "0.1.0", "machine", "cpu", "Test CPU", "usable_cores", 2,
                            "blas", "name", "OpenBLAS", "version", "0.3.21", "core", core,
                            "threading", "pthreads", "settings", "threads_source", "default",
                            "seed", 1, "verify", 1, "results", results);
    snprintf(path, cap, "/tmp/mb_compare_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
}

static const struct row two[] = {{"dgemm", 100, 1, 1e-3}, {"dgemm", 100, 2, 6e-4}};

Test(compare, identical_reports_are_the_same)
{
    char a[64];
    report(a, sizeof a, two, 2, 1.0, "Haswell");
    struct mb_compare c;
    struct mb_diag d = {0};
    cr_assert_eq(mb_compare_files(a, a, MB_COMPARE_THRESHOLD, 0.05, &c, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(c.count, 2);
    for (size_t i = 0; i < c.count; i++) {
        cr_assert_eq(c.rows[i].verdict, MB_VERDICT_SAME, "%s", c.rows[i].label);
        cr_assert_float_eq(c.rows[i].ratio, 1.0, 1e-12);
        cr_assert(c.rows[i].lo <= 1 && c.rows[i].hi >= 1);
        cr_assert_float_eq(c.rows[i].u.p, 1.0, 1e-12, "identical samples: p = 1");
        cr_assert_not(c.rows[i].fail);
    }
    cr_assert_float_eq(c.geomean, 1.0, 1e-12);
    cr_assert_eq(c.nenv, 0);
    cr_assert_eq(c.nonly_old + c.nonly_new, 0);
    mb_compare_free(&c);
    unlink(a);
}

Test(compare, ten_percent_slower_is_slower_and_fails_the_five_percent_gate)
{
    char a[64], b[64];
    report(a, sizeof a, two, 2, 1.0, "Haswell");
    report(b, sizeof b, two, 2, 1.10, "Haswell");
    struct mb_compare c;
    struct mb_diag d = {0};
    cr_assert_eq(mb_compare_files(a, b, MB_COMPARE_THRESHOLD, 0.05, &c, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(c.count, 2);
    for (size_t i = 0; i < c.count; i++) {
        const struct mb_compare_row *r = &c.rows[i];
        cr_assert_eq(r->verdict, MB_VERDICT_SLOWER, "%s", r->label);
        cr_assert_float_eq(r->ratio, 1.10, 1e-9, "the ratio of the medians");
        cr_assert(r->lo > 1 && r->lo <= 1.10 && r->hi >= 1.10, "%g .. %g", r->lo, r->hi);
        cr_assert_lt(r->u.p, MB_COMPARE_ALPHA);
        cr_assert(r->fail, "slower by 10 %% > 5 %% with p < 0.05");
    }
    cr_assert_eq(c.failed, 2);
    cr_assert_float_eq(c.geomean, 1.10, 1e-9);
    mb_compare_free(&c);
    /* the other way round: faster, and no gate fails */
    cr_assert_eq(mb_compare_files(b, a, MB_COMPARE_THRESHOLD, 0.05, &c, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(c.rows[0].verdict, MB_VERDICT_FASTER);
    cr_assert_eq(c.failed, 0);
    mb_compare_free(&c);
    /* below the threshold: same, however sure */
    cr_assert_eq(mb_compare_files(a, b, 0.15, NAN, &c, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(c.rows[0].verdict, MB_VERDICT_SAME);
    cr_assert_eq(c.failed, 0, "no gate asked");
    mb_compare_free(&c);
    unlink(a);
    unlink(b);
}

Test(compare, rows_on_one_side_only_are_listed)
{
    const struct row old_rows[] = {{"dgemm", 100, 1, 1e-3}, {"naive", 100, 1, 1e-1}};
    const struct row new_rows[] = {{"dgemm", 100, 1, 1e-3}, {"dgemm", 200, 1, 8e-3}};
    char a[64], b[64];
    report(a, sizeof a, old_rows, 2, 1.0, "Haswell");
    report(b, sizeof b, new_rows, 2, 1.0, "Haswell");
    struct mb_compare c;
    struct mb_diag d = {0};
    cr_assert_eq(mb_compare_files(a, b, MB_COMPARE_THRESHOLD, NAN, &c, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(c.count, 1);
    cr_assert_str_eq(c.rows[0].label, "dgemm n=100 threads=1");
    cr_assert_eq(c.nonly_old, 1);
    cr_assert_str_eq(c.only_old[0], "naive n=100 threads=1");
    cr_assert_eq(c.nonly_new, 1);
    cr_assert_str_eq(c.only_new[0], "dgemm n=200 threads=1");
    mb_compare_free(&c);
    unlink(a);
    unlink(b);
}

Test(compare, environment_differences_are_listed)
{
    char a[64], b[64];
    report(a, sizeof a, two, 2, 1.0, "Haswell");
    report(b, sizeof b, two, 2, 0.8, "SkylakeX");
    struct mb_compare c;
    struct mb_diag d = {0};
    cr_assert_eq(mb_compare_files(a, b, MB_COMPARE_THRESHOLD, NAN, &c, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(c.nenv, 1);
    cr_assert_str_eq(c.env[0].field, "blas.core");
    cr_assert_str_eq(c.env[0].old_value, "Haswell");
    cr_assert_str_eq(c.env[0].new_value, "SkylakeX");
    mb_compare_free(&c);
    unlink(a);
    unlink(b);
}

Test(compare, a_list_of_files_merges_their_samples)
{
    char a[64], b[64];
    report(a, sizeof a, two, 2, 1.0, "Haswell");
    report(b, sizeof b, two, 2, 1.0, "Haswell");
    char list[160];
    snprintf(list, sizeof list, "%s,%s", a, b);
    struct mb_compare c;
    struct mb_diag d = {0};
    cr_assert_eq(mb_compare_files(list, a, MB_COMPARE_THRESHOLD, NAN, &c, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(c.old_files, 2);
    cr_assert_eq(c.rows[0].old_count, 2 * SAMPLES);
    cr_assert_eq(c.rows[0].new_count, SAMPLES);
    mb_compare_free(&c);
    unlink(a);
    unlink(b);
}

Test(compare_cli, exits_one_on_the_gate_and_zero_otherwise)
{
    char a[64], b[64], args[256];
    report(a, sizeof a, two, 2, 1.0, "Haswell");
    report(b, sizeof b, two, 2, 1.10, "Haswell");
    struct run r;
    snprintf(args, sizeof args, "compare %s %s --fail-if-slower 5", a, b);
    run_matbench(&r, "", args);
    cr_assert_eq(r.code, 1, "%s", r.err);
    cr_assert(strstr(r.err, "2 results slower by more than 5 %") != NULL, "%s", r.err);
    cr_assert(strstr(r.out, "slower FAIL") != NULL, "%s", r.out);
    snprintf(args, sizeof args, "compare %s %s --fail-if-slower 15", a, b);
    run_matbench(&r, "", args);
    cr_assert_eq(r.code, 0, "10 %% is within a 15 %% gate: %s", r.err);
    snprintf(args, sizeof args, "compare %s %s --format json", a, a);
    run_matbench(&r, "", args);
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *doc = json_loads(r.out, 0, NULL);
    cr_assert_not_null(doc, "%s", r.out);
    json_t *row = json_array_get(json_object_get(doc, "rows"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(row, "verdict")), "same");
    cr_assert_eq(json_array_size(json_object_get(json_object_get(row, "old"), "samples")), SAMPLES);
    json_decref(doc);
    unlink(a);
    unlink(b);
}

Test(compare_cli, bad_input_exits_two_naming_the_file)
{
    char a[64], notjson[64], other[64];
    report(a, sizeof a, two, 2, 1.0, "Haswell");
    write_temp(notjson, sizeof notjson, "/tmp/mb_notjson", "{ not json\n");
    write_temp(other, sizeof other, "/tmp/mb_other", "{\"results\": []}\n");
    const struct row none[] = {{"dgetrf", 999, 1, 1e-3}};
    char disjoint[64];
    report(disjoint, sizeof disjoint, none, 1, 1.0, "Haswell");
    char args[6][256];
    snprintf(args[0], sizeof args[0], "compare /nonexistent/old.json %s", a);
    snprintf(args[1], sizeof args[1], "compare %s %s", a, notjson);
    snprintf(args[2], sizeof args[2], "compare %s %s", other, a);
    snprintf(args[3], sizeof args[3], "compare %s %s", a, disjoint);
    snprintf(args[4], sizeof args[4], "compare %s", a);
    snprintf(args[5], sizeof args[5], "compare %s %s --threshold -1", a, a);
    const char *says[] = {"'/nonexistent/old.json': cannot read it",
                          "is not JSON",
                          "is not a matbench report",
                          "no result in common",
                          "needs two reports",
                          "threshold: '-1'"};
    const char *names[] = {"/nonexistent/old.json", notjson, other, disjoint, "", ""};
    for (size_t i = 0; i < 6; i++) {
        struct run r;
        run_matbench(&r, "", args[i]);
        cr_assert_eq(r.code, 2, "%s: exit %d: %s", args[i], r.code, r.err);
        cr_assert(strstr(r.err, says[i]) != NULL, "%s: %s", args[i], r.err);
        cr_assert(strstr(r.err, names[i]) != NULL, "%s names the file: %s", args[i], r.err);
        cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "one line: %s", r.err);
        cr_assert_str_eq(r.out, "");
    }
    struct run r;
    run_matbench(&r, "", "100 --fail-if-slower 5");
    cr_assert_eq(r.code, 2);
    cr_assert(strstr(r.err, "--fail-if-slower is an option of matbench compare") != NULL, "%s",
              r.err);
    unlink(a);
    unlink(notjson);
    unlink(other);
    unlink(disjoint);
}

Test(compare_cli, two_real_runs_compare)
{
    char a[] = "/tmp/mb_cmp_aXXXXXX", b[] = "/tmp/mb_cmp_bXXXXXX";
    close(mkstemp(a));
    close(mkstemp(b));
    char args[256];
    struct run r;
    for (int k = 0; k < 2; k++) {
        snprintf(args, sizeof args,
                 "64 --kernels dgemm --threads 1 --min-time 0.05 --no-peak --quiet --format json "
                 "--output %s",
                 k == 0 ? a : b);
        run_matbench(&r, "", args);
        cr_assert_eq(r.code, 0, "%s", r.err);
    }
    snprintf(args, sizeof args, "compare %s %s --format csv", a, b);
    run_matbench(&r, "", args);
    cr_assert_eq(r.code, 0, "%s", r.err);
    struct csv c;
    parse_csv(&c, r.out);
    cr_assert_eq(c.lines, 2, "one matched row: %s", r.out);
    cr_assert_str_eq(cell(&c, 1, "kernel"), "dgemm");
    cr_assert_gt(atoi(cell(&c, 1, "old_count")), 1, "the samples were written and read back");
    unlink(a);
    unlink(b);
}

/* A report whose one result has kernel name kernel and count samples of
 * base (0.95 .. 1.06 of it, in turn). */
static void odd_report(char *path, size_t cap, const char *kernel, size_t count, double base)
{
    json_t *s = json_array();
    for (size_t k = 0; k < count; k++)
        json_array_append_new(s, json_real(base * (0.95 + 0.01 * (double)(k % SAMPLES))));
    json_t *doc = json_pack("{s:s, s:[{s:s, s:i, s:i, s:{s:o}}, {s:s, s:i}]}", "matbench", "0.1.0",
                            "results", "kernel", kernel, "n", 100, "threads", 1, "time_s",
                            "samples", s, "kernel", "dgemm", "n", 0);
    snprintf(path, cap, "/tmp/mb_compare_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
}

Test(compare, names_from_a_report_are_made_printable_and_bad_rows_counted)
{
    char a[64], b[64];
    odd_report(a, sizeof a, "dg\nemm\x1b[31m", SAMPLES, 1e-3);
    odd_report(b, sizeof b, "dg\nemm\x1b[31m", SAMPLES, 1.5e-3);
    struct mb_compare c;
    struct mb_diag d = {0};
    cr_assert_eq(mb_compare_files(a, b, MB_COMPARE_THRESHOLD, NAN, &c, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(c.count, 1);
    cr_assert_null(strpbrk(c.rows[0].label, "\n\x1b"), "%s", c.rows[0].label);
    cr_assert_eq(c.old_skipped, 1, "the result with n = 0 is not matbench's");
    cr_assert_eq(c.new_skipped, 1);
    mb_compare_free(&c);
    unlink(a);
    unlink(b);
}

Test(compare, the_gate_does_not_depend_on_the_threshold)
{
    char a[64], b[64];
    report(a, sizeof a, two, 2, 1.0, "Haswell");
    report(b, sizeof b, two, 2, 1.5, "Haswell");
    struct mb_compare c;
    struct mb_diag d = {0};
    cr_assert_eq(mb_compare_files(a, b, 0.60, 0.05, &c, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(c.rows[0].verdict, MB_VERDICT_SAME, "50 %% is below a 60 %% threshold");
    cr_assert_eq(c.failed, 2, "but slower than the 5 %% gate with p < 0.05");
    mb_compare_free(&c);
    unlink(a);
    unlink(b);
}

Test(compare, many_samples_are_thinned_and_said_so)
{
    char a[64];
    odd_report(a, sizeof a, "dgemm", MB_COMPARE_SAMPLES_USED + 1000, 1e-3);
    struct mb_compare c;
    struct mb_diag d = {0};
    cr_assert_eq(mb_compare_files(a, a, MB_COMPARE_THRESHOLD, NAN, &c, &d), MB_OK, "%s", d.msg);
    cr_assert(c.rows[0].thinned);
    cr_assert_eq(c.rows[0].old_count, MB_COMPARE_SAMPLES_USED);
    cr_assert_eq(c.rows[0].verdict, MB_VERDICT_SAME);
    mb_compare_free(&c);
    unlink(a);
}

Test(compare, a_sample_that_is_no_time_is_refused)
{
    char a[64];
    odd_report(a, sizeof a, "dgemm", SAMPLES, 1e300);
    struct mb_compare c;
    struct mb_diag d = {0};
    cr_assert_eq(mb_compare_files(a, a, MB_COMPARE_THRESHOLD, NAN, &c, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "not a time") != NULL, "%s", d.msg);
    cr_assert(strstr(d.msg, a) != NULL, "names the file: %s", d.msg);
    unlink(a);
}

Test(compare, match_kernel_n_compares_two_thread_counts)
{
    const struct row one[] = {{"dgemm", 100, 1, 1e-3}};
    const struct row many[] = {{"dgemm", 100, 2, 6e-4}};
    char a[64], b[64];
    report(a, sizeof a, one, 1, 1.0, "Haswell");
    report(b, sizeof b, many, 1, 1.0, "Haswell");
    struct mb_compare c;
    struct mb_diag d = {0};
    cr_assert_eq(mb_compare_files(a, b, MB_COMPARE_THRESHOLD, NAN, &c, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "--match kernel,n") != NULL, "says how: %s", d.msg);
    unsigned match;
    cr_assert_eq(mb_compare_parse_match("kernel,n", &match, &d), MB_OK);
    cr_assert_eq(mb_compare_files_ex(a, b, MB_COMPARE_THRESHOLD, NAN, match, &c, &d), MB_OK, "%s",
                 d.msg);
    cr_assert_eq(c.count, 1);
    cr_assert_str_eq(c.rows[0].label, "dgemm n=100 threads=1 vs dgemm n=100 threads=2");
    cr_assert_eq(c.rows[0].verdict, MB_VERDICT_FASTER);
    mb_compare_free(&c);
    cr_assert_eq(mb_compare_parse_match("n,threads", &match, &d), MB_USAGE, "kernel left out");
    cr_assert_eq(mb_compare_parse_match("kernel,n,cores", &match, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "'kernel,n,cores'") != NULL, "%s", d.msg);
    unlink(a);
    unlink(b);
}
