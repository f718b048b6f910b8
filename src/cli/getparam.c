/* The matbench command line: argv (and a config file) into the options
 * and the plan, every value checked, as curl's tool_getparam.c does. */
#include "matbench/cli.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "matbench/blas.h"
#include "matbench/config.h"
#include "matbench/coretype.h"
#include "matbench/machine.h"
#include "matbench/matrix.h"
#include "mb_internal.h"

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

#define MB__SHOWN(s) mb_printable((s), (char[64]){0}, 64)

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
                                   MB__SHOWN(arg), sizeof o->output_path - 1);
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
                               MB__SHOWN(p->config), MB__SHOWN(arg));
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
                               r->section, MB__SHOWN(section));
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
                       MB__SHOWN(key), keys);
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
                           MB__SHOWN(word), MB_N_MAX);
    if (opt == ':')
        return mb_diag_set(d, MB_USAGE, "option '%s' needs a value (see matbench --help)",
                           MB__SHOWN(word));
    bool is_long = word[0] == '-' && word[1] == '-';
    if (is_long && bad != 0) /* glibc: a known long option given "=value" it does not take */
        return mb_diag_set(d, MB_USAGE, "option '--%s' takes no value (given '%s')",
                           option_name(bad), MB__SHOWN(word));
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
        return mb_diag_set(d, MB_USAGE, "option '%s' is ambiguous (%s)", MB__SHOWN(typed),
                           candidates);
    }
    return mb_diag_set(d, MB_USAGE, "unknown option '%s' (see matbench --help)", MB__SHOWN(word));
}

/* The positional words: a command first, or the size N (for a run and the
 * commands that take one). */
static enum mb_status parse_words(int argc, char **argv, int first, struct mb_options *o,
                                  const char **size_word, struct mb_diag *d)
{
    *size_word = NULL;
    bool takes_size = true;
    for (int i = first; i < argc; i++) {
        bool command = false;
        for (size_t c = 0; i == first && c < mb__ncommands; c++)
            if (strcmp(argv[i], mb__commands[c].word) == 0) {
                o->command = mb__commands[c].command;
                takes_size = mb__commands[c].takes_size;
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
                               MB__SHOWN(argv[i]));
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
                       MB__SHOWN(env), missing);
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
                           MB__SHOWN(size_word));
    if (size_word != NULL) {
        if ((st = mb_parse_size(size_word, &p->sizes[0], d)) != MB_OK)
            return st;
        p->nsizes = 1;
    }

    if (p->nthreads == 0) {
        st = mb_plan_default_threads(getenv("OPENBLAS_NUM_THREADS"), mb_blas_max_threads(),
                                     mb_machine_usable_cores(m), p->threads, MB_PLAN_MAX_THREADS,
                                     &p->nthreads, &p->threads_source, d);
        if (st != MB_OK)
            return st;
        /* the ladder's steps at one thread and at all cores: one
         * comparison per step, not a sweep */
        if (p->threads_source == MB_THREADS_DEFAULT && mb_plan_has_group(p, "ladder")) {
            p->threads[1] = p->threads[p->nthreads - 1];
            p->nthreads = p->threads[1] > 1 ? 2 : 1;
            p->threads_source = MB_THREADS_LADDER;
        }
    }
    if (o->command == MB_CMD_RUN && p->coretype == NULL &&
        (st = check_env_coretype(getenv("OPENBLAS_CORETYPE"), d)) != MB_OK)
        return st;
    uint64_t available;
    if ((st = mb_mem_available(&available, d)) != MB_OK)
        return st;
    return mb_plan_check_memory(p, available, d);
}
