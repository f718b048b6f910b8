/* Loading INI files with inih: the parser finds sections, keys and values;
 * this module reports the first error with the file and line, as curl's
 * tool_parsecfg.c does. */
#include "matbench/config.h"

#include <errno.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SHOWN(s) mb_printable((s), (char[64]){0}, 64)

struct load {
    FILE *f;
    int lines;     /* lines handed to inih so far: its line number */
    bool indented; /* the last line began with a blank */
    mb_config_key_fn *fn;
    void *user;
    enum mb_status st; /* of the first refused key */
    int st_line;       /* and its line */
    struct mb_diag diag;
};

/* inih's reader: fgets, counting the lines as inih counts them (one per
 * call), so a refused key's message can be matched to inih's error line. */
static char *read_line(char *buf, int cap, void *stream)
{
    struct load *l = stream;
    char *got = fgets(buf, cap, l->f);
    l->lines += got != NULL;
    l->indented = got != NULL && (buf[0] == ' ' || buf[0] == '\t');
    return got;
}

/* inih's handler. inih keeps parsing after an error and returns the line
 * of the first error of any kind, so the first refusal is kept with its
 * line. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct load *l = user;
    struct mb_diag d = {0};
    /* inih reads an indented line as more of the previous value and hands
     * the key over again; one line per key is clearer, so say so */
    enum mb_status st =
        l->indented ? mb_diag_set(&d, MB_USAGE,
                                  "an indented line continues '%s'; give each key on one line, "
                                  "without an indent",
                                  SHOWN(name))
                    : l->fn(section, name, value, l->user, &d);
    if (st == MB_OK)
        return 1;
    if (l->st == MB_OK) {
        l->st = st;
        l->st_line = l->lines;
        l->diag = d;
    }
    return 0;
}

/* Reads the INI file at path and hands every key to fn, in file order.
 * Returns MB_OK; MB_USAGE when the file cannot be read, a line is not
 * `key = value`, `[section]` or a comment, or fn refuses a key: the message
 * in d reads `path:line: ...` (for the first error). */
enum mb_status mb_config_load(const char *path, mb_config_key_fn *fn, void *user, struct mb_diag *d)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return mb_diag_set(d, MB_USAGE, "%s: cannot read the config file: %s", SHOWN(path),
                           strerror(errno));
    struct load l = {.f = f, .fn = fn, .user = user, .st = MB_OK};
    int line = ini_parse_stream(read_line, &l, on_key, &l);
    fclose(f);
    if (line == 0)
        return MB_OK;
    if (line < 0)
        return mb_diag_set(d, MB_NOMEM, "%s: out of memory reading the config file", SHOWN(path));
    if (l.st == MB_OK || l.st_line != line) { /* a syntax error came first */
        l.st = MB_USAGE;
        snprintf(l.diag.msg, sizeof l.diag.msg,
                 "not a 'key = value' line, a [section] or a comment (lines are at most 200 "
                 "characters)");
    }
    mb_diag_set(d, l.st, "%s:%d: %s", SHOWN(path), line, l.diag.msg);
    if (d != NULL) {
        d->file = path;
        d->line = line;
    }
    return l.st;
}

/* A boolean value: true/false, yes/no, on/off, 1/0 (any case). */
enum mb_status mb_config_parse_bool(const char *key, const char *value, bool *out,
                                    struct mb_diag *d)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no",
                                                                                "off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(value, yes[i]) == 0) {
            *out = true;
            return MB_OK;
        }
        if (strcasecmp(value, no[i]) == 0) {
            *out = false;
            return MB_OK;
        }
    }
    return mb_diag_set(d, MB_USAGE, "%s: '%s' is not allowed (true or false)", key, SHOWN(value));
}
