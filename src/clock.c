/* Monotonic wall time and process CPU time, in seconds. */
#include "matbench/clock.h"

#include <sys/resource.h>
#include <time.h>

/* Seconds on the monotonic clock (not affected by clock adjustments). */
double mb_clock_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* User plus system CPU seconds of the whole process, all its threads
 * (getrusage RUSAGE_SELF): divided by wall time it gives the cores kept busy. */
double mb_clock_cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}
