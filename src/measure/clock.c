/* Monotonic wall time and process CPU time, in seconds. */
#include "matbench/clock.h"

#include <time.h>

/* Seconds on the monotonic clock (not affected by clock adjustments). */
double mb_clock_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the whole process, all its threads: divided by wall time
 * it gives the cores kept busy. CLOCK_PROCESS_CPUTIME_ID comes from the
 * scheduler's per-thread runtime in nanoseconds; getrusage's figures are
 * sampled at the timer tick and over-count by whole ticks on runs of a few
 * milliseconds (2.6 "cores busy" on a 2-core machine). */
double mb_clock_cpu_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
