/* Comparison statistics: Mann–Whitney U, the bootstrap interval of a ratio
 * of medians, the geometric mean and the verdict. */
#include "matbench/compare_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool any_nan(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]))
            return true;
    return false;
}

/* ---- Mann–Whitney U -------------------------------------------------- */

/* P(U <= k) under the null hypothesis for samples of m and n values with
 * no ties, into *p. The count f(i, j, u) of orderings of i values of a and
 * j of b with U = u follows Mann & Whitney's recurrence (Ann. Math.
 * Statist. 18(1), 1947): the largest value is either an a, above all j
 * b's, or a b, above none, so f(i, j, u) = f(i - 1, j, u - j) + f(i, j - 1, u).
 * Counts are kept in doubles: every step is a sum of positive terms, so the
 * relative error stays near the rounding unit even where the counts pass
 * 2^53 (C(100, 50) is about 1e29). Only u <= k is needed, as the
 * recurrence reads no larger u. MB_NOMEM when the table cannot be had. */
static enum mb_status exact_cdf(size_t m, size_t n, size_t k, double *p)
{
    if (m > n) { /* U's distribution is the same for (m, n) and (n, m) */
        size_t t = m;
        m = n;
        n = t;
    }
    size_t w = k + 1; /* one row per i = 0..m, over u = 0..k */
    double *f = calloc((m + 1) * w, sizeof *f);
    if (f == NULL)
        return MB_NOMEM;
    for (size_t i = 0; i <= m; i++)
        f[i * w] = 1; /* j = 0: U is 0 */
    for (size_t j = 1; j <= n; j++)
        for (size_t i = 1; i <= m; i++) /* row i - 1 already holds j */
            for (size_t u = j; u <= k; u++)
                f[i * w + u] += f[(i - 1) * w + u - j];
    double count = 0, total = 1;
    for (size_t u = 0; u <= k; u++)
        count += f[m * w + u];
    for (size_t t = 1; t <= m; t++) /* C(m + n, m), exact while it fits */
        total = total * (double)(n + t) / (double)t;
    free(f);
    *p = count / total;
    return MB_OK;
}

/* Fills out with the Mann–Whitney U statistics of a (na values) against b
 * (nb values) and the two-sided p-value of the hypothesis that both come
 * from the same distribution. u_a counts the pairs with a[i] > b[j] plus
 * half the pairs with a[i] == b[j]; u_b = na * nb - u_a.
 *
 * Without ties (no value twice in a and b together) and with na, nb <=
 * MB_MWU_EXACT_MAX, p is exact: min(1, 2 min(P(U <= u_a), P(U >= u_a))),
 * from the exact distribution (exact_cdf; it is symmetric about na nb / 2,
 * so that is 2 P(U <= min(u_a, u_b))). Otherwise p comes from the normal
 * approximation as scipy.stats.mannwhitneyu(method="asymptotic",
 * use_continuity=True) computes it: U = max(u_a, u_b), mean na nb / 2,
 * variance na nb / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1))) with N = na + nb
 * and t the size of each group of tied values (the tie correction),
 * z = (U - mean - 0.5) / sd (the continuity correction), p = min(1, 2 (1 -
 * Phi(z))). When every value is the same, p is 1.
 *
 * MB_USAGE, with p NAN and the U statistics 0, when a sample is empty or
 * holds a NAN; MB_NOMEM, with p NAN, when the sorted copies (na + nb
 * doubles) or the exact table cannot be allocated. The samples are not
 * modified. */
enum mb_status mb_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                               struct mb_mwu *out)
{
    *out = (struct mb_mwu){.u_a = 0, .u_b = 0, .p = NAN, .exact = false};
    if (na == 0 || nb == 0 || any_nan(a, na) || any_nan(b, nb))
        return MB_USAGE;
    if (na > SIZE_MAX / sizeof(double) - nb)
        return MB_NOMEM;
    double *sa = malloc((na + nb) * sizeof *sa);
    if (sa == NULL)
        return MB_NOMEM;
    double *sb = sa + na;
    memcpy(sa, a, na * sizeof *sa);
    memcpy(sb, b, nb * sizeof *sb);
    qsort(sa, na, sizeof *sa, cmp_double);
    qsort(sb, nb, sizeof *sb, cmp_double);
    bool all_equal = sa[0] == sa[na - 1] && sb[0] == sb[nb - 1] && sa[0] == sb[0];

    /* Each distinct value in ascending order: its ca copies in a are above
     * the b's already passed and tied with its cb copies in b. */
    double u_a = 0, ties = 0; /* ties: the sum of t^3 - t over tied groups */
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        double v = j == nb || (i < na && sa[i] < sb[j]) ? sa[i] : sb[j];
        size_t ca = 0, cb = 0;
        for (; i < na && sa[i] == v; i++)
            ca++;
        for (; j < nb && sb[j] == v; j++)
            cb++;
        u_a += (double)ca * ((double)(j - cb) + 0.5 * (double)cb);
        double t = (double)(ca + cb);
        ties += t * t * t - t;
    }
    free(sa);

    double nab = (double)na * (double)nb;
    out->u_a = u_a;
    out->u_b = nab - u_a;
    if (all_equal) {
        out->p = 1;
        return MB_OK;
    }
    if (ties == 0 && na <= MB_MWU_EXACT_MAX && nb <= MB_MWU_EXACT_MAX) {
        double cdf;
        enum mb_status st = exact_cdf(na, nb, (size_t)fmin(out->u_a, out->u_b), &cdf);
        if (st != MB_OK)
            return st;
        out->p = fmin(1.0, 2.0 * cdf);
        out->exact = true;
        return MB_OK;
    }
    double n = (double)na + (double)nb;
    double var = nab / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
    double z = (fmax(out->u_a, out->u_b) - nab / 2.0 - 0.5) / sqrt(var);
    out->p = fmin(1.0, erfc(z / sqrt(2.0))); /* 2 (1 - Phi(z)) */
    return MB_OK;
}

/* ---- bootstrap ------------------------------------------------------- */

/* xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", ACM TOMS 47(4), 2021), its state filled by splitmix64 as
 * the authors recommend: small, fast, and the same stream on every
 * machine, which is what makes a fixed seed reproduce an interval. */
struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* A uniform draw from 0..n-1, n >= 1, without the bias of a plain modulo:
 * Lemire's multiply-and-reject ("Fast random integer generation in an
 * interval", ACM TOMS 29(1), 2019) on the generator's top 32 bits. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    uint64_t m = (rng_next(r) >> 32) * n;
    if ((uint32_t)m < n) {
        uint32_t reject = (0u - n) % n; /* 2^32 mod n */
        while ((uint32_t)m < reject)
            m = (rng_next(r) >> 32) * n;
    }
    return (uint32_t)(m >> 32);
}

/* The k-th smallest of x[0..n-1] (k < n), found in place by Hoare's
 * FIND as Wirth writes it (Algorithms + Data Structures = Programs, 1976):
 * expected linear time, and it leaves x[0..k-1] <= x[k] <= x[k+1..]. Its
 * pivot x[k] is as good as random here, as the values are random draws. */
static double kth_smallest(double *x, size_t n, size_t k)
{
    ptrdiff_t l = 0, r = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    while (l < r) {
        double pivot = x[kk];
        ptrdiff_t i = l, j = r;
        do {
            while (x[i] < pivot)
                i++;
            while (pivot < x[j])
                j--;
            if (i <= j) {
                double t = x[i];
                x[i++] = x[j];
                x[j--] = t;
            }
        } while (i <= j);
        if (j < kk)
            l = i;
        if (kk < i)
            r = j;
    }
    return x[k];
}

/* The median (the mean of the two middle values for an even count, as
 * mb_stats_compute takes it) of n values drawn from x with replacement,
 * drawn into draw[0..n-1]. */
static double resampled_median(const double *x, size_t n, double *draw, struct rng *r)
{
    for (size_t i = 0; i < n; i++)
        draw[i] = x[rng_below(r, (uint32_t)n)];
    size_t k = n / 2;
    double upper = kth_smallest(draw, n, k);
    if (n % 2)
        return upper;
    double lower = draw[0]; /* the largest of the k below the upper middle */
    for (size_t i = 1; i < k; i++)
        if (draw[i] > lower)
            lower = draw[i];
    return 0.5 * (lower + upper);
}

/* The q-quantile of sorted[0..n-1], interpolated linearly between the
 * order statistics around position q (n - 1): Hyndman & Fan's definition
 * 7 (Amer. Statist. 50(4), 1996), the default of R and numpy. */
static double quantile(const double *sorted, size_t n, double q)
{
    double h = q * (double)(n - 1);
    size_t i = (size_t)h;
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + (h - (double)i) * (sorted[i + 1] - sorted[i]);
}

static bool all_positive(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(x[i] > 0) || isinf(x[i]))
            return false;
    return true;
}

/* The percentile bootstrap interval (Efron & Tibshirani, An Introduction
 * to the Bootstrap, 1993, ch. 13) of median(new_) / median(old) at the
 * given level, into *lo and *hi. Each of the resamples draws no values
 * from old, then nn from new_, uniformly with replacement, and takes the
 * ratio of their medians; *lo and *hi are the (1 - level) / 2 and
 * (1 + level) / 2 quantiles of those ratios (definition 7: see quantile).
 * The draws come from xoshiro256** seeded with seed, so the same inputs
 * and seed give the same interval on every machine.
 *
 * MB_USAGE, with *lo and *hi NAN, when a sample is empty, longer than
 * 2^32 - 1 values, or holds a value that is not a positive finite number
 * (these are times), when resamples is 0 or when level is not strictly
 * between 0 and 1; MB_NOMEM, the same, when the resamples ratios and one
 * sample's draw cannot be allocated. The samples are not modified. */
enum mb_status mb_bootstrap_ratio_ci(const double *old, size_t no, const double *new_, size_t nn,
                                     unsigned resamples, double level, uint64_t seed, double *lo,
                                     double *hi)
{
    *lo = *hi = NAN;
    if (no == 0 || nn == 0 || no > UINT32_MAX || nn > UINT32_MAX || resamples == 0 ||
        !(level > 0 && level < 1) || !all_positive(old, no) || !all_positive(new_, nn))
        return MB_USAGE;
    size_t most = no > nn ? no : nn;
    if ((uint64_t)resamples + most > SIZE_MAX / sizeof(double)) /* most < 2^32: no wrap */
        return MB_NOMEM;
    double *ratio = malloc(((size_t)resamples + most) * sizeof *ratio);
    if (ratio == NULL)
        return MB_NOMEM;
    double *draw = ratio + resamples;
    struct rng r;
    rng_seed(&r, seed);
    for (unsigned k = 0; k < resamples; k++) {
        double m_old = resampled_median(old, no, draw, &r);
        ratio[k] = resampled_median(new_, nn, draw, &r) / m_old;
    }
    qsort(ratio, resamples, sizeof *ratio, cmp_double);
    *lo = quantile(ratio, resamples, (1.0 - level) / 2.0);
    *hi = quantile(ratio, resamples, (1.0 + level) / 2.0);
    free(ratio);
    return MB_OK;
}

/* ---- summary and verdict --------------------------------------------- */

/* The geometric mean of x[0..n-1], exp(mean(log x)): the mean that suits
 * ratios (the mean of r and 1/r is 1). NAN when n is 0 or a value is not
 * a positive number. */
double mb_geomean(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] > 0))
            return NAN;
        sum += log(x[i]);
    }
    return exp(sum / (double)n);
}

/* The verdict on ratio, the new median time over the old, with [lo, hi] its
 * confidence interval and threshold the smallest change that counts, as a
 * fraction (MB_COMPARE_THRESHOLD: 2 %). Faster when the whole interval is
 * below 1 and the time fell by more than threshold; slower when the whole
 * interval is above 1 and it rose by more than threshold; the same
 * otherwise: the interval holds 1 (no change is distinguishable from the
 * noise), or the change is too small to matter, or a figure is NAN. */
enum mb_verdict mb_compare_verdict(double ratio, double lo, double hi, double threshold)
{
    if (hi < 1.0 && ratio < 1.0 - threshold)
        return MB_VERDICT_FASTER;
    if (lo > 1.0 && ratio > 1.0 + threshold)
        return MB_VERDICT_SLOWER;
    return MB_VERDICT_SAME;
}
