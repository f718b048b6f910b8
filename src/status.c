/* Status names and messages from MB_STATUS_MAP, and the mapping from status
 * to exit code. */
#include "matbench/status.h"

#include <stdarg.h>
#include <stdio.h>

const char *mb_status_name(enum mb_status st)
{
    switch (st) {
#define MB__STATUS_NAME(name, msg, code)                                                           \
    case MB_##name:                                                                                \
        return #name;
        MB_STATUS_MAP(MB__STATUS_NAME)
#undef MB__STATUS_NAME
    }
    return "UNKNOWN";
}

const char *mb_status_msg(enum mb_status st)
{
    switch (st) {
#define MB__STATUS_MSG(name, msg, code)                                                            \
    case MB_##name:                                                                                \
        return msg;
        MB_STATUS_MAP(MB__STATUS_MSG)
#undef MB__STATUS_MSG
    }
    return "unknown status";
}

/* The exit code of the matbench command for st: the third column of
 * MB_STATUS_MAP; 1 for a value outside the enum. */
int mb_exit_code(enum mb_status st)
{
    switch (st) {
#define MB__STATUS_CODE(name, msg, code)                                                           \
    case MB_##name:                                                                                \
        return code;
        MB_STATUS_MAP(MB__STATUS_CODE)
#undef MB__STATUS_CODE
    }
    return 1;
}

/* The exit code for st when signal sig (0: none) stopped the command: 128 +
 * sig for MB_INTERRUPTED, as a shell reports a process that signal killed
 * (130 SIGINT, 143 SIGTERM, 129 SIGHUP), so that a caller sees which signal
 * it was although matbench caught it to write its results; otherwise, and
 * for a sig outside 1..127, mb_exit_code(st). */
int mb_exit_code_signal(enum mb_status st, int sig)
{
    if (st == MB_INTERRUPTED && sig > 0 && sig < 128)
        return 128 + sig;
    return mb_exit_code(st);
}

/* Formats the diagnostic message and returns st, so that a failing path reads
 * `return mb_diag_set(d, MB_USAGE, "...", ...);`. d may be NULL. */
enum mb_status mb_diag_set(struct mb_diag *d, enum mb_status st, const char *fmt, ...)
{
    if (d == NULL)
        return st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    return st;
}

/* A copy of s for a one-line message: control characters become '?' and text
 * longer than the buffer ends in "...". Returns buf. */
const char *mb_printable(const char *s, char *buf, size_t cap)
{
    size_t i = 0;
    if (cap == 0)
        return "";
    for (; s[i] != '\0' && i + 1 < cap; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    buf[i] = '\0';
    if (s[i] != '\0' && cap > 4)
        snprintf(buf + cap - 4, 4, "...");
    return buf;
}
