/* Status codes, the diagnostic a library call fills in, and the one place
 * where a status becomes a process exit code. The library never prints and
 * never exits; the front end does both from these. */
#ifndef MATBENCH_STATUS_H
#define MATBENCH_STATUS_H

#include <stddef.h>

/* The single source of truth for statuses and their messages. HELP and
 * VERSION are pseudo-statuses: the command line asked for text, not a run. */
#define MB_STATUS_MAP(X)                                                                           \
    X(OK, "success")                                                                               \
    X(USAGE, "bad usage or bad input")                                                             \
    X(NOMEM, "out of memory")                                                                      \
    X(VERIFY, "result failed verification")                                                        \
    X(IO, "cannot write output")                                                                   \
    X(RUNTIME, "run failed")                                                                       \
    X(INTERRUPTED, "interrupted")                                                                  \
    X(HELP, "help requested")                                                                      \
    X(VERSION, "version requested")

enum mb_status {
#define MB__STATUS_ENUM(name, msg) MB_##name,
    MB_STATUS_MAP(MB__STATUS_ENUM)
#undef MB__STATUS_ENUM
};

/* What went wrong, in one line that names the value and what is allowed.
 * file/line are set for errors found in a config file. */
struct mb_diag {
    char msg[512];
    const char *file;
    int line;
};

const char *mb_status_name(enum mb_status st);
const char *mb_status_msg(enum mb_status st);
int mb_exit_code(enum mb_status st);
int mb_exit_code_signal(enum mb_status st, int sig);
enum mb_status mb_diag_set(struct mb_diag *d, enum mb_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *mb_printable(const char *s, char *buf, size_t cap);

#endif /* MATBENCH_STATUS_H */
