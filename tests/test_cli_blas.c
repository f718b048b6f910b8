/* matbench blas from the command line: its refusals (exit 2 before
 * anything runs), a library that crashes, hangs or answers wrong, no
 * folder found, and the report's shapes. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mb_test.h"

/* The smallest real comparison: openblas-pthread, which matbench links,
 * so it is there wherever the suite runs. */
#define REAL "openblas-pthread"

Test(cli_blas, refuses_bad_input_before_anything_runs)
{
    char notlib[] = "/tmp/mb_notlibXXXXXX";
    int fd = mkstemp(notlib);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "text\n", 5), 5);
    close(fd);
    char args[5][512];
    snprintf(args[0], sizeof args[0], "blas 65 --blas /nonexistent/libblas.so.3");
    snprintf(args[1], sizeof args[1], "blas 65 --blas %s", notlib);
    snprintf(args[2], sizeof args[2], "blas 65 --blas %s", MB_FAKE_NOSYM);
    snprintf(args[3], sizeof args[3], "blas 65 --blas no-such-blas");
    snprintf(args[4], sizeof args[4], "blas 65 --kernels naive");
    const char *says[] = {"does not exist", "cannot load", "neither cblas_dgemm nor dgemm_",
                          "neither a BLAS found", "not one matbench blas runs"};
    for (size_t i = 0; i < 5; i++) {
        struct run r;
        run_matbench(&r, "", args[i]);
        cr_assert_eq(r.code, 2, "%s: exit %d: %s", args[i], r.code, r.err);
        cr_assert(strstr(r.err, says[i]) != NULL, "%s: %s", args[i], r.err);
        cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "one line: %s", r.err);
        cr_assert_str_eq(r.out, "", "%s: nothing on stdout", args[i]);
    }
    unlink(notlib);
}

Test(cli_blas, its_options_belong_to_it)
{
    struct run r;
    run_matbench(&r, "", "100 --blas " REAL);
    cr_assert_eq(r.code, 2);
    cr_assert(strstr(r.err, "--blas is an option of matbench blas") != NULL, "%s", r.err);
    run_matbench(&r, "", "info --time-limit 5");
    cr_assert_eq(r.code, 2);
    cr_assert(strstr(r.err, "--time-limit") != NULL, "%s", r.err);
}

Test(cli_blas, no_folder_found_says_where_it_looked_and_what_to_install)
{
    char empty[] = "/tmp/mb_noblasXXXXXX";
    cr_assert_not_null(mkdtemp(empty));
    char env[128];
    snprintf(env, sizeof env, "MATBENCH_BLAS_DIR=%s", empty);
    struct run r;
    run_matbench(&r, env, "blas 65 --no-peak");
    rmdir(empty);
    cr_assert_eq(r.code, 1, "%s", r.err);
    cr_assert(strstr(r.err, empty) != NULL, "names the folder: %s", r.err);
    cr_assert(strstr(r.err, "libopenblas0-openmp") != NULL, "names the packages: %s", r.err);
}

Test(cli_blas, a_crash_and_a_hang_are_rows_and_the_others_run, .timeout = 120)
{
    char args[1024];
    snprintf(args, sizeof args, "blas 65 --threads 1 --no-peak --time-limit 2 --blas %s,%s," REAL,
             MB_FAKE_SEGV, MB_FAKE_HANG);
    struct run r;
    run_matbench(&r, "", args);
    cr_assert_eq(r.code, 0, "a crash is a finding, not a failure: %s", r.err);
    cr_assert(strstr(r.out, "crashed (signal 11") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "no answer in 2 s") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "fastest here is " REAL) != NULL, "%s", r.out);
}

Test(cli_blas, a_wrong_product_exits_1, .timeout = 60)
{
    char args[1024];
    snprintf(args, sizeof args, "blas 65 --threads 1 --no-peak --blas %s --format json",
             MB_FAKE_WRONG);
    struct run r;
    run_matbench(&r, "", args);
    cr_assert_eq(r.code, 1, "%s", r.err);
    cr_assert(strstr(r.err, "failed verification") != NULL, "%s", r.err);
    json_error_t e;
    json_t *doc = json_loads(r.out, 0, &e);
    cr_assert_not_null(doc, "the report is still written: %s", e.text);
    json_t *row = json_array_get(json_object_get(doc, "results"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(row, "status")), "failed verification");
    cr_assert(json_is_false(json_object_get(row, "verified")));
    json_decref(doc);
}

Test(cli_blas, json_rows_carry_a_blas_object_and_threads_used, .timeout = 120)
{
    struct run r;
    run_matbench(&r, "", "blas 200 --threads 1,2 --no-peak --blas " REAL " --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_error_t e;
    json_t *doc = json_loads(r.out, 0, &e);
    cr_assert_not_null(doc, "%s", e.text);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "command")), "blas");
    cr_assert(json_is_object(json_object_get(doc, "search")));
    json_t *results = json_object_get(doc, "results");
    cr_assert_eq(json_array_size(results), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *row = json_array_get(results, i);
        json_t *blas = json_object_get(row, "blas");
        cr_assert_str_eq(json_string_value(json_object_get(blas, "name")), REAL);
        cr_assert_str_eq(json_string_value(json_object_get(blas, "implementation")), "OpenBLAS");
        cr_assert_str_eq(json_string_value(json_object_get(blas, "threading")), "pthreads");
        cr_assert(json_is_string(json_object_get(blas, "version")));
        cr_assert(json_is_string(json_object_get(blas, "core")));
        cr_assert(json_is_string(json_object_get(blas, "path")));
        cr_assert(json_is_boolean(json_object_get(blas, "alternative")));
        cr_assert_eq(json_integer_value(json_object_get(row, "threads_used")),
                     json_integer_value(json_object_get(row, "threads")));
        cr_assert(json_is_true(json_object_get(row, "verified")));
        cr_assert(json_number_value(json_object_get(row, "gflops")) > 0);
        cr_assert(json_is_object(json_object_get(row, "time_s")));
    }
    json_decref(doc);
}

Test(cli_blas, csv_has_a_row_per_library_and_thread_count, .timeout = 120)
{
    struct run r;
    run_matbench(&r, "", "blas 65 --threads 1,2 --no-peak --blas " REAL " --format csv");
    cr_assert_eq(r.code, 0, "%s", r.err);
    static struct csv c;
    parse_csv(&c, r.out);
    cr_assert_eq(c.lines, 3, "a header and two rows:\n%s", r.out);
    for (size_t i = 1; i < 3; i++) {
        cr_assert_str_eq(cell(&c, i, "library"), REAL);
        cr_assert_str_eq(cell(&c, i, "status"), "ok");
        cr_assert_str_eq(cell(&c, i, "verified"), "true");
        cr_assert_str_eq(cell(&c, i, "implementation"), "OpenBLAS");
        cr_assert_str_eq(cell(&c, i, "threads_used_from"), "library");
    }
    cr_assert_str_eq(cell(&c, 2, "threads"), "2");
    cr_assert_str_eq(cell(&c, 2, "threads_used"), "2");
}

Test(cli_blas, the_table_marks_the_alternative_and_states_the_lesson, .timeout = 120)
{
    struct run r;
    run_matbench(&r, "", "blas 65 --threads 1 --no-peak --blas " REAL);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "dgemm, n = 65") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "x ref") != NULL && strstr(r.out, "x best") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "the fastest here is " REAL) != NULL, "%s", r.out);
    /* the alternative is what this machine's link says, whichever it is */
    char real[PATH_MAX];
    bool alt =
        realpath(MB_BLAS_DIR "/libblas.so.3", real) != NULL && strstr(real, "/" REAL "/") != NULL;
    cr_assert_eq(strstr(r.out, "* " REAL) != NULL, alt, "marked as the alternative: %s", r.out);
}

Test(cli_blas, output_writes_the_report_to_a_file, .timeout = 120)
{
    char path[] = "/tmp/mb_blas_outXXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    char args[1024];
    snprintf(args, sizeof args,
             "blas 7 --threads 1 --no-peak --blas " REAL " --format csv "
             "--output %s",
             path);
    struct run r;
    run_matbench(&r, "", args);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "");
    char text[4096];
    slurp(path, text, sizeof text);
    unlink(path);
    cr_assert(strncmp(text, "kernel,n,threads,library", 24) == 0, "%s", text);
}
