/* Executes a plan: allocates and fills the matrices once, then for each
 * kernel and thread count runs the warm-ups and timed repetitions, measures
 * wall and CPU time, and verifies the result. It reports progress through a
 * callback and never prints. */
#ifndef MATBENCH_RUNNER_H
#define MATBENCH_RUNNER_H

#include <signal.h>
#include <stddef.h>

#include "matbench/plan.h"
#include "matbench/results.h"
#include "matbench/status.h"

enum mb_event_kind {
    MB_EVENT_FILL,      /* matrices filled: seconds in value */
    MB_EVENT_RUN_START, /* a configuration starts */
    MB_EVENT_RUN_DONE,  /* a configuration finished: result is set */
};

struct mb_event {
    enum mb_event_kind kind;
    size_t index, total; /* configuration index (from 1) of total */
    const struct mb_kernel *kernel;
    size_t n;
    int threads;
    double value;
    const struct mb_result *result;
};

typedef void mb_progress_fn(const struct mb_event *ev, void *user);

struct mb_runner_hooks {
    mb_progress_fn *progress; /* may be NULL */
    void *user;
    const volatile sig_atomic_t *stop; /* set asynchronously to stop early; may be NULL */
};

enum mb_status mb_runner_run(const struct mb_plan *plan, const struct mb_runner_hooks *hooks,
                             struct mb_results *results, struct mb_diag *d);

#endif /* MATBENCH_RUNNER_H */
