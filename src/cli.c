/* The matbench command line: parses argv into a plan, runs it with progress
 * on stderr, writes the report, and turns statuses into messages and exit
 * codes. The only module that reads argv or writes to stderr. */
#include "matbench/cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "matbench/blas.h"
#include "matbench/machine.h"
#include "matbench/matrix.h"
#include "matbench/report.h"
#include "matbench/runner.h"
#include "matbench/version.h"

static const char usage_text[] =
    "Usage: matbench [N] [options]   naive loop + cblas_dgemm thread sweep at size N\n"
    "       matbench info            machine, BLAS build and thread settings\n"
    "\n"
    "N is the matrix size (default 2000): C = A*B with n x n doubles.\n"
    "\n"
    "Options:\n"
    "  --threads LIST       BLAS thread counts: 1,2,4 or 1-8 or max (physical cores);\n"
    "                       default OPENBLAS_NUM_THREADS if set, else 1,2,4,... cores\n"
    "  --kernels LIST       kernels to run, of: naive, dgemm (default naive,dgemm)\n"
    "  --repeat R           timed repetitions per run (default 3)\n"
    "  --warmup W           untimed warm-up runs first (default 1)\n"
    "  --naive-budget S     seconds for the naive loop; it computes whole rows until\n"
    "                       the budget is spent and estimates the full time (default\n"
    "                       10; 0 runs it in full)\n"
    "  --seed S             seed of the random matrices (default 20260101)\n"
    "  --format F           table, csv or json (default table)\n"
    "  --output FILE        write the report to FILE instead of stdout\n"
    "  --no-verify          skip checking the results\n"
    "  --quiet              no header or progress on stderr\n"
    "  -h, --help           this help\n"
    "  -V, --version        the version\n"
    "\n"
    "Exit codes: 0 ok, 1 a run failed (memory, verification, output), 2 bad input,\n"
    "130 interrupted (the results completed so far are still written).\n";

enum {
    OPT_THREADS = 256,
    OPT_KERNELS,
    OPT_REPEAT,
    OPT_WARMUP,
    OPT_BUDGET,
    OPT_SEED,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_NO_VERIFY,
    OPT_QUIET,
};

static const struct option long_options[] = {
    {"threads", required_argument, NULL, OPT_THREADS},
    {"kernels", required_argument, NULL, OPT_KERNELS},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"naive-budget", required_argument, NULL, OPT_BUDGET},
    {"seed", required_argument, NULL, OPT_SEED},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"no-verify", no_argument, NULL, OPT_NO_VERIFY},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

#define SHOWN(s) mb_printable((s), (char[64]){0}, 64)

/* Applies one option with its argument to the plan. */
static enum mb_status apply_option(int opt, const char *arg, struct mb_options *o,
                                   const struct mb_machine *m, struct mb_diag *d)
{
    struct mb_plan *p = &o->plan;
    switch (opt) {
    case OPT_THREADS:
        p->threads_source = MB_THREADS_FLAG;
        return mb_parse_threads(arg, mb_blas_max_threads(), m->physical_cores, p->threads,
                                MB_PLAN_MAX_THREADS, &p->nthreads, d);
    case OPT_KERNELS:
        return mb_parse_kernels(arg, p->kernels, MB_PLAN_MAX_KERNELS, &p->nkernels, d);
    case OPT_REPEAT:
        return mb_parse_uint("repeat", arg, 1, MB_REPEAT_MAX, &p->repeat, d);
    case OPT_WARMUP:
        return mb_parse_uint("warmup", arg, 0, MB_WARMUP_MAX, &p->warmup, d);
    case OPT_BUDGET:
        return mb_parse_seconds("naive-budget", arg, MB_BUDGET_MAX_S, &p->naive_budget_s, d);
    case OPT_SEED:
        return mb_parse_u64("seed", arg, &p->seed, d);
    case OPT_FORMAT:
        return mb_parse_format(arg, &p->format, d);
    case OPT_OUTPUT:
        if (arg[0] == '\0')
            return mb_diag_set(d, MB_USAGE, "output: '' is not a file name");
        p->output = arg;
        return MB_OK;
    case OPT_NO_VERIFY:
        p->verify = false;
        return MB_OK;
    case OPT_QUIET:
        p->quiet = true;
        return MB_OK;
    case 'h':
        return MB_HELP;
    case 'V':
        return MB_VERSION;
    }
    return mb_diag_set(d, MB_USAGE, "internal: unhandled option %d", opt);
}

/* The message for an option getopt_long refused: unknown, or missing its
 * value. A negative number ("-5") is most likely a size. */
static enum mb_status bad_option(int opt, const char *word, struct mb_diag *d)
{
    if (word[0] == '-' && word[1] >= '0' && word[1] <= '9')
        return mb_diag_set(d, MB_USAGE, "N: '%s' is not a positive decimal integer (1..%llu)",
                           SHOWN(word), MB_N_MAX);
    if (opt == ':')
        return mb_diag_set(d, MB_USAGE, "option '%s' needs a value (see matbench --help)",
                           SHOWN(word));
    return mb_diag_set(d, MB_USAGE, "unknown option '%s' (see matbench --help)", SHOWN(word));
}

/* Parses argv into o: the command, the plan with every value checked, the
 * default thread list resolved (OPENBLAS_NUM_THREADS or the physical cores),
 * and, for a run, the memory need checked against MemAvailable. Returns
 * MB_OK, MB_HELP or MB_VERSION, or MB_USAGE with the message in d; nothing
 * is allocated. */
enum mb_status mb_cli_parse(int argc, char **argv, struct mb_options *o, struct mb_diag *d)
{
    memset(o, 0, sizeof *o);
    o->command = MB_CMD_RUN;
    mb_plan_defaults(&o->plan);
    struct mb_machine *m = &o->machine;
    if (mb_machine_probe(m, d) != MB_OK)
        m->physical_cores = m->logical_cores = 1;

    opterr = 0;
    optind = 0; /* glibc: full re-initialisation, so the parser can run again */
    int opt;
    while ((opt = getopt_long(argc, argv, ":hV", long_options, NULL)) != -1) {
        enum mb_status st;
        if (opt == '?' || opt == ':')
            st = bad_option(opt, argv[optind - 1], d);
        else
            st = apply_option(opt, optarg, o, m, d);
        if (st != MB_OK)
            return st;
    }

    bool have_n = false;
    for (int i = optind; i < argc; i++) {
        if (i == optind && strcmp(argv[i], "info") == 0) {
            o->command = MB_CMD_INFO;
            continue;
        }
        if (have_n || o->command == MB_CMD_INFO)
            return mb_diag_set(d, MB_USAGE, "unexpected argument '%s' (see matbench --help)",
                               SHOWN(argv[i]));
        enum mb_status st = mb_parse_size(argv[i], &o->plan.n, d);
        if (st != MB_OK)
            return st;
        have_n = true;
    }
    if (o->command == MB_CMD_INFO)
        return MB_OK;

    struct mb_plan *p = &o->plan;
    if (p->nthreads == 0) {
        enum mb_status st = mb_plan_default_threads(
            getenv("OPENBLAS_NUM_THREADS"), mb_blas_max_threads(), m->physical_cores, p->threads,
            MB_PLAN_MAX_THREADS, &p->nthreads, &p->threads_source, d);
        if (st != MB_OK)
            return st;
    }
    uint64_t available;
    enum mb_status st = mb_mem_available(&available, d);
    if (st != MB_OK)
        return st;
    return mb_plan_check_memory(p->n, available, d);
}

/* ---- running ---------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* The destination of the report. A regular file is written to a temporary
 * file beside it and renamed into place at the end, so a failed or stopped
 * run never leaves a truncated report where an earlier one was. */
struct sink {
    FILE *f;
    const char *path;
    char tmp[4096];
};

static enum mb_status sink_open(struct sink *s, const char *path, struct mb_diag *d)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    if (path == NULL) {
        s->f = stdout;
        return MB_OK;
    }
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        s->f = fopen(path, "w"); /* a device or a pipe: write straight to it */
    } else {
        int len = snprintf(s->tmp, sizeof s->tmp, "%s.tmp.XXXXXX", path);
        int fd = len > 0 && (size_t)len < sizeof s->tmp ? mkstemp(s->tmp) : -1;
        s->f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (fd >= 0 && s->f == NULL)
            close(fd);
        if (s->f == NULL)
            s->tmp[0] = '\0';
    }
    if (s->f == NULL)
        return mb_diag_set(d, MB_IO, "output: cannot write '%s': %s", SHOWN(path), strerror(errno));
    return MB_OK;
}

/* Closes the sink; with ok, moves the temporary file into place. */
static enum mb_status sink_close(struct sink *s, bool ok, struct mb_diag *d)
{
    if (s->f == stdout) {
        if (fflush(stdout) != 0 || ferror(stdout))
            return mb_diag_set(d, MB_IO, "cannot write to standard output: %s", strerror(errno));
        return MB_OK;
    }
    bool failed = ferror(s->f) != 0;
    failed |= fclose(s->f) != 0;
    if (s->tmp[0] != '\0') {
        if (ok && !failed && rename(s->tmp, s->path) == 0)
            return MB_OK;
        int err = errno;
        unlink(s->tmp);
        errno = err;
    }
    if (failed || (ok && s->tmp[0] != '\0'))
        return mb_diag_set(d, MB_IO, "output: cannot write '%s': %s", SHOWN(s->path),
                           strerror(errno));
    return MB_OK;
}

struct progress {
    bool tty;
};

/* Progress on stderr when it is a terminal: the configuration running, then
 * its figures in place. */
static void on_event(const struct mb_event *ev, void *user)
{
    const struct progress *pr = user;
    if (!pr->tty)
        return;
    switch (ev->kind) {
    case MB_EVENT_FILL:
        fprintf(stderr, "filled A and B (%.0f M doubles) in %.2f s\n",
                2.0 * (double)ev->n * (double)ev->n / 1e6, ev->value);
        break;
    case MB_EVENT_RUN_START:
        fprintf(stderr, "[%zu/%zu] %s n=%zu threads=%d: running...", ev->index, ev->total,
                ev->kernel->name, ev->n, ev->threads);
        break;
    case MB_EVENT_RUN_DONE:
        fprintf(stderr,
                "\r\033[K[%zu/%zu] %s n=%zu threads=%d: %s%.3g s, %.3g GFLOP/s, %.2f "
                "cores busy\n",
                ev->index, ev->total, ev->kernel->name, ev->n, ev->threads,
                ev->result->estimated ? "~" : "", ev->result->time_s.median, ev->result->gflops,
                ev->result->cores_busy);
        break;
    }
}

static enum mb_status run_info(const struct mb_machine *m)
{
    struct mb_blas_info b;
    mb_blas_info(&b);
    mb_report_info(stdout, m, &b);
    return fflush(stdout) == 0 ? MB_OK : MB_IO;
}

/* Runs the parsed command: the header first (on stdout for a table on
 * stdout, else on stderr), the plan through the runner, then the report.
 * Results completed before a failure or an interruption are still written. */
enum mb_status mb_cli_run(const struct mb_options *o, struct mb_diag *d)
{
    if (o->command == MB_CMD_INFO)
        return run_info(&o->machine);
    const struct mb_plan *p = &o->plan;
    struct mb_blas_info b;
    mb_blas_info(&b);
    struct mb_results results = {0};
    struct mb_report_ctx ctx = {&o->machine, &b, p, &results, (long)getpid(), false};

    struct sink out;
    enum mb_status st = sink_open(&out, p->output, d);
    if (st != MB_OK)
        return st;
    bool table_on_stdout = p->format == MB_FORMAT_TABLE && out.f == stdout;
    if (!p->quiet) {
        mb_report_header(table_on_stdout ? stdout : stderr, &ctx);
        fflush(table_on_stdout ? stdout : stderr);
    }

    struct sigaction sa = {.sa_handler = on_sigint, .sa_flags = SA_RESETHAND}, old;
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    sigaction(SIGINT, &sa, &old);
    struct progress pr = {.tty = !p->quiet && isatty(STDERR_FILENO)};
    struct mb_runner_hooks hooks = {on_event, &pr, &interrupted};
    st = mb_runner_run(p, &hooks, &results, d);
    sigaction(SIGINT, &old, NULL);
    ctx.interrupted = st == MB_INTERRUPTED;

    if (p->format == MB_FORMAT_TABLE && out.f != stdout)
        mb_report_header(out.f, &ctx);
    struct mb_diag wd = {0};
    enum mb_status wst = mb_report_for(p->format)(out.f, &ctx, &wd);
    bool complete = results.count > 0;
    enum mb_status cst = sink_close(&out, complete, &wd);
    if (wst == MB_OK)
        wst = cst;
    mb_results_free(&results);
    if (st == MB_OK && wst != MB_OK) {
        *d = wd;
        st = wst;
    }
    return st;
}

/* Prints what the status calls for (help, version, or the one-line message)
 * and returns the exit code (mb_exit_code). */
int mb_cli_finish(enum mb_status st, const struct mb_diag *d)
{
    switch (st) {
    case MB_OK:
        break;
    case MB_HELP:
        fputs(usage_text, stdout);
        break;
    case MB_VERSION: {
        struct mb_blas_info b;
        mb_blas_info(&b);
        printf("matbench %s (%s %s)\n", MB_VERSION_STRING, b.name, b.version);
        break;
    }
    default:
        fprintf(stderr, "matbench: %s\n", d->msg[0] != '\0' ? d->msg : mb_status_msg(st));
    }
    return mb_exit_code(st);
}
