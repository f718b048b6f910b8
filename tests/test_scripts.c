/* scripts: bench/sweep-threads.sh and bench/sweep-sizes.sh run as a user
 * runs them, against the built matbench: the CSV they collect (one row per
 * configuration, in order, every result verified), the plots when gnuplot
 * is there, the explanation when it is not, and their argument errors; and
 * bench/compare-bare.sh's output for each kernel it takes, and bench/compare.sh's
 * rounds and comparison. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mb_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Runs "env MB_TEST_CLEAN_ENV -u MATBENCH_ARGS -u SIZES MATBENCH=<binary>
 * ENV bench/SCRIPT ARGS" through the shell, capturing stdout and stderr:
 * what mb_test.h's MB_TEST_CLEAN_ENV leaves out and the scripts' own
 * settings come only from ENV, never from the shell the suite runs in. */
static void run(struct run *r, const char *env, const char *script, const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             MB_TEST_CLEAN_ENV " -u MATBENCH_ARGS -u SIZES MATBENCH='%s' %s '%s/bench/%s' %s",
             MB_BINARY, env, MB_SOURCE_DIR, script, args);
    run_shell(r, cmd);
}

static char outdir[64];

static void make_outdir(void)
{
    strcpy(outdir, "/tmp/mb_sweepXXXXXX");
    cr_assert_not_null(mkdtemp(outdir));
}

static void remove_outdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", outdir);
    cr_assert_eq(system(cmd), 0);
}

static bool exists(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat sb;
    return stat(path, &sb) == 0 && sb.st_size > 0;
}

static bool have_gnuplot(void)
{
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The number a shell command prints (nproc, for the last fallback). */
static int command_number(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "%s", cmd);
    int n = 0;
    cr_assert_eq(fscanf(p, "%d", &n), 1, "%s prints a number", cmd);
    cr_assert_eq(pclose(p), 0, "%s", cmd);
    return n;
}

/* The cores this process may use, from matbench info --format json (what
 * bench/lib.sh's mb_cores reads). */
static int usable_cores(void)
{
    struct run r;
    char cmd[512];
    snprintf(cmd, sizeof cmd, MB_TEST_CLEAN_ENV " '%s' info --format json", MB_BINARY);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t len = fread(r.out, 1, sizeof r.out - 1, p);
    r.out[len] = '\0';
    cr_assert_eq(pclose(p), 0);
    json_t *root = json_loads(r.out, 0, NULL);
    cr_assert_not_null(root, "info JSON: %s", r.out);
    int cores =
        (int)json_integer_value(json_object_get(json_object_get(root, "machine"), "usable_cores"));
    json_decref(root);
    cr_assert_geq(cores, 1);
    return cores;
}

/* dir/name read as CSV (mb_test.h), every row as wide as the header. */
static void read_csv(struct csv *c, const char *dir, const char *name)
{
    char path[256], text[sizeof c->text];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    slurp(path, text, sizeof text);
    parse_csv(c, text);
    for (size_t row = 1; row < c->lines; row++)
        cr_assert_eq(c->nfields[row], c->nfields[0], "row %zu has %zu fields, the header %zu", row,
                     c->nfields[row], c->nfields[0]);
}

static void assert_plots(const char *stem)
{
    char png[64], svg[64];
    snprintf(png, sizeof png, "%s.png", stem);
    snprintf(svg, sizeof svg, "%s.svg", stem);
    if (!have_gnuplot()) {
        cr_log_warn("gnuplot is not installed: the %s plot checks are skipped "
                    "(apt-get install gnuplot-nox)",
                    stem);
        return;
    }
    cr_assert(exists(outdir, png), "%s/%s written", outdir, png);
    cr_assert(exists(outdir, svg), "%s/%s written", outdir, svg);
    char path[256], head[8];
    snprintf(path, sizeof path, "%s/%s", outdir, png);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    cr_assert_eq(fread(head, 1, 8, f), 8);
    fclose(f);
    cr_assert(memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0, "%s is a PNG", path);
}

TestSuite(scripts, .init = make_outdir, .fini = remove_outdir, .timeout = 120);

/* threads.csv in outdir holds one verified dgemm row at size n for each
 * t = 1 ... top, in order. */
static void assert_thread_rows(const char *n, int top)
{
    struct csv c;
    read_csv(&c, outdir, "threads.csv");
    cr_assert_eq(c.lines, 1 + (size_t)top, "header + %d rows, got %zu data rows:\n%s", top,
                 c.lines - 1, c.text);
    for (size_t i = 1; i < c.lines; i++) {
        cr_assert_str_eq(cell(&c, i, "kernel"), "dgemm");
        cr_assert_str_eq(cell(&c, i, "n"), n);
        cr_assert_eq(atoi(cell(&c, i, "threads")), (int)i, "row %zu runs %zu threads", i, i);
        cr_assert_str_eq(cell(&c, i, "verified"), "true", "row %zu verified", i);
        cr_assert_gt(strtod(cell(&c, i, "gflops"), NULL), 0.0, "row %zu has a rate", i);
    }
}

Test(scripts, sweep_threads_collects_one_verified_row_per_thread_count)
{
    struct run r;
    char args[128];
    snprintf(args, sizeof args, "200 '%s'", outdir);
    run(&r, "MATBENCH_ARGS='--min-time 0'", "sweep-threads.sh", args);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    assert_thread_rows("200", 2 * usable_cores());
    assert_plots("threads");
    cr_assert_not_null(strstr(r.out, "threads.csv"), "names the CSV it wrote: %s", r.out);
}

Test(scripts, sweep_sizes_collects_naive_and_dgemm_per_size)
{
    struct run r;
    char args[128];
    snprintf(args, sizeof args, "'%s'", outdir);
    run(&r, "SIZES=32,64 MATBENCH_ARGS='--min-time 0'", "sweep-sizes.sh", args);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    const int cores = usable_cores();
    const size_t per_size = cores == 1 ? 2 : 3; /* naive, dgemm at 1 and at all cores */
    struct csv c;
    read_csv(&c, outdir, "sizes.csv");
    cr_assert_eq(c.lines, 1 + 2 * per_size, "got %zu rows", c.lines);
    for (size_t i = 1; i < c.lines; i++) {
        cr_assert_str_eq(cell(&c, i, "n"), i <= per_size ? "32" : "64");
        cr_assert_str_eq(cell(&c, i, "verified"), "true", "row %zu verified", i);
    }
    cr_assert_str_eq(cell(&c, 1, "kernel"), "naive");
    cr_assert_str_eq(cell(&c, 2, "kernel"), "dgemm");
    assert_plots("sizes");
}

/* sweep-blas.sh over the two OpenBLAS builds matbench's CI always has:
 * a verified row per library and thread count, the thread counts
 * 1 ... usable cores (1,2 on one core), and the plot. */
Test(scripts, sweep_blas_collects_a_verified_row_per_library_and_thread_count)
{
    struct run r;
    char args[128];
    snprintf(args, sizeof args, "120 '%s'", outdir);
    run(&r, "MATBENCH_ARGS='--blas openblas-pthread,openblas-serial --min-time 0'", "sweep-blas.sh",
        args);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    const int top = usable_cores() > 1 ? usable_cores() : 2;
    struct csv c;
    read_csv(&c, outdir, "blas.csv");
    cr_assert_eq(c.lines, 1 + 2 * (size_t)top, "header + %d rows, got:\n%s", 2 * top, c.text);
    for (size_t i = 1; i < c.lines; i++) {
        const char *lib = cell(&c, i, "library");
        cr_assert(strcmp(lib, "openblas-pthread") == 0 || strcmp(lib, "openblas-serial") == 0,
                  "row %zu: %s", i, lib);
        cr_assert_str_eq(cell(&c, i, "n"), "120");
        cr_assert_str_eq(cell(&c, i, "verified"), "true", "row %zu verified", i);
        int t = atoi(cell(&c, i, "threads"));
        cr_assert(t >= 1 && t <= top, "row %zu runs %d threads", i, t);
    }
    assert_plots("blas");
    cr_assert_not_null(strstr(r.out, "blas.csv"), "names the CSV it wrote: %s", r.out);
}

Test(scripts, help_prints_the_usage)
{
    static const char *const scripts[] = {"sweep-threads.sh", "sweep-sizes.sh", "compare-bare.sh",
                                          "sweep-blas.sh", "compare.sh"};
    for (size_t i = 0; i < COUNT(scripts); i++) {
        struct run r;
        run(&r, "", scripts[i], "--help");
        cr_assert_eq(r.code, 0, "%s --help exits 0", scripts[i]);
        cr_assert_not_null(strstr(r.out, "usage: bench/"), "%s: %s", scripts[i], r.out);
    }
}

/* ---- compare-bare.sh ------------------------------------------------------ */

/* compare-bare.sh N 2 BUILD_DIR KERNEL against the build directory of the
 * matbench under test: a line per round, then the summary; the kernel is
 * named first unless it is dgemm, whose summary keeps its old form. */
static void assert_compare_bare(const char *n, const char *kernel, const char *summary_start)
{
    char build[512], bare[600];
    snprintf(build, sizeof build, "%s", MB_BINARY);
    char *slash = strrchr(build, '/');
    cr_assert_not_null(slash);
    *slash = '\0';
    snprintf(bare, sizeof bare, "%s/bare_%s", build, kernel);
    if (access(bare, X_OK) != 0)
        cr_skip_test("%s is not built (cmake --build builds it)", bare);
    char args[700], want[128];
    /* dgemm is the default: left out, it tests that too */
    snprintf(args, sizeof args, "%s 2 '%s' %s", n, build, strcmp(kernel, "dgemm") ? kernel : "");
    struct run r;
    run(&r, "", "compare-bare.sh", args);
    cr_assert_eq(r.code, 0, "compare-bare.sh %s exits %d: %s", args, r.code, r.err);
    cr_assert_eq(count_lines(r.out), 3, "two rounds and the summary:\n%s", r.out);
    cr_assert(strncmp(r.out, "round 1: matbench ", 18) == 0, "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\nround 2: matbench "), "%s", r.out);
    cr_assert_not_null(strstr(r.out, " GFLOP/s, bare "), "%s", r.out);
    snprintf(want, sizeof want, "\n%s%s threads=%d: matbench median ", summary_start, n,
             usable_cores());
    cr_assert_not_null(strstr(r.out, want), "the summary starts %s:\n%s", want + 1, r.out);
    cr_assert_not_null(strstr(r.out, "%\n"), "ends with the ratio:\n%s", r.out);
    cr_assert_not_null(strstr(r.out, ", matbench/bare "), "%s", r.out);
}

Test(scripts, compare_bare_compares_dgemm_by_default)
{
    assert_compare_bare("64", "dgemm", "n=");
}

Test(scripts, compare_bare_compares_dgetrf_with_its_bare_program)
{
    assert_compare_bare("64", "dgetrf", "dgetrf n=");
}

/* ---- compare.sh ------------------------------------------------------------ */

/* Two rounds of the same tiny command on each side: each round's report
 * kept, and the comparison of their merged samples printed and saved. */
Test(scripts, compare_runs_both_sides_interleaved_and_compares_them_merged)
{
    struct run r;
    char args[512];
    const char *cmd = "matbench 64 --kernels dgemm --threads 1 --min-time 0.02 --no-peak";
    snprintf(args, sizeof args, "'%s' '%s' 2 '%s'", cmd, cmd, outdir);
    run(&r, "", "compare.sh", args);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_assert_not_null(strstr(r.out, "dgemm n=64 threads=1"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "(2 files)"), "both rounds merged: %s", r.out);
    cr_assert_not_null(strstr(r.err, "round 2/2: new:"), "%s", r.err);
    const char *files[] = {"old-1.json", "old-2.json",  "new-1.json",
                           "new-2.json", "compare.txt", "compare.json"};
    for (size_t i = 0; i < COUNT(files); i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", outdir, files[i]);
        cr_assert_eq(access(path, R_OK), 0, "%s written", files[i]);
    }
}

/* ---- argument errors: exit 2, one line naming the value, nothing made ---- */

static const struct {
    const char *script;
    const char *args;     /* shell text; DIR is a directory that must not appear */
    const char *fragment; /* what the message must name */
} bad_args[] = {
    {"sweep-threads.sh", "abc 'DIR'", "'abc'"},
    {"sweep-threads.sh", "0 'DIR'", "'0'"},
    {"sweep-threads.sh", "12x 'DIR'", "'12x'"},
    {"sweep-threads.sh", "-5 'DIR'", "'-5'"},
    {"sweep-threads.sh", "", "N"},
    {"sweep-threads.sh", "10 'DIR' extra", "'extra'"},
    {"sweep-threads.sh", "10 --bogus", "'--bogus'"},
    {"sweep-sizes.sh", "--bogus", "'--bogus'"},
    {"sweep-blas.sh", "abc 'DIR'", "'abc'"},
    {"sweep-blas.sh", "", "N"},
    {"sweep-blas.sh", "10 'DIR' extra", "'extra'"},
    {"sweep-sizes.sh", "'DIR' extra", "'extra'"},
    {"compare-bare.sh", "40 1 'DIR' dtrsm", "'dtrsm'"},
    {"compare-bare.sh", "4x", "'4x'"},
    {"compare-bare.sh", "40 0", "'0'"},
    {"compare-bare.sh", "40 1 'DIR' dgetrf extra", "'extra'"},
    {"compare.sh", "'64'", "CMD B"},
    {"compare.sh", "'64' '64' x 'DIR'", "'x'"},
    {"compare.sh", "'64' '64' 0 'DIR'", "'0'"},
    {"compare.sh", "'64' '64' 1 'DIR' extra", "'extra'"},
};

Test(scripts, bad_arguments_exit_2_with_one_line_naming_the_value)
{
    char fresh[128];
    snprintf(fresh, sizeof fresh, "%s/new", outdir);
    for (size_t i = 0; i < COUNT(bad_args); i++) {
        char args[256];
        const char *dir = strstr(bad_args[i].args, "DIR");
        if (dir == NULL)
            snprintf(args, sizeof args, "%s", bad_args[i].args);
        else
            snprintf(args, sizeof args, "%.*s%s%s", (int)(dir - bad_args[i].args), bad_args[i].args,
                     fresh, dir + 3);
        struct run r;
        run(&r, "", bad_args[i].script, args);
        cr_assert_eq(r.code, 2, "%s %s exits %d: %s", bad_args[i].script, args, r.code, r.err);
        cr_assert_eq(count_lines(r.err), 1, "%s %s: one line on stderr:\n%s", bad_args[i].script,
                     args, r.err);
        cr_assert_not_null(strstr(r.err, bad_args[i].fragment), "%s %s names %s: %s",
                           bad_args[i].script, args, bad_args[i].fragment, r.err);
        cr_assert(!exists(outdir, "new"), "%s %s makes no output directory", bad_args[i].script,
                  args);
    }
}

Test(scripts, a_failing_matbench_stops_the_sweep_with_its_exit_code)
{
    struct run r;
    char args[128];
    snprintf(args, sizeof args, "200 '%s'", outdir);
    run(&r, "MATBENCH_ARGS='--repeat 0'", "sweep-threads.sh", args);
    cr_assert_eq(r.code, 2, "matbench's exit code 2 passed on: %s", r.err);
    cr_assert_not_null(strstr(r.err, "OPENBLAS_NUM_THREADS=1"), "names the run: %s", r.err);
    cr_assert(!exists(outdir, "threads.csv"), "no partial CSV under the final name");
    DIR *d = opendir(outdir);
    cr_assert_not_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        cr_assert(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0,
                  "the temporary file is removed, found %s", e->d_name);
    closedir(d);
}

/* ---- where the core count comes from ------------------------------------ */

/* Writes outdir/matbench, a stand-in that answers `matbench info ...` with
 * the shell text info_sh and passes everything else to the real binary, and
 * puts its MATBENCH= setting in env. */
static void fake_matbench(char *env, size_t cap, const char *info_sh)
{
    char path[128];
    snprintf(path, sizeof path, "%s/matbench", outdir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fprintf(f, "#!/bin/sh\nif [ \"$1\" = info ]; then\n%s\nfi\nexec '%s' \"$@\"\n", info_sh,
            MB_BINARY);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(chmod(path, 0755), 0);
    snprintf(env, cap, "MATBENCH='%s'", path);
}

Test(scripts, without_info_json_the_cores_come_from_the_info_text)
{
    /* a matbench older than `info --format json`: 3 cores by its text */
    char env[160], args[128];
    fake_matbench(env, sizeof env,
                  "[ \"$2\" = --format ] && { echo \"matbench: unknown option '--format'\" >&2; "
                  "exit 2; }\n"
                  "echo 'CPU       Stand-in'; echo '          3 physical cores, 6 logical CPUs'; "
                  "exit 0");
    snprintf(args, sizeof args, "48 '%s'", outdir);
    struct run r;
    run(&r, env, "sweep-threads.sh", args);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    assert_thread_rows("48", 6);
}

Test(scripts, without_any_info_the_cores_come_from_nproc)
{
    char env[160], args[128];
    fake_matbench(env, sizeof env, "exit 2");
    snprintf(args, sizeof args, "48 '%s'", outdir);
    struct run r;
    run(&r, env, "sweep-threads.sh", args);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    assert_thread_rows("48", 2 * command_number("nproc"));
}

/* A PATH with every program of the real PATH but gnuplot (symlinks in dir;
 * one ln per PATH entry, which keeps the first of two same-named programs as
 * the shell would find it). */
static void path_without_gnuplot(const char *dir)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "IFS=:; for d in $PATH; do [ -d \"$d\" ] && ln -s -t '%s' \"$d\"/* 2>/dev/null; "
             "done; rm -f '%s'/gnuplot*; [ -e '%s'/bash ] && ! (PATH='%s'; command -v gnuplot)",
             dir, dir, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

Test(scripts, without_gnuplot_the_csv_is_written_and_the_fix_named)
{
    char bin[96];
    snprintf(bin, sizeof bin, "%s/bin", outdir);
    cr_assert_eq(mkdir(bin, 0755), 0);
    path_without_gnuplot(bin);
    struct run r;
    char env[160], args[128];
    snprintf(env, sizeof env, "PATH='%s'", bin);
    snprintf(args, sizeof args, "150 '%s'", outdir);
    run(&r, env, "sweep-threads.sh", args);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    cr_assert(exists(outdir, "threads.csv"));
    cr_assert(!exists(outdir, "threads.png"));
    cr_assert_not_null(strstr(r.err, "gnuplot-nox"), "says how to install gnuplot: %s", r.err);
    cr_assert_not_null(strstr(r.out, "threads.csv"), "still names the CSV: %s", r.out);
}
