/* config: INI files through inih, first on their own (keys handed over in
 * order, FILE:LINE on the first error), then through the command line
 * (keys are the long option names, flags on the command line win), and
 * every file shipped in configs/. */
#include <criterion/criterion.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "matbench/cli.h"
#include "matbench/config.h"
#include "matbench/machine.h"
#include "mb_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char path[64];

/* Writes text to a fresh temporary file; path names it. */
static void write_ini(const char *text)
{
    write_temp(path, sizeof path, "/tmp/mb_config", text);
}

static void remove_ini(void)
{
    if (path[0] != '\0')
        unlink(path);
    path[0] = '\0';
}

TestSuite(config, .fini = remove_ini);

/* ---- mb_config_load -------------------------------------------------------- */

struct seen {
    char lines[8][96];
    size_t count;
    const char *refuse; /* a key to refuse */
};

static enum mb_status record(const char *section, const char *key, const char *value, void *user,
                             struct mb_diag *d)
{
    struct seen *s = user;
    if (s->refuse != NULL && strcmp(key, s->refuse) == 0)
        return mb_diag_set(d, MB_USAGE, "%s: '%s' refused", key, value);
    cr_assert_lt(s->count, COUNT(s->lines));
    snprintf(s->lines[s->count++], sizeof s->lines[0], "[%s] %s=%s", section, key, value);
    return MB_OK;
}

Test(config, keys_arrive_in_file_order_with_their_section)
{
    write_ini("; a comment\n# another\n[run]\nsizes = 100,200  ; inline comment\n\n"
              "threads=1\n[output]\nformat = csv\n");
    struct seen s = {0};
    struct mb_diag d = {0};
    cr_assert_eq(mb_config_load(path, record, &s, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(s.count, 3);
    cr_assert_str_eq(s.lines[0], "[run] sizes=100,200");
    cr_assert_str_eq(s.lines[1], "[run] threads=1");
    cr_assert_str_eq(s.lines[2], "[output] format=csv");
}

Test(config, a_missing_file_is_named)
{
    struct seen s = {0};
    struct mb_diag d = {0};
    cr_assert_eq(mb_config_load("/nonexistent/x.ini", record, &s, &d), MB_USAGE);
    cr_assert(strncmp(d.msg, "/nonexistent/x.ini: cannot read", 31) == 0, "%s", d.msg);
}

Test(config, a_line_that_is_not_a_key_gives_its_number)
{
    write_ini("[run]\nsizes 100\n");
    struct seen s = {0};
    struct mb_diag d = {0};
    cr_assert_eq(mb_config_load(path, record, &s, &d), MB_USAGE);
    char want[96];
    snprintf(want, sizeof want, "%s:2: ", path);
    cr_assert(strncmp(d.msg, want, strlen(want)) == 0, "starts with %s: %s", want, d.msg);
    cr_assert_eq(d.line, 2);
}

Test(config, a_refused_key_reads_file_line_message)
{
    write_ini("[run]\nsizes = 1\nthreads = 0\n");
    struct seen s = {.refuse = "threads"};
    struct mb_diag d = {0};
    cr_assert_eq(mb_config_load(path, record, &s, &d), MB_USAGE);
    char want[160];
    snprintf(want, sizeof want, "%s:3: threads: '0' refused", path);
    cr_assert_str_eq(d.msg, want);
    cr_assert_eq(d.line, 3);
    cr_assert_str_eq(d.file, path);
}

/* Two bad lines: the message is the first one's, with its line number.
 * inih reads on after an error and reports the first error's line; the
 * message must be that line's too, whatever the second line holds. */
static const struct {
    const char *text;
    const char *want;   /* the message after "FILE:2: " */
    const char *absent; /* what the second error would have said */
} two_errors[] = {
    {"[run]\nthreads = 0\nthreads = 9\n", "threads: '0' refused", "'9'"},
    {"[run]\nthreads = 0\nsizes 100\n", "threads: '0' refused", "key = value"},
    {"[run]\nsizes 100\nrepeat 2\n", "not a 'key = value' line", "repeat"},
};

Test(config, only_the_first_error_is_reported)
{
    for (size_t i = 0; i < COUNT(two_errors); i++) {
        write_ini(two_errors[i].text);
        struct seen s = {.refuse = "threads"};
        struct mb_diag d = {0};
        cr_assert_eq(mb_config_load(path, record, &s, &d), MB_USAGE, "file %zu", i);
        char want[160];
        snprintf(want, sizeof want, "%s:2: %s", path, two_errors[i].want);
        cr_assert(strncmp(d.msg, want, strlen(want)) == 0, "file %zu starts with %s: %s", i, want,
                  d.msg);
        cr_assert_null(strstr(d.msg, two_errors[i].absent), "file %zu: only line 2: %s", i, d.msg);
        cr_assert_eq(d.line, 2, "file %zu", i);
        remove_ini();
    }
}

Test(config, a_syntax_error_before_a_refused_key_keeps_its_own_message)
{
    /* line 2 is not a key; line 3 is refused: the message is line 2's */
    write_ini("[run]\nsizes 100\nthreads = 0\n");
    struct seen s = {.refuse = "threads"};
    struct mb_diag d = {0};
    cr_assert_eq(mb_config_load(path, record, &s, &d), MB_USAGE);
    char want[160];
    snprintf(want, sizeof want, "%s:2: not a 'key = value' line", path);
    cr_assert(strncmp(d.msg, want, strlen(want)) == 0, "starts with %s: %s", want, d.msg);
    cr_assert_null(strstr(d.msg, "threads"), "line 3's message is not line 2's: %s", d.msg);
    cr_assert_eq(d.line, 2);
}

static const struct {
    const char *value;
    enum mb_status status;
    bool want;
} bool_cases[] = {
    {"true", MB_OK, true}, {"yes", MB_OK, true},    {"on", MB_OK, true},  {"1", MB_OK, true},
    {"TRUE", MB_OK, true}, {"false", MB_OK, false}, {"no", MB_OK, false}, {"off", MB_OK, false},
    {"0", MB_OK, false},   {"maybe", MB_USAGE, 0},  {"", MB_USAGE, 0},    {"2", MB_USAGE, 0},
};

Test(config, boolean_table)
{
    for (size_t i = 0; i < COUNT(bool_cases); i++) {
        bool out = !bool_cases[i].want;
        struct mb_diag d = {0};
        cr_assert_eq(mb_config_parse_bool("quiet", bool_cases[i].value, &out, &d),
                     bool_cases[i].status, "'%s'", bool_cases[i].value);
        if (bool_cases[i].status == MB_OK) {
            cr_assert_eq(out, bool_cases[i].want, "'%s'", bool_cases[i].value);
        } else {
            char quoted[32];
            snprintf(quoted, sizeof quoted, "quiet: '%s'", bool_cases[i].value);
            cr_assert(strstr(d.msg, quoted) != NULL, "%s", d.msg);
        }
    }
}

/* ---- through the command line ------------------------------------------- */

/* mb_cli_parse on "matbench ARGS..." (NULL-terminated). */
static enum mb_status parse(struct mb_options *o, struct mb_diag *d, const char **args)
{
    char *argv[16] = {"matbench"};
    int argc = 1;
    for (; args[argc - 1] != NULL; argc++) {
        cr_assert_lt(argc, 15);
        argv[argc] = (char *)args[argc - 1];
    }
    argv[argc] = NULL;
    unsetenv("OPENBLAS_NUM_THREADS");
    return mb_cli_parse(argc, argv, o, d);
}

#define PARSE(o, d, ...) parse((o), (d), (const char *[]){__VA_ARGS__, NULL})

static const char plan_ini[] = "[run]\nsizes = 100,200\nthreads = 1\nkernels = dgemm\n"
                               "repeat = 2\n";

Test(config, a_file_sets_the_plan)
{
    write_ini(plan_ini);
    struct mb_options o;
    struct mb_diag d = {0};
    cr_assert_eq(PARSE(&o, &d, "--config", path), MB_OK, "%s", d.msg);
    cr_assert_eq(o.plan.sizes.n, 2);
    cr_assert_eq(o.plan.sizes.v[0], 100);
    cr_assert_eq(o.plan.sizes.v[1], 200);
    cr_assert_eq(o.plan.threads.n, 1);
    cr_assert_eq(o.plan.threads.v[0], 1);
    cr_assert_eq(o.plan.threads_source, MB_THREADS_CONFIG);
    cr_assert_eq(o.plan.kernels.n, 1);
    cr_assert_str_eq(o.plan.kernels.v[0]->name, "dgemm");
    cr_assert_eq(o.plan.repeat, 2);
    cr_assert_str_eq(o.front.config, path);
}

Test(config, flags_on_the_command_line_win)
{
    write_ini(plan_ini);
    struct mb_options o;
    struct mb_diag d = {0};
    cr_assert_eq(PARSE(&o, &d, "--repeat", "5", "--config", path, "--threads", "2", "300"), MB_OK,
                 "%s", d.msg);
    cr_assert_eq(o.plan.repeat, 5, "--repeat before --config still wins");
    cr_assert_eq(o.plan.threads.n, 1);
    cr_assert_eq(o.plan.threads.v[0], 2);
    cr_assert_eq(o.plan.threads_source, MB_THREADS_FLAG);
    cr_assert_eq(o.plan.sizes.n, 1, "N replaces the file's sizes");
    cr_assert_eq(o.plan.sizes.v[0], 300);
    cr_assert_eq(o.plan.kernels.n, 1, "what the command line leaves alone stays from the file");
}

static const struct {
    const char *text;
    int line;
    const char *fragment;
} bad_files[] = {
    {"[run]\nsizes = 100\nbogus = 1\n", 3, "unknown key 'bogus'"},
    {"[run]\nthreads = 0\n", 2, "threads: '0'"},
    {"[run]\nformat = csv\n", 2, "belongs in the [output] section"},
    {"sizes = 100\n", 1, "put it under [run]"},
    {"[run]\nno-verify = maybe\n", 2, "no-verify: 'maybe'"},
    {"[output]\nformat = xml\n", 2, "format: 'xml'"},
    {"[run]\nsizes = 1000:500:100\n", 2, "sizes: '1000:500:100'"},
    {"[run]\nconfig = other.ini\n", 2, "unknown key 'config'"},
    {"[run]\nrepeat\n", 2, "not a 'key = value' line"},
    {"[run]\nsizes = 100\n   200\n", 3, "an indented line continues 'sizes'"},
    {"[run]\nsizes = 100\n  repeat = 2\n", 3, "an indented line continues 'sizes'"},
};

Test(config, a_bad_file_names_file_line_and_value)
{
    for (size_t i = 0; i < COUNT(bad_files); i++) {
        write_ini(bad_files[i].text);
        struct mb_options o;
        struct mb_diag d = {0};
        cr_assert_eq(PARSE(&o, &d, "--config", path), MB_USAGE, "file %zu", i);
        char want[96];
        snprintf(want, sizeof want, "%s:%d: ", path, bad_files[i].line);
        cr_assert(strncmp(d.msg, want, strlen(want)) == 0, "file %zu starts with %s: %s", i, want,
                  d.msg);
        cr_assert(strstr(d.msg, bad_files[i].fragment) != NULL, "file %zu says %s: %s", i,
                  bad_files[i].fragment, d.msg);
        remove_ini();
    }
}

Test(config, flags_and_strings_from_a_file)
{
    write_ini("[run]\nno-verify = true\n[output]\nquiet = yes\noutput = /tmp/mb_x.csv\n");
    struct mb_options o;
    struct mb_diag d = {0};
    cr_assert_eq(PARSE(&o, &d, "--config", path), MB_OK, "%s", d.msg);
    cr_assert_not(o.plan.verify);
    cr_assert(o.front.quiet);
    cr_assert_str_eq(o.front.output, "/tmp/mb_x.csv", "the value outlives the parser's buffer");
}

Test(config, n_and_sizes_together_are_refused)
{
    struct mb_options o;
    struct mb_diag d = {0};
    cr_assert_eq(PARSE(&o, &d, "100", "--sizes", "200"), MB_USAGE);
    cr_assert(strstr(d.msg, "'100'") != NULL, "%s", d.msg);
}

/* ---- the shipped configs -------------------------------------------------- */

static void shipped(const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/configs/%s", MB_SOURCE_DIR, name);
}

Test(config, every_shipped_config_loads)
{
    static const char *const names[] = {"quick.ini",         "default.ini", "htop.ini",
                                        "oversubscribe.ini", "sizes.ini",   "lapack.ini",
                                        "ladder.ini"};
    for (size_t i = 0; i < COUNT(names); i++) {
        char file[512];
        shipped(names[i], file, sizeof file);
        struct mb_options o;
        struct mb_diag d = {0};
        cr_assert_eq(PARSE(&o, &d, "--config", file), MB_OK, "%s: %s", names[i], d.msg);
        cr_assert_gt(mb_plan_run_count(&o.plan), 0, "%s runs something", names[i]);
    }
    /* matbench pitfalls --config pitfalls: its keys are pitfalls's own */
    char file[512];
    shipped("pitfalls.ini", file, sizeof file);
    struct mb_options o;
    struct mb_diag d = {0};
    cr_assert_eq(PARSE(&o, &d, "pitfalls", "--config", file), MB_OK, "%s", d.msg);
    cr_assert_eq(o.command, MB_CMD_PITFALLS);
    cr_assert_eq(PARSE(&o, &d, "--config", file), MB_USAGE, "time-limit is not a run's");
}

Test(config, default_ini_is_what_no_flags_do)
{
    char file[512];
    shipped("default.ini", file, sizeof file);
    struct mb_options a, b;
    struct mb_diag d = {0};
    cr_assert_eq(PARSE(&a, &d, "--config", file), MB_OK, "%s", d.msg);
    cr_assert_eq(parse(&b, &d, (const char *[]){NULL}), MB_OK, "%s", d.msg);
    cr_assert_eq(a.plan.sizes.n, b.plan.sizes.n);
    cr_assert_eq(a.plan.sizes.v[0], b.plan.sizes.v[0]);
    cr_assert_eq(a.plan.kernels.n, b.plan.kernels.n);
    for (size_t i = 0; i < a.plan.kernels.n; i++)
        cr_assert_eq(a.plan.kernels.v[i], b.plan.kernels.v[i]);
    cr_assert_eq(a.plan.threads.n, b.plan.threads.n);
    for (size_t i = 0; i < a.plan.threads.n; i++)
        cr_assert_eq(a.plan.threads.v[i], b.plan.threads.v[i]);
    cr_assert_eq(a.plan.threads_source, MB_THREADS_DEFAULT);
    cr_assert_eq(a.plan.repeat, b.plan.repeat);
    cr_assert_eq(a.plan.warmup, b.plan.warmup);
    cr_assert_float_eq(a.plan.naive_budget_s, b.plan.naive_budget_s, 0);
    cr_assert_float_eq(a.plan.duration_s, b.plan.duration_s, 0);
    cr_assert_eq(a.plan.seed, b.plan.seed);
    cr_assert_eq(a.plan.nrhs, b.plan.nrhs);
    cr_assert_eq(a.plan.layout, b.plan.layout);
    cr_assert_eq(a.plan.verify, b.plan.verify);
    cr_assert_eq(a.front.format, b.front.format);
    cr_assert_eq(a.front.quiet, b.front.quiet);
}

Test(config, lapack_ini_runs_the_four_lapack_kernels_beside_dgemm)
{
    char file[512];
    shipped("lapack.ini", file, sizeof file);
    struct mb_options o;
    struct mb_diag d = {0};
    cr_assert_eq(PARSE(&o, &d, "--config", file), MB_OK, "%s", d.msg);
    static const char *const want[] = {"dgemm", "dgetrf", "dpotrf", "dgesv", "dposv", "dgeqrf"};
    cr_assert_eq(o.plan.kernels.n, COUNT(want));
    for (size_t i = 0; i < COUNT(want); i++)
        cr_assert_str_eq(o.plan.kernels.v[i]->name, want[i]);
    cr_assert_eq(o.plan.layout, MB_LAYOUT_COL);
    cr_assert_eq(o.plan.nrhs, 1);
}

Test(config, layout_and_nrhs_come_from_the_file_and_the_command_line_wins)
{
    char ini[] = "/tmp/matbench-lapack-XXXXXX";
    int fd = mkstemp(ini);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("[run]\nlayout = row\nnrhs = 4\n", f);
    fclose(f);
    struct mb_options o;
    struct mb_diag d = {0};
    cr_assert_eq(PARSE(&o, &d, "--config", ini), MB_OK, "%s", d.msg);
    cr_assert_eq(o.plan.layout, MB_LAYOUT_ROW);
    cr_assert_eq(o.plan.nrhs, 4);
    cr_assert_eq(PARSE(&o, &d, "--config", ini, "--layout", "col", "--nrhs", "2"), MB_OK, "%s",
                 d.msg);
    cr_assert_eq(o.plan.layout, MB_LAYOUT_COL);
    cr_assert_eq(o.plan.nrhs, 2);
    unlink(ini);
}

Test(config, oversubscribe_ini_runs_to_twice_the_cores)
{
    char file[512];
    shipped("oversubscribe.ini", file, sizeof file);
    struct mb_options o;
    struct mb_diag d = {0};
    cr_assert_eq(PARSE(&o, &d, "--config", file), MB_OK, "%s", d.msg);
    const int cores = mb_machine_usable_cores(&o.machine); /* 2*cores: the usable ones */
    cr_assert_eq(o.plan.threads.n, (size_t)(2 * cores));
    for (int t = 1; t <= 2 * cores; t++)
        cr_assert_eq(o.plan.threads.v[t - 1], t);
}

Test(config, htop_ini_keeps_each_run_going)
{
    char file[512];
    shipped("htop.ini", file, sizeof file);
    struct mb_options o;
    struct mb_diag d = {0};
    cr_assert_eq(PARSE(&o, &d, "--config", file), MB_OK, "%s", d.msg);
    cr_assert_eq(o.plan.sizes.v[0], 5000);
    cr_assert_gt(o.plan.duration_s, 0);
}

/* ---- what is not a config file, long lines, NUL bytes ----------------------- */

/* Writes len bytes of text to a fresh temporary file; path names it. */
static void write_bytes(const char *text, size_t len)
{
    snprintf(path, sizeof path, "/tmp/mb_configXXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

/* mb_config_load on file with the recording handler; d gets the message. */
static enum mb_status load(const char *file, struct seen *s, struct mb_diag *d)
{
    *s = (struct seen){0};
    *d = (struct mb_diag){0};
    return mb_config_load(file, record, s, d);
}

Test(config, a_directory_is_refused_by_name)
{
    struct seen s;
    struct mb_diag d;
    cr_assert_eq(load("/tmp", &s, &d), MB_USAGE);
    cr_assert_str_eq(d.msg, "/tmp: is a directory, not a config file");
}

Test(config, endless_devices_stop_at_the_size_limit)
{
    /* /dev/zero and /dev/urandom never end: reading stops one byte past
     * the limit, and the message says the limit */
    static const char *const devices[] = {"/dev/zero", "/dev/urandom"};
    for (size_t i = 0; i < COUNT(devices); i++) {
        struct seen s;
        struct mb_diag d;
        cr_assert_eq(load(devices[i], &s, &d), MB_USAGE, "%s", devices[i]);
        char want[128];
        snprintf(want, sizeof want, "%s: larger than %d bytes (1 MiB), the limit of a config file",
                 devices[i], MB_CONFIG_MAX_BYTES);
        cr_assert_str_eq(d.msg, want);
        cr_assert_eq(s.count, 0, "no key was handed over");
    }
}

/* A file of comment lines, size bytes in all, then "[run]\nrepeat = 2\n"
 * when keys is set (inside the size). */
static void write_sized(size_t size, bool keys)
{
    static const char tail[] = "[run]\nrepeat = 2\n";
    char *text = malloc(size);
    cr_assert_not_null(text);
    size_t body = keys ? size - strlen(tail) : size;
    for (size_t i = 0; i < body; i++)
        text[i] = i % 64 == 63 || i == body - 1 ? '\n' : (i % 64 == 0 ? '#' : 'x');
    if (keys)
        memcpy(text + body, tail, strlen(tail));
    write_bytes(text, size);
    free(text);
}

Test(config, the_size_limit_is_exact)
{
    struct seen s;
    struct mb_diag d;
    write_sized(MB_CONFIG_MAX_BYTES, true);
    cr_assert_eq(load(path, &s, &d), MB_OK, "exactly the limit loads: %s", d.msg);
    cr_assert_eq(s.count, 1);
    cr_assert_str_eq(s.lines[0], "[run] repeat=2");
    remove_ini();
    write_sized(MB_CONFIG_MAX_BYTES + 1, true);
    cr_assert_eq(load(path, &s, &d), MB_USAGE);
    cr_assert(strstr(d.msg, ": larger than 1048576 bytes (1 MiB), the limit of a config file") !=
                  NULL,
              "%s", d.msg);
    cr_assert_eq(s.count, 0, "nothing of a file too large is applied");
}

/* "[run]\n" then a line of chars characters: a comment when comment is
 * set, else "sizes = 1..." padded with spaces; then the rest. */
static void write_long_line(size_t chars, bool comment, const char *rest)
{
    size_t len = 6 + chars + 1 + strlen(rest);
    char *text = malloc(len + 1);
    cr_assert_not_null(text);
    memcpy(text, "[run]\n", 6);
    memset(text + 6, comment ? 'c' : ' ', chars);
    if (comment)
        text[6] = ';';
    else
        memcpy(text + 6, "sizes = 1", 9);
    text[6 + chars] = '\n';
    strcpy(text + 7 + chars, rest);
    write_bytes(text, len);
    free(text);
}

Test(config, a_long_comment_is_a_comment_and_the_lines_keep_their_numbers)
{
    /* the case: a 257-character comment; the error of line 3 is
     * reported at line 3 (inih alone reads the comment in two pieces and
     * counts the tail as a line) */
    struct seen s;
    struct mb_diag d;
    write_long_line(257, true, "threads = 1\n");
    cr_assert_eq(load(path, &s, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(s.count, 1);
    cr_assert_str_eq(s.lines[0], "[run] threads=1");
    remove_ini();
    write_long_line(5000, true, "threads 1\n");
    cr_assert_eq(load(path, &s, &d), MB_USAGE);
    char want[96];
    snprintf(want, sizeof want, "%s:3: not a 'key = value' line", path);
    cr_assert(strncmp(d.msg, want, strlen(want)) == 0, "starts with %s: %s", want, d.msg);
    cr_assert_eq(d.line, 3);
}

Test(config, a_key_line_longer_than_the_buffer_is_refused_at_its_number)
{
    /* inih's buffer holds INI_MAX_LINE bytes: the line, its newline and a
     * NUL; a longer key line would reach inih cut in two */
    const size_t most = INI_MAX_LINE - 2;
    struct seen s;
    struct mb_diag d;
    write_long_line(most, false, "");
    cr_assert_eq(load(path, &s, &d), MB_OK, "%zu characters fit: %s", most, d.msg);
    cr_assert_eq(s.count, 1);
    cr_assert_str_eq(s.lines[0], "[run] sizes=1");
    remove_ini();
    write_long_line(most + 1, false, "threads = 1\n");
    cr_assert_eq(load(path, &s, &d), MB_USAGE);
    char want[192];
    snprintf(want, sizeof want,
             "%s:2: longer than %zu characters, the most a config line may have (only a comment "
             "may be longer)",
             path, most);
    cr_assert_str_eq(d.msg, want);
    cr_assert_eq(d.line, 2);
    cr_assert_str_eq(d.file, path);
}

Test(config, an_error_before_a_long_line_comes_first)
{
    static const char text[] = "[run]\nsizes 100\n";
    size_t len = strlen(text) + 400;
    char *buf = calloc(1, len + 2);
    cr_assert_not_null(buf);
    strcpy(buf, text);
    memset(buf + strlen(text), 'x', 400);
    buf[len] = '\n';
    write_bytes(buf, len + 1);
    free(buf);
    struct seen s;
    struct mb_diag d;
    cr_assert_eq(load(path, &s, &d), MB_USAGE);
    cr_assert_eq(d.line, 2, "%s", d.msg);
    cr_assert(strstr(d.msg, "not a 'key = value' line") != NULL, "%s", d.msg);
}

Test(config, a_byte_order_mark_before_a_long_comment)
{
    char text[400] = "\xEF\xBB\xBF;";
    memset(text + 4, 'c', 300);
    strcpy(text + 304, "\n[run]\nrepeat = 2\n");
    write_ini(text);
    struct seen s;
    struct mb_diag d;
    cr_assert_eq(load(path, &s, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(s.count, 1);
}

Test(config, a_nul_byte_is_an_error_naming_its_line)
{
    /* inih would end line 2 at the NUL and read "junk" as part of it */
    static const char text[] = "[run]\nrepeat = 2\0junk\nthreads = 1\n";
    write_bytes(text, sizeof text - 1);
    struct seen s;
    struct mb_diag d;
    cr_assert_eq(load(path, &s, &d), MB_USAGE);
    char want[128];
    snprintf(want, sizeof want, "%s:2: a NUL byte; a config file is text", path);
    cr_assert_str_eq(d.msg, want);
    cr_assert_eq(d.line, 2);
    cr_assert_eq(s.count, 0, "nothing of the file is applied");
}

Test(config, config_given_twice_is_refused)
{
    write_ini(plan_ini);
    struct mb_options o;
    struct mb_diag d = {0};
    cr_assert_eq(PARSE(&o, &d, "--config", path, "--config", path), MB_USAGE);
    char want[256];
    snprintf(want, sizeof want, "config: given twice ('%s', then '%s'); give one file", path, path);
    cr_assert_str_eq(d.msg, want);
}

Test(config, the_command_line_refuses_what_is_not_a_config_file)
{
    static const char *const files[] = {"/tmp", "/dev/zero", "/dev/urandom"};
    for (size_t i = 0; i < COUNT(files); i++) {
        char args[96];
        snprintf(args, sizeof args, "16 --no-peak --config %s", files[i]);
        struct run r;
        run_matbench(&r, "", args);
        cr_assert_eq(r.code, 2, "%s: %s", files[i], r.err);
        char want[64];
        snprintf(want, sizeof want, "matbench: %s: ", files[i]);
        cr_assert(strncmp(r.err, want, strlen(want)) == 0, "%s", r.err);
        const char *nl = strchr(r.err, '\n');
        cr_assert(nl != NULL && nl[1] == '\0', "one line: %s", r.err);
        cr_assert_str_eq(r.out, "");
    }
}
