/* The matbench command line: parses argv into a plan, runs it with progress
 * on stderr, writes the report, and turns statuses into messages and exit
 * codes. The only module that reads argv or writes to stderr. */
#include "matbench/cli.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "matbench/blas.h"
#include "matbench/clock.h"
#include "matbench/config.h"
#include "matbench/coretype.h"
#include "matbench/live.h"
#include "matbench/machine.h"
#include "matbench/matrix.h"
#include "matbench/monitor.h"
#include "matbench/peak.h"
#include "matbench/progress.h"
#include "matbench/report.h"
#include "matbench/runner.h"
#include "matbench/sink.h"
#include "matbench/version.h"
#include "mb_internal.h"

static const char usage_text[] =
    "Usage: matbench [N] [options]   naive loop + cblas_dgemm thread sweep at size N\n"
    "       matbench info [--format json]   machine, BLAS build and thread settings\n"
    "       matbench peak [--format json]   measured FMA peak, one core and all cores\n"
    "       matbench coretypes [N] [--format json]   dgemm under each OpenBLAS core\n"
    "                       type this CPU can run (one child process each)\n"
    "       matbench kernels [--format json]   every kernel: what it runs on, its\n"
    "                       flop count and its lesson\n"
    "\n"
    "N is the matrix size (default 2000): C = A*B with n x n doubles.\n"
    "\n"
    "What to run:\n"
    "  --sizes LIST         several sizes instead of N: 1000,2000,4000 or a range\n"
    "                       first:last:step like 1000:5000:1000\n"
    "  --threads LIST       BLAS thread counts: 1,2,4 or 1-8; max or cores is the\n"
    "                       usable core count, 2*cores twice it (1-2*cores);\n"
    "                       default OPENBLAS_NUM_THREADS if set, else 1,2,4,... cores\n"
    "  --kernels LIST       kernels to run (default naive,dgemm; matbench kernels\n"
    "                       lists them): naive, the ladder naive-threads,\n"
    "                       naive-procs, ikj, tiled, tiled-threads, simd, then\n"
    "                       dgemm and through LAPACKE dgetrf (LU), dpotrf\n"
    "                       (Cholesky), dgesv (solve), dgeqrf (QR); ladder = naive\n"
    "                       to dgemm step by step, lapack = the four LAPACK ones\n"
    "  --nrhs K             right-hand sides for dgesv (default 1)\n"
    "  --layout L           col (default: column-major, as LAPACK stores matrices)\n"
    "                       or row (row-major: LAPACKE transposes into a copy and\n"
    "                       back inside the call, which the timing then shows)\n"
    "  --config FILE        read options from an INI file (configs/*.ini, at most\n"
    "                       1 MiB, given once); options given on the command line\n"
    "                       win over the file\n"
    "How to measure:\n"
    "  --repeat R           timed samples per run (default 3; at most 1000000); a\n"
    "                       sample times enough calls to last 1 ms, and the times\n"
    "                       reported are one call's (calls_per_sample in CSV, JSON)\n"
    "  --warmup W           untimed warm-up runs first (default 1)\n"
    "  --duration S         keep each BLAS run going S seconds of wall time\n"
    "                       (repeating the call; the statistics cover every\n"
    "                       sample): time to watch htop\n"
    "  --naive-budget S     seconds for each slow kernel (naive and the hand-written\n"
    "                       ladder); it computes whole rows until the budget is\n"
    "                       spent and estimates the full time (default 10; 0 runs\n"
    "                       them in full)\n"
    "  --seed S             seed of the random matrices (default 20260101)\n"
    "  --no-verify          skip checking the results\n"
    "  --no-monitor         no per-CPU busy or thread counts (the monitor samples\n"
    "                       /proc/stat 10 times a second while kernels run)\n"
    "  --no-peak            do not measure the FMA peak first (saves ~0.5 s; no\n"
    "                       \"of peak\" figures)\n"
    "  --coretype NAME      run again with OPENBLAS_CORETYPE=NAME (a core type this\n"
    "                       CPU can run, see matbench coretypes), or best: the\n"
    "                       fastest in a quick probe\n"
    "Output:\n"
    "  --format F           table, csv, json or markdown (default table); the table\n"
    "                       draws GFLOP/s bars on a terminal unless NO_COLOR is set\n"
    "  --output FILE        write the report to FILE instead of stdout\n"
    "  --quiet              no header or progress on stderr\n"
    "  --live               on a terminal, draw each CPU's load, the thread count\n"
    "                       and what runs, 10 times a second (htop for this run)\n"
    "  -h, --help           this help\n"
    "  -V, --version        the version\n"
    "\n"
    "Exit codes: 0 ok, 1 a run failed (memory, verification, output), 2 bad input,\n"
    "130, 143, 129 interrupted by SIGINT, SIGTERM, SIGHUP (the results completed so\n"
    "far are still written).\n";

enum {
    OPT_SIZES = 256,
    OPT_THREADS,
    OPT_KERNELS,
    OPT_REPEAT,
    OPT_WARMUP,
    OPT_DURATION,
    OPT_BUDGET,
    OPT_SEED,
    OPT_NO_VERIFY,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_QUIET,
    OPT_CONFIG,
    OPT_LIVE,
    OPT_NO_MONITOR,
    OPT_NO_PEAK,
    OPT_CORETYPE,
    OPT_NRHS,
    OPT_LAYOUT,
};

/* Every option, once: its long name (also its key in a config file), the
 * INI section it belongs to (NULL: command line only), and whether it takes
 * a value on the command line (in a file, a flag takes true or false). */
static const struct option_row {
    const char *name;
    int has_arg;
    int id;
    const char *section;
} option_rows[] = {
    {"sizes", required_argument, OPT_SIZES, "run"},
    {"threads", required_argument, OPT_THREADS, "run"},
    {"kernels", required_argument, OPT_KERNELS, "run"},
    {"nrhs", required_argument, OPT_NRHS, "run"},
    {"layout", required_argument, OPT_LAYOUT, "run"},
    {"repeat", required_argument, OPT_REPEAT, "run"},
    {"warmup", required_argument, OPT_WARMUP, "run"},
    {"duration", required_argument, OPT_DURATION, "run"},
    {"naive-budget", required_argument, OPT_BUDGET, "run"},
    {"seed", required_argument, OPT_SEED, "run"},
    {"no-verify", no_argument, OPT_NO_VERIFY, "run"},
    {"no-monitor", no_argument, OPT_NO_MONITOR, "run"},
    {"no-peak", no_argument, OPT_NO_PEAK, "run"},
    {"coretype", required_argument, OPT_CORETYPE, "run"},
    {"format", required_argument, OPT_FORMAT, "output"},
    {"output", required_argument, OPT_OUTPUT, "output"},
    {"quiet", no_argument, OPT_QUIET, "output"},
    {"live", no_argument, OPT_LIVE, "output"},
    {"config", required_argument, OPT_CONFIG, NULL},
    {"help", no_argument, 'h', NULL},
    {"version", no_argument, 'V', NULL},
};
#define NOPTIONS (sizeof option_rows / sizeof option_rows[0])

#define SHOWN(s) mb_printable((s), (char[64]){0}, 64)

/* Where a value comes from: the command line, or a config file (where a
 * flag's value is true or false and strings must be copied). */
enum origin { FROM_ARGV, FROM_CONFIG };

/* The options that switch something on or off: which plan field, and
 * whether the option's name says the opposite of the field (no-verify). */
static const struct flag_row {
    int id;
    size_t field;
    bool negated;
} flag_rows[] = {
    {OPT_NO_VERIFY, offsetof(struct mb_plan, verify), true},
    {OPT_NO_MONITOR, offsetof(struct mb_plan, monitor), true},
    {OPT_NO_PEAK, offsetof(struct mb_plan, peak), true},
    {OPT_QUIET, offsetof(struct mb_plan, quiet), false},
    {OPT_LIVE, offsetof(struct mb_plan, live), false},
};

static const char *option_name(int id)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (option_rows[i].id == id)
            return option_rows[i].name;
    return "?";
}

/* Sets a flag's plan field: on from the command line; from a config file,
 * true or false as the value says. Returns MB_USAGE for another value, or
 * when opt is not a flag. */
static enum mb_status apply_flag(int opt, const char *arg, enum origin from, struct mb_plan *p,
                                 struct mb_diag *d)
{
    for (size_t i = 0; i < sizeof flag_rows / sizeof flag_rows[0]; i++) {
        if (flag_rows[i].id != opt)
            continue;
        bool on = true;
        if (from == FROM_CONFIG) {
            enum mb_status st = mb_config_parse_bool(option_name(opt), arg, &on, d);
            if (st != MB_OK)
                return st;
        }
        *(bool *)((char *)p + flag_rows[i].field) = flag_rows[i].negated ? !on : on;
        return MB_OK;
    }
    return mb_diag_set(d, MB_USAGE, "internal: option %d is not a flag", opt);
}

/* Applies one option with its value to the plan. */
static enum mb_status apply_option(int opt, const char *arg, enum origin from, struct mb_options *o,
                                   struct mb_diag *d)
{
    struct mb_plan *p = &o->plan;
    const struct mb_machine *m = &o->machine;
    switch (opt) {
    case OPT_SIZES:
        return mb_parse_sizes(arg, p->sizes, MB_PLAN_MAX_SIZES, &p->nsizes, d);
    case OPT_THREADS:
        p->threads_source = from == FROM_ARGV ? MB_THREADS_FLAG : MB_THREADS_CONFIG;
        return mb_parse_threads(arg, mb_blas_max_threads(), mb_machine_usable_cores(m), p->threads,
                                MB_PLAN_MAX_THREADS, &p->nthreads, d);
    case OPT_KERNELS:
        return mb_parse_kernels(arg, p->kernels, MB_PLAN_MAX_KERNELS, &p->nkernels, d);
    case OPT_NRHS:
        return mb_parse_uint("nrhs", arg, 1, MB_NRHS_MAX, &p->nrhs, d);
    case OPT_LAYOUT:
        return mb_parse_layout(arg, &p->layout, d);
    case OPT_REPEAT:
        return mb_parse_uint("repeat", arg, 1, MB_REPEAT_MAX, &p->repeat, d);
    case OPT_WARMUP:
        return mb_parse_uint("warmup", arg, 0, MB_WARMUP_MAX, &p->warmup, d);
    case OPT_DURATION:
        return mb_parse_seconds("duration", arg, MB_DURATION_MAX_S, &p->duration_s, d);
    case OPT_BUDGET:
        return mb_parse_seconds("naive-budget", arg, MB_BUDGET_MAX_S, &p->naive_budget_s, d);
    case OPT_SEED:
        return mb_parse_u64("seed", arg, &p->seed, d);
    case OPT_FORMAT:
        return mb_parse_format(arg, &p->format, d);
    case OPT_OUTPUT:
        if (arg[0] == '\0')
            return mb_diag_set(d, MB_USAGE, "output: '' is not a file name");
        if (from == FROM_CONFIG) {
            if (strlen(arg) >= sizeof o->output_path)
                return mb_diag_set(d, MB_USAGE, "output: '%s' is too long (%zu characters at most)",
                                   SHOWN(arg), sizeof o->output_path - 1);
            strcpy(o->output_path, arg);
            arg = o->output_path;
        }
        p->output = arg;
        return MB_OK;
    case OPT_NO_VERIFY:
    case OPT_NO_MONITOR:
    case OPT_NO_PEAK:
    case OPT_QUIET:
    case OPT_LIVE:
        return apply_flag(opt, arg, from, p, d);
    case OPT_CORETYPE: {
        enum mb_status st = mb__coretype_check(arg, d);
        if (st != MB_OK)
            return st;
        const struct mb_coretype *ct = mb_coretype_find(arg);
        snprintf(o->coretype, sizeof o->coretype, "%s", ct != NULL ? ct->name : "best");
        p->coretype = o->coretype;
        return MB_OK;
    }
    case OPT_CONFIG: /* one file: which of two would win is a guess best not made */
        if (p->config != NULL)
            return mb_diag_set(d, MB_USAGE, "config: given twice ('%s', then '%s'); give one file",
                               SHOWN(p->config), SHOWN(arg));
        p->config = arg;
        return MB_OK;
    case 'h':
        return MB_HELP;
    case 'V':
        return MB_VERSION;
    }
    return mb_diag_set(d, MB_USAGE, "internal: unhandled option %d", opt);
}

/* A config file's key: one of the long option names, in its section. */
static enum mb_status apply_config_key(const char *section, const char *key, const char *value,
                                       void *user, struct mb_diag *d)
{
    for (size_t i = 0; i < NOPTIONS; i++) {
        const struct option_row *r = &option_rows[i];
        if (r->section == NULL || strcmp(r->name, key) != 0)
            continue;
        if (strcmp(r->section, section) != 0 && section[0] == '\0')
            return mb_diag_set(d, MB_USAGE, "'%s' is outside any section; put it under [%s]", key,
                               r->section);
        if (strcmp(r->section, section) != 0)
            return mb_diag_set(d, MB_USAGE, "'%s' belongs in the [%s] section, not [%s]", key,
                               r->section, SHOWN(section));
        return apply_option(r->id, value, FROM_CONFIG, user, d);
    }
    char keys[256] = "";
    for (const char *sec = "run"; sec != NULL; sec = strcmp(sec, "run") == 0 ? "output" : NULL) {
        size_t len = strlen(keys);
        snprintf(keys + len, sizeof keys - len, "%s[%s]", len ? "; " : "", sec);
        for (size_t i = 0, k = 0; i < NOPTIONS; i++)
            if (option_rows[i].section != NULL && strcmp(option_rows[i].section, sec) == 0) {
                len = strlen(keys);
                snprintf(keys + len, sizeof keys - len, "%s %s", k++ ? "," : "",
                         option_rows[i].name);
            }
    }
    return mb_diag_set(d, MB_USAGE,
                       "unknown key '%s' (keys are the long option names of matbench --help: %s)",
                       SHOWN(key), keys);
}

/* The word getopt_long was reading when it refused an option (opt is '?'
 * or ':', bad its optopt); before the call optind stood at prev. It moves
 * optind past a long option's word (and its value), and past a word of
 * short options once the word is read to its end; but when letters follow
 * the refused one ("-xy", "-10"), optind still points at the word itself,
 * so argv[optind - 1] would be the word before it (argv[0] at the start).
 * Every accepted short option (-h, -V) ends the parse, so a refused letter
 * is the first of its word: a word of that letter alone, just passed, is
 * the one; otherwise the word at optind. */
static const char *refused_word(int argc, char **argv, int prev, int opt, int bad)
{
    prev = prev > 0 ? prev : 1; /* optind 0: glibc starts at argv[1] */
    bool short_letter = opt == '?' && bad > 0 && bad < 256 && bad != 'h' && bad != 'V';
    if (!short_letter || optind >= argc)
        return argv[optind - 1];
    const char *passed = optind - 1 >= prev ? argv[optind - 1] : NULL;
    if (passed != NULL && passed[0] == '-' && passed[1] == bad && passed[2] == '\0')
        return passed;
    return argv[optind];
}

/* The message for an option getopt_long refused (opt '?' or ':', bad its
 * optopt, word the argument it was reading): unknown, an ambiguous
 * abbreviation, a value given to a flag, or a value missing. A negative
 * number ("-5") is most likely a size. */
static enum mb_status bad_option(int opt, int bad, const char *word, struct mb_diag *d)
{
    if (word[0] == '-' && word[1] >= '0' && word[1] <= '9')
        return mb_diag_set(d, MB_USAGE, "N: '%s' is not a positive decimal integer (1..%llu)",
                           SHOWN(word), MB_N_MAX);
    if (opt == ':')
        return mb_diag_set(d, MB_USAGE, "option '%s' needs a value (see matbench --help)",
                           SHOWN(word));
    bool is_long = word[0] == '-' && word[1] == '-';
    if (is_long && bad != 0) /* glibc: a known long option given "=value" it does not take */
        return mb_diag_set(d, MB_USAGE, "option '--%s' takes no value (given '%s')",
                           option_name(bad), SHOWN(word));
    size_t len = is_long ? strcspn(word + 2, "=") : 0;
    char candidates[256] = "";
    size_t matches = 0;
    for (size_t i = 0; len > 0 && i < NOPTIONS; i++)
        if (strncmp(option_rows[i].name, word + 2, len) == 0) {
            size_t used = strlen(candidates);
            snprintf(candidates + used, sizeof candidates - used, "%s--%s", matches++ ? ", " : "",
                     option_rows[i].name);
        }
    if (matches > 1) {
        char typed[64];
        snprintf(typed, sizeof typed, "%.*s", (int)len + 2, word);
        return mb_diag_set(d, MB_USAGE, "option '%s' is ambiguous (%s)", SHOWN(typed), candidates);
    }
    return mb_diag_set(d, MB_USAGE, "unknown option '%s' (see matbench --help)", SHOWN(word));
}

/* The commands besides a run: the word that names each, and whether it
 * takes a size N after it. */
static const struct command_row {
    const char *word;
    enum mb_command command;
    bool takes_size;
} command_rows[] = {
    {"info", MB_CMD_INFO, false},
    {"peak", MB_CMD_PEAK, false},
    {"coretypes", MB_CMD_CORETYPES, true},
    {"kernels", MB_CMD_KERNELS, false},
};

/* The positional words: a command first, or the size N (for a run and the
 * commands that take one). */
static enum mb_status parse_words(int argc, char **argv, int first, struct mb_options *o,
                                  const char **size_word, struct mb_diag *d)
{
    *size_word = NULL;
    bool takes_size = true;
    for (int i = first; i < argc; i++) {
        bool command = false;
        for (size_t c = 0; i == first && c < sizeof command_rows / sizeof command_rows[0]; c++)
            if (strcmp(argv[i], command_rows[c].word) == 0) {
                o->command = command_rows[c].command;
                takes_size = command_rows[c].takes_size;
                command = true;
            }
        if (command)
            continue;
        /* the first word wrong is the one to name: in "-- --threads 1"
         * that is '--threads', not a size, before '1' is one word too many */
        size_t n;
        if (*size_word != NULL && mb_parse_size(*size_word, &n, d) != MB_OK)
            return MB_USAGE;
        if (*size_word != NULL || !takes_size)
            return mb_diag_set(d, MB_USAGE, "unexpected argument '%s' (see matbench --help)",
                               SHOWN(argv[i]));
        *size_word = argv[i];
    }
    return MB_OK;
}

/* OPENBLAS_CORETYPE from the environment, for a run without --coretype
 * (which sets it itself). OpenBLAS takes the named kernels when it loads
 * without checking the CPU, and the first BLAS call then dies of SIGILL
 * (Opteron's 3DNow!, Bulldozer's FMA4 on a CPU without them), so a core
 * type of the table this CPU cannot run is refused before any call. A name
 * the table does not have is left to OpenBLAS: 0.3.21 ignores a name it
 * does not know and uses the kernels it detects (the header says which),
 * and maps the 32-bit names (Katmai, Athlon, ...) to Prescott; both are
 * safe. Unset or empty: MB_OK. */
static enum mb_status check_env_coretype(const char *env, struct mb_diag *d)
{
    const struct mb_coretype *ct = env != NULL ? mb_coretype_find(env) : NULL;
    const char *missing = ct != NULL ? mb_coretype_missing(ct, NULL) : NULL;
    if (missing == NULL)
        return MB_OK;
    return mb_diag_set(d, MB_USAGE,
                       "OPENBLAS_CORETYPE: '%s' needs %s, which this CPU does not have; its "
                       "kernels would die of SIGILL (unset it, or pick one of matbench coretypes)",
                       SHOWN(env), missing);
}

/* Parses argv into o: the command, the plan with every value checked (the
 * config file first, then the command line over it), the default thread
 * list resolved (OPENBLAS_NUM_THREADS or the cores this process may use),
 * and, for a run, the memory need of the largest size checked against
 * MemAvailable.
 * Returns MB_OK, MB_HELP or MB_VERSION, or MB_USAGE with the message in d;
 * nothing is allocated. */
enum mb_status mb_cli_parse(int argc, char **argv, struct mb_options *o, struct mb_diag *d)
{
    memset(o, 0, sizeof *o);
    o->command = MB_CMD_RUN;
    o->argv = argv;
    mb_plan_defaults(&o->plan);
    struct mb_plan *p = &o->plan;
    struct mb_machine *m = &o->machine;
    if (mb_machine_probe(m, d) != MB_OK)
        m->physical_cores = m->logical_cores = m->usable_cores = m->usable_cpus = 1;

    struct option long_options[NOPTIONS + 1];
    for (size_t i = 0; i < NOPTIONS; i++)
        long_options[i] =
            (struct option){option_rows[i].name, option_rows[i].has_arg, NULL, option_rows[i].id};
    long_options[NOPTIONS] = (struct option){NULL, 0, NULL, 0};

    /* First pass: find --config and refuse unknown options; the second
     * applies the command line over the file. */
    bool sizes_flag = false;
    for (int pass = 0; pass < 2; pass++) {
        opterr = 0;
        optind = 0; /* glibc: full re-initialisation, so the parser can run again */
        int opt, prev = optind;
        while ((opt = getopt_long(argc, argv, ":hV", long_options, NULL)) != -1) {
            enum mb_status st = MB_OK;
            if (opt == '?' || opt == ':')
                st = bad_option(opt, optopt, refused_word(argc, argv, prev, opt, optopt), d);
            else if (pass == 0 && (opt == OPT_CONFIG || opt == 'h' || opt == 'V'))
                st = apply_option(opt, optarg, FROM_ARGV, o, d);
            else if (pass == 1 && opt != OPT_CONFIG)
                st = apply_option(opt, optarg, FROM_ARGV, o, d);
            sizes_flag |= opt == OPT_SIZES;
            if (st != MB_OK)
                return st;
            prev = optind;
        }
        if (pass == 0 && p->config != NULL) {
            enum mb_status st = mb_config_load(p->config, apply_config_key, o, d);
            if (st != MB_OK)
                return st;
        }
    }

    const char *size_word;
    enum mb_status st = parse_words(argc, argv, optind, o, &size_word, d);
    if (st == MB_OK && o->command != MB_CMD_RUN && p->format != MB_FORMAT_TABLE &&
        p->format != MB_FORMAT_JSON)
        return mb_diag_set(d, MB_USAGE, "format: '%s' is not available for %s (table, json)",
                           mb_format_name(p->format), argv[optind]);
    if (st != MB_OK || o->command == MB_CMD_INFO || o->command == MB_CMD_PEAK ||
        o->command == MB_CMD_KERNELS)
        return st;
    if (size_word != NULL && sizes_flag)
        return mb_diag_set(d, MB_USAGE, "N: '%s' given with --sizes; give one or the other",
                           SHOWN(size_word));
    if (size_word != NULL) {
        if ((st = mb_parse_size(size_word, &p->sizes[0], d)) != MB_OK)
            return st;
        p->nsizes = 1;
    }

    st = mb_plan_resolve_threads(p, getenv("OPENBLAS_NUM_THREADS"), mb_blas_max_threads(),
                                 mb_machine_usable_cores(m), d);
    if (st != MB_OK)
        return st;
    if (o->command == MB_CMD_RUN && p->coretype == NULL &&
        (st = check_env_coretype(getenv("OPENBLAS_CORETYPE"), d)) != MB_OK)
        return st;
    uint64_t available;
    if ((st = mb_mem_available(&available, d)) != MB_OK)
        return st;
    return mb_plan_check_memory(p, available, d);
}

/* ---- running ---------------------------------------------------------- */

/* The signals that stop a run or matbench coretypes early, and the first of
 * them that arrived since mb_cli_signals_catch (0: none yet). The number is
 * the stop flag the runner and the child processes' waits watch, and gives
 * the exit code (128 + it) once the results are written. */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSTOP_SIGNALS (sizeof stop_signals / sizeof stop_signals[0])
static volatile sig_atomic_t caught_signal;
static struct sigaction saved_actions[NSTOP_SIGNALS];
static bool catching;

static void on_stop_signal(int sig)
{
    if (caught_signal == 0)
        caught_signal = sig;
}

/* Catches SIGINT, SIGTERM and SIGHUP from now until mb_cli_signals_release
 * (a second call changes nothing): the first one to arrive is recorded and
 * raises the returned flag; later ones change nothing. The handler stays
 * installed (no SA_RESETHAND), so a second Ctrl-C while the report is
 * written cannot kill matbench half-way through it. SA_RESTART keeps a
 * signal from failing a write to a pipe or terminal with EINTR; the waits
 * that must end early poll with a timeout, as a signal may be delivered to
 * any thread (OpenBLAS's, the monitor's). A SIGHUP ignored when matbench
 * started (nohup) stays ignored; SIGINT and SIGTERM are caught even then (a
 * shell without job control starts `matbench &` with SIGINT ignored, and
 * kill -INT still stops it, as it always did). */
const volatile sig_atomic_t *mb_cli_signals_catch(void)
{
    if (catching)
        return &caught_signal;
    struct sigaction sa = {.sa_handler = on_stop_signal, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NSTOP_SIGNALS; i++)
        sigaddset(&sa.sa_mask, stop_signals[i]);
    caught_signal = 0;
    for (size_t i = 0; i < NSTOP_SIGNALS; i++) {
        sigaction(stop_signals[i], NULL, &saved_actions[i]);
        if (stop_signals[i] != SIGHUP || saved_actions[i].sa_handler != SIG_IGN)
            sigaction(stop_signals[i], &sa, NULL);
    }
    catching = true;
    return &caught_signal;
}

/* Blocks (hold) or unblocks the stop signals in the calling thread: around
 * writing a report and closing its file, so that no signal interrupts the
 * write; one that arrives meanwhile is handled (recorded) when unblocked,
 * or at once by another thread. */
void mb_cli_signals_hold(bool hold)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < NSTOP_SIGNALS; i++)
        sigaddset(&set, stop_signals[i]);
    pthread_sigmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/* Unblocks the stop signals (one held meanwhile is recorded, not lost),
 * puts back the actions they had before mb_cli_signals_catch, and returns
 * the first signal caught (0: none), which mb_cli_finish turns into the
 * exit code. */
int mb_cli_signals_release(void)
{
    if (catching) {
        mb_cli_signals_hold(false);
        for (size_t i = 0; i < NSTOP_SIGNALS; i++)
            sigaction(stop_signals[i], &saved_actions[i], NULL);
        catching = false;
    }
    return caught_signal;
}

/* "SIGINT", "SIGTERM", "SIGHUP", or "signal N". */
static const char *signal_name(int sig, char *buf, size_t cap)
{
    static const char *const names[] = {
        [SIGINT] = "SIGINT", [SIGTERM] = "SIGTERM", [SIGHUP] = "SIGHUP"};
    if (sig > 0 && (size_t)sig < sizeof names / sizeof names[0] && names[sig] != NULL)
        return names[sig];
    snprintf(buf, cap, "signal %d", sig);
    return buf;
}

/* The status of a command that stop signal sig (0: none) may have cut
 * short: for st MB_OK or MB_INTERRUPTED and a signal, MB_INTERRUPTED with a
 * message naming the signal and what was still written (`what`, e.g. "3
 * results"); a signal that came when the work was done still counts, so the
 * exit code shows it. Any other st (a failure) is returned unchanged. */
enum mb_status mb_cli_interrupted(enum mb_status st, int sig, const char *what, struct mb_diag *d)
{
    char buf[32];
    if (sig == 0 || (st != MB_OK && st != MB_INTERRUPTED))
        return st;
    return mb_diag_set(d, MB_INTERRUPTED, "interrupted by %s; %s written",
                       signal_name(sig, buf, sizeof buf), what);
}

/* Progress on stderr when it is a terminal: a status line rewritten in
 * place (at most ten times a second), and a line per finished
 * configuration. With the live view, the status line is the last line of
 * the view's block, which the monitor's thread redraws at each sample;
 * the mutex keeps the two threads' writes apart. */
struct progress {
    bool tty;
    bool live;
    double last_s;
    struct mb_progress state;
    pthread_mutex_t mu;
    int live_lines; /* lines of the live block now on the screen */
    char status[256];
};

/* Removes the live block from the screen (the cursor ends where it began).
 * Call with pr->mu held. */
static void live_clear(struct progress *pr)
{
    if (pr->live_lines > 0)
        fprintf(stderr, "\033[%dA\033[J", pr->live_lines);
    pr->live_lines = 0;
}

/* The bytes of the first cells display cells of UTF-8 text of len bytes. */
static int bytes_for_cells(const char *s, int len, int cells)
{
    int i = 0;
    for (int seen = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && seen++ == cells)
            break;
    }
    return i;
}

/* A sample from the monitor's thread: redraws the live block, each line cut
 * to the terminal's width so that none wraps (a wrapped line would throw
 * the count of lines to move back up). */
static void on_sample(const struct mb_monitor_sample *s, void *user)
{
    struct progress *pr = user;
    char block[8192];
    struct winsize ws;
    int cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ? ws.ws_col : 80;
    pthread_mutex_lock(&pr->mu);
    int lines = mb_live_render(s, pr->status, block, sizeof block);
    if (pr->live_lines > 0)
        fprintf(stderr, "\033[%dA", pr->live_lines);
    for (char *line = block, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1)
        fprintf(stderr, "\r\033[K%.*s\n", bytes_for_cells(line, (int)(nl - line), cols - 1), line);
    pr->live_lines = lines;
    fflush(stderr);
    pthread_mutex_unlock(&pr->mu);
}

/* A line that stays: above the live block, or over the status line. */
static void print_line(struct progress *pr, const char *line)
{
    pthread_mutex_lock(&pr->mu);
    live_clear(pr);
    fprintf(stderr, "\r\033[K%s\n", line);
    pthread_mutex_unlock(&pr->mu);
}

static void on_event(const struct mb_event *ev, void *user)
{
    struct progress *pr = user;
    mb_progress_update(&pr->state, ev);
    if (!pr->tty)
        return;
    double now = mb_clock_now_s();
    char line[256];
    switch (ev->kind) {
    case MB_EVENT_FILL:
        snprintf(line, sizeof line, "filled A and B for n=%zu (%.3g M doubles) in %.3g s", ev->n,
                 2.0 * (double)ev->n * (double)ev->n / 1e6, ev->value);
        print_line(pr, line);
        break;
    case MB_EVENT_RUN_START:
    case MB_EVENT_REP_DONE:
    case MB_EVENT_ROWS:
        if (ev->kind != MB_EVENT_RUN_START && now - pr->last_s < 0.1)
            break; /* passes of microseconds would flood the terminal */
        pr->last_s = now;
        mb_progress_line(&pr->state, ev, now, line, sizeof line);
        pthread_mutex_lock(&pr->mu);
        if (pr->live)
            snprintf(pr->status, sizeof pr->status, "%s", line);
        else
            fprintf(stderr, "\r\033[K%s", line);
        pthread_mutex_unlock(&pr->mu);
        break;
    case MB_EVENT_RUN_DONE:
        snprintf(line, sizeof line,
                 "[%zu/%zu] %s n=%zu threads=%d: %s%.3g s, %.3g GFLOP/s, %.2f cores busy",
                 ev->index, ev->total, ev->kernel->name, ev->n, ev->threads,
                 ev->result->estimated ? "~" : "", ev->result->time_s.median, ev->result->gflops,
                 ev->result->cores_busy);
        print_line(pr, line);
        break;
    }
}

static enum mb_status run_info(const struct mb_options *o, FILE *out, struct mb_diag *d)
{
    struct mb_blas_info b;
    mb_blas_info(&b);
    if (o->plan.format == MB_FORMAT_JSON)
        return mb_report_info_json(out, &o->machine, &b, d);
    mb_report_info(out, &o->machine, &b);
    return MB_OK;
}

/* Measures the FMA peak for isa on every usable core
 * (mb_peak_measure_settled), saying so on a terminal first (it takes about
 * half a second). */
static enum mb_status measure_peak(const struct mb_options *o, enum mb_isa isa, bool tell,
                                   struct mb_peak *pk, struct mb_diag *d)
{
    int cores = mb_machine_usable_cores(&o->machine);
    if (tell)
        fprintf(stderr, "\r\033[Kmeasuring the %s FMA peak on 1 and %d cores...", mb_isa_name(isa),
                cores);
    enum mb_status st = mb_peak_measure_settled(isa, cores, MB_PEAK_DEFAULT_PHASE_S, pk, d);
    if (tell)
        fprintf(stderr, "\r\033[K");
    return st;
}

/* matbench peak: every instruction set the CPU has, widest first. */
static enum mb_status run_peak(const struct mb_options *o, FILE *out, struct mb_diag *d)
{
    static const enum mb_isa isas[] = {MB_ISA_AVX512, MB_ISA_AVX2, MB_ISA_SSE2};
    struct mb_peak pk[sizeof isas / sizeof isas[0]];
    size_t count = 0;
    bool tell = !o->plan.quiet && isatty(STDERR_FILENO);
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
        if (!mb_isa_supported(isas[i]))
            continue;
        enum mb_status st = measure_peak(o, isas[i], tell, &pk[count], d);
        if (st != MB_OK)
            return st;
        count++;
    }
    if (o->plan.format == MB_FORMAT_JSON)
        return mb_report_peak_json(out, &o->machine, pk, count, d);
    mb_report_peak(out, &o->machine, pk, count);
    return MB_OK;
}

/* matbench info, peak, kernels and coretypes: the report goes where
 * --output says, opened (so checked) before anything is measured, and
 * replaces an earlier one only when it is whole (or, interrupted, holds
 * what was done). A stop signal is caught meanwhile, so that no temporary
 * file is left behind. */
static enum mb_status run_command(const struct mb_options *o, struct mb_diag *d)
{
    const volatile sig_atomic_t *stop = mb_cli_signals_catch();
    struct mb_sink out;
    enum mb_status st = mb_sink_open(&out, o->plan.output, d);
    if (st != MB_OK)
        return st;
    if (o->command == MB_CMD_INFO)
        st = run_info(o, out.f, d);
    else if (o->command == MB_CMD_PEAK)
        st = run_peak(o, out.f, d);
    else if (o->command == MB_CMD_CORETYPES)
        st = mb__cli_coretypes(o, out.f, d);
    else if (o->plan.format == MB_FORMAT_JSON)
        st = mb_report_kernels_json(out.f, d);
    else
        mb_report_kernels(out.f);
    struct mb_diag wd = {0};
    enum mb_status cst = mb_sink_close(&out, st == MB_OK || st == MB_INTERRUPTED, &wd);
    if (st == MB_OK && cst != MB_OK) {
        *d = wd;
        st = cst;
    }
    return st == MB_OK ? mb_cli_interrupted(st, *stop, "the report", d) : st;
}

/* Bars and colour in the table: only on a terminal, and never when NO_COLOR
 * is set to anything but the empty string (https://no-color.org). */
bool mb_cli_fancy(bool is_tty, const char *no_color)
{
    return is_tty && (no_color == NULL || no_color[0] == '\0');
}

/* Runs the parsed command: the header first (on stdout for a table on
 * stdout, else on stderr), the plan through the runner, then the report.
 * Results completed before a failure or an interruption are still written. */
enum mb_status mb_cli_run(const struct mb_options *o, struct mb_diag *d)
{
    if (o->command != MB_CMD_RUN)
        return run_command(o, d);
    /* from here on a stop signal is caught (until mb_cli_finish): the
     * results so far are written and no temporary file is left */
    const volatile sig_atomic_t *stop = mb_cli_signals_catch();
    enum mb_status st = mb__cli_coretype_exec(o, o->argv, d);
    if (st != MB_OK)
        return mb_cli_interrupted(st, *stop, "no results", d);
    const struct mb_plan *p = &o->plan;
    struct mb_blas_info b;
    mb_blas_info(&b);
    char coretype_note[256], hint[256];
    mb__coretype_note(&b, coretype_note, sizeof coretype_note);
    mb__coretype_hint(&b, mb_plan_largest_size(p), hint, sizeof hint);
    /* --output is checked (the temporary file made, the device opened)
     * before the peak takes its half a second */
    struct mb_sink out;
    st = mb_sink_open(&out, p->output, d);
    if (st != MB_OK)
        return st;
    struct mb_peak peak;
    bool have_peak = false;
    if (p->peak) {
        struct mb_diag pd = {0};
        have_peak = measure_peak(o, mb_isa_widest(), !p->quiet && isatty(STDERR_FILENO), &peak,
                                 &pd) == MB_OK;
        if (!have_peak && !p->quiet)
            fprintf(stderr, "matbench: no peak figures: %s\n", pd.msg);
    }
    struct mb_results results = {0};
    struct mb_report_ctx ctx = {.machine = &o->machine,
                                .blas = &b,
                                .plan = p,
                                .results = &results,
                                .pid = (long)getpid(),
                                .peak = have_peak ? &peak : NULL,
                                .coretype_note = coretype_note,
                                .hint = hint,
                                .monitor = {.interval_s = MB_MONITOR_INTERVAL_S}};

    bool table_on_stdout = p->format == MB_FORMAT_TABLE && out.f == stdout;
    ctx.fancy = out.f == stdout && mb_cli_fancy(isatty(STDOUT_FILENO), getenv("NO_COLOR"));
    if (!p->quiet) {
        mb_report_header(table_on_stdout ? stdout : stderr, &ctx);
        fflush(table_on_stdout ? stdout : stderr);
    }

    struct progress pr = {.tty = !p->quiet && isatty(STDERR_FILENO)};
    pr.live = pr.tty && p->live && p->monitor;
    pthread_mutex_init(&pr.mu, NULL);
    mb_progress_init(&pr.state, p, mb_clock_now_s());
    struct mb_runner_hooks hooks = {on_event, &pr, stop, NULL, have_peak ? &peak : NULL};
    if (p->monitor) {
        struct mb_diag md = {0};
        if (mb_monitor_start(MB_MONITOR_INTERVAL_S, pr.live ? on_sample : NULL, &pr, &hooks.monitor,
                             &md) != MB_OK &&
            !p->quiet)
            fprintf(stderr, "matbench: no per-CPU figures: %s\n", md.msg);
    }
    double run_start = mb_clock_now_s();
    st = mb_runner_run(p, &hooks, &results, d);
    ctx.monitor.wall_s = mb_clock_now_s() - run_start;
    ctx.monitor.on = hooks.monitor != NULL;
    mb_monitor_stop(hooks.monitor, &ctx.monitor.samples, &ctx.monitor.cpu_s);
    pthread_mutex_lock(&pr.mu);
    live_clear(&pr);
    pthread_mutex_unlock(&pr.mu);
    pthread_mutex_destroy(&pr.mu);
    ctx.interrupted = st == MB_INTERRUPTED;
    mb_cli_signals_hold(true); /* a signal now waits until the report is whole */

    if (p->format == MB_FORMAT_TABLE && out.f != stdout)
        mb_report_header(out.f, &ctx);
    struct mb_diag wd = {0};
    enum mb_status wst = mb_report_for(p->format)(out.f, &ctx, &wd);
    if (hint[0] != '\0' && !p->quiet && p->format != MB_FORMAT_TABLE &&
        p->format != MB_FORMAT_MARKDOWN)
        fprintf(stderr, "%s\n", hint);
    bool complete = results.count > 0;
    enum mb_status cst = mb_sink_close(&out, complete, &wd);
    if (wst == MB_OK)
        wst = cst;
    mb_cli_signals_hold(false);
    char kept[64];
    if (results.count == 0)
        snprintf(kept, sizeof kept, "no results");
    else
        snprintf(kept, sizeof kept, "%zu result%s", results.count, results.count == 1 ? "" : "s");
    mb_results_free(&results);
    if (st == MB_OK && wst != MB_OK) {
        *d = wd;
        st = wst;
    }
    return mb_cli_interrupted(st, *stop, kept, d);
}

/* Prints what the status calls for (help, version, or the one-line message)
 * and returns the exit code: 128 + the first stop signal caught when it
 * interrupted the command (mb_exit_code_signal), else mb_exit_code. */
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
    errno = 0;
    if ((st == MB_HELP || st == MB_VERSION) && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "matbench: cannot write to standard output: %s\n",
                strerror(errno != 0 ? errno : EIO));
        return mb_exit_code(MB_IO);
    }
    return mb_exit_code_signal(st, mb_cli_signals_release());
}
