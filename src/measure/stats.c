/* Summary statistics over repetition times. */
#include "matbench/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Fills out with min, median, max, mean and the sample standard deviation
 * (n - 1 in the denominator; 0 for a single sample) of count >= 1 samples.
 * The samples are not modified (the median sorts a heap copy; if that copy
 * cannot be allocated the median is NAN). With count 0, out is all zeros. */
void mb_stats_compute(const double *samples, size_t count, struct mb_stats *out)
{
    memset(out, 0, sizeof *out);
    out->count = count;
    if (count == 0)
        return;
    double sum = 0.0;
    out->min = out->max = samples[0];
    for (size_t i = 0; i < count; i++) {
        sum += samples[i];
        if (samples[i] < out->min)
            out->min = samples[i];
        if (samples[i] > out->max)
            out->max = samples[i];
    }
    out->mean = sum / (double)count;
    double ss = 0.0;
    for (size_t i = 0; i < count; i++)
        ss += (samples[i] - out->mean) * (samples[i] - out->mean);
    out->stddev = count > 1 ? sqrt(ss / (double)(count - 1)) : 0.0;

    double *sorted = malloc(count * sizeof *sorted);
    if (sorted == NULL) {
        out->median = NAN;
        return;
    }
    memcpy(sorted, samples, count * sizeof *sorted);
    qsort(sorted, count, sizeof *sorted, cmp_double);
    out->median = count % 2 ? sorted[count / 2] : 0.5 * (sorted[count / 2 - 1] + sorted[count / 2]);
    free(sorted);
}
