/* The progress line a run shows on a terminal: which configuration of how
 * many, the repetition or the rows done, the elapsed time and an estimate of
 * the time remaining, from the rates measured so far. Pure formatting: the
 * command line decides where and whether to print it. */
#ifndef MATBENCH_PROGRESS_H
#define MATBENCH_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "matbench/plan.h"
#include "matbench/runner.h"

struct mb_progress {
    const struct mb_plan *plan;
    double start_s;                                        /* the run's start */
    double rate[MB_PLAN_MAX_KERNELS][MB_PLAN_MAX_THREADS]; /* flop/s, 0 = unknown */
    double fill_rate;                                      /* doubles/s, 0 = unknown */
    size_t done_reps;                                      /* passes of this config */
    double timed_s;                                        /* timed seconds of this config so far */
    size_t rows;                                           /* time-boxed rows so far */
};

void mb_progress_init(struct mb_progress *pr, const struct mb_plan *p, double now_s);
void mb_progress_update(struct mb_progress *pr, const struct mb_event *ev);
double mb_progress_remaining_s(const struct mb_progress *pr, const struct mb_event *ev,
                               double now_s);
void mb_progress_line(const struct mb_progress *pr, const struct mb_event *ev, double now_s,
                      char *buf, size_t cap);

#endif /* MATBENCH_PROGRESS_H */
