/* The matbench command line: argv (and a config file) into the options
 * and the plan, every value checked, as curl's tool_getparam.c does. */
#include "matbench/cli.h"

#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "matbench/blas.h"
#include "matbench/blaslib.h"
#include "matbench/config.h"
#include "matbench/coretype.h"
#include "matbench/machine.h"
#include "matbench/matrix.h"
#include "mb_internal.h"

/* The getopt_long value of row i: its short letter, else 256 + i. */
static int option_val(size_t i)
{
    return mb__options[i].short_name != 0 ? mb__options[i].short_name : 256 + (int)i;
}

/* The row of getopt_long's value val, or NULL. */
static const struct mb__option *option_of(int val)
{
    for (size_t i = 0; i < mb__noptions; i++)
        if (mb__options[i].kind != MB__HEADING && option_val(i) == val)
            return &mb__options[i];
    return NULL;
}

/* The long name of getopt_long's value val, or "?" for none. */
static const char *option_name(int val)
{
    const struct mb__option *r = option_of(val);
    return r != NULL ? r->name : "?";
}

/* Applies row r with its value arg (NULL for a flag on the command line;
 * from a config file a flag's value is true or false) to o: a typed field
 * within the row's bounds, or the row's parse function. */
static enum mb_status apply_option(const struct mb__option *r, const char *arg, bool from_config,
                                   struct mb_options *o, struct mb_diag *d)
{
    char *field = (char *)o + r->field;
    bool on = true;
    enum mb_status st = MB_OK;
    switch (r->kind) {
    case MB__UINT:
        return mb_parse_uint(r->name, arg, (unsigned)r->min, (unsigned)r->max, (unsigned *)field,
                             d);
    case MB__SECONDS:
        return mb_parse_seconds(r->name, arg, r->max, (double *)field, d);
    case MB__U64:
        return mb_parse_u64(r->name, arg, (uint64_t *)field, d);
    case MB__FLAG:
    case MB__NOFLAG:
        if (from_config && (st = mb_config_parse_bool(r->name, arg, &on, d)) != MB_OK)
            return st;
        *(bool *)field = r->kind == MB__NOFLAG ? !on : on;
        return MB_OK;
    case MB__FN:
        return r->parse(arg, from_config, o, d);
    case MB__HEADING:
        break;
    }
    return mb_diag_set(d, MB_USAGE, "internal: option row '%s' sets nothing", r->name);
}

/* Appends "[run] sizes, threads, ...; [output] ..." to keys: the config
 * file's keys by section, in the rows' order. */
static void list_config_keys(char *keys, size_t cap)
{
    static const char *const sections[] = {"run", "output"};
    for (size_t s = 0; s < MB__ARRAY_SIZE(sections); s++) {
        size_t len = strlen(keys);
        snprintf(keys + len, cap - len, "%s[%s]", len ? "; " : "", sections[s]);
        for (size_t i = 0, k = 0; i < mb__noptions; i++) {
            const struct mb__option *r = &mb__options[i];
            if (r->section == NULL || strcmp(r->section, sections[s]) != 0)
                continue;
            len = strlen(keys);
            snprintf(keys + len, cap - len, "%s %s", k++ ? "," : "", r->name);
        }
    }
}

/* A config file's key: one of the long option names, in its section. */
static enum mb_status apply_config_key(const char *section, const char *key, const char *value,
                                       void *user, struct mb_diag *d)
{
    for (size_t i = 0; i < mb__noptions; i++) {
        const struct mb__option *r = &mb__options[i];
        if (r->section == NULL || strcmp(r->name, key) != 0)
            continue;
        if (strcmp(r->section, section) != 0 && section[0] == '\0')
            return mb_diag_set(d, MB_USAGE, "'%s' is outside any section; put it under [%s]", key,
                               r->section);
        if (strcmp(r->section, section) != 0)
            return mb_diag_set(d, MB_USAGE, "'%s' belongs in the [%s] section, not [%s]", key,
                               r->section, SHOWN(section));
        return apply_option(r, value, true, user, d);
    }
    char keys[256] = "";
    list_config_keys(keys, sizeof keys);
    return mb_diag_set(d, MB_USAGE,
                       "unknown key '%s' (keys are the long option names of matbench --help: %s)",
                       SHOWN(key), keys);
}

/* Fills long_options (cap entries, the last {0}) and optstring (":hV")
 * from the rows. */
static void getopt_tables(struct option *long_options, size_t cap, char *optstring)
{
    size_t n = 0, k = 0;
    optstring[k++] = ':';
    for (size_t i = 0; i < mb__noptions && n + 1 < cap; i++) {
        const struct mb__option *r = &mb__options[i];
        if (r->kind == MB__HEADING)
            continue;
        int has_arg = r->metavar != NULL ? required_argument : no_argument;
        long_options[n++] = (struct option){r->name, has_arg, NULL, option_val(i)};
        if (r->short_name != 0)
            optstring[k++] = (char)r->short_name;
    }
    long_options[n] = (struct option){NULL, 0, NULL, 0};
    optstring[k] = '\0';
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
    for (size_t i = 0; len > 0 && i < mb__noptions; i++)
        if (mb__options[i].kind != MB__HEADING &&
            strncmp(mb__options[i].name, word + 2, len) == 0) {
            size_t used = strlen(candidates);
            snprintf(candidates + used, sizeof candidates - used, "%s--%s", matches++ ? ", " : "",
                     mb__options[i].name);
        }
    if (matches > 1) {
        char typed[64];
        snprintf(typed, sizeof typed, "%.*s", (int)len + 2, word);
        return mb_diag_set(d, MB_USAGE, "option '%s' is ambiguous (%s)", SHOWN(typed), candidates);
    }
    return mb_diag_set(d, MB_USAGE, "unknown option '%s' (see matbench --help)", SHOWN(word));
}

/* Whether the format named name is one of formats ("table, json"; NULL:
 * every format). */
static bool format_allowed(const char *formats, const char *name)
{
    size_t len = strlen(name);
    for (const char *s = formats; s != NULL && *s != '\0'; s += strspn(s, ", ")) {
        size_t word = strcspn(s, ", ");
        if (word == len && strncmp(s, name, len) == 0)
            return true;
        s += word;
    }
    return formats == NULL;
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
        for (size_t c = 1; i == first && c < mb__ncommands; c++) /* 0: the run, no word */
            if (strcmp(argv[i], mb__commands[c].word) == 0) {
                o->command = mb__commands[c].command;
                takes_size = mb__commands[c].takes_size;
                command = true;
            }
        if (command)
            continue;
        if (o->command == MB_CMD_COMPARE) { /* two files, no size */
            if (o->compare[1] != NULL)
                return mb_diag_set(d, MB_USAGE,
                                   "unexpected argument '%s' (matbench compare OLD.json NEW.json)",
                                   SHOWN(argv[i]));
            o->compare[o->compare[0] != NULL] = argv[i];
            continue;
        }
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

/* Reads the options of argv into o in two passes of getopt_long: the
 * first refuses unknown options and applies the early rows (--config, whose
 * file it then loads, --help, --version); the second applies the rest over
 * the file. *sizes_flag tells whether --sizes was given. optind is left at
 * the first positional word. */
static enum mb_status parse_options(int argc, char **argv, struct mb_options *o, bool *sizes_flag,
                                    struct mb_diag *d)
{
    struct option long_options[MB__MAX_OPTIONS + 1];
    char optstring[16];
    getopt_tables(long_options, MB__ARRAY_SIZE(long_options), optstring);
    for (int pass = 0; pass < 2; pass++) {
        opterr = 0;
        optind = 0; /* glibc: full re-initialisation, so the parser can run again */
        int opt, prev = optind;
        while ((opt = getopt_long(argc, argv, optstring, long_options, NULL)) != -1) {
            const struct mb__option *r = option_of(opt);
            enum mb_status st = MB_OK;
            if (opt == '?' || opt == ':' || r == NULL)
                st = bad_option(opt, optopt, refused_word(argc, argv, prev, opt, optopt), d);
            else if (r->early ? pass == 0 : pass == 1)
                st = apply_option(r, optarg, false, o, d);
            *sizes_flag |= r != NULL && strcmp(r->name, "sizes") == 0;
            if (st != MB_OK)
                return st;
            prev = optind;
        }
        if (pass == 0 && o->front.config != NULL) {
            enum mb_status st = mb_config_load(o->front.config, apply_config_key, o, d);
            if (st != MB_OK)
                return st;
        }
    }
    return MB_OK;
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
    mb_front_defaults(&o->front);
    o->time_limit_s = NAN; /* not given */
    o->threshold = o->fail_if_slower = NAN;
    struct mb_plan *p = &o->plan;
    const struct mb_front *f = &o->front;
    struct mb_machine *m = &o->machine;
    if (mb_machine_probe(m, d) != MB_OK)
        m->physical_cores = m->logical_cores = m->usable_cores = m->usable_cpus = 1;

    bool sizes_flag = false;
    enum mb_status st = parse_options(argc, argv, o, &sizes_flag, d);
    if (st != MB_OK)
        return st;

    const char *size_word;
    st = parse_words(argc, argv, optind, o, &size_word, d);
    const struct mb__command *c = mb__command_of(o->command);
    if (st == MB_OK && !format_allowed(c->formats, mb_format_name(f->format)))
        return mb_diag_set(d, MB_USAGE, "format: '%s' is not available for %s (%s)",
                           mb_format_name(f->format), c->word, c->formats);
    if (st == MB_OK && o->command != MB_CMD_BLAS && o->blas != NULL)
        return mb_diag_set(d, MB_USAGE, "--blas is an option of matbench blas, not of %s", c->word);
    if (st == MB_OK && o->command != MB_CMD_BLAS && o->command != MB_CMD_PITFALLS &&
        !isnan(o->time_limit_s))
        return mb_diag_set(d, MB_USAGE,
                           "--time-limit is an option of matbench blas and pitfalls, not of %s",
                           c->word);
    if (st == MB_OK && o->command != MB_CMD_COMPARE &&
        (!isnan(o->threshold) || !isnan(o->fail_if_slower) || o->match != 0))
        return mb_diag_set(d, MB_USAGE, "%s is an option of matbench compare, not of %s",
                           !isnan(o->threshold)        ? "--threshold"
                           : !isnan(o->fail_if_slower) ? "--fail-if-slower"
                                                       : "--match",
                           c->word);
    if (st == MB_OK && o->command == MB_CMD_COMPARE && o->compare[1] == NULL)
        return mb_diag_set(d, MB_USAGE,
                           "compare: needs two reports: matbench compare OLD.json NEW.json (each "
                           "a JSON file of matbench, or a comma-separated list of them)");
    if (st == MB_OK && o->command != MB_CMD_PITFALLS && o->only != NULL)
        return mb_diag_set(d, MB_USAGE, "--only is an option of matbench pitfalls, not of %s",
                           c->word);
    if (st != MB_OK || !c->takes_size)
        return st;
    if (size_word != NULL && sizes_flag)
        return mb_diag_set(d, MB_USAGE, "N: '%s' given with --sizes; give one or the other",
                           SHOWN(size_word));
    if (size_word != NULL) {
        if ((st = mb_parse_size(size_word, &p->sizes.v[0], d)) != MB_OK)
            return st;
        p->sizes.n = 1;
    }

    st = mb_plan_resolve_threads(p, getenv("OPENBLAS_NUM_THREADS"), mb_blas_max_threads(),
                                 mb_machine_usable_cores(m), d);
    if (st != MB_OK)
        return st;
    if (o->command == MB_CMD_RUN && f->coretype == NULL &&
        (st = check_env_coretype(getenv("OPENBLAS_CORETYPE"), d)) != MB_OK)
        return st;
    uint64_t available;
    if ((st = mb_mem_available(&available, d)) != MB_OK)
        return st;
    return mb_plan_check_memory(p, available, d);
}

double mb__time_limit_s(const struct mb_options *o, double dflt)
{
    return isnan(o->time_limit_s) ? dflt : o->time_limit_s;
}
