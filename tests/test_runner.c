/* runner: a plan becomes one verified result per configuration; the naive
 * loop is time-boxed into an estimate; a raised stop flag ends the run. */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "matbench/blas.h"
#include "matbench/clock.h"
#include "matbench/runner.h"

static struct mb_plan small_plan(size_t n)
{
    struct mb_plan p;
    mb_plan_defaults(&p);
    p.sizes.v[0] = n, p.sizes.n = 1;
    p.threads.v[0] = 1, p.threads.v[1] = 2, p.threads.n = 2;
    p.repeat = 2;
    p.min_time_s = 0; /* exactly repeat samples, unless a test sets a time */
    return p;
}

static void count_events(const struct mb_event *ev, void *user)
{
    size_t *done = user;
    if (ev->kind == MB_EVENT_RUN_DONE)
        (*done)++;
}

Test(runner, one_verified_result_per_configuration)
{
    struct mb_plan p = small_plan(40);
    struct mb_results rs = {0};
    struct mb_diag d = {0};
    size_t done = 0;
    struct mb_runner_hooks hooks = {.progress = count_events, .user = &done};
    int before = mb_blas_get_threads();
    cr_assert_eq(mb_runner_run(&p, &hooks, &rs, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(rs.count, 3);
    cr_assert_eq(done, 3);
    cr_assert_str_eq(rs.items[0].kernel->name, "naive");
    cr_assert_eq(rs.items[1].threads, 1);
    cr_assert_eq(rs.items[2].threads, 2);
    for (size_t i = 0; i < rs.count; i++) {
        const struct mb_result *r = &rs.items[i];
        cr_assert(r->verified, "result %zu", i);
        cr_assert_eq(r->rows_done, 40);
        cr_assert_not(r->estimated);
        cr_assert_gt(r->gflops, 0);
        cr_assert_leq(r->time_s.min, r->time_s.median);
        cr_assert_leq(r->time_s.median, r->time_s.max);
        cr_assert(!isnan(r->speedup_vs_naive));
    }
    cr_assert_eq(rs.items[1].repeat, 2);
    cr_assert_eq(rs.items[1].warmup, 1);
    cr_assert_eq(mb_blas_get_threads(), before, "the BLAS thread count is restored");
    mb_results_free(&rs);
}

Test(runner, naive_past_its_budget_is_an_estimate_from_the_rows_done)
{
    struct mb_plan p = small_plan(300);
    p.kernels.v[0] = mb_kernel_find("naive"), p.kernels.n = 1;
    p.naive_budget_s = 1e-9;
    struct mb_results rs = {0};
    struct mb_diag d = {0};
    cr_assert_eq(mb_runner_run(&p, NULL, &rs, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(rs.count, 1);
    const struct mb_result *r = &rs.items[0];
    cr_assert(r->estimated);
    cr_assert_eq(r->rows_done, 1, "the deadline passes during the first row");
    cr_assert_eq(r->repeat, 1);
    cr_assert(r->verified, "the row it computed is checked");
    mb_results_free(&rs);
}

Test(runner, no_verify_leaves_results_unverified)
{
    struct mb_plan p = small_plan(20);
    p.verify = false;
    struct mb_results rs = {0};
    cr_assert_eq(mb_runner_run(&p, NULL, &rs, NULL), MB_OK);
    for (size_t i = 0; i < rs.count; i++) {
        cr_assert_not(rs.items[i].verified);
        cr_assert(isnan(rs.items[i].residual));
    }
    mb_results_free(&rs);
}

Test(runner, a_raised_stop_flag_interrupts)
{
    struct mb_plan p = small_plan(20);
    volatile sig_atomic_t stop = 1;
    struct mb_runner_hooks hooks = {.stop = &stop};
    struct mb_results rs = {0};
    cr_assert_eq(mb_runner_run(&p, &hooks, &rs, NULL), MB_INTERRUPTED);
    cr_assert_eq(rs.count, 0);
    mb_results_free(&rs);
}

/* dgemm (and optionally naive) at sizes[0..2), threads 1 and 2. */
static struct mb_plan grid_plan(size_t a, size_t b, bool naive)
{
    struct mb_plan p = small_plan(a);
    p.sizes.v[1] = b, p.sizes.n = 2;
    if (!naive)
        p.kernels.v[0] = mb_kernel_find("dgemm"), p.kernels.n = 1;
    p.repeat = 1;
    return p;
}

Test(runner, a_grid_reuses_the_largest_buffers_for_every_size)
{
    const size_t orders[][2] = {{64, 32}, {32, 64}};
    for (size_t o = 0; o < 2; o++) {
        struct mb_plan p = grid_plan(orders[o][0], orders[o][1], false);
        struct mb_results rs = {0};
        struct mb_diag d = {0};
        cr_assert_eq(mb_runner_run(&p, NULL, &rs, &d), MB_OK, "%s", d.msg);
        cr_assert_eq(rs.count, 4);
        for (size_t i = 0; i < 4; i++) {
            cr_assert_eq(rs.items[i].n, orders[o][i / 2], "result %zu", i);
            cr_assert_eq(rs.items[i].threads, (int)(i % 2) + 1, "result %zu", i);
            cr_assert(rs.items[i].verified, "result %zu (n=%zu) verified", i, rs.items[i].n);
        }
        mb_results_free(&rs);
    }
}

Test(runner, speedups_are_against_the_naive_loop_at_the_same_size)
{
    struct mb_plan p = grid_plan(48, 24, true);
    struct mb_results rs = {0};
    struct mb_diag d = {0};
    cr_assert_eq(mb_runner_run(&p, NULL, &rs, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(rs.count, 6);
    for (size_t i = 0; i < rs.count; i++) {
        const struct mb_result *x = &rs.items[i], *naive = &rs.items[i / 3 * 3];
        cr_assert_str_eq(naive->kernel->name, "naive");
        cr_assert_eq(naive->n, x->n);
        cr_assert_float_eq(x->speedup_vs_naive, naive->time_s.median / x->time_s.median, 1e-12,
                           "result %zu", i);
    }
    mb_results_free(&rs);
}

static void count_kinds(const struct mb_event *ev, void *user)
{
    size_t *kinds = user;
    kinds[ev->kind]++;
}

Test(runner, events_tell_each_fill_pass_and_row)
{
    struct mb_plan p = grid_plan(32, 16, true); /* warm-up 1, repeat 1 */
    struct mb_results rs = {0};
    struct mb_diag d = {0};
    size_t kinds[MB_EVENT_RUN_DONE + 1] = {0};
    struct mb_runner_hooks hooks = {.progress = count_kinds, .user = kinds};
    cr_assert_eq(mb_runner_run(&p, &hooks, &rs, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(kinds[MB_EVENT_FILL], 2, "one fill per size");
    cr_assert_eq(kinds[MB_EVENT_RUN_START], 6);
    cr_assert_eq(kinds[MB_EVENT_RUN_DONE], 6);
    cr_assert_geq(kinds[MB_EVENT_ROWS], 32 + 16, "the naive loop reports every row");
    cr_assert_geq(kinds[MB_EVENT_REP_DONE], 6 * 2, "each run: a warm-up and a timed pass");
    mb_results_free(&rs);
}

/* What the REP_DONE events of a run said: the warm-ups, the timed
 * samples, the sum of their values (seconds of one call), of their calls'
 * time (value x calls), and the calls of each sample (0 when they
 * differed). */
struct passes {
    size_t warmups, timed;
    double timed_s, timed_calls_s;
    unsigned calls;
};

static void count_passes(const struct mb_event *ev, void *user)
{
    struct passes *ps = user;
    if (ev->kind != MB_EVENT_REP_DONE)
        return;
    if (ev->warmup) {
        ps->warmups++;
        return;
    }
    ps->timed++;
    ps->timed_s += ev->value;
    ps->timed_calls_s += ev->value * ev->calls;
    ps->calls = ps->timed == 1 || ps->calls == ev->calls ? ev->calls : 0;
    cr_assert_eq(ev->rep, ps->timed, "timed passes are numbered from 1");
}

/* not a timing assertion: whatever a call takes, the samples go on until
 * 0.05 s of wall time have passed (--duration or --min-time), so
 * mb_runner_run takes at least that long; the result counts every sample,
 * each of the same calls_per_sample calls, and its statistics are of one
 * call */
static void assert_repeats_for(double duration_s, double min_time_s)
{
    struct mb_plan p = small_plan(16);
    p.kernels.v[0] = mb_kernel_find("dgemm"), p.kernels.n = 1;
    p.threads.n = 1, p.repeat = 1, p.warmup = 1;
    p.duration_s = duration_s, p.min_time_s = min_time_s;
    struct passes ps = {0};
    struct mb_runner_hooks hooks = {.progress = count_passes, .user = &ps};
    struct mb_results rs = {0};
    struct mb_diag d = {0};
    double t0 = mb_clock_now_s();
    cr_assert_eq(mb_runner_run(&p, &hooks, &rs, &d), MB_OK, "%s", d.msg);
    double wall = mb_clock_now_s() - t0;
    cr_assert_eq(rs.count, 1);
    const struct mb_result *r = &rs.items[0];
    cr_assert_eq(ps.warmups, 1);
    cr_assert_geq(wall, 0.05, "%zu samples in %g s", ps.timed, wall);
    cr_assert_leq(ps.timed_calls_s, wall, "the samples' calls took at most the run's wall time");
    cr_assert_eq(r->repeat, ps.timed, "the result counts every sample");
    cr_assert_eq(r->warmup, 1);
    cr_assert_geq(r->calls_per_sample, 1);
    cr_assert_eq(ps.calls, r->calls_per_sample, "every sample timed calls_per_sample calls");
    cr_assert_eq(r->time_s.count, ps.timed, "the statistics cover every sample");
    cr_assert_leq(ps.timed, MB_REPEAT_MAX);
    cr_assert_float_eq(r->time_s.mean * (double)r->time_s.count, ps.timed_s, 1e-9 * ps.timed_s);
    cr_assert(r->verified);
    mb_results_free(&rs);
}

Test(runner, a_duration_repeats_until_its_wall_time_has_passed)
{
    assert_repeats_for(0.05, 0);
}

Test(runner, a_min_time_repeats_until_its_wall_time_has_passed)
{
    assert_repeats_for(0, 0.05);
}

Test(runner, min_time_is_on_by_default)
{
    struct mb_plan p;
    mb_plan_defaults(&p);
    cr_assert_float_eq(p.min_time_s, MB_DEFAULT_MIN_TIME_S, 0);
    cr_assert_float_eq(mb_plan_wall_min_s(&p), MB_DEFAULT_MIN_TIME_S, 0);
    p.duration_s = 3;
    cr_assert_float_eq(mb_plan_wall_min_s(&p), 3, 0, "the larger of the two");
}

static void stop_after_first_result(const struct mb_event *ev, void *user)
{
    if (ev->kind == MB_EVENT_RUN_DONE)
        *(volatile sig_atomic_t *)user = 1;
}

Test(runner, a_stop_between_configurations_keeps_what_completed)
{
    struct mb_plan p = small_plan(20);
    volatile sig_atomic_t stop = 0;
    struct mb_runner_hooks hooks = {
        .progress = stop_after_first_result, .user = (void *)&stop, .stop = &stop};
    struct mb_results rs = {0};
    int before = mb_blas_get_threads();
    cr_assert_eq(mb_runner_run(&p, &hooks, &rs, NULL), MB_INTERRUPTED);
    cr_assert_eq(rs.count, 1, "the naive result completed before the stop");
    cr_assert_str_eq(rs.items[0].kernel->name, "naive");
    cr_assert(rs.items[0].verified);
    cr_assert_eq(mb_blas_get_threads(), before, "the BLAS thread count is restored");
    mb_results_free(&rs);
}

/* ---- samples of many calls: a kernel that logs its own calls ------------- */

#define FAKE_LOG 65536

/* The fake kernel's log: each call's own time (read inside the call), the
 * calls so far, and the time spent restoring its input (prepare). */
static struct {
    double run_s[FAKE_LOG];
    size_t calls;
    double prepare_s;
} fake;

static void spin(double s)
{
    double t0 = mb_clock_now_s();
    while (mb_clock_now_s() - t0 < s)
        ;
}

static enum mb_status fake_run(const struct mb_kernel *k, struct mb_kernel_call *call,
                               struct mb_diag *d)
{
    (void)k;
    (void)call, (void)d;
    double t0 = mb_clock_now_s();
    spin(20e-6);
    cr_assert_lt(fake.calls, FAKE_LOG);
    fake.run_s[fake.calls++] = mb_clock_now_s() - t0;
    return MB_OK;
}

static void fake_prepare(struct mb_kernel_call *call)
{
    (void)call;
    double t0 = mb_clock_now_s();
    spin(20e-6);
    fake.prepare_s += mb_clock_now_s() - t0;
}

static double fake_flops(size_t n, size_t nrhs)
{
    (void)n, (void)nrhs;
    return 1.0;
}

static enum mb_status fake_verify(const struct mb_kernel_call *call, struct mb_verify *out,
                                  struct mb_diag *d)
{
    (void)call, (void)d;
    out->residual = 0;
    return MB_OK;
}

static const struct mb_kernel fake_kernel = {.name = "fake",
                                             .lesson = "20 us a call",
                                             .flops = fake_flops,
                                             .flops_formula = "1",
                                             .run = fake_run,
                                             .verify = fake_verify};
static const struct mb_kernel fake_prepared = {.name = "fake-prepared",
                                               .lesson = "20 us a call, its input restored first",
                                               .flops = fake_flops,
                                               .flops_formula = "1",
                                               .run = fake_run,
                                               .verify = fake_verify,
                                               .prepare = fake_prepare};

/* What the hook saw of the samples, checked as each arrives. */
struct brackets {
    double last_event_s, last_prepare_s;
    size_t samples;
};

/* At each timed sample: its calls were the kernel's last ev->calls calls,
 * which ran inside the timed region, so value x calls is at least their
 * own times summed; and the timed region lies between the last event and
 * this one, outside every prepare, so it is at most that interval less the
 * prepares in it. Both hold whatever the machine's speed; a sample that
 * reported its whole batch as one call's time breaks the second as soon
 * as calls > 1. The first sample lasts MB_SAMPLE_MIN_S at least: that is
 * where the doubling stopped. */
static void check_sample(const struct mb_event *ev, void *user)
{
    struct brackets *b = user;
    double now = mb_clock_now_s();
    if (ev->kind == MB_EVENT_REP_DONE && !ev->warmup) {
        cr_assert_geq(ev->calls, 1);
        cr_assert_geq(fake.calls, ev->calls);
        double own = 0;
        for (size_t i = fake.calls - ev->calls; i < fake.calls; i++)
            own += fake.run_s[i];
        double timed = ev->value * ev->calls;
        cr_assert_geq(timed * (1 + 1e-9), own, "sample %zu: %u calls", b->samples + 1, ev->calls);
        cr_assert_leq(timed, now - b->last_event_s - (fake.prepare_s - b->last_prepare_s) + 1e-9,
                      "sample %zu: %u calls of %g s", b->samples + 1, ev->calls, ev->value);
        if (b->samples++ == 0 && ev->calls < MB_CALLS_PER_SAMPLE_MAX)
            cr_assert_geq(timed, MB_SAMPLE_MIN_S);
    }
    b->last_event_s = now;
    b->last_prepare_s = fake.prepare_s;
}

/* Runs kernel k once (n = 4, one thread, warm-up 2, repeat 5, duration
 * duration_s) with the checking hook; returns its result in *out. */
static void run_fake(const struct mb_kernel *k, double duration_s, struct mb_result *out)
{
    memset(&fake, 0, sizeof fake);
    struct mb_plan p = small_plan(4);
    p.kernels.v[0] = k, p.kernels.n = 1;
    p.threads.n = 1, p.warmup = 2, p.repeat = 5, p.duration_s = duration_s;
    struct brackets b = {.last_event_s = mb_clock_now_s()};
    struct mb_runner_hooks hooks = {.progress = check_sample, .user = &b};
    struct mb_results rs = {0};
    struct mb_diag d = {0};
    cr_assert_eq(mb_runner_run(&p, &hooks, &rs, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(rs.count, 1);
    *out = rs.items[0];
    cr_assert_eq(b.samples, out->repeat);
    /* the samples kept are the ones the statistics summarise */
    cr_assert_eq(out->nsamples, out->repeat);
    struct mb_stats again;
    mb_stats_compute(out->samples, out->nsamples, &again);
    cr_assert_float_eq(again.median, out->time_s.median, 0);
    cr_assert_float_eq(again.min, out->time_s.min, 0);
    out->samples = NULL; /* freed with rs */
    out->nsamples = 0;
    mb_results_free(&rs);
}

Test(runner, each_sample_is_calls_per_sample_calls_and_reports_one_call)
{
    static const struct mb_kernel *const kernels[] = {&fake_kernel, &fake_prepared};
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
        struct mb_result r;
        run_fake(kernels[i], 0, &r);
        const size_t k = r.calls_per_sample;
        cr_assert_eq(r.repeat, 5, "%s: no duration, repeat samples", kernels[i]->name);
        cr_assert_eq(r.time_s.count, 5);
        cr_assert_geq(k, 1);
        cr_assert_eq(k & (k - 1), 0, "%s: a power of two: %zu", kernels[i]->name, k);
        /* the warm-ups, the batches of 1, 2, ... k/2 calls that were too
         * short to be samples, then the samples of k calls each */
        cr_assert_eq(fake.calls, 2 + (k - 1) + 5 * k, "%s: %zu calls, k = %zu", kernels[i]->name,
                     fake.calls, k);
        cr_assert_geq(r.time_s.min, 20e-6, "%s: one call spins 20 us at least", kernels[i]->name);
        cr_assert(r.verified);
    }
}

Test(runner, a_duration_keeps_the_sample_count_within_the_repeat_cap)
{
    struct mb_result r;
    run_fake(&fake_kernel, 0.02, &r);
    const size_t k = r.calls_per_sample;
    cr_assert_geq(r.repeat, 5);
    cr_assert_leq(r.repeat, MB_REPEAT_MAX);
    cr_assert_eq(fake.calls, 2 + (k - 1) + r.repeat * k, "%zu calls, k = %zu", fake.calls, k);
}

Test(runner, tiny_dgemm_calls_are_timed_many_at_a_time_and_still_verified)
{
    struct mb_plan p = small_plan(1);
    p.kernels.v[0] = mb_kernel_find("dgemm"), p.kernels.n = 1;
    p.threads.n = 1, p.repeat = 3;
    struct passes ps = {0};
    struct mb_runner_hooks hooks = {.progress = count_passes, .user = &ps};
    struct mb_results rs = {0};
    struct mb_diag d = {0};
    cr_assert_eq(mb_runner_run(&p, &hooks, &rs, &d), MB_OK, "%s", d.msg);
    const struct mb_result *r = &rs.items[0];
    cr_assert_eq(r->repeat, 3);
    cr_assert_geq(r->calls_per_sample, 1);
    cr_assert_eq(ps.calls, r->calls_per_sample);
    cr_assert_float_eq(r->time_s.mean * 3, ps.timed_s, 1e-9 * ps.timed_s, "time_s is one call's");
    cr_assert(r->verified, "the product of the last call is checked");
    mb_results_free(&rs);
}
