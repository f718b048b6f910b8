/* Helpers the Criterion suites share: reading a file whole, writing a
 * temporary one, and running a shell command with its output captured.
 * Header-only (static functions): each test_*.c is its own executable. */
#ifndef MATBENCH_TEST_H
#define MATBENCH_TEST_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a command did: its exit code and what it wrote. */
struct run {
    int code;
    char out[65536];
    char err[16384];
};

/* A refusal's message quotes the refused input ('input') on one line. */
static inline void assert_quotes(const char *msg, const char *input)
{
    char quoted[128];
    snprintf(quoted, sizeof quoted, "'%s'", input);
    cr_assert(strstr(msg, quoted) != NULL, "the message quotes %s: %s", quoted, msg);
    cr_assert(strchr(msg, '\n') == NULL, "one line: %s", msg);
}

/* A scratch directory for a suite's tests (their .init and .fini): made
 * from a mkdtemp template ("/tmp/mb_sinkXXXXXX") into dir, then emptied and
 * removed; entries counts what is in it besides . and .. (a stray temporary
 * file shows there). */
static inline void mb_scratch_make(char *dir, size_t cap, const char *template)
{
    snprintf(dir, cap, "%s", template);
    cr_assert_not_null(mkdtemp(dir));
}

static inline void mb_scratch_remove(const char *dir)
{
    DIR *dp = opendir(dir);
    if (dp == NULL)
        return;
    for (struct dirent *e; (e = readdir(dp)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(dp);
    rmdir(dir);
}

static inline int mb_scratch_entries(const char *dir)
{
    DIR *dp = opendir(dir);
    cr_assert_not_null(dp);
    int count = 0;
    for (struct dirent *e; (e = readdir(dp)) != NULL;)
        count += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(dp);
    return count;
}

/* Reads the file at path into buf (at most cap - 1 bytes), NUL-terminated. */
static inline void slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    size_t len = fread(buf, 1, cap - 1, f);
    buf[len] = '\0';
    fclose(f);
}

/* Writes text to a fresh temporary file; path (cap bytes) receives its
 * name, which starts with prefix. */
static inline void write_temp(char *path, size_t cap, const char *prefix, const char *text)
{
    snprintf(path, cap, "%sXXXXXX", prefix);
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "mkstemp %s", path);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* Runs the shell command cmd with stdin from /dev/null, capturing stdout
 * and stderr through temporary files. */
static inline void run_shell(struct run *r, const char *cmd)
{
    char out[] = "/tmp/mb_test_outXXXXXX", err[] = "/tmp/mb_test_errXXXXXX";
    int fo = mkstemp(out), fe = mkstemp(err);
    cr_assert(fo >= 0 && fe >= 0, "temporary files");
    close(fo);
    close(fe);
    size_t len = strlen(cmd) + 2 * sizeof out + 32;
    char *full = malloc(len);
    cr_assert_not_null(full);
    snprintf(full, len, "%s >%s 2>%s </dev/null", cmd, out, err);
    int status = system(full);
    cr_assert(status != -1 && WIFEXITED(status), "%s did not exit normally", full);
    free(full);
    r->code = WEXITSTATUS(status);
    slurp(out, r->out, sizeof r->out);
    slurp(err, r->err, sizeof r->err);
    unlink(out);
    unlink(err);
}

#define MB_CSV_MAX_LINES 64
#define MB_CSV_MAX_FIELDS 64

/* A CSV report read whole: lines of fields, the header first. */
struct csv {
    char text[65536];
    char *field[MB_CSV_MAX_LINES][MB_CSV_MAX_FIELDS];
    size_t nfields[MB_CSV_MAX_LINES];
    size_t lines;
};

static inline void parse_csv(struct csv *c, const char *text)
{
    snprintf(c->text, sizeof c->text, "%s", text);
    c->lines = 0;
    for (char *line = c->text; *line != '\0'; c->lines++) {
        cr_assert_lt(c->lines, MB_CSV_MAX_LINES, "too many lines:\n%s", text);
        char *end = strchr(line, '\n');
        cr_assert_not_null(end, "every line ends in a newline:\n%s", text);
        *end = '\0';
        size_t n = 0;
        for (char *f = line;; n++) {
            cr_assert_lt(n, MB_CSV_MAX_FIELDS);
            c->field[c->lines][n] = f;
            char *comma = strchr(f, ',');
            if (comma == NULL)
                break;
            *comma = '\0';
            f = comma + 1;
        }
        c->nfields[c->lines] = n + 1;
        line = end + 1;
    }
}

/* The field of the column called name in row (0 is the header). */
static inline const char *cell(const struct csv *c, size_t row, const char *name)
{
    for (size_t i = 0; i < c->nfields[0]; i++)
        if (strcmp(c->field[0][i], name) == 0)
            return c->field[row][i];
    cr_assert_fail("the CSV header has no column '%s'", name);
    return NULL;
}

#ifdef MB_BINARY
/* What run_matbench removes from the environment it passes on, so that
 * what the test asserts does not depend on the shell the suite runs in:
 * OPENBLAS_NUM_THREADS sets the default thread list, the MATBENCH_CORETYPE*
 * variables are the ones --coretype sets when it runs matbench again (they
 * change the header), NO_COLOR the output on a terminal. OPENBLAS_CORETYPE
 * and OPENBLAS_L2_SIZE stay as the environment sets them. */
#define MB_TEST_CLEAN_ENV                                                                          \
    "env -u OPENBLAS_NUM_THREADS -u MATBENCH_CORETYPE -u MATBENCH_CORETYPE_DETECTED "              \
    "-u MATBENCH_CORETYPE_HOW -u NO_COLOR"

/* Runs "env MB_TEST_CLEAN_ENV ENV matbench ARGS" through the shell with
 * stdin from /dev/null, capturing stdout and stderr in temporary files.
 * ARGS is shell text, so '' passes an empty argument. */
static inline void run_matbench(struct run *r, const char *env, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, MB_TEST_CLEAN_ENV " %s '%s' %s", env, MB_BINARY, args);
    run_shell(r, cmd);
}
#endif

#endif /* MATBENCH_TEST_H */
