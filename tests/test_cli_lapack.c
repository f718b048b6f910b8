/* cli, LAPACK: the real binary running dgetrf, dpotrf, dgesv and dgeqrf as a
 * user runs them: --kernels lapack, --layout, --nrhs (flags and config
 * file), their refusals, and how the results read in JSON, CSV and the
 * table. Tiny matrices (n = 40, one repetition); shapes, messages and
 * residuals, never timings. */
#include <jansson.h>
#include <math.h>
#include <unistd.h>

#include "mb_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Every run here: small, once, no peak measurement first. */
#define QUICK "40 --threads 1 --repeat 1 --warmup 0 --min-time 0 --no-peak"

/* HPL's threshold for a scaled residual (HPL.dat): a pass is below it. */
#define HPL_THRESHOLD 16.0

/* The order --kernels lapack names them in. */
static const char *const lapack[] = {"dgetrf", "dpotrf", "dgesv", "dposv", "dgeqrf"};

static json_t *parse(const struct run *r)
{
    json_error_t err;
    json_t *root = json_loads(r->out, 0, &err);
    cr_assert_not_null(root, "JSON: %s\n%s\nstderr: %s", err.text, r->out, r->err);
    return root;
}

/* Runs matbench QUICK ARGS --format json --quiet, expects success and
 * returns the parsed report. */
static json_t *run_json(const char *args)
{
    char full[512];
    snprintf(full, sizeof full, QUICK " %s --format json --quiet", args);
    struct run r;
    run_matbench(&r, "", full);
    cr_assert_eq(r.code, 0, "matbench %s exits %d: %s", full, r.code, r.err);
    return parse(&r);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static json_t *results(json_t *root)
{
    json_t *rs = json_object_get(root, "results");
    cr_assert(json_is_array(rs));
    return rs;
}

static json_t *settings(json_t *root)
{
    json_t *s = json_object_get(root, "settings");
    cr_assert(json_is_object(s));
    return s;
}

/* The result of the named kernel; fails unless there is exactly one. */
static json_t *result_of(json_t *root, const char *kernel)
{
    json_t *rs = results(root), *found = NULL;
    for (size_t i = 0; i < json_array_size(rs); i++) {
        json_t *x = json_array_get(rs, i);
        const char *name = json_string_value(json_object_get(x, "kernel"));
        cr_assert_not_null(name, "result %zu names its kernel", i);
        if (strcmp(name, kernel) == 0) {
            cr_assert_null(found, "%s appears twice", kernel);
            found = x;
        }
    }
    cr_assert_not_null(found, "no %s result", kernel);
    return found;
}

/* A LAPACK result as it must read: verified with a scaled residual below
 * HPL's 16, a rate, and no speed-up over a naive loop it does not share. */
static void assert_lapack_result(json_t *x, const char *kernel)
{
    cr_assert_str_eq(json_string_value(json_object_get(x, "kernel")), kernel);
    cr_assert(json_is_true(json_object_get(x, "verified")), "%s verified", kernel);
    json_t *res = json_object_get(x, "residual");
    cr_assert(json_is_number(res), "%s has a numeric residual", kernel);
    cr_assert(json_number_value(res) >= 0 && json_number_value(res) < HPL_THRESHOLD,
              "%s residual %g", kernel, json_number_value(res));
    cr_assert_gt(json_number_value(json_object_get(x, "gflops")), 0, "%s rate", kernel);
    cr_assert(json_is_null(json_object_get(x, "speedup_vs_naive")), "%s vs naive is null", kernel);
    cr_assert_eq(json_integer_value(json_object_get(x, "n")), 40);
    cr_assert_eq(json_integer_value(json_object_get(x, "threads")), 1);
}

/* ---- the four kernels and their settings --------------------------------- */

Test(cli_lapack, the_group_runs_four_verified_kernels_column_major)
{
    json_t *root = run_json("--kernels lapack");
    json_t *rs = results(root);
    cr_assert_eq(json_array_size(rs), COUNT(lapack));
    for (size_t i = 0; i < COUNT(lapack); i++)
        assert_lapack_result(json_array_get(rs, i), lapack[i]);
    json_t *s = settings(root);
    json_t *ks = json_object_get(s, "kernels");
    cr_assert_eq(json_array_size(ks), COUNT(lapack));
    for (size_t i = 0; i < COUNT(lapack); i++)
        cr_assert_str_eq(json_string_value(json_array_get(ks, i)), lapack[i]);
    cr_assert_str_eq(json_string_value(json_object_get(s, "layout")), "col");
    cr_assert(json_is_integer(json_object_get(s, "nrhs")));
    cr_assert_eq(json_integer_value(json_object_get(s, "nrhs")), 1);
    json_t *bytes = json_object_get(json_object_get(s, "memory"), "bytes");
    cr_assert(json_is_number(bytes), "settings.memory.bytes is a number");
    /* at least A and C, 40 x 40 doubles each */
    cr_assert_geq(json_number_value(bytes), 2 * 40 * 40 * 8.0);
    json_decref(root);
}

Test(cli_lapack, row_major_is_accepted_verified_and_reported)
{
    json_t *root = run_json("--kernels lapack --layout row");
    json_t *rs = results(root);
    cr_assert_eq(json_array_size(rs), COUNT(lapack));
    for (size_t i = 0; i < COUNT(lapack); i++)
        assert_lapack_result(json_array_get(rs, i), lapack[i]);
    cr_assert_str_eq(json_string_value(json_object_get(settings(root), "layout")), "row");
    json_decref(root);
}

/* LAPACK Working Note 41, square n x n, flops = multiplications + additions. */
static double lawn41(const char *kernel, double n, double nrhs)
{
    const double getrf = 2 * n * n * n / 3 - n * n / 2 + 5 * n / 6;
    if (strcmp(kernel, "dgetrf") == 0)
        return getrf;
    if (strcmp(kernel, "dpotrf") == 0)
        return n * n * n / 3 + n * n / 2 + n / 6;
    if (strcmp(kernel, "dgesv") == 0) /* dgetrf, then dgetrs: two triangular solves */
        return getrf + nrhs * (2 * n * n - n);
    if (strcmp(kernel, "dposv") == 0) /* dpotrf, then dpotrs: two triangular solves */
        return n * n * n / 3 + n * n / 2 + n / 6 + nrhs * 2 * n * n;
    if (strcmp(kernel, "dgeqrf") == 0)
        return 4 * n * n * n / 3 + 2 * n * n + 14 * n / 3;
    cr_assert_fail("no count for %s", kernel);
    return NAN;
}

Test(cli_lapack, each_rate_is_the_lawn41_count_over_the_median_time)
{
    json_t *root = run_json("--kernels lapack --nrhs 3");
    cr_assert_eq(json_integer_value(json_object_get(settings(root), "nrhs")), 3);
    for (size_t i = 0; i < COUNT(lapack); i++) {
        json_t *x = result_of(root, lapack[i]);
        assert_lapack_result(x, lapack[i]);
        double median = json_number_value(json_object_get(json_object_get(x, "time_s"), "median"));
        double gflops = json_number_value(json_object_get(x, "gflops"));
        double want = lawn41(lapack[i], 40, 3);
        cr_assert_float_eq(gflops * median * 1e9, want, 1e-9 * want, "%s: %g flops, LAWN 41 %g",
                           lapack[i], gflops * median * 1e9, want);
    }
    json_decref(root);
}

/* ---- refusals: exit 2, one line naming the value, nothing on stdout ------ */

Test(cli_lapack, an_unknown_layout_is_refused_naming_it_and_the_choices)
{
    struct run r;
    run_matbench(&r, "", QUICK " --kernels lapack --layout diag");
    cr_assert_eq(r.code, 2, "%s", r.err);
    cr_assert_eq(count_lines(r.err), 1, "one line: %s", r.err);
    cr_assert(strstr(r.err, "matbench: layout: 'diag'") == r.err, "%s", r.err);
    cr_assert(strstr(r.err, "col") != NULL && strstr(r.err, "row") != NULL, "%s", r.err);
    cr_assert_str_eq(r.out, "");
}

Test(cli_lapack, nrhs_must_be_a_positive_integer)
{
    static const char *const bad[] = {"0", "x", "-1", "2x"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        char args[128], named[32];
        snprintf(args, sizeof args, QUICK " --kernels dgesv --nrhs %s", bad[i]);
        snprintf(named, sizeof named, "nrhs: '%s'", bad[i]);
        struct run r;
        run_matbench(&r, "", args);
        cr_assert_eq(r.code, 2, "--nrhs %s exits %d: %s", bad[i], r.code, r.err);
        cr_assert_eq(count_lines(r.err), 1, "one line: %s", r.err);
        cr_assert(strstr(r.err, named) != NULL, "names %s: %s", named, r.err);
        cr_assert_str_eq(r.out, "");
    }
}

Test(cli_lapack, an_unknown_kernel_lists_the_lapack_group)
{
    struct run r;
    run_matbench(&r, "", QUICK " --kernels lapack,dtrsm");
    cr_assert_eq(r.code, 2, "%s", r.err);
    cr_assert_eq(count_lines(r.err), 1, "one line: %s", r.err);
    cr_assert(strstr(r.err, "dtrsm") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "lapack = dgetrf,dpotrf,dgesv,dposv,dgeqrf") != NULL, "%s", r.err);
    cr_assert_str_eq(r.out, "");
}

/* ---- the kernel list ------------------------------------------------------ */

Test(cli_lapack, a_kernel_named_twice_runs_once_where_first_named)
{
    json_t *root = run_json("--kernels lapack,dgetrf");
    json_t *rs = results(root);
    cr_assert_eq(json_array_size(rs), COUNT(lapack), "no duplicate dgetrf");
    for (size_t i = 0; i < COUNT(lapack); i++)
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(rs, i), "kernel")),
                         lapack[i]);
    json_decref(root);
    root = run_json("--kernels dgeqrf,lapack");
    static const char *const order[] = {"dgeqrf", "dgetrf", "dpotrf", "dgesv", "dposv"};
    rs = results(root);
    cr_assert_eq(json_array_size(rs), COUNT(order), "no duplicate dgeqrf");
    for (size_t i = 0; i < COUNT(order); i++)
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(rs, i), "kernel")),
                         order[i]);
    json_decref(root);
}

Test(cli_lapack, only_a_product_has_a_speedup_over_the_naive_loop)
{
    json_t *root = run_json("--kernels naive,dgemm,dgetrf --naive-budget 0");
    cr_assert_eq(json_array_size(results(root)), 3);
    json_t *naive = result_of(root, "naive"), *dgemm = result_of(root, "dgemm");
    cr_assert(json_is_false(json_object_get(naive, "estimated")), "--naive-budget 0: in full");
    cr_assert_float_eq(json_number_value(json_object_get(naive, "speedup_vs_naive")), 1.0, 1e-12);
    json_t *sp = json_object_get(dgemm, "speedup_vs_naive");
    cr_assert(json_is_number(sp), "dgemm has a speed-up over naive");
    cr_assert_gt(json_number_value(sp), 0);
    assert_lapack_result(result_of(root, "dgetrf"), "dgetrf");
    json_decref(root);
}

/* ---- what the table and the header say ------------------------------------ */

/* The line of out that starts with word and a space, copied into line. */
static void find_row(const char *out, const char *word, char *line, size_t cap)
{
    size_t len = strlen(word);
    for (const char *p = out; *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        if (n > len && strncmp(p, word, len) == 0 && p[len] == ' ') {
            snprintf(line, cap, "%.*s", (int)n, p);
            return;
        }
        p += n + (end != NULL);
    }
    cr_assert_fail("no row for %s in:\n%s", word, out);
}

Test(cli_lapack, the_table_shows_residuals_and_the_lapack_lesson)
{
    struct run r;
    run_matbench(&r, "", QUICK " --kernels lapack");
    cr_assert_eq(r.code, 0, "%s", r.err);
    for (size_t i = 0; i < COUNT(lapack); i++) {
        char line[512];
        find_row(r.out, lapack[i], line, sizeof line);
        cr_assert(strstr(line, "yes (resid ") != NULL, "the verified column: %s", line);
    }
    cr_assert(strstr(r.out, "\nLAPACK's blocked factorisations") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "(a pass is below 16, as in HPL)") != NULL, "%s", r.out);
}

Test(cli_lapack, the_header_names_the_work_matrices_and_the_layout)
{
    /* the table carries its header on stdout */
    struct run r;
    run_matbench(&r, "", QUICK " --kernels lapack");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\nMatrices  ") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "work matri") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "column-major") != NULL, "%s", r.out);
    /* with a data format the header goes to stderr, and --layout row shows */
    run_matbench(&r, "", QUICK " --kernels lapack --layout row --format csv");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.err, "work matri") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "row-major (--layout row)") != NULL, "%s", r.err);
    cr_assert(strstr(r.out, "kernel,") == r.out, "stdout is the CSV alone: %s", r.out);
}

/* ---- config file and CSV ---------------------------------------------------- */

Test(cli_lapack, layout_and_nrhs_come_from_a_config_file_and_the_flags_win)
{
    char ini[64];
    write_temp(ini, sizeof ini, "/tmp/mb_lapack_ini", "[run]\nlayout = row\nnrhs = 2\n");
    char args[160];
    snprintf(args, sizeof args, "--kernels lapack --config %s", ini);
    json_t *root = run_json(args);
    snprintf(args, sizeof args, "--kernels dgesv --config %s --layout col --nrhs 3", ini);
    json_t *flags = run_json(args);
    unlink(ini);
    json_t *s = settings(root);
    cr_assert_str_eq(json_string_value(json_object_get(s, "layout")), "row");
    cr_assert_eq(json_integer_value(json_object_get(s, "nrhs")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(s, "config")), ini);
    for (size_t i = 0; i < COUNT(lapack); i++)
        assert_lapack_result(json_array_get(results(root), i), lapack[i]);
    json_decref(root);
    s = settings(flags);
    cr_assert_str_eq(json_string_value(json_object_get(s, "layout")), "col");
    cr_assert_eq(json_integer_value(json_object_get(s, "nrhs")), 3);
    json_decref(flags);
}

Test(cli_lapack, a_bad_layout_in_a_config_names_the_file_and_line)
{
    char ini[64];
    write_temp(ini, sizeof ini, "/tmp/mb_lapack_ini", "[run]\nkernels = lapack\nlayout = diag\n");
    char args[160];
    snprintf(args, sizeof args, QUICK " --config %s", ini);
    struct run r;
    run_matbench(&r, "", args);
    unlink(ini);
    cr_assert_eq(r.code, 2, "%s", r.err);
    cr_assert(strstr(r.err, ":3: layout: 'diag'") != NULL, "%s", r.err);
    cr_assert_str_eq(r.out, "");
}

Test(cli_lapack, csv_has_one_verified_row_per_lapack_kernel)
{
    struct run r;
    run_matbench(&r, "", QUICK " --kernels lapack --format csv --quiet");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_str_eq(r.err, "");
    struct csv c;
    parse_csv(&c, r.out);
    cr_assert_eq(c.lines, 1 + COUNT(lapack), "header + 4 rows:\n%s", r.out);
    for (size_t i = 0; i < COUNT(lapack); i++) {
        const size_t row = i + 1;
        cr_assert_eq(c.nfields[row], c.nfields[0], "row %zu has the header's fields", row);
        cr_assert_str_eq(cell(&c, row, "kernel"), lapack[i]);
        cr_assert_str_eq(cell(&c, row, "n"), "40");
        cr_assert_str_eq(cell(&c, row, "verified"), "true", "%s", lapack[i]);
        const char *res = cell(&c, row, "residual");
        char *end;
        double v = strtod(res, &end);
        cr_assert(end != res && *end == '\0' && v >= 0 && v < HPL_THRESHOLD, "%s residual '%s'",
                  lapack[i], res);
        cr_assert_gt(strtod(cell(&c, row, "gflops"), NULL), 0, "%s rate", lapack[i]);
        cr_assert_str_eq(cell(&c, row, "speedup_vs_naive"), "", "%s: no speed-up over naive",
                         lapack[i]);
    }
}
