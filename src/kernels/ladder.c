/* The hand-written ladder: three ways to compute rows of C = A*B on one core
 * (the textbook loop, the interchanged loop, the cache-blocked loop), and
 * the two ways to spread rows over workers, POSIX threads and fork()ed
 * processes. C has no global interpreter lock: both scale with the cores. */
#include "matbench/ladder.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "matbench/clock.h"
#include "matbench/proc.h"

static_assert(MB_LADDER_MAX_WORKERS == MB_KERNEL_MAX_WORKERS, "one worker limit");

/* ---- one core --------------------------------------------------------- */

/* The textbook i-j-k loop. The inner loop walks B down a column, a stride
 * of n doubles: almost every load of B misses the cache line the previous
 * one used, and nothing is reused from one dot product to the next. */
void mb_rows_naive(const double *A, const double *B, double *C, size_t n, size_t begin, size_t end,
                   void *scratch)
{
    (void)scratch;
    for (size_t i = begin; i < end; i++)
        for (size_t j = 0; j < n; j++) {
            double sum = 0.0;
            for (size_t k = 0; k < n; k++)
                sum += A[i * n + k] * B[k * n + j];
            C[i * n + j] = sum;
        }
}

/* The same products with the loops interchanged to i-k-j: the inner loop
 * now runs along a row of B and a row of C, unit stride, so each cache line
 * fetched serves eight doubles and the compiler can use vector registers
 * (C[i][j] += a * B[k][j] for consecutive j). */
void mb_rows_ikj(const double *A, const double *B, double *C, size_t n, size_t begin, size_t end,
                 void *scratch)
{
    (void)scratch;
    for (size_t i = begin; i < end; i++) {
        double *c = C + i * n;
        memset(c, 0, n * sizeof *c);
        for (size_t k = 0; k < n; k++) {
            const double a = A[i * n + k];
            const double *b = B + k * n;
            for (size_t j = 0; j < n; j++)
                c[j] += a * b[j];
        }
    }
}

/* Cache blocking for the i-k-j loop: B is taken in tiles of
 * MB_TILE_K rows x MB_TILE_J columns, 128 x 256 doubles = 256 KiB, which
 * fits the L2 cache of every x86-64 core of the last fifteen years (256 KiB
 * to 2 MiB). All the rows of a worker's block (MB_TILE_ROWS) use a tile
 * while it is in L2 instead of streaming the whole of B from memory once
 * per row; the row segments of C (2 KiB) and A (1 KiB) stay in L1. */
#define MB_TILE_K 128
#define MB_TILE_J 256
#define MB_TILE_ROWS 32

void mb_rows_tiled(const double *A, const double *B, double *C, size_t n, size_t begin, size_t end,
                   void *scratch)
{
    (void)scratch;
    for (size_t i = begin; i < end; i++)
        memset(C + i * n, 0, n * sizeof *C);
    for (size_t kk = 0; kk < n; kk += MB_TILE_K) {
        const size_t k_end = kk + MB_TILE_K < n ? kk + MB_TILE_K : n;
        for (size_t jj = 0; jj < n; jj += MB_TILE_J) {
            const size_t j_end = jj + MB_TILE_J < n ? jj + MB_TILE_J : n;
            for (size_t i = begin; i < end; i++) {
                double *c = C + i * n;
                for (size_t k = kk; k < k_end; k++) {
                    const double a = A[i * n + k];
                    const double *b = B + k * n;
                    for (size_t j = jj; j < j_end; j++)
                        c[j] += a * b[j];
                }
            }
        }
    }
}

static size_t tile_rows(size_t n)
{
    (void)n;
    return MB_TILE_ROWS;
}

const struct mb_ladder_step mb_step_naive = {mb_rows_naive, NULL, NULL};
const struct mb_ladder_step mb_step_ikj = {mb_rows_ikj, NULL, NULL};
const struct mb_ladder_step mb_step_tiled = {mb_rows_tiled, tile_rows, NULL};

/* ---- spreading rows over workers --------------------------------------- */

/* What the workers of one call share: where the next block of rows starts
 * (taken with an atomic add, so blocks go out in order and the rows done
 * are a prefix of C) and how many blocks are finished. For processes it
 * lives in a MAP_SHARED page. */
struct counter {
    size_t next;
    size_t finished;
    int stop; /* set by the parent when its stop flag is raised (processes) */
};

struct job {
    const struct mb_kernel_call *call;
    const struct mb_ladder_step *step;
    double *C;
    size_t block, nblocks;
    struct counter *ctr;
};

/* Whether a worker should stop taking blocks: the deadline passed, or the
 * caller was asked to stop (a child process sees the parent's request
 * through the shared counter, its own copy of the flag being a copy). */
static bool past_deadline(const struct job *j)
{
    const struct mb_kernel_call *call = j->call;
    if ((call->stop != NULL && *call->stop) || __atomic_load_n(&j->ctr->stop, __ATOMIC_RELAXED))
        return true;
    return call->deadline_s > 0 && mb_clock_now_s() >= call->deadline_s;
}

/* Takes blocks until there are none left or the deadline has passed. Only
 * the caller's own worker (tick true) reports progress: the tick callback
 * is not for other threads. */
static void work(const struct job *j, void *scratch, bool tick)
{
    const struct mb_kernel_call *call = j->call;
    for (;;) {
        size_t b = __atomic_fetch_add(&j->ctr->next, 1, __ATOMIC_RELAXED);
        if (b >= j->nblocks)
            return;
        size_t begin = b * j->block;
        size_t end = begin + j->block < call->n ? begin + j->block : call->n;
        j->step->rows(call->A, call->B, j->C, call->n, begin, end, scratch);
        size_t done = __atomic_add_fetch(&j->ctr->finished, 1, __ATOMIC_RELEASE);
        if (tick && call->tick != NULL) {
            size_t rows = done * j->block;
            call->tick(call->tick_user, rows < call->n ? rows : call->n);
        }
        if (past_deadline(j))
            return;
    }
}

/* Every block that was taken is finished before its worker returns, so the
 * rows done are those of the blocks taken. A child that left in the middle
 * of a block (with status 0, or its failure would have been reported) took
 * a block it never finished: then no row is known to be done. */
static size_t rows_done(const struct job *j)
{
    size_t taken = __atomic_load_n(&j->ctr->next, __ATOMIC_ACQUIRE);
    if (taken > j->nblocks)
        taken = j->nblocks;
    if (__atomic_load_n(&j->ctr->finished, __ATOMIC_ACQUIRE) < taken)
        return 0;
    size_t rows = taken * j->block;
    return rows < j->call->n ? rows : j->call->n;
}

static int workers_of(const struct mb_kernel_call *call)
{
    int t = call->threads;
    return t < 1 ? 1 : t > MB_LADDER_MAX_WORKERS ? MB_LADDER_MAX_WORKERS : t;
}

/* The scratch of every worker: the call's (the runner allocates it before
 * the clock starts), or allocated here when the caller gave none. *owned
 * is what to free. */
static enum mb_status scratch_for(const struct mb_kernel_call *call,
                                  const struct mb_ladder_step *step, int workers, char **base,
                                  size_t *stride, char **owned, struct mb_diag *d)
{
    size_t bytes = step->scratch_bytes != NULL ? step->scratch_bytes(call->n) : 0;
    *owned = NULL;
    *stride = (bytes + 63) / 64 * 64;
    if (bytes == 0) {
        *base = NULL;
        return MB_OK;
    }
    if (call->scratch != NULL && call->scratch_stride >= *stride) {
        *base = call->scratch;
        *stride = call->scratch_stride;
        return MB_OK;
    }
    size_t total;
    if (__builtin_mul_overflow(*stride, (size_t)workers, &total) ||
        (*owned = aligned_alloc(64, total)) == NULL)
        return mb_diag_set(d, MB_NOMEM, "cannot allocate %d x %zu bytes of scratch", workers,
                           *stride);
    *base = *owned;
    return MB_OK;
}

static size_t block_of(const struct mb_ladder_step *step, size_t n)
{
    size_t b = step->block_rows != NULL ? step->block_rows(n) : 1;
    return b < 1 ? 1 : b;
}

struct thread_arg {
    const struct job *job;
    void *scratch;
};

static void *thread_main(void *p)
{
    const struct thread_arg *a = p;
    work(a->job, a->scratch, false);
    return NULL;
}

/* Computes C = A*B with the step's rows on call->threads POSIX threads (the
 * caller is one of them), each taking blocks of rows in turn. Honours the
 * call's deadline and stop flag (rows_done is then a prefix of C) and ticks
 * from the caller's thread. Returns MB_OK; MB_RUNTIME when a thread cannot
 * be started (the ones started are joined first); MB_NOMEM for scratch. */
enum mb_status mb_ladder_threads(struct mb_kernel_call *call, const struct mb_ladder_step *step,
                                 double *C, struct mb_diag *d)
{
    const int workers = workers_of(call);
    char *scratch, *owned;
    size_t stride;
    enum mb_status st = scratch_for(call, step, workers, &scratch, &stride, &owned, d);
    if (st != MB_OK)
        return st;
    struct counter ctr = {0, 0, 0};
    const size_t block = block_of(step, call->n);
    const struct job job = {call, step, C, block, (call->n + block - 1) / block, &ctr};
    pthread_t tid[MB_LADDER_MAX_WORKERS];
    struct thread_arg args[MB_LADDER_MAX_WORKERS];
    int started = 1, err = 0;
    for (; started < workers; started++) {
        args[started] =
            (struct thread_arg){&job, scratch ? scratch + (size_t)started * stride : NULL};
        if ((err = pthread_create(&tid[started], NULL, thread_main, &args[started])) != 0)
            break;
    }
    if (err != 0) /* stop the started ones from taking more, then wait for them */
        __atomic_store_n(&ctr.next, job.nblocks, __ATOMIC_RELAXED);
    else
        work(&job, scratch, true);
    for (int i = 1; i < started; i++)
        pthread_join(tid[i], NULL);
    free(owned);
    call->rows_done = err != 0 ? 0 : rows_done(&job);
    if (err != 0)
        return mb_diag_set(d, MB_RUNTIME, "cannot start thread %d of %d: %s", started + 1, workers,
                           strerror(err));
    return MB_OK;
}

/* ---- processes -------------------------------------------------------- */

/* Maps the shared C into a child's page tables in one system call. fork()
 * does not copy the page table entries of a shared mapping, so without it
 * each child takes a page fault on every 4 KiB page of C it writes (2,800 at
 * n = 1200, each a trap into the kernel). Advice only: a kernel without
 * MADV_POPULATE_WRITE (before Linux 5.14) faults as before. */
static void prefault(double *C, size_t n)
{
#ifdef MADV_POPULATE_WRITE
    const uintptr_t page = 4096;
    uintptr_t begin = (uintptr_t)C & ~(page - 1);
    uintptr_t end = ((uintptr_t)(C + n * n) + page - 1) & ~(page - 1);
    (void)madvise((void *)begin, end - begin, MADV_POPULATE_WRITE);
#else
    (void)C;
    (void)n;
#endif
}

/* Sleeps until one of the running children may have ended, or 100 ms
 * have passed (progress is ticked that often). With pidfds (Linux 5.3)
 * poll() wakes the parent the moment a child exits, so the parent neither
 * stretches a pass nor wakes up and interrupts a child for nothing; without
 * them it sleeps 1 ms at a time. */
static void await_exit(const int *pidfd, const bool *running, int count)
{
    struct pollfd fds[MB_LADDER_MAX_WORKERS];
    nfds_t nfds = 0;
    for (int i = 0; i < count; i++)
        if (running[i] && pidfd[i] >= 0)
            fds[nfds++] = (struct pollfd){.fd = pidfd[i], .events = POLLIN};
    if (nfds > 0)
        (void)poll(fds, nfds, 100);
    else
        nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
}

/* Waits for every child, ticking progress meanwhile and passing a stop on
 * to them. Returns the index of the first child that failed, or -1, with
 * its wait status. */
static int wait_children(const struct job *job, const pid_t *pid, int count, int *bad_status)
{
    const struct mb_kernel_call *call = job->call;
    bool running[MB_LADDER_MAX_WORKERS];
    int pidfd[MB_LADDER_MAX_WORKERS];
    int left = count, bad = -1;
    for (int i = 0; i < count; i++) {
        running[i] = true;
        pidfd[i] = (int)syscall(SYS_pidfd_open, pid[i], 0);
    }
    while (left > 0) {
        bool reaped = false;
        for (int i = 0; i < count; i++) {
            int status;
            if (!running[i])
                continue;
            int r = mb_proc_poll(pid[i], &status);
            if (r == 0)
                continue;
            running[i] = false;
            left--;
            reaped = true;
            bool ok = r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (!ok && bad < 0) {
                bad = i;
                *bad_status = r > 0 ? status : -1;
                /* the others stop taking blocks: the result is lost anyway */
                __atomic_store_n(&job->ctr->next, job->nblocks, __ATOMIC_RELAXED);
            }
        }
        if (left > 0 && !reaped && call->tick != NULL) {
            size_t rows = __atomic_load_n(&job->ctr->finished, __ATOMIC_ACQUIRE) * job->block;
            call->tick(call->tick_user, rows < call->n ? rows : call->n);
        }
        /* a stop (SIGINT ends the poll below early) reaches the children */
        if (call->stop != NULL && *call->stop)
            __atomic_store_n(&job->ctr->stop, 1, __ATOMIC_RELAXED);
        if (left > 0 && !reaped)
            await_exit(pidfd, running, count);
    }
    for (int i = 0; i < count; i++)
        if (pidfd[i] >= 0)
            close(pidfd[i]);
    return bad;
}

/* Computes C = A*B with the step's rows in call->threads child processes
 * made with fork(), each taking blocks of rows in turn from a counter in a
 * shared page and writing its rows straight into C, which must be shared
 * memory (MAP_SHARED) for the parent to see them. A child runs only the
 * step's loops and leaves with _exit: it never touches the BLAS, whose
 * threads (like matbench's monitor) were not copied into it. The parent
 * waits for all and reports one that failed. Honours the deadline and stop
 * flag like mb_ladder_threads. The children's PIDs go to call->pids and
 * their CPU time is added to call->child_cpu_s. Returns MB_OK; MB_RUNTIME
 * when a child cannot be made or does not exit with status 0; MB_NOMEM. */
enum mb_status mb_ladder_procs(struct mb_kernel_call *call, const struct mb_ladder_step *step,
                               double *C, struct mb_diag *d)
{
    const int workers = workers_of(call);
    char *scratch, *owned;
    size_t stride;
    enum mb_status st = scratch_for(call, step, workers, &scratch, &stride, &owned, d);
    if (st != MB_OK)
        return st;
    struct counter *ctr =
        mmap(NULL, sizeof *ctr, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ctr == MAP_FAILED) {
        free(owned);
        return mb_diag_set(d, MB_NOMEM, "cannot map a shared page: %s", strerror(errno));
    }
    *ctr = (struct counter){0, 0, 0};
    const size_t block = block_of(step, call->n);
    const struct job job = {call, step, C, block, (call->n + block - 1) / block, ctr};
    const double cpu0 = mb_proc_children_cpu_s();
    pid_t pid[MB_LADDER_MAX_WORKERS];
    int made = 0, fork_err = 0;
    for (; made < workers; made++) {
        /* The child dies with the caller. A stop signal the CLI catches is
         * left to the copy of its handler: a Ctrl-C that reaches the whole
         * process group then stops a child after its block, as the
         * parent's stop through the shared counter does. */
        pid[made] = mb_proc_fork(1);
        if (pid[made] == 0) {
            prefault(C, call->n);
            work(&job, scratch != NULL ? scratch + (size_t)made * stride : NULL, false);
            _exit(0);
        }
        if (pid[made] < 0) {
            fork_err = errno;
            __atomic_store_n(&ctr->next, job.nblocks, __ATOMIC_RELAXED);
            break;
        }
    }
    int bad_status = 0;
    int bad = wait_children(&job, pid, made, &bad_status);
    call->child_cpu_s += mb_proc_children_cpu_s() - cpu0;
    call->npids = (size_t)made;
    for (int i = 0; i < made; i++)
        call->pids[i] = (int)pid[i];
    call->rows_done = fork_err == 0 && bad < 0 ? rows_done(&job) : 0;
    munmap(ctr, sizeof *ctr);
    free(owned);
    if (fork_err != 0)
        return mb_diag_set(d, MB_RUNTIME, "cannot fork process %d of %d: %s", made + 1, workers,
                           strerror(fork_err));
    if (bad >= 0) {
        char what[96];
        if (bad_status == -1)
            snprintf(what, sizeof what, "could not be waited for");
        else
            mb_proc_describe(bad_status, what, sizeof what);
        return mb_diag_set(d, MB_RUNTIME, "child process %d of %d (PID %d) %s", bad + 1, made,
                           (int)pid[bad], what);
    }
    return MB_OK;
}
