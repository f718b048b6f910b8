/* Child processes: a fork whose child dies with its parent, reaping with
 * and without blocking, the children's CPU time and the wait status in
 * words, shared by the ladder's worker processes and the core-type probes. */
#define _GNU_SOURCE /* strsignal */
#include "matbench/proc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mb_internal.h"

/* How often mb_proc_wait looks at its stop flag. */
#define STOP_POLL_MS 5

/* fork(), with the child tied to its parent: PR_SET_PDEATHSIG sends the
 * child SIGKILL when the parent thread (the caller) ends, however it ends
 * (a signal's default action, SIGKILL, a crash), and survives execve of a
 * program that is not set-user-ID; a parent that ended before the prctl
 * shows as a changed getppid(), and the child then leaves at once with
 * _exit(fail_code). Async-signal-safe in the child. Returns as fork does:
 * 0 in the child, the child's PID in the parent, -1 with errno set. */
pid_t mb_proc_fork(int fail_code)
{
    const pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent))
        _exit(fail_code);
    return pid;
}

/* Finds matbench's helper program name (matbench-blas-probe,
 * matbench-pitfall-child): beside this program (the build tree), else
 * where installing puts it (../libexec/matbench/). MB_RUNTIME naming both
 * places when it is in neither. */
enum mb_status mb_proc_helper_path(const char *name, char *buf, size_t cap, struct mb_diag *d)
{
    char self[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    if (k <= 0)
        return mb_diag_set(d, MB_RUNTIME, "cannot find %s: /proc/self/exe: %s", name,
                           strerror(errno));
    self[k] = '\0';
    char *slash = strrchr(self, '/');
    if (slash != NULL)
        slash[1] = '\0';
    static const char *const places[] = {"", "../libexec/matbench/"};
    for (size_t i = 0; i < MB__ARRAY_SIZE(places); i++) {
        int len = snprintf(buf, cap, "%s%s%s", self, places[i], name);
        if (len > 0 && (size_t)len < cap && access(buf, X_OK) == 0)
            return MB_OK;
    }
    return mb_diag_set(d, MB_RUNTIME, "cannot find %s (looked in %s and %s%s)", name, self, self,
                       places[1]);
}

/* Reaps child pid if it has ended, without blocking. Returns 1 with its
 * wait status in *status when it was reaped, 0 while it runs (or a signal
 * interrupted the wait), or -errno when it cannot be waited for. */
int mb_proc_poll(pid_t pid, int *status)
{
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid)
        return 1;
    if (r == 0 || (r < 0 && errno == EINTR))
        return 0;
    return r < 0 ? -errno : -ECHILD;
}

/* Waits for child pid and stores its wait status; with a stop flag (stop
 * may be NULL), looking at it every STOP_POLL_MS and killing the child
 * (SIGKILL, and *killed set) once it is raised, so that the child is reaped
 * either way. Returns 0 or an errno of waitpid. */
int mb_proc_wait(pid_t pid, int *status, const volatile sig_atomic_t *stop, bool *killed)
{
    *killed = false;
    for (;;) {
        if (stop == NULL || *killed) {
            if (waitpid(pid, status, 0) == pid)
                return 0;
            if (errno != EINTR)
                return errno;
            continue;
        }
        int r = mb_proc_poll(pid, status);
        if (r < 0)
            return -r;
        if (r > 0)
            return 0;
        if (*stop) {
            kill(pid, SIGKILL);
            *killed = true;
        } else {
            nanosleep(&(struct timespec){0, STOP_POLL_MS * 1000 * 1000}, NULL);
        }
    }
}

/* The CPU time, user and system, of every child of this process that has
 * been waited for; 0 when getrusage fails. */
double mb_proc_children_cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e-6;
}

/* What became of a child, as its wait status says, for a message: "exited
 * with status 3", "killed by signal 4 (Illegal instruction)" or "ended
 * with wait status 0x137f". */
void mb_proc_describe(int status, char *buf, size_t cap)
{
    if (WIFEXITED(status)) {
        snprintf(buf, cap, "exited with status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        const char *name = strsignal(WTERMSIG(status));
        snprintf(buf, cap, "killed by signal %d (%s)", WTERMSIG(status),
                 name != NULL ? name : "unknown");
    } else {
        snprintf(buf, cap, "ended with wait status %#x", (unsigned)status);
    }
}
