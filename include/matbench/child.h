/* Another program run as a child: fork and execve (no shell), its stdout
 * kept whole up to a cap and the tail of its stderr, a descriptor handed
 * down, a time limit and a stop flag; the child never outlives the caller
 * (mb_proc_fork). The core-type probes and matbench blas's probes use it. */
#ifndef MATBENCH_CHILD_H
#define MATBENCH_CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "matbench/status.h"

#define MB_CHILD_ERR_TAIL 4096 /* bytes of the child's stderr kept, its end */

struct mb_child_spec {
    const char *exe;                   /* run as is (no PATH search) */
    char *const *argv;                 /* argv[0] first, NULL-terminated */
    char *const *envp;                 /* NULL: this process's environ */
    int pass_fd;                       /* becomes the child's descriptor 3; -1: none */
    double time_limit_s;               /* SIGKILL after this long; 0: no limit */
    const volatile sig_atomic_t *stop; /* SIGKILL once raised; NULL: none */
    size_t out_cap;                    /* bytes of stdout kept; more sets overflow */
};

struct mb_child_result {
    char *out; /* stdout, NUL-terminated (malloc'd; mb_child_free) */
    size_t out_len;
    bool overflow;                   /* stdout passed out_cap */
    char err[MB_CHILD_ERR_TAIL + 1]; /* the tail of stderr, NUL-terminated */
    size_t err_len;
    int status;     /* the wait status */
    bool timed_out; /* killed at the time limit */
    bool stopped;   /* killed because stop was raised */
    double limit_s; /* the time limit it ran under */
};

enum mb_status mb_child_run(const struct mb_child_spec *s, struct mb_child_result *r,
                            struct mb_diag *d);
char **mb_child_environment(const char *const *drop, size_t ndrop, char *const *add, size_t nadd);
void mb_child_free(struct mb_child_result *r);
const char *mb_child_last_line(const struct mb_child_result *r, char *buf, size_t cap);
void mb_child_describe(const struct mb_child_result *r, char *buf, size_t cap);

#endif /* MATBENCH_CHILD_H */
