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

/* Waits (up to half a second) until the process is idle: OpenBLAS's
 * worker threads keep spinning for a while after each call (its
 * THREAD_TIMEOUT, about 0.1 s) and would otherwise count as busy cores in
 * the next configuration's timed region, one thread or not. Idle means less
 * than 10 % of a core over a 20 ms sleep. The FMA peak waits for the same
 * reason: at start-up the workers spin too. */
void mb_clock_settle(void)
{
    for (int i = 0; i < 25; i++) {
        double cpu0 = mb_clock_cpu_s();
        nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
        if (mb_clock_cpu_s() - cpu0 < 0.002)
            return;
    }
}
