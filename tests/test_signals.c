/* signals: the real binary stopped by SIGTERM, SIGHUP and SIGINT while it
 * runs, as a user's Ctrl-C, a closed terminal or a service manager does:
 * the exit code is 128 + the signal, the report written is whole and says
 * it was interrupted, no temporary file is left, and no child process
 * (naive-procs workers, coretypes probes) outlives matbench. The test
 * process is a child subreaper, so a child matbench left behind would
 * become the test's own and be seen. Each test waits for what it needs to
 * see (a child process) with a generous deadline, never a fixed sleep. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>

#include "matbench/coretype.h"
#include "matbench/status.h"
#include "mb_test.h"

/* Long enough for a slow, busy machine; the tests take a few seconds. */
#define DEADLINE_S 120.0

/* A run that stays in its first timed pass of naive-procs for a while and
 * has child processes all that time (n = 600: a pass of a second or so). */
#define PROCS_RUN                                                                                  \
    "600", "--kernels", "naive-procs", "--threads", "2", "--naive-budget", "0", "--no-peak",       \
        "--no-monitor", "--warmup", "0", "--repeat", "50"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void nap(void)
{
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
}

static char dir[64];

/* A fresh directory for the report, and this process a subreaper. */
static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/mb_signalsXXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0, "PR_SET_CHILD_SUBREAPER: %s",
                 strerror(errno));
}

static void teardown(void)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

TestSuite(signals, .init = setup, .fini = teardown, .timeout = 240);

/* Starts MB_BINARY with the arguments (NULL-terminated) in a child with
 * the stop signals at their default actions and unblocked (as from an
 * interactive shell), OPENBLAS_NUM_THREADS unset, stdin /dev/null, stdout
 * and stderr into dir/out and dir/err. Returns its PID. */
static pid_t start(const char *const *args)
{
    char out[128], err[128];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(err, sizeof err, "%s/err", dir);
    char *argv[64];
    size_t argc = 0;
    argv[argc++] = (char *)MB_BINARY;
    for (; args[argc - 1] != NULL; argc++) {
        cr_assert_lt(argc, 63);
        argv[argc] = (char *)args[argc - 1];
    }
    argv[argc] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        unsetenv("OPENBLAS_NUM_THREADS");
        int in = open("/dev/null", O_RDONLY);
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* The PIDs of the processes whose parent is pid (from /proc/PID/stat),
 * into kids (capacity cap); returns how many. */
static size_t children_of(pid_t pid, pid_t *kids, size_t cap)
{
    size_t count = 0;
    DIR *d = opendir("/proc");
    cr_assert_not_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char *end;
        long p = strtol(e->d_name, &end, 10);
        if (*end != '\0' || p <= 0)
            continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", p);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue; /* gone meanwhile */
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        const char *paren = strrchr(buf, ')'); /* the name may hold spaces */
        char state;
        long ppid;
        if (paren != NULL && sscanf(paren + 1, " %c %ld", &state, &ppid) == 2 && ppid == pid &&
            state != 'Z' && count < cap)
            kids[count++] = (pid_t)p;
    }
    closedir(d);
    return count;
}

/* Waits until pid has at least `want` child processes, and returns how many
 * (their PIDs in kids); 0 when pid ended first. */
static size_t await_children(pid_t pid, size_t want, pid_t *kids, size_t cap)
{
    double end = now_s() + DEADLINE_S;
    while (now_s() < end) {
        size_t n = children_of(pid, kids, cap);
        if (n >= want)
            return n;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid)
            cr_assert_fail("matbench ended before it had %zu children (status %#x)", want, status);
        nap();
    }
    cr_assert_fail("no %zu child processes of matbench within %.0f s", want, DEADLINE_S);
    return 0;
}

/* Waits for pid to exit and returns its exit code; a death by a signal
 * fails the test (the point is that matbench catches the stop signals). */
static int await_exit(pid_t pid)
{
    double end = now_s() + DEADLINE_S;
    int status;
    pid_t r;
    while ((r = waitpid(pid, &status, WNOHANG)) == 0 && now_s() < end)
        nap();
    if (r == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        cr_assert_fail("matbench did not exit within %.0f s of the signal", DEADLINE_S);
    }
    cr_assert_eq(r, pid);
    cr_assert(WIFEXITED(status), "matbench exited (wait status %#x: killed by signal %d)", status,
              WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return WEXITSTATUS(status);
}

/* Nothing is left: matbench reaped every child before it exited, so this
 * process (their subreaper once matbench is gone) has no child at all, not
 * even a zombie; and the children seen earlier are gone. */
static void assert_no_child_left(const pid_t *seen, size_t count)
{
    int status;
    errno = 0;
    pid_t r = waitpid(-1, &status, WNOHANG);
    cr_assert(r == -1 && errno == ECHILD,
              "a child of matbench outlived it (PID %d, wait status %#x)", (int)r, status);
    for (size_t i = 0; i < count; i++)
        cr_assert(kill(seen[i], 0) != 0 && errno == ESRCH, "child %d is gone", (int)seen[i]);
}

/* The directory holds only the report called name: no temporary file. */
static void assert_only_file(const char *name)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    bool found = false;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, "out") == 0 || strcmp(e->d_name, "err") == 0)
            continue;
        cr_assert_str_eq(e->d_name, name, "nothing but the report in %s", dir);
        found = true;
    }
    closedir(d);
    cr_assert(found, "%s/%s was written", dir, name);
}

static void read_in_dir(const char *name, char *buf, size_t cap)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    slurp(path, buf, cap);
}

static json_t *load_json(const char *name)
{
    static char text[1 << 16];
    char err[4096];
    read_in_dir(name, text, sizeof text);
    read_in_dir("err", err, sizeof err);
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    cr_assert_not_null(root, "%s is JSON: %s\n%s\nstderr: %s", name, jerr.text, text, err);
    return root;
}

/* Runs naive-procs with a JSON report in dir/r.json, sends sig once its
 * workers exist (then `more`, if not 0, right after), and checks the exit
 * code, the report and that no worker outlived matbench. */
static void procs_stopped_by(int sig, int more, int want_code)
{
    char report[128];
    snprintf(report, sizeof report, "%s/r.json", dir);
    const char *const args[] = {PROCS_RUN, "--format", "json", "--output", report, NULL};
    pid_t pid = start(args);
    pid_t kids[8];
    size_t nkids = await_children(pid, 2, kids, 8);
    cr_assert_eq(kill(pid, sig), 0);
    if (more != 0)
        cr_assert_eq(kill(pid, more), 0);
    int code = await_exit(pid);
    char err[4096];
    read_in_dir("err", err, sizeof err);
    cr_assert_eq(code, want_code, "exit %d, want %d; stderr:\n%s", code, want_code, err);
    char name[32];
    snprintf(name, sizeof name, "%s",
             sig == SIGINT    ? "SIGINT"
             : sig == SIGTERM ? "SIGTERM"
                              : "SIGHUP");
    cr_assert_not_null(strstr(err, name), "the message names %s:\n%s", name, err);
    assert_only_file("r.json");
    json_t *root = load_json("r.json");
    cr_assert(json_is_true(json_object_get(root, "interrupted")), "says interrupted");
    json_t *results = json_object_get(root, "results");
    cr_assert_eq(json_array_size(results), 1, "the pass under way is kept");
    json_t *pids = json_object_get(json_array_get(results, 0), "pids");
    cr_assert_eq(json_array_size(pids), 2, "naive-procs ran in 2 processes");
    json_decref(root);
    assert_no_child_left(kids, nkids);
}

Test(signals, sigterm_writes_the_results_so_far_exits_143_and_leaves_no_worker)
{
    procs_stopped_by(SIGTERM, 0, 143);
}

Test(signals, sighup_exits_129_like_a_closed_terminal)
{
    procs_stopped_by(SIGHUP, 0, 129);
}

Test(signals, a_second_signal_does_not_kill_it_and_the_first_gives_the_code)
{
    /* today's SA_RESETHAND let a second Ctrl-C kill matbench mid-report */
    procs_stopped_by(SIGINT, SIGINT, 130);
}

Test(signals, a_csv_report_of_an_interrupted_run_says_so_in_a_column)
{
    char report[128];
    snprintf(report, sizeof report, "%s/r.csv", dir);
    const char *const args[] = {PROCS_RUN, "--format", "csv", "--output", report, NULL};
    pid_t pid = start(args);
    pid_t kids[8];
    size_t nkids = await_children(pid, 2, kids, 8);
    cr_assert_eq(kill(pid, SIGTERM), 0);
    cr_assert_eq(await_exit(pid), 143);
    assert_only_file("r.csv");
    char text[8192];
    read_in_dir("r.csv", text, sizeof text);
    static struct csv c;
    parse_csv(&c, text);
    cr_assert_eq(c.lines, 2, "the header and the pass under way:\n%s", text);
    cr_assert_eq(c.nfields[1], c.nfields[0], "plain CSV: every row as wide as the header");
    cr_assert_str_eq(cell(&c, 1, "interrupted"), "true", "%s", text);
    cr_assert_str_eq(cell(&c, 1, "kernel"), "naive-procs");
    assert_no_child_left(kids, nkids);
}

Test(signals, a_complete_csv_run_says_interrupted_false)
{
    struct run r;
    run_matbench(&r, "", "8 --kernels dgemm --threads 1 --repeat 1 --no-peak --format csv");
    cr_assert_eq(r.code, 0, "%s", r.err);
    static struct csv c;
    parse_csv(&c, r.out);
    cr_assert_str_eq(cell(&c, 1, "interrupted"), "false", "%s", r.out);
}

Test(signals, workers_die_with_a_killed_matbench)
{
    /* SIGKILL runs no handler: PR_SET_PDEATHSIG alone ends the workers,
     * which then come to this process (the subreaper), killed */
    const char *const args[] = {PROCS_RUN, "--format", "json", NULL};
    pid_t pid = start(args);
    pid_t kids[8];
    await_children(pid, 2, kids, 8);
    cr_assert_eq(kill(pid, SIGKILL), 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    size_t orphans = 0;
    double end = now_s() + DEADLINE_S;
    for (;;) {
        pid_t r = waitpid(-1, &status, WNOHANG);
        if (r < 0 && errno == ECHILD)
            break;
        if (r > 0) {
            orphans++;
            /* killed by PR_SET_PDEATHSIG, or, when matbench died before the
             * worker had set it, its own getppid() check: exit 1 at once */
            bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
            bool saw_orphaned = WIFEXITED(status) && WEXITSTATUS(status) == 1;
            cr_assert(killed || saw_orphaned, "worker %d died with its parent (wait status %#x)",
                      (int)r, status);
            continue;
        }
        cr_assert_lt(now_s(), end, "the workers are still running");
        nap();
    }
    cr_assert_leq(orphans, 2);
}

Test(signals, coretypes_on_sigint_prints_the_core_types_probed_so_far_and_exits_130)
{
    const char *const args[] = {"coretypes", "300", "--format", "json", NULL};
    pid_t pid = start(args);
    /* the second probe's child: the first is done, the second under way */
    pid_t first[4], kids[8];
    size_t nkids = await_children(pid, 1, first, 4);
    double end = now_s() + DEADLINE_S;
    for (;;) {
        nkids = children_of(pid, kids, 8);
        if (nkids > 0 && kids[0] != first[0])
            break;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid)
            cr_skip_test("this CPU runs a single OpenBLAS core type: nothing to interrupt");
        cr_assert_lt(now_s(), end, "no second probe within %.0f s", DEADLINE_S);
        nap();
    }
    cr_assert_eq(kill(pid, SIGINT), 0);
    int code = await_exit(pid);
    char err[4096];
    read_in_dir("err", err, sizeof err);
    cr_assert_eq(code, 130, "stderr:\n%s", err);
    cr_assert_not_null(strstr(err, "interrupted by SIGINT"), "%s", err);
    json_t *root = load_json("out");
    cr_assert(json_is_true(json_object_get(root, "interrupted")), "the list says it was cut short");
    json_t *rows = json_object_get(root, "coretypes");
    size_t tried = 0, i;
    json_t *row;
    json_array_foreach(rows, i, row) tried += json_is_true(json_object_get(row, "tried"));
    cr_assert_geq(tried, 1, "the probe that finished is listed");
    cr_assert_lt(json_array_size(rows), mb_coretype_count(), "not the ones after the stop");
    json_decref(root);
    pid_t seen[2] = {first[0], kids[0]};
    assert_no_child_left(seen, 2);
}

Test(signals, exit_codes_are_128_plus_the_signal_for_an_interrupted_status)
{
    cr_assert_eq(mb_exit_code_signal(MB_INTERRUPTED, SIGINT), 130);
    cr_assert_eq(mb_exit_code_signal(MB_INTERRUPTED, SIGTERM), 143);
    cr_assert_eq(mb_exit_code_signal(MB_INTERRUPTED, SIGHUP), 129);
    cr_assert_eq(mb_exit_code_signal(MB_INTERRUPTED, 0), 130, "no signal: as mb_exit_code");
    cr_assert_eq(mb_exit_code_signal(MB_OK, SIGTERM), 0, "a finished command is not 143");
    cr_assert_eq(mb_exit_code_signal(MB_VERIFY, SIGTERM), 1, "a failure stays a failure");
}
