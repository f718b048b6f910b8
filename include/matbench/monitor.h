/* The monitor: how busy each logical CPU was (from /proc/stat) and how many
 * threads the process had (from /proc/self/status) while a kernel ran. A
 * background thread samples both several times a second; the runner marks
 * each timed region with a begin and an end snapshot. */
#ifndef MATBENCH_MONITOR_H
#define MATBENCH_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "matbench/status.h"

/* How often the command line's monitor samples: 10 a second. */
#define MB_MONITOR_INTERVAL_S 0.1

/* Logical CPUs the monitor follows: ids 0 .. MB_MONITOR_MAX_CPUS - 1. */
#define MB_MONITOR_MAX_CPUS 256

/* One CPU's counters from a "cpuN" line of /proc/stat, in clock ticks. */
struct mb_cpu_times {
    int id;
    uint64_t busy;  /* user + nice + system + irq + softirq */
    uint64_t total; /* busy + idle + iowait + steal */
};

/* Every CPU listed in one reading of /proc/stat, in the order listed
 * (offline CPUs are absent, so ids may have gaps). */
struct mb_cpustat {
    size_t count;
    struct mb_cpu_times cpu[MB_MONITOR_MAX_CPUS];
};

/* Fewer ticks than this per CPU over a region (10 ms each at the usual
 * USER_HZ of 100) make its busy fraction unknown rather than a guess. */
#define MB_MONITOR_MIN_TICKS 10

/* What the monitor saw over one region: busy[i] for logical CPU i
 * (NAN when unknown: the CPU was offline at either end, or the region was
 * too short to measure), ncpus = highest id seen + 1, and the largest
 * thread count of the process (-1 when unknown). */
struct mb_monitor_region {
    size_t ncpus;
    double busy[MB_MONITOR_MAX_CPUS];
    int max_threads;
};

/* A sample, as the live view receives it: each CPU's busy fraction since
 * the previous sample and the process's thread count now. */
struct mb_monitor_sample {
    size_t ncpus;
    const double *busy;
    int threads;
};

typedef void mb_monitor_sample_fn(const struct mb_monitor_sample *s, void *user);

struct mb_monitor;

enum mb_status mb_procstat_parse(const char *text, struct mb_cpustat *out, struct mb_diag *d);
int mb_proc_threads_parse(const char *status_text);
void mb_cpustat_busy(const struct mb_cpustat *before, const struct mb_cpustat *after,
                     size_t min_ticks, double *busy, size_t *ncpus);
double mb_busy_sum(const double *busy, size_t ncpus);

enum mb_status mb_monitor_start(double interval_s, mb_monitor_sample_fn *fn, void *user,
                                struct mb_monitor **out, struct mb_diag *d);
void mb_monitor_begin(struct mb_monitor *m);
void mb_monitor_end(struct mb_monitor *m, struct mb_monitor_region *out);
void mb_monitor_stop(struct mb_monitor *m, size_t *samples, double *cpu_s);

#endif /* MATBENCH_MONITOR_H */
