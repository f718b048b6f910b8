/* The progress line: counts from the runner's events, and an estimate of
 * the time remaining built from the flop rate each kernel and thread count
 * reached in its latest pass (scaled to the sizes still to come). */
#include "matbench/progress.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "matbench/kernels.h"

void mb_progress_init(struct mb_progress *pr, const struct mb_plan *p, double now_s)
{
    memset(pr, 0, sizeof *pr);
    pr->plan = p;
    pr->start_s = now_s;
}

/* The slot of kernel k at threads in the rate table, or false when the plan
 * does not hold them. */
static bool slot(const struct mb_plan *p, const struct mb_kernel *k, int threads, size_t *ki,
                 size_t *ti)
{
    for (*ki = 0; *ki < p->kernels.n && p->kernels.v[*ki] != k; ++*ki)
        ;
    if (*ki == p->kernels.n)
        return false;
    *ti = 0;
    if (mb_kernel_sweeps_threads(k))
        for (; *ti < p->threads.n && p->threads.v[*ti] != threads; ++*ti)
            ;
    return *ti < MB_PLAN_MAX_THREADS && (*ti < p->threads.n || *ti == 0);
}

/* Takes in an event: a finished pass gives the rate of its kernel and
 * thread count (a partial time-boxed pass counts the rows it did). */
void mb_progress_update(struct mb_progress *pr, const struct mb_event *ev)
{
    size_t ki, ti;
    switch (ev->kind) {
    case MB_EVENT_FILL:
        if (ev->value > 0)
            pr->fill_rate = 2.0 * (double)ev->n * (double)ev->n / ev->value;
        break;
    case MB_EVENT_RUN_START:
        pr->done_reps = 0;
        pr->timed_s = 0;
        pr->rows = 0;
        break;
    case MB_EVENT_ROWS:
        pr->rows = ev->rows;
        break;
    case MB_EVENT_REP_DONE: {
        double part = pr->rows > 0 && ev->n > 0 ? (double)pr->rows / (double)ev->n : 1.0;
        if (ev->value > 0 && slot(pr->plan, ev->kernel, ev->threads, &ki, &ti))
            pr->rate[ki][ti] = ev->kernel->flops(ev->n, pr->plan->nrhs) * part / ev->value;
        pr->done_reps++;
        if (!ev->warmup)
            pr->timed_s += ev->value * (ev->calls > 0 ? ev->calls : 1);
        pr->rows = 0;
        break;
    }
    case MB_EVENT_RUN_DONE:
        break;
    }
}

/* The flop rate to expect of kernel k at threads: the one measured for
 * them, else the best its kernel reached at any thread count (more threads
 * are rarely slower), else 0 (unknown). */
static double expected_rate(const struct mb_progress *pr, const struct mb_kernel *k, int threads)
{
    size_t ki, ti;
    if (!slot(pr->plan, k, threads, &ki, &ti))
        return 0;
    if (pr->rate[ki][ti] > 0)
        return pr->rate[ki][ti];
    double best = 0;
    for (size_t t = 0; t < MB_PLAN_MAX_THREADS; t++)
        best = fmax(best, pr->rate[ki][t]);
    return best;
}

/* The expected seconds of one configuration from start to end, or NAN
 * when its kernel has no rate yet. */
static double config_s(const struct mb_progress *pr, const struct mb_run_spec *s)
{
    const struct mb_plan *p = pr->plan;
    double rate = expected_rate(pr, s->kernel, s->threads);
    if (rate <= 0)
        return NAN;
    double pass = s->kernel->flops(s->n, p->nrhs) / rate;
    if ((s->kernel->traits & MB_TIMEBOXED) && p->naive_budget_s > 0)
        return fmin(p->naive_budget_s, pass * (p->warmup + p->repeat));
    return pass * p->warmup + fmax(pass * p->repeat, mb_plan_wall_min_s(p));
}

/* The estimated seconds left in the run when ev (of the configuration
 * running now, which started at ev->start_s) arrives at now_s: what is left
 * of this configuration plus every later one and their fills. NAN while a
 * configuration still to run has no rate to go by. */
double mb_progress_remaining_s(const struct mb_progress *pr, const struct mb_event *ev,
                               double now_s)
{
    const struct mb_plan *p = pr->plan;
    struct mb_run_spec s = {ev->kernel, ev->n, ev->threads};
    double left = 0;
    if (ev->kind != MB_EVENT_RUN_DONE) {
        double here = config_s(pr, &s);
        if (isnan(here) && ev->kind == MB_EVENT_ROWS && ev->rows > 0 && ev->n > 0 &&
            (s.kernel->traits & MB_TIMEBOXED) && p->naive_budget_s > 0) {
            /* the first time-boxed pass, under way: its rows so far give its rate */
            double rate = (double)ev->rows / (double)ev->n / (now_s - ev->start_s);
            here = fmin(p->naive_budget_s, (p->warmup + p->repeat) / rate);
        }
        left = fmax(0, here - (now_s - ev->start_s));
    }
    size_t prev_n = ev->n;
    for (size_t i = ev->index; mb_plan_run_at(p, i, &s); i++) {
        left += config_s(pr, &s);
        if (s.n != prev_n && pr->fill_rate > 0)
            left += 2.0 * (double)s.n * (double)s.n / pr->fill_rate;
        prev_n = s.n;
    }
    return left;
}

/* Seconds as "42 s", "3:07" or "1:02:03". */
static void format_clock(char *buf, size_t cap, double s)
{
    if (isnan(s)) {
        snprintf(buf, cap, "?");
        return;
    }
    unsigned long t = (unsigned long)(s + 0.5);
    if (t < 60)
        snprintf(buf, cap, "%lu s", t);
    else if (t < 3600)
        snprintf(buf, cap, "%lu:%02lu", t / 60, t % 60);
    else
        snprintf(buf, cap, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
}

/* The one-line status for ev at now_s, such as
 * "[2/3] dgemm n=5000 threads=1: pass 2 of 4, elapsed 14 s, remaining ~9 s". */
void mb_progress_line(const struct mb_progress *pr, const struct mb_event *ev, double now_s,
                      char *buf, size_t cap)
{
    const struct mb_plan *p = pr->plan;
    char what[96] = "", elapsed[32], left[32];
    const bool timeboxed = (ev->kernel->traits & MB_TIMEBOXED) && p->naive_budget_s > 0;
    if (ev->kind == MB_EVENT_ROWS)
        snprintf(what, sizeof what, "rows %zu of %zu, ", ev->rows, ev->n);
    else if (ev->kind == MB_EVENT_REP_DONE && timeboxed)
        snprintf(what, sizeof what, "pass %zu of at most %u, ", ev->rep, p->warmup + p->repeat);
    else if (ev->kind == MB_EVENT_REP_DONE && ev->warmup)
        snprintf(what, sizeof what, "warm-up %zu of %u, ", ev->rep, p->warmup);
    else if (ev->kind == MB_EVENT_REP_DONE && p->duration_s > 0)
        snprintf(what, sizeof what, "pass %zu, %.0f of at least %g s timed, ", ev->rep, pr->timed_s,
                 p->duration_s);
    else if (ev->kind == MB_EVENT_REP_DONE)
        snprintf(what, sizeof what, "pass %zu of %u, ", ev->rep, p->repeat);
    format_clock(elapsed, sizeof elapsed, now_s - pr->start_s);
    format_clock(left, sizeof left, mb_progress_remaining_s(pr, ev, now_s));
    snprintf(buf, cap, "[%zu/%zu] %s n=%zu threads=%d: %selapsed %s, remaining ~%s", ev->index,
             ev->total, ev->kernel->name, ev->n, ev->threads, what, elapsed, left);
}
