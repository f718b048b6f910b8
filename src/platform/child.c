/* Another program run as a child and what it says: fork and execve with no
 * shell, stdout and stderr through pipes, a descriptor handed down as 3, a
 * time limit and a stop flag. The child dies with its caller
 * (mb_proc_fork). */
#define _GNU_SOURCE /* pipe2, environ */
#include "matbench/child.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "matbench/proc.h"
#include "mb_internal.h"

/* How often a wait on the child looks at the stop flag and the deadline,
 * in ms: a signal may be handled by another thread and then does not end
 * the poll. */
#define POLL_MS 50

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* fd moved to lowest number min or above (keeping FD_CLOEXEC), so that the
 * child's dup2 onto 0..3 cannot clobber it; -1 on failure (fd closed). */
static int lift_fd(int fd, int min)
{
    if (fd < 0 || fd >= min)
        return fd;
    int high = fcntl(fd, F_DUPFD_CLOEXEC, min);
    close(fd);
    return high;
}

/* Closes *fd unless it is already -1, and sets it to -1. */
static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Appends k bytes of the child's stdout; what does not fit is dropped and
 * marks the result as overflowed. */
static void keep_out(struct mb_child_result *r, size_t cap, const char *p, size_t k)
{
    size_t room = cap - r->out_len;
    if (k > room) {
        r->overflow = true;
        k = room;
    }
    memcpy(r->out + r->out_len, p, k);
    r->out_len += k;
    r->out[r->out_len] = '\0';
}

/* Appends k bytes of the child's stderr, keeping only its last
 * MB_CHILD_ERR_TAIL bytes. */
static void keep_err_tail(struct mb_child_result *r, const char *p, size_t k)
{
    if (k >= MB_CHILD_ERR_TAIL) {
        memcpy(r->err, p + k - MB_CHILD_ERR_TAIL, MB_CHILD_ERR_TAIL);
        r->err_len = MB_CHILD_ERR_TAIL;
    } else {
        if (r->err_len + k > MB_CHILD_ERR_TAIL) {
            size_t drop = r->err_len + k - MB_CHILD_ERR_TAIL;
            memmove(r->err, r->err + drop, r->err_len - drop);
            r->err_len -= drop;
        }
        memcpy(r->err + r->err_len, p, k);
        r->err_len += k;
    }
    r->err[r->err_len] = '\0';
}

/* Kills the child for the reason the flags say, once. */
static void kill_once(pid_t pid, bool *killed)
{
    if (!*killed)
        kill(pid, SIGKILL);
    *killed = true;
}

/* Reads the child's stdout (*out_fd) and stderr (*err_fd) until both end
 * or the child is gone, closing each at its end; kills the child at the
 * deadline (0: none) or when stop is raised, and reaps it. A grandchild
 * that holds the pipes open does not keep the reading going once the child
 * is reaped. Returns 0 or an errno (the child is then killed and reaped
 * too). */
static int drain_and_reap(pid_t pid, int *out_fd, int *err_fd, size_t cap,
                          const struct mb_child_spec *s, struct mb_child_result *r)
{
    int *fds[2] = {out_fd, err_fd};
    struct pollfd pf[2] = {{.fd = *out_fd, .events = POLLIN}, {.fd = *err_fd, .events = POLLIN}};
    const double deadline = s->time_limit_s > 0 ? now_s() + s->time_limit_s : 0;
    char chunk[16384];
    bool killed = false, reaped = false;
    int err = 0;
    for (;;) {
        if (!killed && s->stop != NULL && *s->stop != 0) {
            r->stopped = true;
            kill_once(pid, &killed);
        }
        if (!killed && deadline > 0 && now_s() >= deadline) {
            r->timed_out = true;
            kill_once(pid, &killed);
        }
        if (!reaped) {
            int p = mb_proc_poll(pid, &r->status);
            if (p < 0) {
                err = -p;
                reaped = true; /* nothing left to wait for */
                break;
            }
            reaped = p > 0;
        }
        if (pf[0].fd < 0 && pf[1].fd < 0) {
            if (reaped)
                break;
            nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
            continue;
        }
        /* once reaped, only what is already in the pipes: a grandchild
         * may hold them open */
        int ready = poll(pf, 2, reaped ? 0 : POLL_MS);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0) {
            err = errno;
            break;
        }
        if (ready == 0) {
            if (reaped)
                break;
            continue;
        }
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || pf[i].revents == 0)
                continue;
            ssize_t k = read(pf[i].fd, chunk, sizeof chunk);
            if (k < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (k <= 0) {
                close_fd(fds[i]);
                pf[i].fd = -1;
            } else if (i == 0) {
                keep_out(r, cap, chunk, (size_t)k);
            } else {
                keep_err_tail(r, chunk, (size_t)k);
            }
        }
    }
    if (!reaped) {
        kill_once(pid, &killed);
        bool again = false;
        mb_proc_wait(pid, &r->status, NULL, &again);
    }
    return err;
}

/* In the child, between fork and execve: only async-signal-safe calls.
 * Starts with no signal blocked (the parent may hold its stop signals),
 * points stdin at /dev/null, stdout and stderr at the pipes and descriptor
 * 3 at pass (when it is one), then runs exe; if that fails, sends errno up
 * the exec pipe and exits 127. */
__attribute__((noreturn)) static void exec_child(const struct mb_child_spec *s, char *const *envp,
                                                 int devnull, int out_w, int err_w, int pass,
                                                 int exec_w)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (dup2(devnull, 0) >= 0 && dup2(out_w, 1) >= 0 && dup2(err_w, 2) >= 0 &&
        (pass < 0 || dup2(pass, 3) >= 0))
        execve(s->exe, s->argv, envp);
    int e = errno;
    ssize_t w = write(exec_w, &e, sizeof e);
    (void)w;
    _exit(127);
}

/* Runs s->exe with s->argv (and s->envp, or this environment) as a child:
 * stdin /dev/null, stdout kept whole up to s->out_cap bytes (r->out,
 * NUL-terminated; more sets r->overflow), the tail of stderr in r->err,
 * s->pass_fd (unless -1) as its descriptor 3; killed (SIGKILL) after
 * s->time_limit_s (r->timed_out) or once *s->stop is raised (r->stopped).
 * Returns MB_OK when the child ran, whatever its end (r->status, the wait
 * status, says); MB_USAGE for bad arguments; MB_RUNTIME when it cannot be
 * started (pipes, fork, execve: "cannot start 'exe': ..."); MB_NOMEM;
 * MB_INTERRUPTED when stop was raised (before: no child; during: killed
 * and reaped). The child is always reaped and every descriptor opened
 * here closed (close-on-exec meanwhile). Free r with mb_child_free either
 * way. */
enum mb_status mb_child_run(const struct mb_child_spec *s, struct mb_child_result *r,
                            struct mb_diag *d)
{
    memset(r, 0, sizeof *r);
    r->limit_s = s->time_limit_s;
    if (s->exe == NULL || s->argv == NULL || s->argv[0] == NULL || s->out_cap == 0 ||
        !(s->time_limit_s >= 0))
        return mb_diag_set(d, MB_USAGE,
                           "child: no program, no argv, no output room or a "
                           "negative time limit");
    if (s->stop != NULL && *s->stop != 0) {
        r->stopped = true;
        return mb_diag_set(d, MB_INTERRUPTED, "'%s': stopped before it started", s->exe);
    }
    /* Everything the child needs is made before fork: after it, in a
     * process that may run BLAS threads, the child may not allocate. */
    r->out = malloc(s->out_cap + 1);
    if (r->out == NULL)
        return mb_diag_set(d, MB_NOMEM, "cannot allocate %zu bytes for a child's output",
                           s->out_cap);
    r->out[0] = '\0';
    char *const *envp = s->envp != NULL ? s->envp : environ;

    enum mb_status st = MB_OK;
    int outp[2] = {-1, -1}, errp[2] = {-1, -1}, execp[2] = {-1, -1}, pass = -1;
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0 || pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0 ||
        pipe2(execp, O_CLOEXEC) != 0 ||
        (s->pass_fd >= 0 && (pass = fcntl(s->pass_fd, F_DUPFD_CLOEXEC, 4)) < 0)) {
        st = mb_diag_set(d, MB_RUNTIME, "cannot start '%s': pipes: %s", s->exe, strerror(errno));
        goto done;
    }
    int *fds[] = {&devnull, &outp[0], &outp[1], &errp[0], &errp[1], &execp[0], &execp[1]};
    for (size_t i = 0; i < MB__ARRAY_SIZE(fds); i++)
        if ((*fds[i] = lift_fd(*fds[i], 4)) < 0) {
            st = mb_diag_set(d, MB_RUNTIME, "cannot start '%s': moving a pipe: %s", s->exe,
                             strerror(errno));
            goto done;
        }

    pid_t pid = mb_proc_fork(127);
    if (pid < 0) {
        st = mb_diag_set(d, MB_RUNTIME, "cannot start '%s': fork: %s", s->exe, strerror(errno));
        goto done;
    }
    if (pid == 0)
        exec_child(s, envp, devnull, outp[1], errp[1], pass, execp[1]);
    close_fd(&devnull);
    close_fd(&outp[1]);
    close_fd(&errp[1]);
    close_fd(&execp[1]);
    close_fd(&pass);

    /* Ends with 0 bytes once execve has closed the child's copy (it is
     * close-on-exec), or carries errno when execve failed. */
    int exec_errno = 0;
    ssize_t k;
    do
        k = read(execp[0], &exec_errno, sizeof exec_errno);
    while (k < 0 && errno == EINTR);
    int err = drain_and_reap(pid, &outp[0], &errp[0], s->out_cap, s, r);
    if (k > 0)
        st = mb_diag_set(d, MB_RUNTIME, "cannot start '%s': %s", s->exe, strerror(exec_errno));
    else if (err != 0)
        st = mb_diag_set(d, MB_RUNTIME, "'%s': reading its output: %s", s->exe, strerror(err));
    else if (r->stopped)
        st = mb_diag_set(d, MB_INTERRUPTED, "'%s': stopped", s->exe);

done:
    close_fd(&devnull);
    close_fd(&outp[0]);
    close_fd(&outp[1]);
    close_fd(&errp[0]);
    close_fd(&errp[1]);
    close_fd(&execp[0]);
    close_fd(&execp[1]);
    close_fd(&pass);
    return st;
}

/* This process's environment without the variables named in drop[0..ndrop)
 * ("NAME=" each), then add[0..nadd) ("NAME=value"): a malloc'd array of
 * borrowed strings, NULL-terminated, for a child's envp; NULL when memory
 * runs out. */
char **mb_child_environment(const char *const *drop, size_t ndrop, char *const *add, size_t nadd)
{
    size_t count = 0;
    while (environ != NULL && environ[count] != NULL)
        count++;
    char **envp = malloc((count + nadd + 1) * sizeof *envp);
    if (envp == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        bool keep = true;
        for (size_t j = 0; j < ndrop; j++)
            keep = keep && strncmp(environ[i], drop[j], strlen(drop[j])) != 0;
        if (keep)
            envp[k++] = environ[i];
    }
    for (size_t i = 0; i < nadd; i++)
        envp[k++] = add[i];
    envp[k] = NULL;
    return envp;
}

/* Frees what mb_child_run allocated in r (safe on a zeroed r, and twice). */
void mb_child_free(struct mb_child_result *r)
{
    free(r->out);
    r->out = NULL;
    r->out_len = 0;
}

/* The last non-empty line of the kept stderr, made printable, in buf. */
const char *mb_child_last_line(const struct mb_child_result *r, char *buf, size_t cap)
{
    size_t end = r->err_len;
    while (end > 0 && (r->err[end - 1] == '\n' || r->err[end - 1] == '\r'))
        end--;
    size_t start = end;
    while (start > 0 && r->err[start - 1] != '\n')
        start--;
    char line[MB_CHILD_ERR_TAIL + 1];
    snprintf(line, sizeof line, "%.*s", (int)(end - start), r->err + start);
    return mb_printable(line, buf, cap);
}

/* What became of the child, in words: "no answer in 5 s", "stopped",
 * "killed by signal 11 (Segmentation fault)", "exit 1: <last stderr line>",
 * "exit 1 (nothing on stderr)" or "exit 0". */
void mb_child_describe(const struct mb_child_result *r, char *buf, size_t cap)
{
    char line[256];
    if (r->timed_out)
        snprintf(buf, cap, "no answer in %g s", r->limit_s);
    else if (r->stopped)
        snprintf(buf, cap, "stopped");
    else if (!WIFEXITED(r->status))
        mb_proc_describe(r->status, buf, cap);
    else if (WEXITSTATUS(r->status) == 0)
        snprintf(buf, cap, "exit 0");
    else if (mb_child_last_line(r, line, sizeof line)[0] == '\0')
        snprintf(buf, cap, "exit %d (nothing on stderr)", WEXITSTATUS(r->status));
    else
        snprintf(buf, cap, "exit %d: %s", WEXITSTATUS(r->status), line);
}
