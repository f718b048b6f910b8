/* progress: the status line's counts and the estimate of the time left,
 * from synthetic runner events with known seconds. The expected figures
 * are worked out by hand in the comments. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "matbench/progress.h"

/* sizes 100 then 200; naive, dgemm at 1 and 2 threads: 6 runs. Warm-up 1,
 * repeat 3, naive budget 10 s, no duration. */
static struct mb_plan plan;
static struct mb_progress pr;

static void setup(void)
{
    mb_plan_defaults(&plan);
    plan.sizes.v[0] = 100, plan.sizes.v[1] = 200, plan.sizes.n = 2;
    plan.threads.v[0] = 1, plan.threads.v[1] = 2, plan.threads.n = 2;
    plan.min_time_s = 0; /* the rates' arithmetic alone; a test below sets one */
    mb_progress_init(&pr, &plan, 0.0);
}

TestSuite(progress, .init = setup);

static struct mb_event event(enum mb_event_kind kind, size_t index, double start_s)
{
    struct mb_run_spec s;
    cr_assert(mb_plan_run_at(&plan, index - 1, &s));
    return (struct mb_event){.kind = kind,
                             .index = index,
                             .total = mb_plan_run_count(&plan),
                             .kernel = s.kernel,
                             .n = s.n,
                             .threads = s.threads,
                             .start_s = start_s};
}

/* One finished pass of run index that took seconds. */
static void pass(size_t index, double seconds)
{
    struct mb_event ev = event(MB_EVENT_REP_DONE, index, 0);
    ev.value = seconds;
    mb_progress_update(&pr, &ev);
}

/* The rates of n = 100: naive 2e6 flop in 2 ms = 1e9 flop/s; dgemm 1 thread
 * in 0.1 ms = 2e10; 2 threads in 0.05 ms = 4e10. */
static void learn_n100(void)
{
    pass(1, 0.002);
    pass(2, 0.0001);
    pass(3, 0.00005);
}

Test(progress, unknown_until_every_configuration_to_come_has_a_rate)
{
    struct mb_event ev = event(MB_EVENT_RUN_START, 1, 0);
    cr_assert(isnan(mb_progress_remaining_s(&pr, &ev, 0)));
    char line[256];
    mb_progress_line(&pr, &ev, 0, line, sizeof line);
    cr_assert(strstr(line, "remaining ~?") != NULL, "%s", line);
}

Test(progress, the_estimate_scales_the_rates_to_the_sizes_to_come)
{
    learn_n100();
    /* At the start of run 4 (naive, n = 200): a pass is 1.6e7 / 1e9 =
     * 0.016 s, four passes (warm-up + repeat) 0.064 s, within the 10 s
     * budget. dgemm n = 200 at 1 thread: 1.6e7 / 2e10 = 0.8 ms a pass, 4
     * passes 3.2 ms; at 2 threads 0.4 ms, 1.6 ms. Total 0.0688 s. */
    struct mb_event ev = event(MB_EVENT_RUN_START, 4, 0);
    cr_assert_float_eq(mb_progress_remaining_s(&pr, &ev, 0), 0.0688, 1e-9);
    /* 0.05 s into run 4, 0.014 s of it are left. */
    cr_assert_float_eq(mb_progress_remaining_s(&pr, &ev, 0.05), 0.0188, 1e-9);
}

Test(progress, the_fill_of_a_new_size_counts)
{
    learn_n100();
    struct mb_event fill = {.kind = MB_EVENT_FILL, .n = 100, .value = 0.001};
    mb_progress_update(&pr, &fill); /* 2e4 doubles in 1 ms: 2e7 doubles/s */
    /* At the start of run 3 (dgemm, n = 100, 2 threads): 4 x 0.05 ms =
     * 0.2 ms, then the n = 200 fill (8e4 / 2e7 = 4 ms) and run 4 to 6
     * (0.0688 s). */
    struct mb_event ev = event(MB_EVENT_RUN_START, 3, 0);
    cr_assert_float_eq(mb_progress_remaining_s(&pr, &ev, 0), 0.0002 + 0.004 + 0.0688, 1e-9);
}

Test(progress, the_naive_budget_caps_its_estimate)
{
    pass(1, 20.0); /* n = 100 in 20 s: 1e5 flop/s */
    learn_n100();
    plan.sizes.v[1] = 100; /* both sizes 100: run 4 is the naive loop again */
    pass(1, 20.0);
    struct mb_event ev = event(MB_EVENT_RUN_START, 4, 0);
    /* naive: min(10 s budget, 4 x 20 s) = 10 s; dgemm 4 x 0.1 ms and 4 x
     * 0.05 ms. */
    cr_assert_float_eq(mb_progress_remaining_s(&pr, &ev, 0), 10.0 + 0.0004 + 0.0002, 1e-9);
}

Test(progress, a_min_time_is_a_floor_for_repeated_runs_too)
{
    plan.min_time_s = 0.25;
    learn_n100();
    /* run 6 as below: one warm-up of 0.4 ms, then max(3 x 0.4 ms, 0.25 s) */
    struct mb_event ev = event(MB_EVENT_RUN_START, 6, 0);
    cr_assert_float_eq(mb_progress_remaining_s(&pr, &ev, 0), 0.0004 + 0.25, 1e-9);
}

Test(progress, a_duration_is_a_floor_for_repeated_runs)
{
    plan.duration_s = 1.5;
    learn_n100();
    /* at the start of run 6 (dgemm n = 200, 2 threads): one warm-up of
     * 0.4 ms, then timed passes for max(3 x 0.4 ms, 1.5 s). */
    struct mb_event ev = event(MB_EVENT_RUN_START, 6, 0);
    cr_assert_float_eq(mb_progress_remaining_s(&pr, &ev, 0), 0.0004 + 1.5, 1e-9);
}

Test(progress, nothing_is_left_when_the_last_run_is_done)
{
    learn_n100();
    struct mb_event ev = event(MB_EVENT_RUN_DONE, 6, 0);
    cr_assert_float_eq(mb_progress_remaining_s(&pr, &ev, 1.0), 0.0, 0);
}

Test(progress, rows_of_the_first_naive_pass_give_its_rate)
{
    /* 10 of 100 rows in 1 s: a full pass is 10 s, four would be 40 s, the
     * budget caps it at 10 s, and 1 s is gone: 9 s left, then dgemm. */
    plan.sizes.n = 1;
    struct mb_event ev = event(MB_EVENT_ROWS, 1, 0);
    ev.rows = 10;
    mb_progress_update(&pr, &ev);
    cr_assert(isnan(mb_progress_remaining_s(&pr, &ev, 1.0)), "dgemm's rates are unknown yet");

    mb_progress_init(&pr, &plan, 0.0);
    pass(2, 0.0001);
    pass(3, 0.00005);
    mb_progress_update(&pr, &ev);
    cr_assert_float_eq(mb_progress_remaining_s(&pr, &ev, 1.0), 9.0 + 0.0004 + 0.0002, 1e-9);
}

/* The line after pass rep (a warm-up or timed) of run 2 that took 0.5 s. */
static void line_after(char *line, size_t cap, size_t rep, bool warmup)
{
    struct mb_event ev = event(MB_EVENT_REP_DONE, 2, 0);
    ev.rep = rep, ev.warmup = warmup, ev.value = 0.5;
    mb_progress_update(&pr, &ev);
    mb_progress_line(&pr, &ev, 42, line, cap);
}

Test(progress, the_line_names_the_run_and_its_pass)
{
    char line[256];
    struct mb_event start = event(MB_EVENT_RUN_START, 2, 0);
    mb_progress_update(&pr, &start);
    line_after(line, sizeof line, 1, true);
    cr_assert(strncmp(line, "[2/6] dgemm n=100 threads=1: warm-up 1 of 1, ", 45) == 0, "%s", line);
    line_after(line, sizeof line, 1, false);
    line_after(line, sizeof line, 2, false);
    cr_assert(strstr(line, "pass 2 of 3, ") != NULL, "%s", line);
    cr_assert(strstr(line, "elapsed 42 s") != NULL, "%s", line);
}

Test(progress, with_a_duration_the_line_counts_timed_seconds)
{
    char line[256];
    plan.duration_s = 20;
    struct mb_event start = event(MB_EVENT_RUN_START, 2, 0);
    mb_progress_update(&pr, &start);
    line_after(line, sizeof line, 1, true); /* the warm-up's 0.5 s do not count */
    line_after(line, sizeof line, 1, false);
    line_after(line, sizeof line, 2, false);
    line_after(line, sizeof line, 3, false);
    cr_assert(strstr(line, "pass 3, 2 of at least 20 s timed") != NULL, "1.5 s rounds to 2: %s",
              line);
}

Test(progress, an_unmeasured_thread_count_borrows_its_kernels_best_rate)
{
    pass(1, 0.002);  /* naive: 1e9 flop/s */
    pass(2, 0.0001); /* dgemm, 1 thread: 2e10 */
    /* run 3 (dgemm, 2 threads) is expected at 2e10 too: 4 x 0.1 ms; then
     * n = 200: naive 0.064 s, dgemm 3.2 ms twice. */
    struct mb_event ev = event(MB_EVENT_RUN_START, 3, 0);
    cr_assert_float_eq(mb_progress_remaining_s(&pr, &ev, 0), 0.0004 + 0.064 + 0.0064, 1e-9);
}

Test(progress, the_line_counts_the_naive_rows)
{
    char line[256];
    struct mb_event ev = event(MB_EVENT_ROWS, 1, 0);
    ev.rows = 12;
    mb_progress_update(&pr, &ev);
    mb_progress_line(&pr, &ev, 1, line, sizeof line);
    cr_assert(strstr(line, "[1/6] naive n=100 threads=1: rows 12 of 100,") != NULL, "%s", line);
}

Test(progress, elapsed_time_reads_as_a_clock)
{
    static const struct {
        double s;
        const char *want;
    } cases[] = {
        {0, "elapsed 0 s"}, {42, "elapsed 42 s"}, {187, "elapsed 3:07"}, {3723, "elapsed 1:02:03"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[256];
        struct mb_event ev = event(MB_EVENT_RUN_START, 1, 0);
        mb_progress_line(&pr, &ev, cases[i].s, line, sizeof line);
        cr_assert(strstr(line, cases[i].want) != NULL, "%g s: %s", cases[i].s, line);
    }
}

Test(progress, the_naive_loop_counts_passes_up_to_warmup_plus_repeat)
{
    /* the time-boxed loop runs at most warm-up 1 + repeat 3 = 4 passes,
     * fewer when its budget runs out, and does not tell them apart */
    char line[256];
    struct mb_event ev = event(MB_EVENT_REP_DONE, 1, 0);
    ev.value = 0.002;
    for (size_t rep = 1; rep <= 2; rep++) {
        ev.rep = rep;
        mb_progress_update(&pr, &ev);
    }
    mb_progress_line(&pr, &ev, 1, line, sizeof line);
    cr_assert(strstr(line, "[1/6] naive n=100 threads=1: pass 2 of at most 4, ") != NULL, "%s",
              line);
}

Test(progress, the_remaining_time_reads_as_a_clock)
{
    plan.duration_s = 60;
    learn_n100();
    /* At the start of run 4 (naive, n = 200): naive 0.064 s (as above,
     * --duration does not stretch the time-boxed loop); dgemm at 1 thread
     * a 0.8 ms warm-up then max(3 x 0.8 ms, 60 s) timed; at 2 threads
     * 0.4 ms then 60 s. 120.0652 s in all: "2:00". */
    struct mb_event ev = event(MB_EVENT_RUN_START, 4, 0);
    cr_assert_float_eq(mb_progress_remaining_s(&pr, &ev, 0), 120.0652, 1e-9);
    char line[256];
    mb_progress_line(&pr, &ev, 0, line, sizeof line);
    cr_assert(strstr(line, "remaining ~2:00") != NULL, "%s", line);
}
