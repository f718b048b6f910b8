/* ladder: every hand-written GEMM kernel in the registry (all but dgemm, so a
 * step registered later is covered too), called as the runner calls it,
 * computes every entry of C = A*B at awkward sizes on 1 to 3 workers; the
 * process kernel names its children, survives OpenBLAS's threads and reports
 * a child that fails; a time box or the stop flag leaves a correct prefix of
 * C; the row functions write only their rows; progress ticks come from the
 * caller's thread and never go back. */
#include <cblas.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "matbench/blas.h"
#include "matbench/clock.h"
#include "matbench/kernels.h"
#include "matbench/ladder.h"
#include "matbench/matrix.h"

#define SEED 11

/* ---- fixture: A and B from one seed, the BLAS reference, NaN outputs --- */

static struct {
    size_t n;
    double *A, *B, *C;
    double *ref;   /* A*B by cblas_dgemm */
    double *scale; /* |A|*|B|: sum_k |a_ik||b_kj| for each entry */
    double *W[MB_KERNEL_MAX_WORK];
    unsigned nwork;
    char *scratch;
} m;

static void poison(double *x, size_t count)
{
    for (size_t i = 0; i < count; i++)
        x[i] = NAN;
}

/* A and B random, C all NaN, and the reference product with the scale of
 * its error bound, both through BLAS. */
static void make_inputs(size_t n)
{
    m.n = n;
    m.A = mb_matrix_alloc(n, n);
    m.B = mb_matrix_alloc(n, n);
    m.C = mb_matrix_alloc(n, n);
    m.ref = mb_matrix_alloc(n, n);
    m.scale = mb_matrix_alloc(n, n);
    double *absA = mb_matrix_alloc(n, n), *absB = mb_matrix_alloc(n, n);
    cr_assert(m.A && m.B && m.C && m.ref && m.scale && absA && absB,
              "allocating seven %zu x %zu matrices", n, n);
    mb_matrix_fill(m.A, n, n, SEED, MB_STREAM_A, 2);
    mb_matrix_fill(m.B, n, n, SEED, MB_STREAM_B, 2);
    poison(m.C, n * n);
    for (size_t i = 0; i < n * n; i++) {
        absA[i] = fabs(m.A[i]);
        absB[i] = fabs(m.B[i]);
    }
    const int ni = (int)n;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1.0, m.A, ni, m.B, ni, 0.0,
                m.ref, ni);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1.0, absA, ni, absB, ni, 0.0,
                m.scale, ni);
    mb_matrix_free(absA);
    mb_matrix_free(absB);
}

/* Frees what open_call allocated for one kernel. */
static void close_call(void)
{
    for (unsigned i = 0; i < m.nwork; i++) {
        mb_matrix_free_shared(m.W[i], m.n, m.n);
        m.W[i] = NULL;
    }
    m.nwork = 0;
    free(m.scratch);
    m.scratch = NULL;
}

static void free_all(void)
{
    close_call();
    mb_matrix_free(m.A);
    mb_matrix_free(m.B);
    mb_matrix_free(m.C);
    mb_matrix_free(m.ref);
    mb_matrix_free(m.scale);
    m.A = m.B = m.C = m.ref = m.scale = NULL;
}

TestSuite(ladder, .fini = free_all);

/* A call of k on `threads` workers as the runner makes it: C all NaN, the
 * kernel's work matrices in shared memory (naive-procs writes its C in
 * W[0]) also NaN, and, when with_scratch and k asks for scratch, threads
 * 64-byte-aligned shares of it. deadline_s 0: no time box. */
static struct mb_kernel_call open_call(const struct mb_kernel *k, int threads, bool with_scratch)
{
    const size_t n = m.n;
    cr_assert_leq(k->work, MB_KERNEL_MAX_WORK, "%s asks for %u work matrices", k->name, k->work);
    struct mb_kernel_call call = {
        .n = n, .A = m.A, .B = m.B, .C = m.C, .seed = SEED, .threads = threads, .deadline_s = 0};
    poison(m.C, n * n);
    for (m.nwork = 0; m.nwork < k->work; m.nwork++) {
        m.W[m.nwork] = mb_matrix_alloc_shared(n, n);
        cr_assert_not_null(m.W[m.nwork], "%s: shared work matrix %u, n=%zu", k->name, m.nwork, n);
        poison(m.W[m.nwork], n * n);
        call.W[m.nwork] = m.W[m.nwork];
    }
    if (with_scratch) {
        const size_t stride = (mb_kernel_scratch_bytes(k, n) + 63) / 64 * 64;
        if (stride > 0) {
            m.scratch = aligned_alloc(64, stride * (size_t)(threads < 1 ? 1 : threads));
            cr_assert_not_null(m.scratch, "%s: %d x %zu bytes of scratch", k->name, threads,
                               stride);
            call.scratch = m.scratch;
            call.scratch_stride = stride;
        }
    }
    return call;
}

/* Where k leaves C = A*B: W[0] for a process kernel, C otherwise. */
static const double *output_of(const struct mb_kernel *k, const struct mb_kernel_call *call)
{
    return (k->traits & MB_PROCS) ? call->W[0] : call->C;
}

/* The hand-written C = A*B kernels: those of the ladder, and any step added
 * to it later. dgemm is BLAS, tested in test_kernels.c. */
static bool is_hand_written_gemm(const struct mb_kernel *k)
{
    return (k->traits & MB_GEMM) && strcmp(k->name, "dgemm") != 0;
}

static int max_workers_of(const struct mb_kernel *k)
{
    return (k->traits & MB_THREADS) ? 3 : 1;
}

/* Rows [begin, end) of out hold A*B: every entry within 4*n*2^-53*sum|a||b|
 * of cblas_dgemm's (Higham's gamma_n for each of the two products, with
 * room to spare). */
static void assert_rows_are_the_product(const double *out, size_t begin, size_t end,
                                        const char *what, int workers)
{
    const size_t n = m.n;
    for (size_t i = begin; i < end; i++)
        for (size_t j = 0; j < n; j++) {
            const double got = out[i * n + j], want = m.ref[i * n + j];
            const double bound = 4.0 * (double)n * ldexp(1.0, -53) * m.scale[i * n + j];
            cr_assert(fabs(got - want) <= bound,
                      "%s, %d worker(s), n=%zu: C[%zu][%zu] = %.17g, want %.17g (bound %.3g)", what,
                      workers, n, i, j, got, want, bound);
        }
}

/* Rows [begin, end) of out are still NaN: nobody wrote them. */
static void assert_rows_untouched(const double *out, size_t begin, size_t end, const char *what,
                                  int workers)
{
    const size_t n = m.n;
    for (size_t i = begin * n; i < end * n; i++)
        cr_assert(isnan(out[i]), "%s, %d worker(s), n=%zu: C[%zu][%zu] = %g was written", what,
                  workers, n, i / n, i % n, out[i]);
}

static void assert_kernel_verifies(const struct mb_kernel *k, const struct mb_kernel_call *call,
                                   int workers)
{
    struct mb_verify v;
    struct mb_diag d = {0};
    cr_assert_eq(k->verify(call, &v, &d), MB_OK, "%s, %d worker(s), n=%zu: %s", k->name, workers,
                 call->n, d.msg);
    cr_assert(v.ok, "%s, %d worker(s), n=%zu: verify says ok", k->name, workers, call->n);
}

/* Runs k with no time box and checks everything a full run promises. */
static void assert_runs_in_full(const struct mb_kernel *k, struct mb_kernel_call *call, int workers)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_kernel_run(k, call, &d), MB_OK, "%s, %d worker(s), n=%zu: %s", k->name, workers,
                 m.n, d.msg);
    cr_assert_eq(call->rows_done, m.n, "%s, %d worker(s), n=%zu: %zu rows done", k->name, workers,
                 m.n, call->rows_done);
    assert_kernel_verifies(k, call, workers);
    assert_rows_are_the_product(output_of(k, call), 0, m.n, k->name, workers);
}

/* ---- every hand-written kernel at awkward sizes ------------------------ */

/* Sizes around the row blocks (32 rows for tiled) and tiles (128 x 256). */
static size_t sizes[] = {1, 2, 7, 33, 65, 130, 257};

ParameterizedTestParameters(ladder, every_hand_written_kernel_computes_every_entry)
{
    return cr_make_param_array(size_t, sizes, sizeof sizes / sizeof sizes[0]);
}

ParameterizedTest(size_t *n, ladder, every_hand_written_kernel_computes_every_entry)
{
    make_inputs(*n);
    size_t tested = 0;
    for (size_t i = 0; i < mb_kernel_count(); i++) {
        const struct mb_kernel *k = mb_kernel_at(i);
        if (!is_hand_written_gemm(k))
            continue;
        tested++;
        for (int threads = 1; threads <= max_workers_of(k); threads++) {
            struct mb_kernel_call call = open_call(k, threads, true);
            assert_runs_in_full(k, &call, threads);
            close_call();
        }
    }
    cr_assert_geq(tested, 6,
                  "naive, naive-threads, naive-procs, ikj, tiled, tiled-threads at least");
}

Test(ladder, kernels_given_no_scratch_allocate_their_own)
{
    make_inputs(257);
    for (size_t i = 0; i < mb_kernel_count(); i++) {
        const struct mb_kernel *k = mb_kernel_at(i);
        if (!is_hand_written_gemm(k))
            continue;
        const int threads = max_workers_of(k) > 1 ? 2 : 1;
        struct mb_kernel_call call = open_call(k, threads, false);
        cr_assert_null(call.scratch);
        assert_runs_in_full(k, &call, threads);
        close_call();
    }
}

Test(ladder, worker_counts_outside_1_to_64_are_clamped)
{
    make_inputs(70);
    const struct mb_kernel *k = mb_kernel_find("naive-threads");
    cr_assert_not_null(k);
    const int counts[] = {0, -5, 1000};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        struct mb_kernel_call call = open_call(k, counts[c], false);
        assert_runs_in_full(k, &call, counts[c]);
        close_call();
    }
    const struct mb_kernel *procs = mb_kernel_find("naive-procs");
    cr_assert_not_null(procs);
    struct mb_kernel_call call = open_call(procs, 1000, false);
    assert_runs_in_full(procs, &call, 1000);
    cr_assert_eq(call.npids, MB_LADDER_MAX_WORKERS, "1000 processes asked, %zu made", call.npids);
    close_call();
}

/* ---- naive-procs: its children ----------------------------------------- */

Test(ladder, naive_procs_names_distinct_reaped_children_and_adds_their_cpu_time)
{
    const struct mb_kernel *k = mb_kernel_find("naive-procs");
    cr_assert_not_null(k);
    cr_assert(k->traits & MB_PROCS);
    make_inputs(257);
    struct mb_kernel_call call = open_call(k, 1, false);
    double previous_cpu_s = 0;
    for (int procs = 1; procs <= 3; procs++) {
        poison(call.W[0], m.n * m.n);
        call.threads = procs;
        assert_runs_in_full(k, &call, procs);
        cr_assert_eq(call.npids, (size_t)procs, "%d processes, %zu PIDs", procs, call.npids);
        for (int i = 0; i < procs; i++) {
            cr_assert_gt(call.pids[i], 0, "PID %d of %d", i + 1, procs);
            cr_assert_neq(call.pids[i], getpid(), "a child is not us");
            for (int j = 0; j < i; j++)
                cr_assert_neq(call.pids[i], call.pids[j], "PIDs %d and %d", j + 1, i + 1);
            errno = 0;
            cr_assert(waitpid(call.pids[i], NULL, WNOHANG) == -1 && errno == ECHILD,
                      "child %d (PID %d) was reaped: no zombie left", i + 1, call.pids[i]);
        }
        /* getrusage counts CPU time in clock ticks: it may not move for a
         * short run, but it never goes back. */
        cr_assert_geq(call.child_cpu_s, previous_cpu_s, "%d processes: child CPU %g s after %g s",
                      procs, call.child_cpu_s, previous_cpu_s);
        previous_cpu_s = call.child_cpu_s;
        assert_rows_untouched(call.C, 0, m.n, "naive-procs leaves the private C alone", procs);
    }
    cr_assert_geq(previous_cpu_s, 0.0);
}

Test(ladder, naive_procs_works_after_openblas_has_started_its_threads)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_blas_set_threads(2, &d), MB_OK, "%s", d.msg);
    make_inputs(200); /* its reference is a 200 x 200 cblas_dgemm on 2 threads */
    const struct mb_kernel *k = mb_kernel_find("naive-procs");
    cr_assert_not_null(k);
    struct mb_kernel_call call = open_call(k, 2, false);
    assert_runs_in_full(k, &call, 2);
    cr_assert_eq(call.npids, 2);

    /* and the BLAS still works in the parent afterwards */
    double *again = mb_matrix_alloc(200, 200);
    cr_assert_not_null(again);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 200, 200, 200, 1.0, m.A, 200, m.B, 200,
                0.0, again, 200);
    bool same = memcmp(again, m.ref, 200 * 200 * sizeof *again) == 0;
    mb_matrix_free(again);
    cr_assert(same, "cblas_dgemm after the fork gives the same product as before it");
    close_call();
}

/* ---- naive-procs: a child that fails ----------------------------------- */

/* Test hook: a ladder step whose children misbehave. Child `child` (from
 * 0; it knows its number from where its share of the scratch lies) exits
 * with exit_code in its first call of the rows, the others compute naive
 * rows once it has left (so that it surely gets a block), waiting for it at
 * most 10 s. The state lives in a shared page, as the children need it. */
#define FAIL_STRIDE 64
static struct failing {
    int child, exit_code;
    volatile int gone;
    char scratch[MB_LADDER_MAX_WORKERS][FAIL_STRIDE];
} * failing;

static void rows_failing(const double *A, const double *B, double *C, size_t n, size_t begin,
                         size_t end, void *scratch)
{
    const int me = (int)(((char *)scratch - failing->scratch[0]) / FAIL_STRIDE);
    if (me == failing->child) {
        failing->gone = 1;
        _exit(failing->exit_code);
    }
    for (int ms = 0; !failing->gone && ms < 10000; ms++)
        nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
    mb_rows_naive(A, B, C, n, begin, end, NULL);
}

static size_t failing_scratch_bytes(size_t n)
{
    (void)n;
    return FAIL_STRIDE;
}

static const struct mb_ladder_step failing_step = {rows_failing, NULL, failing_scratch_bytes};

/* Runs naive-procs' call through failing_step: child `child` exits with
 * exit_code. */
static enum mb_status run_failing(struct mb_kernel_call *call, int child, int exit_code,
                                  struct mb_diag *d)
{
    if (failing == NULL) {
        failing =
            mmap(NULL, sizeof *failing, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        cr_assert_neq(failing, MAP_FAILED);
    }
    failing->child = child;
    failing->exit_code = exit_code;
    failing->gone = 0;
    call->scratch = failing->scratch;
    call->scratch_stride = FAIL_STRIDE;
    enum mb_status st = mb_ladder_procs(call, &failing_step, call->W[0], d);
    call->scratch = NULL;
    call->scratch_stride = 0;
    return st;
}

Test(ladder, a_failing_child_is_named_with_its_pid_and_exit_status)
{
    const struct mb_kernel *k = mb_kernel_find("naive-procs");
    cr_assert_not_null(k);
    make_inputs(65);
    for (int procs = 2; procs <= 3; procs++) {
        struct mb_kernel_call call = open_call(k, procs, false);
        struct mb_diag d = {0};
        cr_assert_eq(run_failing(&call, 1, 3, &d), MB_RUNTIME, "%d processes, child 2 exits 3: %s",
                     procs, d.msg);
        cr_assert_eq(call.npids, (size_t)procs);
        char pid[32];
        snprintf(pid, sizeof pid, "PID %d", call.pids[1]);
        cr_assert(strstr(d.msg, "child process 2") != NULL, "message names the child: %s", d.msg);
        cr_assert(strstr(d.msg, "status 3") != NULL, "message names the status: %s", d.msg);
        cr_assert(strstr(d.msg, pid) != NULL, "message names %s: %s", pid, d.msg);
        cr_assert_eq(call.rows_done, 0, "a failed run has no rows to trust, got %zu",
                     call.rows_done);

        poison(call.W[0], m.n * m.n);
        assert_runs_in_full(k, &call, procs);
        close_call();
    }
}

/* A child that exits with status 0 without computing anything cannot be
 * told from one that finished by its status. What shows it is rows_done:
 * the block it took was never finished, so rows_done is 0 and verification
 * has nothing to check (it passes with 0 entries checked: the runner's
 * time box would then divide by 0 rows). Two processes that behave compute
 * the whole result. */
Test(ladder, a_child_that_exits_0_without_computing_leaves_no_rows_done)
{
    const struct mb_kernel *k = mb_kernel_find("naive-procs");
    cr_assert_not_null(k);
    make_inputs(33);

    struct mb_kernel_call call = open_call(k, 1, false);
    struct mb_diag d = {0};
    cr_assert_eq(run_failing(&call, 0, 0, &d), MB_OK, "exit status 0 is success: %s", d.msg);
    cr_assert_eq(call.rows_done, 0, "no block was taken, got %zu rows", call.rows_done);
    assert_rows_untouched(call.W[0], 0, m.n, "naive-procs, child 1 exits at once", 1);
    struct mb_verify v;
    cr_assert_eq(k->verify(&call, &v, &d), MB_OK, "%s", d.msg);
    cr_assert(v.ok && v.checked == 0, "verification of 0 rows checks nothing (%zu checked)",
              v.checked);
    close_call();

    call = open_call(k, 2, false);
    assert_runs_in_full(k, &call, 2);
    close_call();
}

/* ---- the time box and the stop flag ------------------------------------ */

/* Rows a worker takes at a time in the ladder's kernels (0: a kernel this
 * suite does not know the step of). */
static size_t block_rows_of(const struct mb_kernel *k, size_t n)
{
    static const struct {
        const char *name;
        const struct mb_ladder_step *step;
    } steps[] = {
        {"naive", &mb_step_naive},       {"naive-threads", &mb_step_naive},
        {"naive-procs", &mb_step_naive}, {"ikj", &mb_step_ikj},
        {"tiled", &mb_step_tiled},       {"tiled-threads", &mb_step_tiled},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (strcmp(k->name, steps[i].name) == 0)
            return steps[i].step->block_rows != NULL ? steps[i].step->block_rows(n) : 1;
    return 0;
}

/* Runs every time-boxed kernel on 1 and (when threaded) 2 workers with the
 * call made ready by `arm`, and checks that each stopped after the block
 * its workers held: at least one row, at most one block per worker, a
 * correct prefix of C and nothing written past it. */
static void assert_timeboxed_kernels_stop_early(void (*arm)(struct mb_kernel_call *),
                                                const char *how)
{
    make_inputs(300);
    size_t tested = 0;
    for (size_t i = 0; i < mb_kernel_count(); i++) {
        const struct mb_kernel *k = mb_kernel_at(i);
        if (!(k->traits & MB_TIMEBOXED) || !is_hand_written_gemm(k))
            continue;
        tested++;
        const int most = (k->traits & MB_THREADS) ? 2 : 1;
        for (int threads = 1; threads <= most; threads++) {
            struct mb_kernel_call call = open_call(k, threads, true);
            arm(&call);
            struct mb_diag d = {0};
            cr_assert_eq(mb_kernel_run(k, &call, &d), MB_OK, "%s, %s: %s", k->name, how, d.msg);
            cr_assert(call.rows_done >= 1 && call.rows_done <= m.n,
                      "%s, %d worker(s), %s: %zu rows done of %zu", k->name, threads, how,
                      call.rows_done, m.n);
            const size_t block = block_rows_of(k, m.n);
            if (block > 0)
                cr_assert_leq(call.rows_done, (size_t)threads * block,
                              "%s, %d worker(s), %s: each worker ends the block it holds and "
                              "takes no other, got %zu rows (blocks of %zu)",
                              k->name, threads, how, call.rows_done, block);
            assert_kernel_verifies(k, &call, threads);
            const double *out = output_of(k, &call);
            assert_rows_are_the_product(out, 0, call.rows_done, k->name, threads);
            assert_rows_untouched(out, call.rows_done, m.n, k->name, threads);
            close_call();
        }
    }
    cr_assert_geq(tested, 6, "every time-boxed step of the ladder");
}

static void past_deadline(struct mb_kernel_call *call)
{
    call->deadline_s = mb_clock_now_s() - 1.0;
}

static volatile sig_atomic_t stop_raised = 1;

static void stop_flag_raised(struct mb_kernel_call *call)
{
    call->stop = &stop_raised;
}

Test(ladder, timeboxed_kernels_with_a_past_deadline_leave_a_correct_prefix)
{
    assert_timeboxed_kernels_stop_early(past_deadline, "deadline passed");
}

Test(ladder, timeboxed_kernels_with_the_stop_flag_raised_leave_a_correct_prefix)
{
    assert_timeboxed_kernels_stop_early(stop_flag_raised, "stop flag raised");
}

Test(ladder, naive_with_a_past_deadline_computes_exactly_one_row)
{
    const struct mb_kernel *k = mb_kernel_find("naive");
    cr_assert_not_null(k);
    make_inputs(50);
    struct mb_kernel_call call = open_call(k, 1, false);
    past_deadline(&call);
    cr_assert_eq(mb_kernel_run(k, &call, NULL), MB_OK);
    cr_assert_eq(call.rows_done, 1, "the row during which the deadline passed, got %zu",
                 call.rows_done);
    close_call();
}

/* The stop flag raised while the kernel runs, as the CLI's SIGINT handler
 * raises it: here by the first progress tick, which comes from the caller's
 * thread (for a process kernel, from the parent while it waits). */
static volatile sig_atomic_t stop_later;

static void raise_stop(void *user, size_t rows_done)
{
    (void)rows_done;
    ++*(size_t *)user;
    stop_later = 1;
}

/* Runs k on one worker with the stop flag raised at the first tick, and
 * returns the rows done, after checking that they are a correct prefix. */
static size_t rows_done_when_stopped_midway(const struct mb_kernel *k)
{
    struct mb_kernel_call call = open_call(k, 1, true);
    size_t ticks = 0;
    stop_later = 0;
    call.stop = &stop_later;
    call.tick = raise_stop;
    call.tick_user = &ticks;
    struct mb_diag d = {0};
    cr_assert_eq(mb_kernel_run(k, &call, &d), MB_OK, "%s: %s", k->name, d.msg);
    cr_assert_geq(ticks, 1, "%s ticked while it ran", k->name);
    cr_assert(call.rows_done >= 1 && call.rows_done <= m.n, "%s: %zu rows done", k->name,
              call.rows_done);
    assert_kernel_verifies(k, &call, 1);
    assert_rows_are_the_product(output_of(k, &call), 0, call.rows_done, k->name, 1);
    const size_t rows = call.rows_done;
    close_call();
    return rows;
}

Test(ladder, the_stop_flag_raised_midway_stops_the_threaded_kernels)
{
    make_inputs(400);
    for (size_t i = 0; i < mb_kernel_count(); i++) {
        const struct mb_kernel *k = mb_kernel_at(i);
        if (!(k->traits & MB_TIMEBOXED) || !is_hand_written_gemm(k) || (k->traits & MB_PROCS))
            continue;
        const size_t rows = rows_done_when_stopped_midway(k), block = block_rows_of(k, m.n);
        if (block > 0) /* one worker: it ticks after its first block, then stops */
            cr_assert_eq(rows, block, "%s: %zu rows done, want one block of %zu", k->name, rows,
                         block);
    }
}

/* The children of naive-procs have their own copy of the stop flag: when
 * only the parent's is raised (a SIGINT sent to matbench's PID alone, not
 * to its process group), they must still stop taking blocks. The parent
 * ticks, and so could look at the flag, every 2 ms at most while it waits;
 * 400 rows of the naive loop take far longer than that. */
Test(ladder, the_stop_flag_raised_in_the_parent_stops_naive_procs)
{
    const struct mb_kernel *k = mb_kernel_find("naive-procs");
    cr_assert_not_null(k);
    make_inputs(400);
    const size_t rows = rows_done_when_stopped_midway(k);
    cr_assert_lt(rows, m.n,
                 "naive-procs with the stop flag raised at the first tick computed all %zu rows",
                 rows);
}

/* ---- the row functions and steps --------------------------------------- */

Test(ladder, row_functions_write_only_the_rows_they_are_given)
{
    static const struct {
        const char *name;
        mb_rows_fn *rows;
    } fns[] = {{"mb_rows_naive", mb_rows_naive},
               {"mb_rows_ikj", mb_rows_ikj},
               {"mb_rows_tiled", mb_rows_tiled}};
    /* 300 spans more than one 128-row and one 256-column tile of B */
    make_inputs(300);
    const size_t begin = 37, end = 101;
    for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
        poison(m.C, m.n * m.n);
        fns[f].rows(m.A, m.B, m.C, m.n, begin, end, NULL);
        assert_rows_untouched(m.C, 0, begin, fns[f].name, 1);
        assert_rows_are_the_product(m.C, begin, end, fns[f].name, 1);
        assert_rows_untouched(m.C, end, m.n, fns[f].name, 1);

        poison(m.C, m.n * m.n);
        fns[f].rows(m.A, m.B, m.C, m.n, 50, 50, NULL);
        assert_rows_untouched(m.C, 0, m.n, fns[f].name, 1); /* an empty range */
    }
}

Test(ladder, steps_use_their_row_functions_and_take_at_least_a_row)
{
    cr_assert_eq(mb_step_naive.rows, mb_rows_naive);
    cr_assert_eq(mb_step_ikj.rows, mb_rows_ikj);
    cr_assert_eq(mb_step_tiled.rows, mb_rows_tiled);
    cr_assert_not_null(mb_step_tiled.block_rows, "tiled takes a tile of rows at a time");
    const size_t ns[] = {1, 2, 31, 32, 33, 300, 100000};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        cr_assert_geq(mb_step_tiled.block_rows(ns[i]), 1, "n=%zu", ns[i]);
}

/* ---- progress ticks ---------------------------------------------------- */

struct ticks {
    pthread_t caller;
    size_t n, calls, last;
    bool other_thread, went_back, past_n;
};

/* Records what an assertion could not say from another thread. */
static void count_tick(void *user, size_t rows_done)
{
    struct ticks *t = user;
    if (!pthread_equal(pthread_self(), t->caller))
        t->other_thread = true;
    if (rows_done < t->last)
        t->went_back = true;
    if (rows_done > t->n)
        t->past_n = true;
    t->last = rows_done;
    t->calls++;
}

/* On one worker the caller computes every block and ticks after each, so
 * it hears of all n rows; with more, the other workers may take the last
 * blocks, and a process kernel ticks only while it waits: there the ticks
 * are checked, not counted. */
Test(ladder, ticks_come_from_the_callers_thread_and_never_go_back)
{
    make_inputs(257);
    for (size_t i = 0; i < mb_kernel_count(); i++) {
        const struct mb_kernel *k = mb_kernel_at(i);
        if (!(k->traits & MB_TIMEBOXED) || !is_hand_written_gemm(k))
            continue;
        for (int threads = 1; threads <= max_workers_of(k); threads++) {
            struct mb_kernel_call call = open_call(k, threads, true);
            struct ticks t = {.caller = pthread_self(), .n = m.n};
            call.tick = count_tick;
            call.tick_user = &t;
            assert_runs_in_full(k, &call, threads);
            cr_assert_not(t.other_thread, "%s, %d worker(s): a tick from another thread", k->name,
                          threads);
            cr_assert_not(t.went_back, "%s, %d worker(s): rows went back", k->name, threads);
            cr_assert_not(t.past_n, "%s, %d worker(s): more than n rows", k->name, threads);
            if (threads == 1 && !(k->traits & MB_PROCS)) {
                cr_assert_geq(t.calls, 1, "%s ticks at least once", k->name);
                cr_assert_eq(t.last, m.n, "%s: the last tick says all %zu rows, got %zu", k->name,
                             m.n, t.last);
            }
            close_call();
        }
    }
}
