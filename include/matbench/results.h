/* The measured results of a run, one per kernel x size x threads, and the
 * figures derived across them (speed-up over the naive loop, parallel
 * efficiency). Produced by the runner, read by the reporters. */
#ifndef MATBENCH_RESULTS_H
#define MATBENCH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "matbench/kernels.h"
#include "matbench/monitor.h"
#include "matbench/peak.h"
#include "matbench/stats.h"
#include "matbench/status.h"

/* Fields that may be unknown hold NAN (JSON null, CSV empty). */
struct mb_result {
    const struct mb_kernel *kernel;
    size_t n;
    int threads;
    unsigned repeat, warmup; /* what was actually run */
    struct mb_stats time_s;  /* seconds for the full n x n product: one call */
    double gflops;           /* from the median time */
    double cores_busy;       /* process CPU time / wall time, timed region */
    double speedup_vs_naive; /* NAN when no baseline ran at this n */
    double efficiency;       /* vs this kernel at 1 thread; NAN when absent */
    bool verified;
    double residual;  /* worst scaled error (see verify.h); NAN when skipped */
    bool estimated;   /* time_s extrapolated from rows_done rows */
    size_t rows_done; /* rows of C computed (n when complete) */
    /* From the monitor over the timed region (ncpus 0 and max_threads_seen
     * -1 when it did not run): each logical CPU's busy fraction, machine
     * wide, NAN where unknown; the process's largest thread count. */
    size_t ncpus;
    double per_core_busy[MB_MONITOR_MAX_CPUS];
    int max_threads_seen;
    double peak_fraction; /* gflops over the FMA peak for these threads; NAN without one */
    int pids[MB_KERNEL_MAX_WORKERS]; /* MB_PROCS: the worker processes of the last pass */
    size_t npids;

    unsigned calls_per_sample; /* calls timed together in each sample (time_s is one call's) */
    /* The timed samples time_s summarises, seconds for one call each, in
     * the order measured (malloc'd when the runner stores the result;
     * mb_results_free frees them). NULL, 0: none kept. */
    double *samples;
    size_t nsamples;
};

struct mb_results {
    struct mb_result *items;
    size_t count, cap;
};

enum mb_status mb_results_add(struct mb_results *r, const struct mb_result *x, struct mb_diag *d);
const struct mb_result *mb_results_find(const struct mb_results *rs, const struct mb_kernel *k,
                                        size_t n, int threads);
void mb_results_derive(struct mb_results *r);
void mb_results_apply_peak(struct mb_results *r, const struct mb_peak *pk);
void mb_results_free(struct mb_results *r);

#endif /* MATBENCH_RESULTS_H */
