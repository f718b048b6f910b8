/* The runner: one allocation and fill, then every kernel at every thread
 * count of the plan, measured as STREAM and BLIS measure (warm-up first,
 * timed repetitions on the monotonic clock, CPU time from getrusage), and
 * verified outside the timed region. */
#include "matbench/runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/blas.h"
#include "matbench/clock.h"
#include "matbench/matrix.h"

struct bufs {
    double *A, *B, *C;
};

static bool stopped(const struct mb_runner_hooks *h)
{
    return h->stop != NULL && *h->stop;
}

static void emit(const struct mb_runner_hooks *h, const struct mb_event *ev)
{
    if (h->progress != NULL)
        h->progress(ev, h->user);
}

/* Runs a time-boxed kernel under the plan's budget. The first pass computes
 * whole rows until the budget is spent; if it did not finish, its time is
 * extrapolated to the full matrix (rows_done rows measured) and marked as an
 * estimate. If it finished, more full passes run while they still fit in the
 * budget, up to warm-up + repeat; the first of them count as warm-ups. */
static void run_timeboxed(const struct mb_plan *p, const struct mb_kernel *k,
                          struct mb_kernel_call *call, const struct mb_runner_hooks *h,
                          double *samples, struct mb_result *res)
{
    const size_t want = p->warmup + p->repeat;
    double start = mb_clock_now_s(), cpu0 = mb_clock_cpu_s();
    size_t count = 0;
    call->deadline_s = start + p->naive_budget_s;
    double t0 = mb_clock_now_s();
    k->run(call);
    double elapsed = mb_clock_now_s() - t0;
    res->rows_done = call->rows_done;
    if (call->rows_done < call->n) {
        res->estimated = true;
        samples[count++] = elapsed * (double)call->n / (double)call->rows_done;
    } else {
        samples[count++] = elapsed;
        call->deadline_s = 0;
        while (count < want && !stopped(h) &&
               mb_clock_now_s() - start + samples[count - 1] <= p->naive_budget_s) {
            t0 = mb_clock_now_s();
            k->run(call);
            samples[count++] = mb_clock_now_s() - t0;
        }
    }
    double wall = mb_clock_now_s() - start;
    res->cores_busy = wall > 0 ? (mb_clock_cpu_s() - cpu0) / wall : NAN;
    size_t drop = count > p->repeat ? count - p->repeat : 0;
    res->warmup = (unsigned)drop;
    res->repeat = (unsigned)(count - drop);
    mb_stats_compute(samples + drop, count - drop, &res->time_s);
}

/* Runs warm-up then the timed repetitions; cores busy is the process CPU
 * time over the wall time of the timed repetitions. Stops early when asked,
 * keeping the repetitions already timed. */
static void run_repeated(const struct mb_plan *p, const struct mb_kernel *k,
                         struct mb_kernel_call *call, const struct mb_runner_hooks *h,
                         double *samples, struct mb_result *res)
{
    call->deadline_s = 0;
    for (unsigned w = 0; w < p->warmup && !stopped(h); w++)
        k->run(call);
    size_t count = 0;
    double wall0 = mb_clock_now_s(), cpu0 = mb_clock_cpu_s();
    for (unsigned r = 0; r < p->repeat && !stopped(h); r++) {
        double t0 = mb_clock_now_s();
        k->run(call);
        samples[count++] = mb_clock_now_s() - t0;
    }
    double wall = mb_clock_now_s() - wall0;
    res->cores_busy = wall > 0 ? (mb_clock_cpu_s() - cpu0) / wall : NAN;
    res->warmup = p->warmup;
    res->repeat = (unsigned)count;
    res->rows_done = call->rows_done;
    mb_stats_compute(samples, count, &res->time_s);
}

/* Measures and verifies one configuration into res. Returns MB_OK, or
 * MB_VERIFY (res is still filled, verified false) or MB_NOMEM from the
 * verification. A configuration with no timed repetition (stopped before
 * the first) leaves res->repeat at 0. */
static enum mb_status run_config(const struct mb_plan *p, const struct mb_kernel *k, int threads,
                                 const struct bufs *b, const struct mb_runner_hooks *h,
                                 double *samples, struct mb_result *res, struct mb_diag *d)
{
    struct mb_kernel_call call = {
        .n = p->n, .A = b->A, .B = b->B, .C = b->C, .threads = threads, .stop = h->stop};
    *res = (struct mb_result){.kernel = k,
                              .n = p->n,
                              .threads = threads,
                              .residual = NAN,
                              .speedup_vs_naive = NAN,
                              .efficiency = NAN};
    if ((k->traits & MB_TIMEBOXED) && p->naive_budget_s > 0)
        run_timeboxed(p, k, &call, h, samples, res);
    else
        run_repeated(p, k, &call, h, samples, res);
    if (res->repeat == 0)
        return MB_OK;
    res->gflops = k->flops(p->n) / res->time_s.median * 1e-9;
    if (!p->verify)
        return MB_OK;
    struct mb_verify v;
    enum mb_status st = k->verify(&call, p->seed, &v, d);
    res->verified = st == MB_OK;
    res->residual = v.residual;
    return st;
}

/* Names the configuration in front of a verification message. */
static void prefix_diag(struct mb_diag *d, const struct mb_kernel *k, size_t n, int threads)
{
    if (d == NULL)
        return;
    char msg[sizeof d->msg];
    snprintf(msg, sizeof msg, "%s", d->msg);
    mb_diag_set(d, MB_VERIFY, "%s n=%zu threads=%d failed verification: %s", k->name, n, threads,
                msg);
}

static size_t count_configs(const struct mb_plan *p)
{
    size_t total = 0;
    for (size_t i = 0; i < p->nkernels; i++)
        total += (p->kernels[i]->traits & MB_BLAS_THREADS) ? p->nthreads : 1;
    return total;
}

/* Runs every kernel of the plan, each BLAS-threaded kernel at every thread
 * count, into results (then derives speed-ups and efficiencies). The BLAS
 * thread count is restored afterwards. Returns MB_OK; MB_NOMEM when the
 * matrices cannot be allocated; MB_VERIFY when a result fails its check (the
 * failing result is in results, and the run stops there); MB_RUNTIME when the
 * BLAS refuses a thread count; MB_INTERRUPTED when hooks->stop was raised
 * (results holds what completed). */
enum mb_status mb_runner_run(const struct mb_plan *p, const struct mb_runner_hooks *hooks,
                             struct mb_results *results, struct mb_diag *d)
{
    static const struct mb_runner_hooks no_hooks = {0};
    const struct mb_runner_hooks *h = hooks != NULL ? hooks : &no_hooks;
    struct bufs b = {mb_matrix_alloc(p->n, p->n), mb_matrix_alloc(p->n, p->n),
                     mb_matrix_alloc(p->n, p->n)};
    size_t nsamples = (size_t)p->warmup + p->repeat;
    double *samples = malloc(nsamples * sizeof *samples);
    enum mb_status st = MB_OK;
    if (b.A == NULL || b.B == NULL || b.C == NULL || samples == NULL) {
        st = mb_diag_set(d, MB_NOMEM, "cannot allocate three %zu x %zu matrices", p->n, p->n);
        goto out;
    }

    double t0 = mb_clock_now_s();
    unsigned fill_threads = mb_fill_threads();
    mb_matrix_fill(b.A, p->n, p->n, p->seed, MB_STREAM_A, fill_threads);
    mb_matrix_fill(b.B, p->n, p->n, p->seed, MB_STREAM_B, fill_threads);
    memset(b.C, 0, p->n * p->n * sizeof *b.C);
    emit(h, &(struct mb_event){.kind = MB_EVENT_FILL, .n = p->n, .value = mb_clock_now_s() - t0});

    const int saved_threads = mb_blas_get_threads();
    const size_t total = count_configs(p);
    size_t index = 0;
    for (size_t ki = 0; ki < p->nkernels && st == MB_OK; ki++) {
        const struct mb_kernel *k = p->kernels[ki];
        const bool blas = (k->traits & MB_BLAS_THREADS) != 0;
        for (size_t ti = 0; ti < (blas ? p->nthreads : 1) && st == MB_OK; ti++) {
            const int threads = blas ? p->threads[ti] : 1;
            if (stopped(h)) {
                st = MB_INTERRUPTED;
                break;
            }
            if (blas && (st = mb_blas_set_threads(threads, d)) != MB_OK)
                break;
            struct mb_event ev = {.kind = MB_EVENT_RUN_START,
                                  .index = ++index,
                                  .total = total,
                                  .kernel = k,
                                  .n = p->n,
                                  .threads = threads};
            emit(h, &ev);
            struct mb_result res;
            st = run_config(p, k, threads, &b, h, samples, &res, d);
            if (res.repeat > 0) {
                enum mb_status add = mb_results_add(results, &res, d);
                if (add == MB_OK) {
                    ev.kind = MB_EVENT_RUN_DONE;
                    ev.result = &results->items[results->count - 1];
                    emit(h, &ev);
                } else if (st == MB_OK) {
                    st = add;
                }
            }
            if (st == MB_VERIFY)
                prefix_diag(d, k, p->n, threads);
            if (st == MB_OK && stopped(h))
                st = MB_INTERRUPTED;
        }
    }
    (void)mb_blas_set_threads(saved_threads, NULL);
    mb_results_derive(results);
out:
    free(samples);
    mb_matrix_free(b.A);
    mb_matrix_free(b.B);
    mb_matrix_free(b.C);
    return st;
}
