/* The one-process comparison: single-node matbench (beside matbench-mpi)
 * computes the same at the same size on the same cores, in a child of rank
 * 0 pinned with taskset to the CPUs every rank of the host may use; its
 * JSON report gives the rate, and only a verified result counts. */
#define _GNU_SOURCE /* nanosleep, readlink */
#include "mpi/oneproc.h"

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
    if (strchr(p->exe, '\'') != NULL)
        return "matbench's path has a quote in it";
    return NULL;
}

/* Rank 0: single-node matbench's kernel at n on the ranks' CPUs with p->cores
 * threads; its verified GFLOP/s, or NAN with why. */
double mb_oneproc_gflops(const struct mb_oneproc *p, const char *kernel, size_t n, char *why,
                         size_t cap)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "taskset -c %s '%s' %zu --kernels %s --threads %d --repeat %u --warmup %u "
             "--seed %llu --no-peak --no-monitor --quiet --format json 2>/dev/null",
             p->cpus, p->exe, n, kernel, p->cores, p->repeat, p->warmup,
             (unsigned long long)p->seed);
    FILE *f = popen(cmd, "r");
    char *doc = malloc(MB_ONEPROC_OUT_MAX);
    size_t len = f != NULL && doc != NULL ? fread(doc, 1, MB_ONEPROC_OUT_MAX, f) : 0;
    int status = f != NULL ? pclose(f) : -1;
    struct mb_report_summary s;
    char bad[160];
    double gflops = NAN;
    if (f == NULL || doc == NULL)
        snprintf(why, cap, "cannot start matbench for it");
    else if (status != 0)
        snprintf(why, cap, "matbench %zu --kernels %s on %s exited with status %d", n, kernel,
                 p->cpus, status);
    else if (!mb_report_json_summary(doc, len, &s, bad, sizeof bad))
        snprintf(why, cap, "matbench's report is unreadable: %s", bad);
    else if (!s.verified)
        snprintf(why, cap, "%s in one process failed its verification", kernel);
    else
        gflops = s.gflops;
    free(doc);
    return gflops;
}
