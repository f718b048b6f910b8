/* Loading INI files with inih: the file is read whole (up to a size limit)
 * and checked as text first, then inih finds sections, keys and values;
 * this module reports the first error with the file and line, as curl's
 * tool_parsecfg.c does. */
#include "matbench/config.h"

#include "mb_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct load {
    const char *next, *end; /* the text not yet handed to inih */
    int lines;              /* lines handed to inih so far: its line number */
    bool indented;          /* the last line began with a blank */
    int long_line;          /* a key line too long for inih's buffer (0: none) */
    int max_chars;          /* the longest line inih's buffer holds */
    mb_config_key_fn *fn;
    void *user;
    enum mb_status st; /* of the first refused key */
    int st_line;       /* and its line */
    struct mb_diag diag;
};

/* A line that inih skips: blank, or a comment (its first non-blank
 * character is ';' or '#', inih's INI_START_COMMENT_PREFIXES). */
static bool is_comment(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    return i == len || s[i] == ';' || s[i] == '#';
}

/* inih's reader: one line of the text per call, as inih counts lines, so
 * that its line numbers are the file's. A line longer than inih's buffer
 * (cap bytes, with the newline and the terminating NUL) would reach inih
 * in pieces, each counted as a line: a comment that long is handed over
 * as an empty comment; any other line ends the text there and is reported
 * with its own number. */
static char *read_line(char *buf, int cap, void *stream)
{
    struct load *l = stream;
    if (l->next >= l->end || cap < 3)
        return NULL;
    const char *nl = memchr(l->next, '\n', (size_t)(l->end - l->next));
    size_t len = nl != NULL ? (size_t)(nl - l->next) + 1 : (size_t)(l->end - l->next);
    size_t chars = nl != NULL ? len - 1 : len;
    l->max_chars = cap - 2;
    if (chars > (size_t)cap - 2) {
        /* a UTF-8 byte-order mark, which inih skips too, starts no line */
        size_t bom = l->lines == 0 && chars >= 3 && memcmp(l->next, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        if (!is_comment(l->next + bom, chars - bom)) {
            l->long_line = l->lines + 1;
            return NULL;
        }
        len = 2;
        memcpy(buf, ";\n", 2);
    } else {
        memcpy(buf, l->next, len);
    }
    buf[len] = '\0';
    l->next += nl != NULL ? (size_t)(nl - l->next) + 1 : (size_t)(l->end - l->next);
    l->lines++;
    l->indented = buf[0] == ' ' || buf[0] == '\t';
    return buf;
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

/* Fills d with `path:line: msg` (and its file and line) and returns st. */
static enum mb_status at_line(struct mb_diag *d, enum mb_status st, const char *path, int line,
                              const char *msg)
{
    mb_diag_set(d, st, "%s:%d: %s", SHOWN(path), line, msg);
    if (d != NULL) {
        d->file = path;
        d->line = line;
    }
    return st;
}

/* Reads the file at path whole into a malloc'd, NUL-terminated buffer
 * (*len bytes before the NUL). Refuses a directory and anything longer
 * than MB_CONFIG_MAX_BYTES, reading no more than one byte past the limit,
 * so that /dev/zero or an endless pipe ends there. */
static enum mb_status read_whole(const char *path, char **text, size_t *len, struct mb_diag *d)
{
    *text = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return mb_diag_set(d, MB_USAGE, "%s: cannot read the config file: %s", SHOWN(path),
                           strerror(errno));
    struct stat sb;
    enum mb_status st = MB_OK;
    if (fstat(fd, &sb) != 0)
        st = mb_diag_set(d, MB_USAGE, "%s: cannot read the config file: %s", SHOWN(path),
                         strerror(errno));
    else if (S_ISDIR(sb.st_mode))
        st = mb_diag_set(d, MB_USAGE, "%s: is a directory, not a config file", SHOWN(path));
    else if (S_ISREG(sb.st_mode) && sb.st_size > MB_CONFIG_MAX_BYTES)
        st =
            mb_diag_set(d, MB_USAGE, "%s: larger than %d bytes (1 MiB), the limit of a config file",
                        SHOWN(path), MB_CONFIG_MAX_BYTES);
    char *buf = st == MB_OK ? malloc((size_t)MB_CONFIG_MAX_BYTES + 2) : NULL;
    if (st == MB_OK && buf == NULL)
        st = mb_diag_set(d, MB_NOMEM, "%s: out of memory reading the config file", SHOWN(path));
    size_t got = 0;
    while (st == MB_OK && got <= MB_CONFIG_MAX_BYTES) {
        ssize_t k = read(fd, buf + got, (size_t)MB_CONFIG_MAX_BYTES + 1 - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            st = mb_diag_set(d, MB_USAGE, "%s: cannot read the config file: %s", SHOWN(path),
                             strerror(errno));
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (st == MB_OK && got > MB_CONFIG_MAX_BYTES)
        st =
            mb_diag_set(d, MB_USAGE, "%s: larger than %d bytes (1 MiB), the limit of a config file",
                        SHOWN(path), MB_CONFIG_MAX_BYTES);
    if (st != MB_OK) {
        free(buf);
        return st;
    }
    buf[got] = '\0';
    *text = buf;
    *len = got;
    return MB_OK;
}

/* Reads the INI file at path (at most MB_CONFIG_MAX_BYTES) and hands every
 * key to fn, in file order. Returns MB_OK; MB_USAGE when the file cannot
 * be read, is a directory or too large, holds a NUL byte or a key line
 * longer than inih's buffer, a line is not `key = value`, `[section]` or a
 * comment, or fn refuses a key: the message in d reads `path:line: ...`
 * (for the first error; `path: ...` when the file as a whole is refused);
 * MB_NOMEM when the file cannot be held in memory. */
enum mb_status mb_config_load(const char *path, mb_config_key_fn *fn, void *user, struct mb_diag *d)
{
    char *text;
    size_t len = 0;
    enum mb_status st = read_whole(path, &text, &len, d);
    if (st != MB_OK)
        return st;
    const char *nul = memchr(text, '\0', len);
    if (nul != NULL) { /* inih would stop the line there and read on after it */
        int line = 1;
        for (const char *c = text; c < nul; c++)
            line += *c == '\n';
        free(text);
        return at_line(d, MB_USAGE, path, line, "a NUL byte; a config file is text");
    }
    struct load l = {.next = text, .end = text + len, .fn = fn, .user = user, .st = MB_OK};
    int line = ini_parse_stream(read_line, &l, on_key, &l);
    free(text);
    if (line < 0)
        return mb_diag_set(d, MB_NOMEM, "%s: out of memory reading the config file", SHOWN(path));
    if (line == 0 && l.long_line == 0)
        return MB_OK;
    char msg[sizeof l.diag.msg];
    if (line == 0) { /* the text ended at a long line: nothing before it was wrong */
        snprintf(msg, sizeof msg,
                 "longer than %d characters, the most a config line may have (only a comment "
                 "may be longer)",
                 l.max_chars);
        return at_line(d, MB_USAGE, path, l.long_line, msg);
    }
    if (l.st == MB_OK || l.st_line != line) /* a syntax error came first */
        return at_line(d, MB_USAGE, path, line,
                       "not a 'key = value' line, a [section] or a comment");
    snprintf(msg, sizeof msg, "%s", l.diag.msg);
    return at_line(d, l.st, path, line, msg);
}
/* A boolean value: true/false, yes/no, on/off, 1/0 (any case). */
enum mb_status mb_config_parse_bool(const char *key, const char *value, bool *out,
                                    struct mb_diag *d)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no",
                                                                                "off", "0"};
    for (size_t i = 0; i < MB__ARRAY_SIZE(yes); i++) {
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
