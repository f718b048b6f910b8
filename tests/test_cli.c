/* cli: the real binary (MB_BINARY) run as a user runs it. Exit codes,
 * messages and output shapes; never timings. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pty.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "matbench/cli.h"
#include "mb_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* A temporary path that does not exist yet (the caller unlinks it). */
static void temp_path(char *path, size_t cap, const char *suffix)
{
    char tmpl[] = "/tmp/mb_cli_reportXXXXXX";
    int fd = mkstemp(tmpl);
    cr_assert(fd >= 0);
    close(fd);
    unlink(tmpl);
    snprintf(path, cap, "%s%s", tmpl, suffix);
}

/* ---- help and version ---------------------------------------------------- */

Test(cli, help_exits_0_with_usage_on_stdout)
{
    struct run r;
    run_matbench(&r, "", "--help");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "Usage") != NULL, "%s", r.out);
    cr_assert_str_eq(r.err, "");
}

Test(cli, version_exits_0_and_names_the_version)
{
    struct run r;
    run_matbench(&r, "", "--version");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strncmp(r.out, "matbench 0.", 11) == 0, "%s", r.out);
    cr_assert_str_eq(r.err, "");
}

/* ---- bad input: exit 2, one line on stderr naming the value, no stdout -- */

static const struct {
    const char *args;     /* shell text */
    const char *fragment; /* the offending value, as the message quotes it */
} bad_input[] = {
    {"0", "'0'"},
    {"-5", "'-5'"},
    {"5000x", "'5000x'"},
    {"1e3", "'1e3'"},
    {"''", "''"},
    {"2147483648", "'2147483648'"},
    {"--threads 0", "'0'"},
    {"--threads 1,,2", "'1,,2'"},
    {"--threads -3", "'-3'"},
    {"--threads 1-", "'1-'"},
    {"--repeat 0", "'0'"},
    {"--warmup x", "'x'"},
    {"--naive-budget -1", "'-1'"},
    {"--naive-budget nan", "'nan'"},
    {"--format xml", "'xml'"},
    {"--kernels foo", "'foo'"},
    {"--seed -1", "'-1'"},
    {"--bogus", "'--bogus'"},
    {"8 9", "'9'"},
    {"--sizes 1000:500:100", "'1000:500:100'"},
    {"--sizes 1:10:0", "'1:10:0'"},
    {"--sizes a,b", "'a,b'"},
    {"100 --sizes 200", "'100'"},
    {"--duration -1", "'-1'"},
    {"--duration abc", "'abc'"},
    {"--min-time -0.5", "'-0.5'"},
    {"--min-time 1s", "'1s'"},
    {"--format html", "'html'"},
    {"--config /nonexistent.ini", "/nonexistent.ini"},
    {"info --format csv", "'csv'"},
};

Test(cli, bad_input_exits_2_with_one_line_naming_the_value)
{
    for (size_t i = 0; i < COUNT(bad_input); i++) {
        struct run r;
        run_matbench(&r, "", bad_input[i].args);
        cr_assert_eq(r.code, 2, "matbench %s exits %d:\n%s", bad_input[i].args, r.code, r.err);
        cr_assert_eq(count_lines(r.err), 1, "matbench %s: one line on stderr:\n%s",
                     bad_input[i].args, r.err);
        cr_assert(strstr(r.err, bad_input[i].fragment) != NULL, "matbench %s names %s: %s",
                  bad_input[i].args, bad_input[i].fragment, r.err);
        cr_assert_str_eq(r.out, "", "matbench %s: nothing on stdout", bad_input[i].args);
    }
}

Test(cli, a_size_too_large_for_memory_exits_2)
{
    struct run r;
    run_matbench(&r, "", "999999");
    cr_assert_eq(r.code, 2, "%s", r.err);
    cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
    cr_assert(strstr(r.err, "999999") != NULL, "%s", r.err);
    cr_assert_str_eq(r.out, "");
}

Test(cli, a_bad_openblas_num_threads_exits_2_naming_the_variable)
{
    static const char *const values[] = {"abc", "0"};
    for (size_t i = 0; i < COUNT(values); i++) {
        char env[64];
        snprintf(env, sizeof env, "OPENBLAS_NUM_THREADS=%s", values[i]);
        struct run r;
        run_matbench(&r, env, "8");
        cr_assert_eq(r.code, 2, "%s: %s", env, r.err);
        cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
        cr_assert(strstr(r.err, "OPENBLAS_NUM_THREADS") != NULL, "%s", r.err);
        cr_assert_str_eq(r.out, "");
    }
}

/* ---- run failures: exit 1 ------------------------------------------------ */

Test(cli, an_unwritable_output_exits_1)
{
    struct run r;
    run_matbench(&r, "", "--output /nonexistent-dir/x.csv 8 --format csv");
    cr_assert_eq(r.code, 1, "%s", r.err);
    cr_assert(strstr(r.err, "/nonexistent-dir/x.csv") != NULL, "names the file: %s", r.err);
    cr_assert_str_eq(r.out, "");
}

/* ---- real runs ------------------------------------------------------------ */

Test(cli, a_csv_run_has_one_verified_row_per_configuration)
{
    struct run r;
    /* --min-time 0: exactly --repeat samples */
    run_matbench(&r, "", "24 --threads 1,2 --repeat 2 --warmup 1 --min-time 0 --format csv");
    cr_assert_eq(r.code, 0, "%s", r.err);
    struct csv c;
    parse_csv(&c, r.out);
    cr_assert_eq(c.lines, 4, "header + naive + dgemm at 1 and 2 threads:\n%s", r.out);
    static const struct {
        const char *kernel, *threads;
    } want[] = {{"naive", "1"}, {"dgemm", "1"}, {"dgemm", "2"}};
    for (size_t i = 0; i < COUNT(want); i++) {
        size_t row = i + 1;
        cr_assert_eq(c.nfields[row], c.nfields[0], "row %zu has every column", row);
        cr_assert_str_eq(cell(&c, row, "kernel"), want[i].kernel, "row %zu", row);
        cr_assert_str_eq(cell(&c, row, "n"), "24", "row %zu", row);
        cr_assert_str_eq(cell(&c, row, "threads"), want[i].threads, "row %zu", row);
        cr_assert_str_eq(cell(&c, row, "verified"), "true", "row %zu:\n%s", row, r.out);
        cr_assert_str_eq(cell(&c, row, "estimated"), "false", "row %zu", row);
        cr_assert_str_eq(cell(&c, row, "rows_done"), "24", "row %zu", row);
    }
    cr_assert_str_eq(cell(&c, 2, "repeat"), "2");
    cr_assert_str_eq(cell(&c, 2, "warmup"), "1");
}

Test(cli, a_json_run_parses_back_with_its_results)
{
    struct run r;
    run_matbench(&r, "", "24 --threads 1,2 --repeat 2 --warmup 1 --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_error_t err;
    json_t *root = json_loads(r.out, 0, &err);
    cr_assert_not_null(root, "stdout is JSON: %s\n%s", err.text, r.out);
    json_t *results = json_object_get(root, "results");
    cr_assert_eq(json_array_size(results), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *x = json_array_get(results, i);
        cr_assert(json_is_true(json_object_get(x, "verified")), "results[%zu] verified", i);
        cr_assert_eq(json_integer_value(json_object_get(x, "n")), 24);
    }
    json_t *threads = json_object_get(json_object_get(root, "settings"), "threads");
    cr_assert_eq(json_array_size(threads), 2);
    cr_assert_eq(json_integer_value(json_array_get(threads, 0)), 1);
    cr_assert_eq(json_integer_value(json_array_get(threads, 1)), 2);
    cr_assert(json_is_null(json_object_get(json_object_get(root, "blas"), "env_threads")),
              "OPENBLAS_NUM_THREADS unset is null");
    json_decref(root);
}

Test(cli, openblas_num_threads_sets_the_default_thread_list)
{
    struct run r;
    run_matbench(&r, "OPENBLAS_NUM_THREADS=1", "16 --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_error_t err;
    json_t *root = json_loads(r.out, 0, &err);
    cr_assert_not_null(root, "%s", err.text);
    json_t *threads = json_object_get(json_object_get(root, "settings"), "threads");
    cr_assert_eq(json_array_size(threads), 1, "settings.threads is [1]");
    cr_assert_eq(json_integer_value(json_array_get(threads, 0)), 1);
    json_t *env = json_object_get(json_object_get(root, "blas"), "env_threads");
    cr_assert(json_is_integer(env), "blas.env_threads is a number");
    cr_assert_eq(json_integer_value(env), 1);
    json_t *results = json_object_get(root, "results");
    cr_assert_eq(json_array_size(results), 2, "naive + dgemm at 1 thread");
    json_decref(root);
}

Test(cli, output_file_is_written_and_stdout_stays_empty)
{
    char path[256];
    temp_path(path, sizeof path, ".csv");
    char args[512];
    snprintf(args, sizeof args, "12 --threads 1 --format csv --output %s", path);
    struct run r;
    run_matbench(&r, "", args);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "", "the report goes to the file");
    char text[8192];
    slurp(path, text, sizeof text);
    struct csv c;
    parse_csv(&c, text);
    cr_assert_eq(c.lines, 3, "header + naive + dgemm:\n%s", text);
    cr_assert_str_eq(cell(&c, 1, "kernel"), "naive");
    cr_assert_str_eq(cell(&c, 2, "kernel"), "dgemm");
    unlink(path);
}

Test(cli, json_output_file_parses)
{
    char path[256];
    temp_path(path, sizeof path, ".json");
    char args[512];
    snprintf(args, sizeof args, "12 --kernels dgemm --threads 1 --format json --output %s", path);
    struct run r;
    run_matbench(&r, "", args);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "");
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    cr_assert_not_null(root, "%s", err.text);
    cr_assert_eq(json_array_size(json_object_get(root, "results")), 1);
    json_decref(root);
    unlink(path);
}

Test(cli, info_exits_0_and_describes_openblas)
{
    struct run r;
    run_matbench(&r, "", "info");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "OpenBLAS") != NULL, "%s", r.out);
}

Test(cli, no_verify_reports_results_as_unverified)
{
    struct run r;
    run_matbench(&r, "", "10 --kernels dgemm --threads 1 --no-verify --format csv");
    cr_assert_eq(r.code, 0, "%s", r.err);
    struct csv c;
    parse_csv(&c, r.out);
    cr_assert_eq(c.lines, 2, "%s", r.out);
    cr_assert_str_eq(cell(&c, 1, "verified"), "false");
    cr_assert_str_eq(cell(&c, 1, "residual"), "", "no residual when skipped");
}

/* ---- sweeps, formats, duration ------------------------------------------ */

Test(cli, a_size_sweep_runs_every_size_and_thread_count_in_order)
{
    struct run r;
    run_matbench(&r, "",
                 "--sizes 40,24 --kernels dgemm --threads 1,2 --repeat 1 --format csv --quiet");
    cr_assert_eq(r.code, 0, "%s", r.err);
    struct csv c;
    parse_csv(&c, r.out);
    cr_assert_eq(c.lines, 5, "header + 2 sizes x 2 thread counts:\n%s", r.out);
    static const char *const n[] = {"40", "40", "24", "24"}, *const t[] = {"1", "2", "1", "2"};
    for (size_t row = 1; row < 5; row++) {
        cr_assert_str_eq(cell(&c, row, "n"), n[row - 1], "row %zu", row);
        cr_assert_str_eq(cell(&c, row, "threads"), t[row - 1], "row %zu", row);
        cr_assert_str_eq(cell(&c, row, "verified"), "true", "row %zu", row);
    }
}

Test(cli, markdown_goes_to_stdout_as_a_table)
{
    struct run r;
    run_matbench(&r, "", "24 --kernels dgemm --threads 1 --repeat 1 --format markdown --quiet");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strncmp(r.out, "| kernel |", 10) == 0, "%s", r.out);
}

Test(cli, info_as_json_names_the_cores)
{
    struct run r;
    run_matbench(&r, "", "info --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = json_loads(r.out, 0, NULL);
    cr_assert_not_null(root, "%s", r.out);
    json_t *m = json_object_get(root, "machine");
    cr_assert_geq(json_integer_value(json_object_get(m, "physical_cores")), 1);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "blas"), "name")),
                     "OpenBLAS");
    json_decref(root);
}

Test(cli, a_duration_is_covered_by_the_timed_passes)
{
    /* not a timing assertion: --duration 0.3 keeps repeating until 0.3 s
     * of wall time have passed (so the run takes at least that long),
     * whatever each call takes; each sample times calls_per_sample calls
     * and time_s is one call's */
    struct run r;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run_matbench(&r, "",
                 "64 --kernels dgemm --threads 1 --repeat 1 --duration 0.3 --format json --quiet");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *root = json_loads(r.out, 0, NULL);
    cr_assert_not_null(root, "%s", r.out);
    json_t *x = json_array_get(json_object_get(root, "results"), 0);
    json_int_t repeat = json_integer_value(json_object_get(x, "repeat"));
    json_int_t calls = json_integer_value(json_object_get(x, "calls_per_sample"));
    cr_assert_gt(repeat, 1, "more samples than --repeat 1");
    cr_assert_geq(calls, 1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    cr_assert_geq(wall, 0.3, "the run lasted %g s", wall);
    cr_assert(json_is_true(json_object_get(x, "verified")));
    json_decref(root);
}

/* Runs matbench with stdout and stderr on a pseudo-terminal, as a user at
 * a terminal sees it; no_color is NO_COLOR's value or NULL to unset it. */
static void run_on_tty(char *out, size_t cap, const char *no_color)
{
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    if (pid < 0)
        cr_skip_test("no pseudo-terminal here (forkpty: %s): the terminal output checks are "
                     "skipped; mb_cli_fancy's table still runs",
                     strerror(errno));
    if (pid == 0) {
        /* as MB_TEST_CLEAN_ENV (mb_test.h) */
        unsetenv("OPENBLAS_NUM_THREADS");
        unsetenv("MATBENCH_CORETYPE");
        unsetenv("MATBENCH_CORETYPE_DETECTED");
        unsetenv("MATBENCH_CORETYPE_HOW");
        if (no_color != NULL)
            setenv("NO_COLOR", no_color, 1);
        else
            unsetenv("NO_COLOR");
        execl(MB_BINARY, MB_BINARY, "40", "--kernels", "dgemm", "--threads", "1,2", "--repeat", "1",
              "--quiet", (char *)NULL);
        _exit(127);
    }
    size_t len = 0;
    for (;;) {
        ssize_t k = read(master, out + len, cap - 1 - len);
        if (k <= 0) /* EIO once the child has gone */
            break;
        len += (size_t)k;
        if (len == cap - 1)
            break;
    }
    out[len] = '\0';
    close(master);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status %d:\n%s", status, out);
}

Test(cli, a_terminal_gets_bars_and_colour)
{
    char out[16384];
    run_on_tty(out, sizeof out, NULL);
    cr_assert_not_null(strstr(out, "█"), "bars:\n%s", out);
    cr_assert_not_null(strstr(out, "\033["), "colour:\n%s", out);
}

Test(cli, no_color_turns_bars_and_colour_off)
{
    char out[16384];
    run_on_tty(out, sizeof out, "1");
    cr_assert_null(strstr(out, "█"), "no bars:\n%s", out);
    cr_assert_null(strstr(out, "\033["), "no escapes:\n%s", out);
    cr_assert_not_null(strstr(out, "GFLOP/s"), "still the table:\n%s", out);
}

Test(cli, a_pipe_gets_no_bars_or_colour)
{
    /* stdout and stderr both into a pipe, NO_COLOR unset */
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             MB_TEST_CLEAN_ENV " '%s' 40 --kernels dgemm --threads 1,2 --repeat 1 2>&1 </dev/null",
             MB_BINARY);
    FILE *pipe = popen(cmd, "r");
    cr_assert_not_null(pipe, "%s", cmd);
    static char out[65536];
    size_t len = fread(out, 1, sizeof out - 1, pipe);
    out[len] = '\0';
    int status = pclose(pipe);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status %d:\n%s", status, out);
    cr_assert_not_null(strstr(out, "GFLOP/s"), "the table:\n%s", out);
    cr_assert_null(strstr(out, "█"), "no bars:\n%s", out);
    cr_assert_null(strchr(out, '\033'), "no escapes, no progress line:\n%s", out);
}

/* Writes text to a fresh temporary INI file named by path. */
static void write_config(char *path, size_t cap, const char *text)
{
    write_temp(path, cap, "/tmp/mb_cli_ini", text);
}

Test(cli, a_bad_config_file_exits_2_naming_file_and_line)
{
    char ini[64];
    write_config(ini, sizeof ini, "[run]\nsizes = 24\nbogus = 1\n");
    char args[128], want[128];
    snprintf(args, sizeof args, "--config %s", ini);
    snprintf(want, sizeof want, "matbench: %s:3: unknown key 'bogus'", ini);
    struct run r;
    run_matbench(&r, "", args);
    unlink(ini);
    cr_assert_eq(r.code, 2, "%s", r.err);
    cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
    cr_assert(strncmp(r.err, want, strlen(want)) == 0, "starts with %s: %s", want, r.err);
    cr_assert_str_eq(r.out, "");
}

Test(cli, a_config_file_can_send_the_report_to_a_file)
{
    /* the output path is read from the file, which is closed long before
     * the report is written */
    char report[256], ini[64], text[512];
    temp_path(report, sizeof report, ".csv");
    snprintf(text, sizeof text,
             "[run]\nsizes = 12\nkernels = dgemm\nthreads = 1\n[output]\nformat = csv\n"
             "output = %s\nquiet = yes\n",
             report);
    write_config(ini, sizeof ini, text);
    char args[128];
    snprintf(args, sizeof args, "--config %s", ini);
    struct run r;
    run_matbench(&r, "", args);
    unlink(ini);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "", "the report goes to the file");
    cr_assert_str_eq(r.err, "", "quiet");
    char csv_text[8192];
    slurp(report, csv_text, sizeof csv_text);
    unlink(report);
    struct csv c;
    parse_csv(&c, csv_text);
    cr_assert_eq(c.lines, 2, "header + dgemm:\n%s", csv_text);
    cr_assert_str_eq(cell(&c, 1, "n"), "12");
    cr_assert_str_eq(cell(&c, 1, "verified"), "true");
}

static const struct {
    int tty;
    const char *no_color;
    bool fancy;
} fancy_cases[] = {
    {1, NULL, true}, {1, "", true}, {1, "1", false}, {1, "0", false}, {0, NULL, false},
};

Test(cli, fancy_output_table)
{
    for (size_t i = 0; i < COUNT(fancy_cases); i++)
        cr_assert_eq(mb_cli_fancy(fancy_cases[i].tty, fancy_cases[i].no_color),
                     fancy_cases[i].fancy, "tty %d, NO_COLOR %s", fancy_cases[i].tty,
                     fancy_cases[i].no_color ? fancy_cases[i].no_color : "unset");
}

/* --config NAME: a name that is not a file is looked up as NAME.ini in
 * MATBENCH_CONFIG_DIR (here the repository's configs/); the command line
 * still wins over it, which keeps the run tiny. */
Test(cli, config_name_resolves_in_matbench_config_dir)
{
    struct run r;
    run_matbench(&r, "MATBENCH_CONFIG_DIR='" MB_SOURCE_DIR "/configs'",
                 "--config quick --sizes 16 --kernels dgemm --threads 1 --repeat 1 --warmup 0 "
                 "--no-peak --no-monitor --format csv --quiet");
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_assert(strstr(r.out, "dgemm") != NULL, "%s", r.out);
}

Test(cli, config_name_missing_names_what_was_tried)
{
    struct run r;
    run_matbench(&r, "MATBENCH_CONFIG_DIR='" MB_SOURCE_DIR "/configs'", "--config nosuch");
    cr_assert_eq(r.code, 2, "exit %d", r.code);
    cr_assert(strstr(r.err, "'nosuch'") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, MB_SOURCE_DIR "/configs/nosuch.ini") != NULL, "%s", r.err);
    cr_assert(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "one line: %s", r.err);
}

Test(cli, config_path_with_a_slash_is_not_a_name)
{
    struct run r;
    run_matbench(&r, "MATBENCH_CONFIG_DIR='" MB_SOURCE_DIR "/configs'", "--config ./quick");
    cr_assert_eq(r.code, 2, "exit %d", r.code);
    cr_assert(strstr(r.err, "./quick: cannot read the config file") != NULL, "%s", r.err);
}

Test(front, defaults_match_the_design)
{
    struct mb_front f;
    mb_front_defaults(&f);
    cr_assert_eq(f.format, MB_FORMAT_TABLE);
    cr_assert_null(f.output, "stdout");
    cr_assert(f.monitor && f.peak, "the monitor and the peak are on");
    cr_assert(!f.quiet && !f.live);
    cr_assert_null(f.config);
    cr_assert_null(f.coretype, "the core type OpenBLAS detects");
}
