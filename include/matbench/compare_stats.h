/* The statistics behind matbench compare OLD.json NEW.json: is NEW really
 * faster? A rank test of the two sets of times, a bootstrap interval of
 * the ratio of their medians, and the verdict drawn from both. Pure
 * arithmetic: no I/O, and allocation only where a sort needs a copy. */
#ifndef MATBENCH_COMPARE_STATS_H
#define MATBENCH_COMPARE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matbench/status.h"

/* The Mann–Whitney U test, two-sided, of sample a against sample b. */
struct mb_mwu {
    double u_a; /* pairs (a[i], b[j]) with a[i] > b[j], plus half the ties */
    double u_b; /* the same for b over a: u_a + u_b = na * nb */
    double p;   /* two-sided p-value; NAN when it could not be computed */
    bool exact; /* p from the exact null distribution, not the normal one */
};

/* The exact distribution of U is used when neither sample is larger than
 * this and no value occurs twice in a and b together. */
#define MB_MWU_EXACT_MAX 50
enum mb_status mb_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                               struct mb_mwu *out);

/* The caller's defaults for mb_bootstrap_ratio_ci and mb_compare_verdict.
 * The seed is "matbench" in ASCII: any fixed value makes a comparison
 * reproducible; this one is only easy to recognise. */
#define MB_COMPARE_RESAMPLES 10000
#define MB_COMPARE_SEED UINT64_C(0x6d617462656e6368)
#define MB_COMPARE_LEVEL 0.95
#define MB_COMPARE_THRESHOLD 0.02
enum mb_status mb_bootstrap_ratio_ci(const double *old, size_t no, const double *new_, size_t nn,
                                     unsigned resamples, double level, uint64_t seed, double *lo,
                                     double *hi);

double mb_geomean(const double *x, size_t n);

/* What a comparison of median times concludes (mb_compare_verdict). */
enum mb_verdict { MB_VERDICT_SAME, MB_VERDICT_FASTER, MB_VERDICT_SLOWER };
enum mb_verdict mb_compare_verdict(double ratio, double lo, double hi, double threshold);

#endif /* MATBENCH_COMPARE_STATS_H */
