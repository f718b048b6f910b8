/* Summary statistics over the timed repetitions of one run. */
#ifndef MATBENCH_STATS_H
#define MATBENCH_STATS_H

#include <stddef.h>

struct mb_stats {
    size_t count;
    double min, median, max, mean, stddev;
};

void mb_stats_compute(const double *samples, size_t count, struct mb_stats *out);

#endif /* MATBENCH_STATS_H */
