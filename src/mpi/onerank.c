/* The one-rank comparison: the same ScaLAPACK kernel at the same size and
 * block size on a 1 x 1 grid, in rank 0 with as many BLAS threads as the
 * whole run has (ranks x threads per rank), on the CPUs of every rank of
 * the host, while the other ranks wait without spinning. What the ranks
 * gain or lose against it is what passing blocks between processes costs
 * against threads sharing one address space. */
#define _GNU_SOURCE /* cpu_set_t, sched_setaffinity */
#include "mpi/onerank.h"

#include <dirent.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/blas.h"
#include "matbench/machine.h"
#include "mpi/oneproc.h"
#include "mpi/pkernels.h"
#include "mpi/scalapack.h"

_Static_assert(sizeof(cpu_set_t) == sizeof((struct mb_onerank *)0)->mask_before,
               "mask_before holds a cpu_set_t");

/* Sets the CPUs of every thread of this process (the BLAS's threads were
 * started with the mask mpirun gave the rank). False if one refused. */
static bool every_thread_on(const cpu_set_t *set)
{
    DIR *tasks = opendir("/proc/self/task");
    if (tasks == NULL)
        return false;
    bool ok = true;
    for (struct dirent *e; (e = readdir(tasks)) != NULL;) {
        int tid = atoi(e->d_name);
        if (tid > 0 && sched_setaffinity(tid, sizeof *set, set) != 0)
            ok = false;
    }
    closedir(tasks);
    return ok;
}

/* Every rank: the CPUs the ranks of this host may use, all of them once. */
static void host_cpu_union(cpu_set_t *every)
{
    cpu_set_t mine;
    CPU_ZERO(&mine);
    sched_getaffinity(0, sizeof mine, &mine);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    /* a cpu_set_t is bits in unsigned longs: the union is their OR */
    MPI_Allreduce(&mine, every, (int)(sizeof mine / sizeof(unsigned long)), MPI_UNSIGNED_LONG,
                  MPI_BOR, node);
    MPI_Comm_free(&node);
}

/* Every rank: how many CPUs the ranks of this host may use. */
int mb_host_cpus(void)
{
    cpu_set_t every;
    host_cpu_union(&every);
    return CPU_COUNT(&every);
}

/* Every rank (one host): rank 0 gathers the CPUs of all ranks, takes them
 * for all its threads and sets cores BLAS threads (the run's ranks x
 * threads, at most those CPUs); the 1 x 1 grid is made (BLACS makes it
 * with every rank; only rank 0 is in it).
 * Returns NULL when rank 0 can run the comparison, else why not. */
const char *mb_onerank_begin(struct mb_onerank *p, int cores)
{
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    cpu_set_t mine, every;
    CPU_ZERO(&mine);
    sched_getaffinity(0, sizeof mine, &mine);
    host_cpu_union(&every);
    *p = (struct mb_onerank){.ictxt = -1, .threads_before = mb_blas_get_threads()};
    Cblacs_get(-1, 0, &p->ictxt);
    Cblacs_gridinit(&p->ictxt, "Row", 1, 1);
    if (rank != 0)
        return "rank 0 runs it";
    memcpy(p->mask_before, &mine, sizeof mine);
    p->widened = true;
    if (!every_thread_on(&every))
        return "rank 0 may not run on the other ranks' CPUs";
    p->threads = cores;
    if (mb_blas_set_threads(p->threads, NULL) != MB_OK)
        return "the BLAS cannot take that many threads";
    return NULL;
}

/* Rank 0: kernel k at n on the 1 x 1 grid; its GFLOP/s when it was
 * verified (or --no-verify), else NAN with why. */
double mb_onerank_gflops(struct mb_onerank *p, const struct mb_dist_kernel *k, size_t n,
                         unsigned nb, uint64_t seed, struct mb_ppasses passes, char *why,
                         size_t cap)
{
    uint64_t need = mb_pctx_local_bytes(n, nb, 0, 0, 1, 1), avail = 0;
    if (mb_mem_available(&avail, NULL) == MB_OK && need > avail) {
        snprintf(why, cap, "one rank needs %.1f GiB at n = %zu, more than is available",
                 (double)need / (1 << 30), n);
        return NAN;
    }
    struct mb_pctx c;
    struct mb_diag d = {0};
    struct mb_dist_result r = {0};
    enum mb_status st = mb_pctx_init(&c, p->ictxt, MPI_COMM_SELF, n, nb, seed, &d);
    if (st == MB_OK)
        st = mb_pkernel_measure(k, &c, passes, &r, &d);
    mb_pctx_free(&c);
    free(r.samples);
    if (st != MB_OK) {
        snprintf(why, cap, "%s on one rank: %s", k->name, d.msg);
        return NAN;
    }
    return r.gflops;
}

/* Every rank: rank 0 gives its threads back the CPUs and the thread count
 * they had; the 1 x 1 grid is let go. */
void mb_onerank_end(struct mb_onerank *p)
{
    if (p->widened) {
        cpu_set_t before;
        memcpy(&before, p->mask_before, sizeof before);
        every_thread_on(&before);
        mb_blas_set_threads(p->threads_before, NULL);
    }
    if (p->ictxt >= 0)
        Cblacs_gridexit(p->ictxt);
    p->ictxt = -1, p->widened = false;
}
