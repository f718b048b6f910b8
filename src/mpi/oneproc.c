/* The one-process comparison: single-node matbench (beside matbench-mpi)
 * computes the same at the same size on the same cores, in a child of rank
 * 0 pinned with taskset to the CPUs every rank of the host may use (fork
 * and execvp, no shell; the child dies with rank 0); its JSON report
 * gives the rate, and only a verified result counts. */
#define _GNU_SOURCE /* nanosleep, readlink */
#include "mpi/oneproc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "matbench/proc.h"
#include "matbench/report.h"

#define MB_ONEPROC_OUT_MAX (1 << 20)

/* A barrier that sleeps between tests, so waiting ranks leave their CPUs
 * to the child (Open MPI's MPI_Barrier polls). */
void mb_quiet_barrier(void)
{
    MPI_Request req;
    int done = 0;
    MPI_Ibarrier(MPI_COMM_WORLD, &req);
    while (MPI_Test(&req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done)
        nanosleep(&(struct timespec){0, 2000000}, NULL);
}

/* Every rank: gathers the CPU lists of the host's ranks on rank 0 (one
 * host: the caller has checked) and finds matbench beside this program.
 * Returns NULL when the comparison can run, else why not. */
const char *mb_oneproc_prepare(struct mb_oneproc *p, const char *my_cpus, int cores)
{
    int ranks, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    char mine[256] = "";
    snprintf(mine, sizeof mine, "%s", my_cpus);
    char *all = rank == 0 ? calloc((size_t)ranks, sizeof mine) : NULL;
    MPI_Gather(mine, sizeof mine, MPI_CHAR, all, sizeof mine, MPI_CHAR, 0, MPI_COMM_WORLD);
    p->cores = cores;
    p->cpus[0] = '\0';
    for (int r = 0; all != NULL && r < ranks; r++) {
        size_t len = strlen(p->cpus);
        snprintf(p->cpus + len, sizeof p->cpus - len, "%s%s", len ? "," : "",
                 all + (size_t)r * sizeof mine);
    }
    free(all);
    char self[4000];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        return "cannot find this program's file (/proc/self/exe)";
    self[len] = '\0';
    char *slash = strrchr(self, '/');
    *slash = '\0';
    snprintf(p->exe, sizeof p->exe, "%s/matbench", self);
    if (access(p->exe, X_OK) != 0)
        return "no matbench beside matbench-mpi";
    return NULL;
}

/* The child, between fork and execve: stdout into the pipe, stderr to
 * /dev/null, then taskset, which runs matbench on the CPUs. */
static void exec_child(int out, char *const argv[])
{
    int null = open("/dev/null", O_WRONLY);
    if (dup2(out, STDOUT_FILENO) < 0 || null < 0 || dup2(null, STDERR_FILENO) < 0)
        _exit(127);
    execvp(argv[0], argv);
    _exit(127);
}

/* All of fd, at most cap bytes, into buf; the length read. */
static size_t read_all(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    for (ssize_t r;
         len < cap && ((r = read(fd, buf + len, cap - len)) > 0 || (r < 0 && errno == EINTR));)
        len += r > 0 ? (size_t)r : 0;
    return len;
}

/* Rank 0: single-node matbench's kernel at n on the ranks' CPUs with p->cores
 * threads, in a child that dies with rank 0 (mb_proc_fork: a stop signal
 * ends rank 0 at once); its verified GFLOP/s, or NAN with why. */
double mb_oneproc_gflops(const struct mb_oneproc *p, const char *kernel, size_t n, char *why,
                         size_t cap)
{
    char nbuf[32], tbuf[16], rbuf[16], wbuf[16], sbuf[32], cpus[sizeof p->cpus], exe[sizeof p->exe],
        kbuf[64];
    snprintf(nbuf, sizeof nbuf, "%zu", n);
    snprintf(tbuf, sizeof tbuf, "%d", p->cores);
    snprintf(rbuf, sizeof rbuf, "%u", p->repeat);
    snprintf(wbuf, sizeof wbuf, "%u", p->warmup);
    snprintf(sbuf, sizeof sbuf, "%llu", (unsigned long long)p->seed);
    snprintf(cpus, sizeof cpus, "%s", p->cpus);
    snprintf(exe, sizeof exe, "%s", p->exe);
    snprintf(kbuf, sizeof kbuf, "%s", kernel);
    char *const argv[] = {
        "taskset",  "-c",        cpus,         exe,         nbuf,           "--kernels",
        kbuf,       "--threads", tbuf,         "--repeat",  rbuf,           "--warmup",
        wbuf,       "--seed",    sbuf,         "--no-peak", "--no-monitor", "--quiet",
        "--format", "json",      "--min-time", "0", /* repeat passes, as the ranks */
        NULL};
    int fds[2];
    char *doc = malloc(MB_ONEPROC_OUT_MAX);
    pid_t pid = doc != NULL && pipe(fds) == 0 ? mb_proc_fork(127) : -1;
    if (pid == 0) {
        close(fds[0]);
        exec_child(fds[1], argv);
    }
    size_t len = 0;
    int status = -1;
    if (pid > 0) {
        close(fds[1]);
        len = read_all(fds[0], doc, MB_ONEPROC_OUT_MAX);
        close(fds[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    } else if (doc != NULL) {
        close(fds[0]), close(fds[1]);
    }
    struct mb_report_summary s;
    char bad[160], how[96];
    double gflops = NAN;
    if (pid < 0)
        snprintf(why, cap, "cannot start matbench for it");
    else if (status != 0) {
        mb_proc_describe(status, how, sizeof how);
        snprintf(why, cap, "taskset -c %s matbench %zu --kernels %s %s", p->cpus, n, kernel, how);
    } else if (!mb_report_json_summary(doc, len, &s, bad, sizeof bad))
        snprintf(why, cap, "matbench's report is unreadable: %s", bad);
    else if (!s.verified)
        snprintf(why, cap, "%s in one process failed its verification", kernel);
    else
        gflops = s.gflops;
    free(doc);
    return gflops;
}
