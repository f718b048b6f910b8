/* runner: a plan becomes one verified result per configuration; the naive
 * loop is time-boxed into an estimate; a raised stop flag ends the run. */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>

#include "matbench/blas.h"
#include "matbench/runner.h"

static struct mb_plan small_plan(size_t n)
{
    struct mb_plan p;
    mb_plan_defaults(&p);
    p.sizes[0] = n, p.nsizes = 1;
    p.threads[0] = 1, p.threads[1] = 2, p.nthreads = 2;
    p.repeat = 2;
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
    p.kernels[0] = mb_kernel_find("naive"), p.nkernels = 1;
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
    p.sizes[1] = b, p.nsizes = 2;
    if (!naive)
        p.kernels[0] = mb_kernel_find("dgemm"), p.nkernels = 1;
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

/* What the REP_DONE events of a run said. */
struct passes {
    size_t warmups, timed;
    double timed_s;
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
    cr_assert_eq(ev->rep, ps->timed, "timed passes are numbered from 1");
}

Test(runner, a_duration_repeats_until_the_timed_passes_cover_it)
{
    /* not a timing assertion: whatever a pass takes, the timed passes
     * (not the warm-up) must add up to the duration, and the result must
     * count every one of them */
    struct mb_plan p = small_plan(16);
    p.kernels[0] = mb_kernel_find("dgemm"), p.nkernels = 1;
    p.nthreads = 1, p.repeat = 1, p.warmup = 1, p.duration_s = 0.05;
    struct passes ps = {0};
    struct mb_runner_hooks hooks = {.progress = count_passes, .user = &ps};
    struct mb_results rs = {0};
    struct mb_diag d = {0};
    cr_assert_eq(mb_runner_run(&p, &hooks, &rs, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(rs.count, 1);
    const struct mb_result *r = &rs.items[0];
    cr_assert_eq(ps.warmups, 1);
    cr_assert_geq(ps.timed_s, 0.05, "%zu passes, %g s", ps.timed, ps.timed_s);
    cr_assert_gt(ps.timed, 1, "a 16 x 16 product takes far less than 50 ms");
    cr_assert_eq(r->repeat, ps.timed, "the result counts every timed pass");
    cr_assert_eq(r->warmup, 1);
    cr_assert_eq(r->time_s.count, ps.timed, "the statistics cover every timed pass");
    cr_assert_float_eq(r->time_s.mean * (double)r->time_s.count, ps.timed_s, 1e-9 * ps.timed_s);
    cr_assert(r->verified);
    mb_results_free(&rs);
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
    struct mb_runner_hooks hooks = {.progress = stop_after_first_result, .user = (void *)&stop, .stop = &stop};
    struct mb_results rs = {0};
    int before = mb_blas_get_threads();
    cr_assert_eq(mb_runner_run(&p, &hooks, &rs, NULL), MB_INTERRUPTED);
    cr_assert_eq(rs.count, 1, "the naive result completed before the stop");
    cr_assert_str_eq(rs.items[0].kernel->name, "naive");
    cr_assert(rs.items[0].verified);
    cr_assert_eq(mb_blas_get_threads(), before, "the BLAS thread count is restored");
    mb_results_free(&rs);
}
