/* cli: the real binary's exit codes, messages and outputs (never timings). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct run {
    int code;
    char out[65536];
    char err[4096];
};

static void slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t len = f ? fread(buf, 1, cap - 1, f) : 0;
    buf[len] = '\0';
    if (f)
        fclose(f);
}

/* Runs "env ENV matbench ARGS" through the shell, capturing both streams. */
static void run(struct run *r, const char *env, const char *args)
{
    char out[] = "/tmp/mb_cli_outXXXXXX", err[] = "/tmp/mb_cli_errXXXXXX";
    int fo = mkstemp(out), fe = mkstemp(err);
    cr_assert(fo >= 0 && fe >= 0);
    close(fo), close(fe);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "env -u OPENBLAS_NUM_THREADS %s '%s' %s >%s 2>%s </dev/null", env,
             MB_BINARY, args, out, err);
    int status = system(cmd);
    cr_assert(WIFEXITED(status), "%s", cmd);
    r->code = WEXITSTATUS(status);
    slurp(out, r->out, sizeof r->out);
    slurp(err, r->err, sizeof r->err);
    unlink(out), unlink(err);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

Test(cli, help_and_version_exit_0)
{
    struct run r;
    run(&r, "", "--help");
    cr_assert_eq(r.code, 0);
    cr_assert(strstr(r.out, "Usage") != NULL);
    run(&r, "", "--version");
    cr_assert_eq(r.code, 0);
    cr_assert(strncmp(r.out, "matbench 0.", 11) == 0, "%s", r.out);
}

Test(cli, bad_input_is_one_line_and_exit_2)
{
    static const struct {
        const char *args, *fragment;
    } bad[] = {
        {"0", "'0'"},
        {"-5", "'-5'"},
        {"5000x", "'5000x'"},
        {"1e3", "'1e3'"},
        {"''", "''"},
        {"--threads 0", "'0'"},
        {"--threads 1,,2", "'1,,2'"},
        {"--threads -3", "'-3'"},
        {"--repeat 0", "'0'"},
        {"--naive-budget -1", "'-1'"},
        {"--format xml", "'xml'"},
        {"--bogus", "'--bogus'"},
        {"--kernels foo", "'foo'"},
        {"2147483648", "'2147483648'"},
        {"999999", "'999999'"},
        {"8 9", "'9'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct run r;
        run(&r, "", bad[i].args);
        cr_assert_eq(r.code, 2, "matbench %s exits %d", bad[i].args, r.code);
        cr_assert_eq(count_lines(r.err), 1, "one line for %s: %s", bad[i].args, r.err);
        cr_assert(strstr(r.err, bad[i].fragment) != NULL, "%s: %s", bad[i].args, r.err);
        cr_assert_str_eq(r.out, "", "nothing on stdout for %s", bad[i].args);
    }
}

Test(cli, bad_openblas_num_threads_is_named)
{
    struct run r;
    run(&r, "OPENBLAS_NUM_THREADS=abc", "8");
    cr_assert_eq(r.code, 2);
    cr_assert(strstr(r.err, "OPENBLAS_NUM_THREADS") != NULL, "%s", r.err);
}

Test(cli, unwritable_output_exits_1)
{
    struct run r;
    run(&r, "", "8 --format csv --output /nonexistent-dir/x.csv");
    cr_assert_eq(r.code, 1);
    cr_assert(strstr(r.err, "/nonexistent-dir/x.csv") != NULL, "%s", r.err);
}

Test(cli, csv_run_has_one_row_per_configuration)
{
    struct run r;
    run(&r, "", "24 --threads 1,2 --repeat 2 --warmup 1 --format csv");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_eq(count_lines(r.out), 4, "header + naive + 2 dgemm:\n%s", r.out);
    cr_assert(strncmp(r.out, "kernel,", 7) == 0);
    cr_assert(strstr(r.out, "\nnaive,24,1,") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\ndgemm,24,1,2,1,") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\ndgemm,24,2,2,1,") != NULL, "%s", r.out);
    size_t verified = 0;
    for (const char *p = r.out; (p = strstr(p, ",true,")) != NULL; p++)
        verified++;
    cr_assert_eq(verified, 3, "every row verified (and none estimated):\n%s", r.out);
    cr_assert(strstr(r.err, "htop -p") != NULL, "the header goes to stderr");
}

Test(cli, json_run_parses_back)
{
    struct run r;
    run(&r, "OPENBLAS_NUM_THREADS=1", "16 --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_error_t err;
    json_t *root = json_loads(r.out, 0, &err);
    cr_assert_not_null(root, "%s", err.text);
    json_t *threads = json_object_get(json_object_get(root, "settings"), "threads");
    cr_assert_eq(json_array_size(threads), 1);
    cr_assert_eq(json_integer_value(json_array_get(threads, 0)), 1);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(root, "blas"), "env_threads")),
                 1);
    json_t *results = json_object_get(root, "results");
    cr_assert_eq(json_array_size(results), 2);
    for (size_t i = 0; i < 2; i++)
        cr_assert(json_is_true(json_object_get(json_array_get(results, i), "verified")));
    json_decref(root);
}

Test(cli, output_file_is_written_and_stdout_stays_empty)
{
    char path[] = "/tmp/mb_cli_reportXXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    char args[256];
    snprintf(args, sizeof args, "12 --kernels dgemm --threads 1 --format csv --output %s", path);
    struct run r;
    run(&r, "", args);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "");
    char text[4096];
    slurp(path, text, sizeof text);
    cr_assert_eq(count_lines(text), 2, "%s", text);
    unlink(path);
}

Test(cli, info_describes_the_blas)
{
    struct run r;
    run(&r, "", "info");
    cr_assert_eq(r.code, 0);
    cr_assert(strstr(r.out, "OpenBLAS") != NULL);
    cr_assert(strstr(r.out, "physical cores") != NULL);
}

Test(cli, no_verify_is_reported)
{
    struct run r;
    run(&r, "", "10 --kernels dgemm --threads 1 --no-verify --format csv");
    cr_assert_eq(r.code, 0);
    cr_assert(strstr(r.out, ",false,,false,") != NULL, "verified false, residual empty:\n%s",
              r.out);
}
