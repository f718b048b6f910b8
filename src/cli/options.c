/* Every option of matbench, once: the rows that the argument parser, the
 * config file's keys, --help, the man page and the completion all read (as
 * redis's config.c keeps name, bounds and default in one row). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "matbench/blas.h"
#include "matbench/compare.h"
#include "matbench/coretype.h"
#include "matbench/pitfalls.h"
#include "mb_internal.h"

#define PLAN(field) offsetof(struct mb_options, plan.field)
#define FRONT(field) offsetof(struct mb_options, front.field)

/* --sizes: a list or a range of sizes. */
static enum mb_status set_sizes(const char *arg, bool from_config, struct mb_options *o,
                                struct mb_diag *d)
{
    (void)from_config;
    return mb_parse_sizes(arg, &o->plan.sizes, d);
}

/* --threads: the list, and where it came from (the header says). */
static enum mb_status set_threads(const char *arg, bool from_config, struct mb_options *o,
                                  struct mb_diag *d)
{
    struct mb_plan *p = &o->plan;
    p->threads_source = from_config ? MB_THREADS_CONFIG : MB_THREADS_FLAG;
    return mb_parse_threads(arg, mb_blas_max_threads(), mb_machine_usable_cores(&o->machine),
                            &p->threads, d);
}

/* --kernels: names and groups of the kernel table. */
static enum mb_status set_kernels(const char *arg, bool from_config, struct mb_options *o,
                                  struct mb_diag *d)
{
    (void)from_config;
    o->kernels_given = true;
    return mb_parse_kernels(arg, &o->plan.kernels, d);
}

/* --layout: col or row. */
static enum mb_status set_layout(const char *arg, bool from_config, struct mb_options *o,
                                 struct mb_diag *d)
{
    (void)from_config;
    return mb_parse_layout(arg, &o->plan.layout, d);
}

/* The values of --kernels: every kernel of the registry, then the groups. */
static const char *kernel_value(size_t i)
{
    if (i < mb_kernel_count())
        return mb_kernel_at(i)->name;
    return mb_kernel_group_name(i - mb_kernel_count(), NULL);
}

/* The values of --format: the rows of the format table. */
static const char *format_value(size_t i)
{
    const struct mb_format_row *row = mb_format_row((enum mb_format)i);
    return row != NULL ? row->name : NULL;
}

/* The values of --coretype: best, then the core-type table. */
static const char *coretype_value(size_t i)
{
    if (i == 0)
        return "best";
    const struct mb_coretype *ct = mb_coretype_at(i - 1);
    return ct != NULL ? ct->name : NULL;
}

/* --format: one of the reporters' names. */
static enum mb_status set_format(const char *arg, bool from_config, struct mb_options *o,
                                 struct mb_diag *d)
{
    (void)from_config;
    return mb_parse_format(arg, &o->front.format, d);
}

/* --output: a file name; one from a config file is copied, as the file's
 * text does not outlive its parse. */
static enum mb_status set_output(const char *arg, bool from_config, struct mb_options *o,
                                 struct mb_diag *d)
{
    if (arg[0] == '\0')
        return mb_diag_set(d, MB_USAGE, "output: '' is not a file name");
    if (from_config) {
        if (strlen(arg) >= sizeof o->output_path)
            return mb_diag_set(d, MB_USAGE, "output: '%s' is too long (%zu characters at most)",
                               SHOWN(arg), sizeof o->output_path - 1);
        strcpy(o->output_path, arg);
        arg = o->output_path;
    }
    o->front.output = arg;
    return MB_OK;
}

/* --blas: the libraries of matbench blas, checked when it runs (a
 * path's file is read then); one from a config file is copied. */
static enum mb_status set_blas(const char *arg, bool from_config, struct mb_options *o,
                               struct mb_diag *d)
{
    if (arg[0] == '\0')
        return mb_diag_set(d, MB_USAGE,
                           "blas: '' names no library (names or paths, "
                           "comma-separated)");
    if (from_config) {
        if (strlen(arg) >= sizeof o->blas_list)
            return mb_diag_set(d, MB_USAGE, "blas: '%s' is too long (%zu characters at most)",
                               SHOWN(arg), sizeof o->blas_list - 1);
        strcpy(o->blas_list, arg);
        arg = o->blas_list;
    }
    o->blas = arg;
    return MB_OK;
}

/* --only: matbench pitfalls's scenarios, checked when it runs; one from a
 * config file is copied. */
static enum mb_status set_only(const char *arg, bool from_config, struct mb_options *o,
                               struct mb_diag *d)
{
    if (from_config) {
        if (strlen(arg) >= sizeof o->only_list)
            return mb_diag_set(d, MB_USAGE, "only: '%s' is too long (%zu characters at most)",
                               SHOWN(arg), sizeof o->only_list - 1);
        strcpy(o->only_list, arg);
        arg = o->only_list;
    }
    o->only = arg;
    return MB_OK;
}

/* --threshold and --fail-if-slower: percentages, kept as fractions. */
static enum mb_status set_threshold(const char *arg, bool from_config, struct mb_options *o,
                                    struct mb_diag *d)
{
    (void)from_config;
    return mb_parse_percent("threshold", arg, 100, &o->threshold, d);
}

static enum mb_status set_fail_if_slower(const char *arg, bool from_config, struct mb_options *o,
                                         struct mb_diag *d)
{
    (void)from_config;
    return mb_parse_percent("fail-if-slower", arg, 1000, &o->fail_if_slower, d);
}

/* --match: the fields matbench compare matches results by (kept plus 1,
 * so that 0 says it was not given). */
static enum mb_status set_match(const char *arg, bool from_config, struct mb_options *o,
                                struct mb_diag *d)
{
    (void)from_config;
    unsigned m;
    enum mb_status st = mb_compare_parse_match(arg, &m, d);
    if (st == MB_OK)
        o->match = m + 1;
    return st;
}

/* The values of --only: the scenario table. */
static const char *only_value(size_t i)
{
    const struct mb_pitfall *p = mb_pitfall_at(i);
    return p != NULL ? p->id : NULL;
}

/* --coretype: a core type this CPU can run, or best. */
static enum mb_status set_coretype(const char *arg, bool from_config, struct mb_options *o,
                                   struct mb_diag *d)
{
    (void)from_config;
    enum mb_status st = mb__coretype_check(arg, d);
    if (st != MB_OK)
        return st;
    const struct mb_coretype *ct = mb_coretype_find(arg);
    snprintf(o->coretype, sizeof o->coretype, "%s", ct != NULL ? ct->name : "best");
    o->front.coretype = o->coretype;
    return MB_OK;
}

/* The file that --config NAME means: a value with a '/', or that names an
 * existing file, is a path as given; any other is a name, looked up as
 * NAME.ini (NAME as is when it ends in .ini) in $MATBENCH_CONFIG_DIR when
 * that is set and not empty, else in the installed configs directory.
 * Returns MB_OK with the path in buf (cap bytes), or MB_USAGE naming what
 * was tried. */
static enum mb_status config_path(const char *arg, char *buf, size_t cap, struct mb_diag *d)
{
    if (strchr(arg, '/') != NULL || access(arg, F_OK) == 0 || arg[0] == '\0') {
        snprintf(buf, cap, "%s", arg);
        return MB_OK;
    }
    const char *env = getenv("MATBENCH_CONFIG_DIR");
    const char *dir = env != NULL && env[0] != '\0' ? env : MB_CONFIG_INSTALL_DIR;
    size_t len = strlen(arg);
    bool has_ext = len > 4 && strcmp(arg + len - 4, ".ini") == 0;
    int n = snprintf(buf, cap, "%s/%s%s", dir, arg, has_ext ? "" : ".ini");
    if (n < 0 || (size_t)n >= cap)
        return mb_diag_set(d, MB_USAGE, "config: '%s' is too long a name", SHOWN(arg));
    if (access(buf, F_OK) == 0)
        return MB_OK;
    return mb_diag_set(d, MB_USAGE, "config: '%s' is neither a file nor a config name (no %s)",
                       SHOWN(arg), SHOWN(buf));
}

/* --config: one file, or the name of an installed one (config_path);
 * which of two would win is a guess best not made. */
static enum mb_status set_config(const char *arg, bool from_config, struct mb_options *o,
                                 struct mb_diag *d)
{
    (void)from_config;
    if (o->front.config != NULL)
        return mb_diag_set(d, MB_USAGE, "config: given twice ('%s', then '%s'); give one file",
                           SHOWN(o->front.config), SHOWN(arg));
    enum mb_status st = config_path(arg, o->config_path, sizeof o->config_path, d);
    if (st == MB_OK)
        o->front.config = o->config_path;
    return st;
}

/* --help ends the parse with its pseudo-status MB_HELP. */
static enum mb_status set_help(const char *arg, bool from_config, struct mb_options *o,
                               struct mb_diag *d)
{
    (void)arg, (void)from_config, (void)o, (void)d;
    return MB_HELP;
}

/* --version ends the parse with its pseudo-status MB_VERSION. */
static enum mb_status set_version(const char *arg, bool from_config, struct mb_options *o,
                                  struct mb_diag *d)
{
    (void)arg, (void)from_config, (void)o, (void)d;
    return MB_VERSION;
}

/* Row makers, in designated initializers so that a field a row leaves
 * out is zero. */
#define ROW(n, sec, meta, text, k, f, lo, hi, fn, letter, first)                                   \
    {                                                                                              \
        .name = (n), .section = (sec), .metavar = (meta), .help = (text), .kind = (k),             \
        .field = (f), .min = (lo), .max = (hi), .parse = (fn), .short_name = (letter),             \
        .early = (first)                                                                           \
    }
#define HEADING(text)                                                                              \
    {                                                                                              \
        .kind = MB__HEADING, .help = (text)                                                        \
    }
#define FN(n, sec, meta, fn, text) ROW(n, sec, meta, text, MB__FN, 0, 0, 0, fn, 0, false)
/* An FN row whose values come from a table (fn_values), listed in --help
 * when shown. */
#define FN_VALUES(n, sec, meta, fn, fn_values, shown, text)                                        \
    {                                                                                              \
        .name = (n), .section = (sec), .metavar = (meta), .help = (text), .kind = MB__FN,          \
        .parse = (fn), .values = (fn_values), .values_in_help = (shown)                            \
    }
#define UINT(n, meta, f, lo, hi, text)                                                             \
    ROW(n, "run", meta, text, MB__UINT, PLAN(f), lo, hi, NULL, 0, false)

/* In --help order. PLAN rows set what to run (struct mb_plan), FRONT rows
 * the front end's own settings (struct mb_front). */
const struct mb__option mb__options[] = {
    HEADING("What to run:"),
    FN("sizes", "run", "LIST", set_sizes,
       "several sizes instead of N: 1000,2000,4000 or a range\n"
       "first:last:step like 1000:5000:1000"),
    FN("threads", "run", "LIST", set_threads,
       "BLAS thread counts: 1,2,4 or 1-8; max or cores is the\n"
       "usable core count, 2*cores twice it (1-2*cores);\n"
       "default OPENBLAS_NUM_THREADS if set, else 1,2,4,... cores"),
    FN_VALUES("kernels", "run", "LIST", set_kernels, kernel_value, true,
              "kernels to run (default naive,dgemm; matbench kernels\n"
              "says what each one runs); the group ladder is naive to\n"
              "dgemm step by step, lapack the LAPACKE calls"),
    UINT("nrhs", "K", nrhs, 1, MB_NRHS_MAX, "right-hand sides for dgesv (default 1)"),
    FN("layout", "run", "L", set_layout,
       "col (default: column-major, as LAPACK stores matrices)\n"
       "or row (row-major: LAPACKE transposes into a copy and\n"
       "back inside the call, which the timing then shows)"),
    ROW("config", NULL, "FILE",
        "read options from an INI file (configs/*.ini, at most\n"
        "1 MiB, given once); options given on the command line\n"
        "win over the file",
        MB__FN, 0, 0, 0, set_config, 0, true),
    FN("blas", "run", "LIST", set_blas,
       "matbench blas: the libraries to compare, names of the\n"
       "ones found (openblas-pthread,blis-openmp) or paths to\n"
       "any libblas.so (default: every one found)"),
    FN_VALUES("only", "run", "LIST", set_only, only_value, true,
              "matbench pitfalls: the scenarios to run, comma-\nseparated (default: every one)"),
    FN("threshold", NULL, "PCT", set_threshold,
       "matbench compare: a change below PCT % is \"same\"\n(default 2)"),
    FN("match", NULL, "LIST", set_match,
       "matbench compare: the fields results are matched by\n(default "
       "kernel,n,threads,blas,ranks,grid; kernel,n\ncompares two thread counts)"),
    FN("fail-if-slower", NULL, "PCT", set_fail_if_slower,
       "matbench compare: exit 1 when a result is slower by\nmore than PCT % with p < 0.05 (for "
       "CI)"),
    HEADING("How to measure:"),
    UINT("repeat", "R", repeat, 1, MB_REPEAT_MAX,
         "timed samples per run (default 3; at most 1000000); a\n"
         "sample times enough calls to last 1 ms, and the times\n"
         "reported are one call's (calls_per_sample in CSV, JSON)"),
    UINT("warmup", "W", warmup, 0, MB_WARMUP_MAX, "untimed warm-up runs first (default 1)"),
    ROW("duration", "run", "S",
        "keep each BLAS run going S seconds of wall time\n"
        "(repeating the call; the statistics cover every\n"
        "sample): time to watch htop",
        MB__SECONDS, PLAN(duration_s), 0, MB_DURATION_MAX_S, NULL, 0, false),
    ROW("min-time", "run", "S",
        "time each BLAS run for at least S seconds, repeating\n"
        "the call (default 0.25; 0: just --repeat samples);\n"
        "--repeat stays the least sample count",
        MB__SECONDS, PLAN(min_time_s), 0, MB_DURATION_MAX_S, NULL, 0, false),
    ROW("naive-budget", "run", "S",
        "seconds for each slow kernel (naive and the hand-written\n"
        "ladder); it computes whole rows until the budget is\n"
        "spent and estimates the full time (default 10; 0 runs\n"
        "them in full)",
        MB__SECONDS, PLAN(naive_budget_s), 0, MB_BUDGET_MAX_S, NULL, 0, false),
    ROW("time-limit", "run", "S",
        "matbench blas and pitfalls: a child with no answer\n"
        "after S seconds is killed and its row says so\n"
        "(default 300 for blas, 30 for pitfalls; 0: no limit)",
        MB__SECONDS, offsetof(struct mb_options, time_limit_s), 0, 1e6, NULL, 0, false),
    ROW("seed", "run", "S", "seed of the random matrices (default 20260101)", MB__U64, PLAN(seed),
        0, 0, NULL, 0, false),
    ROW("no-verify", "run", NULL, "skip checking the results", MB__NOFLAG, PLAN(verify), 0, 0, NULL,
        0, false),
    ROW("no-monitor", "run", NULL,
        "no per-CPU busy or thread counts (the monitor samples\n"
        "/proc/stat 10 times a second while kernels run)",
        MB__NOFLAG, FRONT(monitor), 0, 0, NULL, 0, false),
    ROW("no-peak", "run", NULL,
        "do not measure the FMA peak first (saves ~0.5 s; no\n"
        "\"of peak\" figures)",
        MB__NOFLAG, FRONT(peak), 0, 0, NULL, 0, false),
    FN_VALUES("coretype", "run", "NAME", set_coretype, coretype_value, false,
              "run again with OPENBLAS_CORETYPE=NAME (a core type this\n"
              "CPU can run, see matbench coretypes), or best: the\n"
              "fastest in a quick probe"),
    HEADING("Output:"),
    FN_VALUES("format", "output", "F", set_format, format_value, true,
              "the report's format (default table); the table draws\n"
              "GFLOP/s bars on a terminal unless NO_COLOR is set"),
    FN("output", "output", "FILE", set_output, "write the report to FILE instead of stdout"),
    ROW("quiet", "output", NULL, "no header or progress on stderr", MB__FLAG, FRONT(quiet), 0, 0,
        NULL, 0, false),
    ROW("live", "output", NULL,
        "on a terminal, draw each CPU's load, the thread count\n"
        "and what runs, 10 times a second (htop for this run)",
        MB__FLAG, FRONT(live), 0, 0, NULL, 0, false),
    ROW("help", NULL, NULL, "this help", MB__FN, 0, 0, 0, set_help, 'h', true),
    ROW("version", NULL, NULL, "the version", MB__FN, 0, 0, 0, set_version, 'V', true),
};
const size_t mb__noptions = MB__ARRAY_SIZE(mb__options);

/* The front end's settings before any option: a table on stdout, the
 * monitor and the peak on, nothing read from a file. */
void mb_front_defaults(struct mb_front *f)
{
    *f = (struct mb_front){.format = MB_FORMAT_TABLE, .monitor = true, .peak = true};
}
