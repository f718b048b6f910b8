/* What rank 0 keeps for a stop signal: the report of the rows finished so
 * far, rendered after every row into memory, so that SIGINT, SIGTERM or
 * SIGHUP (mpirun passes a Ctrl-C on to the ranks as SIGTERM, then kills
 * them a second later) writes it with write(2), which a signal handler
 * may call, to --output or stdout, and exits 128 + the signal. A signal
 * that comes while the final report is being written waits for it: the
 * report is whole, and the exit code is the signal's. */
#define _GNU_SOURCE /* open_memstream */
#include "mpi/keep.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct snapshot {
    char *text;
    size_t len;
};

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
static const char *output_path; /* NULL: stdout */
static enum mb_format format;
static _Atomic(struct snapshot *) kept;
static struct snapshot *older; /* the one before kept: a handler may still read it */
static atomic_int writing_final, entered, pending;

static void write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w, len -= (size_t)w;
    }
}

static void say(const char *s)
{
    write_all(STDERR_FILENO, s, strlen(s));
}

static void on_stop(int sig)
{
    if (atomic_load(&writing_final)) { /* the report is being written: it ends, then exits */
        atomic_store(&pending, sig);
        return;
    }
    if (atomic_exchange(&entered, 1)) /* a second signal, maybe in another thread */
        return;
    struct snapshot *s = atomic_load(&kept);
    int fd =
        output_path != NULL ? open(output_path, O_WRONLY | O_CREAT | O_TRUNC, 0666) : STDOUT_FILENO;
    if (fd >= 0 && s != NULL)
        write_all(fd, s->text, s->len);
    say(sig == SIGINT    ? "matbench-mpi: interrupted by SIGINT"
        : sig == SIGTERM ? "matbench-mpi: interrupted by SIGTERM"
                         : "matbench-mpi: interrupted by SIGHUP");
    say("; the rows finished so far are written\n");
    _exit(128 + sig);
}

/* Rank 0, before the runs: the report goes to path (NULL: stdout) in f. */
void mb_keep_start(const char *path, enum mb_format f)
{
    output_path = path, format = f;
    struct sigaction sa = {.sa_handler = on_stop};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        sigaddset(&sa.sa_mask, stop_signals[i]);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++) {
        struct sigaction old;
        sigaction(stop_signals[i], NULL, &old);
        if (stop_signals[i] == SIGHUP && old.sa_handler == SIG_IGN)
            continue; /* started under nohup: a closed terminal does not stop it */
        sigaction(stop_signals[i], &sa, NULL);
    }
}

/* Rank 0: the report of rows[0..count) becomes what a signal writes. */
void mb_keep_rows(const struct mb_dist_header *h, const struct mb_dist_result *rows, size_t count)
{
    struct snapshot *s = calloc(1, sizeof *s);
    FILE *mem = s != NULL ? open_memstream(&s->text, &s->len) : NULL;
    if (mem == NULL) {
        free(s);
        return; /* the one kept before stays */
    }
    struct mb_dist_header interrupted = *h;
    interrupted.interrupted = true;
    struct mb_diag d = {0};
    bool ok = mb_report_dist(mem, format, &interrupted, rows, count, &d) == MB_OK;
    ok = fclose(mem) == 0 && ok;
    if (!ok) {
        free(s->text), free(s);
        return;
    }
    struct snapshot *old = atomic_exchange(&kept, s);
    if (older != NULL)
        free(older->text), free(older);
    older = old;
}

/* Rank 0, just before the final report: a signal now waits for it. */
void mb_keep_final(void)
{
    atomic_store(&writing_final, 1);
}

/* Rank 0, after it: the signal that came meanwhile, or 0. */
int mb_keep_pending(void)
{
    return atomic_load(&pending);
}

/* Rank 0, after the final report: the snapshots go. */
void mb_keep_end(void)
{
    struct snapshot *s = atomic_exchange(&kept, NULL);
    if (s != NULL)
        free(s->text), free(s);
    if (older != NULL)
        free(older->text), free(older);
    older = NULL;
}
