/* Executes a plan: allocates the matrices once for the largest size, fills
 * them for each size, then for each kernel and thread count runs the
 * warm-ups and timed repetitions, measures wall and CPU time, and verifies
 * the result. It reports progress through a callback and never prints. */
#ifndef MATBENCH_RUNNER_H
#define MATBENCH_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "matbench/monitor.h"
#include "matbench/peak.h"
#include "matbench/plan.h"
#include "matbench/results.h"
#include "matbench/status.h"

/* A timed sample of a repeated kernel lasts at least MB_SAMPLE_MIN_S: a
 * call shorter than that is repeated, k calls timed together (k doubled
 * from 1 until the batch lasts that long, at most MB_CALLS_PER_SAMPLE_MAX),
 * and the sample is the time of one call (the batch over k). */
#define MB_SAMPLE_MIN_S 1e-3
#define MB_CALLS_PER_SAMPLE_MAX (1u << 30)

enum mb_event_kind {
    MB_EVENT_FILL,      /* matrices filled for size n: seconds in value */
    MB_EVENT_RUN_START, /* a configuration starts */
    MB_EVENT_REP_DONE,  /* one pass finished: rep (from 1), warmup, seconds of one call in
                           value, over calls calls */
    MB_EVENT_ROWS,      /* a time-boxed pass has computed rows of n rows */
    MB_EVENT_RUN_DONE,  /* a configuration finished: result is set */
};

struct mb_event {
    enum mb_event_kind kind;
    size_t index, total; /* configuration index (from 1) of total */
    const struct mb_kernel *kernel;
    size_t n;
    int threads;
    double value;
    size_t rep;     /* REP_DONE: the pass's number (from 1) among warm-ups or timed passes */
    bool warmup;    /* REP_DONE: the pass was a warm-up */
    unsigned calls; /* REP_DONE: the calls the pass timed together (value is one call's) */
    size_t rows;    /* ROWS: rows of C computed so far */
    double start_s; /* mb_clock_now_s() when the configuration started */
    const struct mb_result *result;
};

typedef void mb_progress_fn(const struct mb_event *ev, void *user);

struct mb_runner_hooks {
    mb_progress_fn *progress; /* may be NULL */
    void *user;
    const volatile sig_atomic_t *stop; /* set asynchronously to stop early; may be NULL */
    struct mb_monitor *monitor;        /* marks each timed region; may be NULL */
    const struct mb_peak *peak;        /* gives each result its peak_fraction; may be NULL */
};

enum mb_status mb_runner_run(const struct mb_plan *plan, const struct mb_runner_hooks *hooks,
                             struct mb_results *results, struct mb_diag *d);

#endif /* MATBENCH_RUNNER_H */
