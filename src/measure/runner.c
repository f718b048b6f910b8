/* The runner: one allocation for the largest size, a fill per size, then
 * every kernel at every thread count of the plan, measured as STREAM and BLIS measure (warm-up
 * first, timed repetitions on the monotonic clock, process CPU time), and verified outside the
 * timed region. */
#include "matbench/runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "matbench/blas.h"
#include "matbench/clock.h"
#include "matbench/matrix.h"

/* Everything the kernels work on, allocated once for the largest size:
 * A and C always, the rest when a kernel of the plan needs it. */
struct bufs {
    double *A, *B, *C, *W[MB_KERNEL_MAX_WORK];
    int *ipiv;
    double *tau, *X, *X0;
};

/* The timed samples of one configuration; grows for --duration. */
struct samples {
    double *v;
    size_t count, cap;
};

/* What one configuration's passes share: the plan, the hooks and the
 * event that names the configuration; the wall and process CPU time of
 * its timed passes, summed (cores busy); and the first failure of a pass. */
struct run {
    const struct mb_plan *p;
    const struct mb_runner_hooks *h;
    struct mb_event ev;
    struct samples *s;
    double wall_s, cpu_s;
    enum mb_status st;
    struct mb_diag *d;
};

static bool stopped(const struct mb_runner_hooks *h)
{
    return h->stop != NULL && *h->stop;
}

/* The monitor's view of a timed region opens (when there is a monitor). */
static void region_begin(const struct mb_runner_hooks *h)
{
    if (h->monitor != NULL)
        mb_monitor_begin(h->monitor);
}

/* ... and closes into the result. */
static void region_end(const struct mb_runner_hooks *h, struct mb_result *res)
{
    if (h->monitor == NULL)
        return;
    struct mb_monitor_region region;
    mb_monitor_end(h->monitor, &region);
    res->ncpus = region.ncpus;
    memcpy(res->per_core_busy, region.busy, region.ncpus * sizeof region.busy[0]);
    res->max_threads_seen = region.max_threads;
}

static void emit(const struct mb_runner_hooks *h, const struct mb_event *ev)
{
    if (h->progress != NULL)
        h->progress(ev, h->user);
}

/* Appends a sample. Returns false when the list cannot grow (the caller
 * stops repeating and keeps what it has). */
static bool push_sample(struct samples *s, double x)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        double *v = realloc(s->v, cap * sizeof *v);
        if (v == NULL)
            return false;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->count++] = x;
    return true;
}

/* Runs one pass of the kernel, times it and tells the progress hook. The
 * kernel's input is restored first (prepare), before the clock starts. A
 * pass that fails leaves its status in r->st (the first failure is kept). */
static double timed_pass(struct run *r, const struct mb_kernel *k, struct mb_kernel_call *call,
                         size_t rep, bool warmup)
{
    if (k->prepare != NULL)
        k->prepare(call);
    double cpu0 = mb_clock_cpu_s() + call->child_cpu_s, t0 = mb_clock_now_s();
    enum mb_status st = mb_kernel_run(k, call, r->st == MB_OK ? r->d : NULL);
    double t = mb_clock_now_s() - t0;
    if (!warmup) { /* a process kernel's children count as busy cores too */
        r->wall_s += t;
        r->cpu_s += mb_clock_cpu_s() + call->child_cpu_s - cpu0;
    }
    if (r->st == MB_OK)
        r->st = st;
    struct mb_event ev = r->ev;
    ev.kind = MB_EVENT_REP_DONE;
    ev.rep = rep;
    ev.warmup = warmup;
    ev.value = t;
    ev.calls = 1;
    emit(r->h, &ev);
    return t;
}

static void on_row(void *user, size_t rows)
{
    struct run *r = user;
    struct mb_event ev = r->ev;
    ev.kind = MB_EVENT_ROWS;
    ev.rows = rows;
    emit(r->h, &ev);
}

/* Runs a time-boxed kernel under the plan's budget. The first pass computes
 * whole rows until the budget is spent; if it did not finish, its time is
 * extrapolated to the full matrix (rows_done rows measured) and marked as an
 * estimate. If it finished, more full passes run while they still fit in the
 * budget, up to warm-up + repeat; the first of them count as warm-ups. */
static void run_timeboxed(struct run *r, const struct mb_kernel *k, struct mb_kernel_call *call,
                          struct mb_result *res)
{
    const struct mb_plan *p = r->p;
    struct samples *s = r->s;
    const size_t want = p->warmup + p->repeat;
    region_begin(r->h);
    double start = mb_clock_now_s();
    call->deadline_s = start + p->naive_budget_s;
    call->tick = on_row;
    call->tick_user = r;
    double elapsed = timed_pass(r, k, call, 1, false);
    call->tick = NULL;
    res->rows_done = call->rows_done;
    if (call->rows_done == 0 && r->st == MB_OK) /* nothing to time or to extrapolate from */
        r->st = mb_diag_set(r->d, MB_RUNTIME, "computed no row of C");
    if (r->st != MB_OK) {
        region_end(r->h, res);
        return;
    }
    if (call->rows_done < call->n) {
        res->estimated = true;
        push_sample(s, elapsed * (double)call->n / (double)call->rows_done);
    } else {
        push_sample(s, elapsed);
        call->deadline_s = 0;
        while (s->count < want && !stopped(r->h) && r->st == MB_OK &&
               mb_clock_now_s() - start + s->v[s->count - 1] <= p->naive_budget_s)
            if (!push_sample(s, timed_pass(r, k, call, s->count + 1, false)))
                break;
    }
    res->cores_busy = r->wall_s > 0 ? r->cpu_s / r->wall_s : NAN;
    region_end(r->h, res);
    size_t drop = s->count > p->repeat ? s->count - p->repeat : 0;
    res->warmup = (unsigned)drop;
    res->repeat = (unsigned)(s->count - drop);
    res->calls_per_sample = 1;
    mb_stats_compute(s->v + drop, s->count - drop, &res->time_s);
}

/* Times calls calls of the kernel as one sample and returns the time of
 * one call: the sample over calls. Without a prepare step the calls run
 * back to back between two readings of the clock; a kernel whose input
 * each call overwrites (prepare: the LAPACK factorisations) has its input
 * restored before each call, outside the clock, each call timed alone and
 * the times summed. The wall and CPU time go to the run's sums (cores
 * busy). Stops between calls when asked, returning NAN (a sample cut short
 * is no sample), and after a failed call (its status in r->st). */
static double timed_batch(struct run *r, const struct mb_kernel *k, struct mb_kernel_call *call,
                          unsigned calls)
{
    double t = 0, cpu = 0;
    unsigned done = 0;
    if (k->prepare == NULL) {
        double cpu0 = mb_clock_cpu_s() + call->child_cpu_s, t0 = mb_clock_now_s();
        for (; done < calls && r->st == MB_OK && !(done > 0 && stopped(r->h)); done++)
            r->st = mb_kernel_run(k, call, r->d);
        t = mb_clock_now_s() - t0;
        cpu = mb_clock_cpu_s() + call->child_cpu_s - cpu0;
    } else {
        for (; done < calls && r->st == MB_OK && !(done > 0 && stopped(r->h)); done++) {
            k->prepare(call);
            double cpu0 = mb_clock_cpu_s() + call->child_cpu_s, t0 = mb_clock_now_s();
            r->st = mb_kernel_run(k, call, r->d);
            t += mb_clock_now_s() - t0;
            cpu += mb_clock_cpu_s() + call->child_cpu_s - cpu0;
        }
    }
    r->wall_s += t;
    r->cpu_s += cpu;
    return done == calls ? t / calls : NAN;
}

/* Runs warm-up then the timed samples: at least repeat of them, and with a
 * duration, more until that much wall time has passed since the first
 * (for watching htop; the statistics cover every sample). Each sample
 * covers enough calls to last MB_SAMPLE_MIN_S: 1, doubled while a batch is
 * shorter (those batches are not samples), as Google Benchmark scales its
 * iterations, so that a call of nanoseconds is not timed alone against a
 * clock of about as much; a sample's value is the time of one call. With a
 * long duration the samples last longer still, so that their count stays
 * within MB_REPEAT_MAX, which also stops it. Cores busy is the process CPU
 * time over the wall time of the timed calls. Stops early when asked,
 * keeping the samples already timed, and at a failed call. */
static void run_repeated(struct run *r, const struct mb_kernel *k, struct mb_kernel_call *call,
                         struct mb_result *res)
{
    const struct mb_plan *p = r->p;
    struct samples *s = r->s;
    call->deadline_s = 0;
    for (unsigned w = 0; w < p->warmup && !stopped(r->h) && r->st == MB_OK; w++)
        timed_pass(r, k, call, w + 1, true);
    region_begin(r->h);
    const double wall_s = mb_plan_wall_min_s(p);
    const double target_s = fmax(MB_SAMPLE_MIN_S, wall_s / MB_REPEAT_MAX);
    const double start = mb_clock_now_s();
    unsigned calls = 1;
    bool scaled = false;
    while (!stopped(r->h) && r->st == MB_OK && s->count < MB_REPEAT_MAX &&
           (s->count < p->repeat || mb_clock_now_s() - start < wall_s)) {
        double t = timed_batch(r, k, call, calls);
        if (isnan(t) || r->st != MB_OK)
            break;
        if (!scaled && t * calls < target_s && calls < MB_CALLS_PER_SAMPLE_MAX) {
            calls *= 2; /* too short to be a sample */
            continue;
        }
        scaled = true;
        if (!push_sample(s, t))
            break;
        struct mb_event ev = r->ev;
        ev.kind = MB_EVENT_REP_DONE;
        ev.rep = s->count;
        ev.value = t;
        ev.calls = calls;
        emit(r->h, &ev);
    }
    res->cores_busy = r->wall_s > 0 ? r->cpu_s / r->wall_s : NAN;
    region_end(r->h, res);
    res->warmup = p->warmup;
    res->repeat = (unsigned)s->count;
    res->calls_per_sample = calls;
    res->rows_done = call->rows_done;
    mb_stats_compute(s->v, s->count, &res->time_s);
}

/* Measures and verifies the configuration r->ev names into res. The
 * kernel's own input is built first when setup is true (the first of its
 * configurations at this size). Returns MB_OK; the failure of a pass
 * (MB_RUNTIME, MB_NOMEM: no result); or MB_VERIFY (res is still filled,
 * verified false) or MB_NOMEM from the verification. A configuration with
 * no timed repetition (stopped before the first) leaves res->repeat at 0. */
static enum mb_status run_config(struct run *r, const struct bufs *b, bool setup,
                                 struct mb_result *res)
{
    const struct mb_plan *p = r->p;
    const struct mb_kernel *k = r->ev.kernel;
    const size_t n = r->ev.n;
    /* Each worker's scratch, allocated (and first touched by the warm-up)
     * before any pass is timed. */
    const size_t workers = r->ev.threads > 0 ? (size_t)r->ev.threads : 1;
    const size_t scratch = mb_kernel_scratch_bytes(k, n);
    const size_t stride = (scratch + 63) / 64 * 64;
    void *scratch_buf = NULL;
    if (scratch > 0 && (stride > SIZE_MAX / workers ||
                        (scratch_buf = aligned_alloc(64, stride * workers)) == NULL)) {
        *res = (struct mb_result){.kernel = k};
        return mb_diag_set(r->d, MB_NOMEM, "cannot allocate %zu x %zu bytes of scratch", workers,
                           stride);
    }
    struct mb_kernel_call call = {.n = n,
                                  .A = b->A,
                                  .B = b->B,
                                  .C = b->C,
                                  .W = {b->W[0], b->W[1]},
                                  .ipiv = b->ipiv,
                                  .tau = b->tau,
                                  .nrhs = p->nrhs,
                                  .X = b->X,
                                  .X0 = b->X0,
                                  .row_major = p->layout == MB_LAYOUT_ROW,
                                  .seed = p->seed,
                                  .scratch = scratch_buf,
                                  .scratch_stride = stride,
                                  .threads = r->ev.threads,
                                  .stop = r->h->stop};
    *res = (struct mb_result){.kernel = k,
                              .n = n,
                              .threads = r->ev.threads,
                              .residual = NAN,
                              .speedup_vs_naive = NAN,
                              .efficiency = NAN,
                              .max_threads_seen = -1,
                              .peak_fraction = NAN,
                              .calls_per_sample = 1};
    r->s->count = 0;
    if (setup && k->setup != NULL)
        k->setup(&call);
    mb_clock_settle();
    if ((k->traits & MB_TIMEBOXED) && p->naive_budget_s > 0)
        run_timeboxed(r, k, &call, res);
    else
        run_repeated(r, k, &call, res);
    free(scratch_buf);
    res->npids = call.npids;
    memcpy(res->pids, call.pids, call.npids * sizeof call.pids[0]);
    if (r->st != MB_OK) {
        res->repeat = 0;
        return r->st;
    }
    if (res->repeat == 0)
        return MB_OK;
    res->gflops = k->flops(n, p->nrhs) / res->time_s.median * 1e-9;
    if (!p->verify)
        return MB_OK;
    struct mb_verify v = {.residual = NAN};
    enum mb_status st = k->verify(&call, &v, r->d);
    res->verified = st == MB_OK;
    res->residual = v.residual;
    return st;
}

/* Names the configuration in front of the message of its failure. */
static void prefix_diag(struct mb_diag *d, enum mb_status st, const struct mb_kernel *k, size_t n,
                        int threads)
{
    if (d == NULL)
        return;
    char msg[sizeof d->msg];
    snprintf(msg, sizeof msg, "%s", d->msg);
    mb_diag_set(d, st, "%s n=%zu threads=%d %s: %s", k->name, n, threads,
                st == MB_VERIFY ? "failed verification" : "failed", msg);
}

/* Fills A and B (when there is a B) for size n (the leading n*n entries of
 * the buffers, which are sized for the largest n) and clears C. */
static void fill(const struct mb_plan *p, const struct mb_runner_hooks *h, const struct bufs *b,
                 size_t n)
{
    double t0 = mb_clock_now_s();
    unsigned fill_threads = mb_fill_threads();
    mb_matrix_fill(b->A, n, n, p->seed, MB_STREAM_A, fill_threads);
    if (b->B != NULL)
        mb_matrix_fill(b->B, n, n, p->seed, MB_STREAM_B, fill_threads);
    memset(b->C, 0, n * n * sizeof *b->C);
    emit(h, &(struct mb_event){.kind = MB_EVENT_FILL, .n = n, .value = mb_clock_now_s() - t0});
}

/* Stores res with a copy of the samples its statistics came from (the
 * last res->repeat of the run's) and announces it. */
static enum mb_status record(struct run *r, const struct mb_result *res, struct mb_results *results,
                             struct mb_diag *d)
{
    struct mb_result x = *res;
    x.nsamples = res->repeat <= r->s->count ? res->repeat : r->s->count;
    x.samples = malloc((x.nsamples ? x.nsamples : 1) * sizeof *x.samples);
    if (x.samples == NULL)
        return mb_diag_set(d, MB_NOMEM, "cannot store %zu samples", x.nsamples);
    memcpy(x.samples, r->s->v + (r->s->count - x.nsamples), x.nsamples * sizeof *x.samples);
    enum mb_status st = mb_results_add(results, &x, d);
    if (st != MB_OK)
        free(x.samples);
    if (st == MB_OK) {
        struct mb_event ev = r->ev;
        ev.kind = MB_EVENT_RUN_DONE;
        ev.result = &results->items[results->count - 1];
        emit(r->h, &ev);
    }
    return st;
}

/* Allocates the buffers the plan's kernels need at its largest size
 * (mb_plan_memory says which): A and C, B, the shared work matrices,
 * pivots and tau, the right-hand sides. have_samples is false when the
 * caller's samples could not be allocated, which counts as short of memory
 * too. Returns MB_OK, or MB_NOMEM naming what was wanted (free_bufs then
 * frees what was allocated). */
static enum mb_status alloc_bufs(const struct mb_plan *p, size_t largest, bool have_samples,
                                 struct bufs *b, struct mb_diag *d)
{
    struct mb_memory m;
    enum mb_status st = mb_plan_memory(p, largest, &m);
    bool short_of_memory = st != MB_OK || !have_samples;
    if (!short_of_memory) {
        b->A = mb_matrix_alloc(largest, largest);
        b->C = mb_matrix_alloc(largest, largest);
        b->B = m.has_b ? mb_matrix_alloc(largest, largest) : NULL;
        short_of_memory = b->A == NULL || b->C == NULL || (m.has_b && b->B == NULL);
        /* shared, so that processes a kernel forks can write into them */
        for (unsigned i = 0; i < m.work && !short_of_memory; i++)
            short_of_memory = (b->W[i] = mb_matrix_alloc_shared(largest, largest)) == NULL;
    }
    if (!short_of_memory && m.pivots) {
        b->ipiv = malloc(largest * sizeof *b->ipiv);
        b->tau = malloc(largest * sizeof *b->tau);
        short_of_memory = b->ipiv == NULL || b->tau == NULL;
    }
    if (!short_of_memory && m.rhs) {
        b->X = mb_matrix_alloc(largest, p->nrhs);
        b->X0 = mb_matrix_alloc(largest, p->nrhs);
        short_of_memory = b->X == NULL || b->X0 == NULL;
    }
    if (!short_of_memory)
        return MB_OK;
    char names[96];
    return mb_diag_set(d, MB_NOMEM, "cannot allocate %s for n = %zu (%.1f MiB in all)",
                       mb_memory_names(&m, names, sizeof names), largest,
                       (double)m.bytes / (1024.0 * 1024.0));
}

/* Frees what alloc_bufs allocated (at size largest). */
static void free_bufs(struct bufs *b, size_t largest)
{
    mb_matrix_free(b->A);
    mb_matrix_free(b->B);
    mb_matrix_free(b->C);
    for (unsigned i = 0; i < MB_KERNEL_MAX_WORK; i++)
        mb_matrix_free_shared(b->W[i], largest, largest);
    free(b->ipiv);
    free(b->tau);
    mb_matrix_free(b->X);
    mb_matrix_free(b->X0);
}

/* Runs every configuration of the plan (mb_plan_run_at order: each size,
 * each kernel, each BLAS-threaded kernel at every thread count) into
 * results, then derives speed-ups, efficiencies and the share of the peak
 * (hooks->peak; NAN without one), so every derived figure is made here. The buffers are
 * allocated once, for the largest size (mb_plan_memory says which), and
 * refilled when the size changes. The BLAS thread count is restored
 * afterwards. Returns MB_OK; MB_NOMEM when the buffers cannot be allocated;
 * MB_VERIFY when a result fails its check (the failing result is in
 * results, and the run stops there); MB_RUNTIME when the BLAS refuses a
 * thread count or a kernel fails (a LAPACKE info, in d; the run stops
 * there); MB_INTERRUPTED when hooks->stop was raised (results holds what
 * completed). */
enum mb_status mb_runner_run(const struct mb_plan *p, const struct mb_runner_hooks *hooks,
                             struct mb_results *results, struct mb_diag *d)
{
    static const struct mb_runner_hooks no_hooks = {0};
    const struct mb_runner_hooks *h = hooks != NULL ? hooks : &no_hooks;
    const size_t largest = mb_plan_largest_size(p);
    struct bufs b = {0};
    /* Room for warm-up + repeat samples up front, so only --duration's
     * extra passes can meet a full list. */
    struct samples s = {.cap = (size_t)p->warmup + p->repeat};
    s.v = malloc(s.cap * sizeof *s.v);
    enum mb_status st = alloc_bufs(p, largest, s.v != NULL, &b, d);
    if (st != MB_OK)
        goto out;

    const int saved_threads = mb_blas_get_threads();
    const size_t total = mb_plan_run_count(p);
    struct mb_run_spec spec;
    size_t filled = 0;
    struct mb_run_spec last = {0}; /* the kernel and size set up last */
    for (size_t i = 0; st == MB_OK && mb_plan_run_at(p, i, &spec); i++) {
        if (stopped(h)) {
            st = MB_INTERRUPTED;
            break;
        }
        if (spec.n != filled)
            fill(p, h, &b, filled = spec.n);
        if ((spec.kernel->traits & MB_BLAS_THREADS) &&
            (st = mb_blas_set_threads(spec.threads, d)) != MB_OK)
            break;
        struct run r = {p,
                        h,
                        {.kind = MB_EVENT_RUN_START,
                         .index = i + 1,
                         .total = total,
                         .kernel = spec.kernel,
                         .n = spec.n,
                         .threads = spec.threads,
                         .start_s = mb_clock_now_s()},
                        &s,
                        .d = d};
        emit(h, &r.ev);
        struct mb_result res;
        const bool setup = spec.kernel != last.kernel || spec.n != last.n;
        last = spec;
        st = run_config(&r, &b, setup, &res);
        if (res.repeat > 0) {
            enum mb_status add = record(&r, &res, results, d);
            if (st == MB_OK)
                st = add;
        }
        if (st != MB_OK)
            prefix_diag(d, st, spec.kernel, spec.n, spec.threads);
        if (st == MB_OK && stopped(h))
            st = MB_INTERRUPTED;
    }
    (void)mb_blas_set_threads(saved_threads, NULL);
    mb_results_derive(results);
    mb_results_apply_peak(results, h->peak);
out:
    free(s.v);
    free_bufs(&b, largest);
    return st;
}
