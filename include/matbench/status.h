/* Status codes, the diagnostic a library call fills in, and the one place
 * where a status becomes a process exit code. The library never prints and
 * never exits; the front end does both from these. */
#ifndef MATBENCH_STATUS_H
#define MATBENCH_STATUS_H

#include <stddef.h>

/* The single source of truth for statuses, their messages and the exit
 * code of the matbench command (README.md, "Exit codes"): 0 success, 1 a
 * run failed (allocation, verification, writing the output), 2 bad usage or
 * bad input (nothing was allocated or written), 130 interrupted (the results
 * completed so far were written; mb_exit_code_signal gives 143 for SIGTERM
 * and 129 for SIGHUP). HELP and VERSION are pseudo-statuses: the command
 * line asked for text, not a run. */
#define MB_STATUS_MAP(X)                                                                           \
    X(OK, "success", 0)                                                                            \
    X(USAGE, "bad usage or bad input", 2)                                                          \
    X(NOMEM, "out of memory", 1)                                                                   \
    X(VERIFY, "result failed verification", 1)                                                     \
    X(IO, "cannot write output", 1)                                                                \
    X(RUNTIME, "run failed", 1)                                                                    \
    X(INTERRUPTED, "interrupted", 130)                                                             \
    X(HELP, "help requested", 0)                                                                   \
    X(VERSION, "version requested", 0)

enum mb_status {
#define MB__STATUS_ENUM(name, msg, code) MB_##name,
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
