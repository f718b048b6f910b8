/* --output as a user meets it, through the binary: links kept, modes, long
 * names, the sub-commands' reports, closed standard descriptors, a full
 * stdout, and a bad destination refused before anything is measured. Every
 * file lives in a fresh directory; nothing here asserts a timing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "mb_test.h"

/* A quick run: one small dgemm, no peak. */
#define QUICK "8 --no-peak --kernels dgemm --threads 1 --repeat 1 --min-time 0 --format csv --quiet"
#define CSV_HEADER "kernel,n,threads,"

static char dir[64];

static void make_dir(void)
{
    mb_scratch_make(dir, sizeof dir, "/tmp/mb_outXXXXXX");
}

static void remove_dir(void)
{
    mb_scratch_remove(dir);
}

TestSuite(cli_output, .init = make_dir, .fini = remove_dir);

static const char *in_dir(int slot, const char *name)
{
    static char paths[4][320]; /* dir (64) and a name of NAME_MAX bytes */
    snprintf(paths[slot], sizeof paths[slot], "%s/%s", dir, name);
    return paths[slot];
}

static int entries(void)
{
    return mb_scratch_entries(dir);
}

/* Runs matbench with ARGS (shell text) and --output FILE. */
static void run_to(struct run *r, const char *args, const char *file)
{
    char all[1024];
    snprintf(all, sizeof all, "%s --output '%s'", args, file);
    run_matbench(r, "", all);
}

/* Runs "{ matbench ARGS; }": ARGS may carry redirections of its own
 * (>/dev/full, 2>&-), which win over the captured ones outside. */
static void run_grouped(struct run *r, const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "{ env -u OPENBLAS_NUM_THREADS -u NO_COLOR '%s' %s; }", MB_BINARY,
             args);
    run_shell(r, cmd);
}

static void assert_starts(const char *path, const char *prefix)
{
    static char buf[65536];
    slurp(path, buf, sizeof buf);
    cr_assert_eq(strncmp(buf, prefix, strlen(prefix)), 0, "%s begins with '%s':\n%s", path, prefix,
                 buf);
}

static bool is_link(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode);
}

Test(cli_output, a_symlink_writes_its_target_and_stays_a_link)
{
    FILE *f = fopen(in_dir(0, "target.csv"), "w");
    cr_assert_not_null(f);
    fputs("old\n", f);
    fclose(f);
    cr_assert_eq(symlink("target.csv", in_dir(1, "link.csv")), 0);
    struct run r;
    run_to(&r, QUICK, in_dir(1, "link.csv"));
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "");
    cr_assert(is_link(in_dir(1, "link.csv")), "link.csv is still a link");
    assert_starts(in_dir(0, "target.csv"), CSV_HEADER);
    cr_assert_eq(entries(), 2, "no temporary file left");
}

/* /proc/self/fd/1 behind a link of our own (as /dev/stdout is a link to
 * it): written directly, so the report lands on stdout and the link stays. */
Test(cli_output, a_link_to_the_standard_output_descriptor_writes_to_stdout)
{
    cr_assert_eq(symlink("/proc/self/fd/1", in_dir(0, "so")), 0);
    struct run r;
    run_to(&r, QUICK, in_dir(0, "so"));
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_eq(strncmp(r.out, CSV_HEADER, strlen(CSV_HEADER)), 0, "%s", r.out);
    cr_assert(is_link(in_dir(0, "so")));
    cr_assert_eq(entries(), 1);
}

Test(cli_output, a_new_report_gets_0666_less_the_umask_and_a_replaced_one_keeps_its_mode)
{
    mode_t old = umask(022);
    struct run r;
    run_to(&r, QUICK, in_dir(0, "r.csv"));
    cr_assert_eq(r.code, 0, "%s", r.err);
    struct stat sb;
    cr_assert_eq(stat(in_dir(0, "r.csv"), &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0644, "%03o", sb.st_mode & 0777);
    cr_assert_eq(chmod(in_dir(0, "r.csv"), 0640), 0);
    run_to(&r, QUICK, in_dir(0, "r.csv"));
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_eq(stat(in_dir(0, "r.csv"), &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0640, "%03o", sb.st_mode & 0777);
    umask(old);
}

Test(cli_output, a_file_name_of_NAME_MAX_bytes_works)
{
    char name[NAME_MAX + 1];
    memset(name, 'r', NAME_MAX);
    name[NAME_MAX] = '\0';
    struct run r;
    run_to(&r, QUICK, in_dir(0, name));
    cr_assert_eq(r.code, 0, "%s", r.err);
    assert_starts(in_dir(0, name), CSV_HEADER);
    cr_assert_eq(entries(), 1);
}

Test(cli_output, info_and_kernels_write_to_the_output_file)
{
    static const struct {
        const char *args, *begins;
    } cases[] = {
        {"info", "matbench "},
        {"info --format json", "{"},
        {"kernels", "kernel "},
        {"kernels --format json", "{"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        run_to(&r, cases[i].args, in_dir(0, "report"));
        cr_assert_eq(r.code, 0, "%s: %s", cases[i].args, r.err);
        cr_assert_str_eq(r.out, "", "%s: nothing on stdout", cases[i].args);
        assert_starts(in_dir(0, "report"), cases[i].begins);
    }
    cr_assert_eq(entries(), 1);
}

Test(cli_output, peak_writes_to_the_output_file)
{
    struct run r;
    run_to(&r, "peak --format json", in_dir(0, "peak.json"));
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "");
    static char buf[65536];
    slurp(in_dir(0, "peak.json"), buf, sizeof buf);
    cr_assert_not_null(strstr(buf, "\"per_core_gflops\""), "%s", buf);
}

/* The destination is opened first: a missing directory fails every
 * command at once, before the peak or a core type's child runs. */
Test(cli_output, every_command_refuses_a_missing_directory_with_exit_1)
{
    static const char *const commands[] = {"info", "kernels",
                                           "peak", "coretypes 64",
                                           QUICK,  "8 --kernels dgemm --threads 1 --format csv"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        struct run r;
        run_to(&r, commands[i], in_dir(0, "nodir/r.csv"));
        cr_assert_eq(r.code, 1, "%s: %d %s", commands[i], r.code, r.err);
        cr_assert_str_eq(r.out, "", "%s", commands[i]);
        cr_assert_not_null(strstr(r.err, "output: cannot write"), "%s: %s", commands[i], r.err);
        cr_assert_not_null(strstr(r.err, "No such file or directory"), "%s: %s", commands[i],
                           r.err);
        cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "%s: one line: %s",
                     commands[i], r.err);
    }
    cr_assert_eq(entries(), 0, "nothing created");
}

Test(cli_output, a_directory_as_output_is_refused)
{
    struct run r;
    run_to(&r, QUICK, dir);
    cr_assert_eq(r.code, 1, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "Is a directory"), "%s", r.err);
    cr_assert_eq(entries(), 0);
}

/* Runs matbench ARGS... with stdout and stderr on a pseudo-terminal (so
 * that the peak says it is being measured) and returns what it wrote. */
static int run_on_tty(char *out, size_t cap, char *const argv[])
{
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    if (pid < 0)
        cr_skip_test("no pseudo-terminal here (forkpty: %s)", strerror(errno));
    if (pid == 0) {
        unsetenv("OPENBLAS_NUM_THREADS");
        execv(MB_BINARY, argv);
        _exit(127);
    }
    size_t len = 0;
    for (ssize_t k; len < cap - 1 && (k = read(master, out + len, cap - 1 - len)) > 0;)
        len += (size_t)k;
    out[len] = '\0';
    close(master);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "status %d", status);
    return WEXITSTATUS(status);
}

Test(cli_output, a_bad_output_is_refused_before_the_peak_is_measured)
{
    char out[16384], bad[320], good[320];
    snprintf(bad, sizeof bad, "%s", in_dir(0, "nodir/r.csv"));
    snprintf(good, sizeof good, "%s", in_dir(0, "r.csv"));
    char *argv[] = {MB_BINARY, "8",        "--kernels", "dgemm",    "--threads", "1", "--repeat",
                    "1",       "--format", "csv",       "--output", bad,         NULL};
    cr_assert_eq(run_on_tty(out, sizeof out, argv), 1, "%s", out);
    cr_assert_not_null(strstr(out, "output: cannot write"), "%s", out);
    cr_assert_null(strstr(out, "FMA peak"), "no peak measured first:\n%s", out);
    /* the same run to a good file does measure it, and says so */
    argv[11] = good;
    cr_assert_eq(run_on_tty(out, sizeof out, argv), 0, "%s", out);
    cr_assert_not_null(strstr(out, "FMA peak"), "%s", out);
    assert_starts(good, CSV_HEADER);
}

Test(cli_output, help_and_version_to_a_full_stdout_exit_1)
{
    static const char *const words[] = {"--help", "--version"};
    for (size_t i = 0; i < 2; i++) {
        char args[64];
        snprintf(args, sizeof args, "%s >/dev/full", words[i]);
        struct run r;
        run_grouped(&r, args);
        cr_assert_eq(r.code, 1, "%s: %d", words[i], r.code);
        cr_assert_str_eq(r.err,
                         "matbench: cannot write to standard output: No space left on device\n");
    }
}

/* The command: with stderr closed, the report file must not get
 * descriptor 2 and the header with it. */
Test(cli_output, a_closed_stderr_keeps_the_header_out_of_the_report)
{
    char args[1024];
    snprintf(args, sizeof args,
             "100 --no-peak --kernels dgemm --threads 1 --repeat 1 --format csv --output '%s' 2>&-",
             in_dir(0, "r.csv"));
    struct run r;
    run_grouped(&r, args);
    cr_assert_eq(r.code, 0);
    assert_starts(in_dir(0, "r.csv"), CSV_HEADER);
    static char buf[65536];
    slurp(in_dir(0, "r.csv"), buf, sizeof buf);
    cr_assert_null(strstr(buf, "matbench"), "no header in the report:\n%s", buf);
    /* stdout and stdin closed as well */
    snprintf(args, sizeof args, "%s --output '%s' <&- >&- 2>&-", QUICK, in_dir(0, "s.csv"));
    run_grouped(&r, args);
    cr_assert_eq(r.code, 0);
    assert_starts(in_dir(0, "s.csv"), CSV_HEADER);
    cr_assert_eq(entries(), 2);
}
