/* Child processes as matbench makes them: forked so that they die with
 * their parent, reaped without blocking or with a stop flag, their CPU time
 * and their wait status in words. The ladder's workers and the core-type
 * probes both use it. */
#ifndef MATBENCH_PROC_H
#define MATBENCH_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "matbench/status.h"

pid_t mb_proc_fork(int fail_code);
int mb_proc_poll(pid_t pid, int *status);
int mb_proc_wait(pid_t pid, int *status, const volatile sig_atomic_t *stop, bool *killed);
double mb_proc_children_cpu_s(void);
void mb_proc_describe(int status, char *buf, size_t cap);
enum mb_status mb_proc_helper_path(const char *name, char *buf, size_t cap, struct mb_diag *d);

#endif /* MATBENCH_PROC_H */
