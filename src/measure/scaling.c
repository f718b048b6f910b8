/* Scaling analysis: Karp–Flatt, the Amdahl fit, the crossover size. */
#include "matbench/scaling.h"

#include <math.h>

#include "matbench/plan.h"
#include "matbench/results.h"

double mb_karp_flatt(double speedup, int p)
{
    if (p < 2 || !(speedup > 0) || isinf(speedup))
        return NAN;
    double inv_p = 1.0 / (double)p;
    return (1.0 / speedup - inv_p) / (1.0 - inv_p);
}

/* A point that says something about the serial fraction. */
static bool usable(int p, double s)
{
    return p >= 2 && s > 0 && !isinf(s);
}

double mb_amdahl_serial_fraction(const int *p, const double *speedup, size_t count)
{
    double xy = 0, xx = 0;
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        if (!usable(p[i], speedup[i]))
            continue;
        double inv_p = 1.0 / (double)p[i];
        double x = 1.0 - inv_p, y = 1.0 / speedup[i] - inv_p;
        xy += x * y;
        xx += x * x;
        used++;
    }
    return used >= 2 && xx > 0 ? xy / xx : NAN;
}

bool mb_karp_flatt_grows(const int *p, const double *speedup, size_t count)
{
    double last = NAN;
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        double e = mb_karp_flatt(speedup[i], p[i]);
        if (isnan(e))
            continue;
        if (used > 0 && !(e > last + MB_SCALING_E_GROWS))
            return false;
        last = e;
        used++;
    }
    return used >= 2;
}

double mb_crossover_n(const size_t *n, const double *gain, size_t count, double threshold,
                      bool *below_smallest)
{
    *below_smallest = false;
    bool before = false; /* a size below the threshold came first */
    double n0 = 0, g0 = 0;
    for (size_t i = 0; i < count; i++) {
        if (isnan(gain[i]))
            continue;
        if (gain[i] >= threshold) {
            if (!before) {
                *below_smallest = true;
                return (double)n[i];
            }
            double t = (threshold - g0) / (gain[i] - g0);
            return n0 + t * ((double)n[i] - n0);
        }
        before = true;
        n0 = (double)n[i];
        g0 = gain[i];
    }
    return NAN;
}

size_t mb_scaling_points(const struct mb_results *rs, const struct mb_kernel *k, size_t n, int *p,
                         double *speedup, size_t cap)
{
    const struct mb_result *one = mb_results_find(rs, k, n, 1);
    if (one == NULL || !(one->time_s.median > 0) || cap == 0)
        return 0;
    size_t count = 0;
    int last = 0; /* thread counts taken so far are <= last: ascending, once each */
    for (;;) {
        const struct mb_result *next = NULL;
        for (size_t i = 0; i < rs->count; i++) {
            const struct mb_result *x = &rs->items[i];
            if (x->kernel == k && x->n == n && x->threads > last &&
                (next == NULL || x->threads < next->threads))
                next = x;
        }
        if (next == NULL || count == cap)
            break;
        p[count] = next->threads;
        speedup[count++] = next->time_s.median > 0 ? one->time_s.median / next->time_s.median : NAN;
        last = next->threads;
    }
    return count >= 2 ? count : 0;
}

double mb_scaling_crossover(const struct mb_results *rs, const struct mb_kernel *k,
                            bool *below_smallest, size_t *sizes)
{
    size_t n[MB_PLAN_MAX_SIZES];
    double gain[MB_PLAN_MAX_SIZES];
    size_t count = 0, last = 0;
    *below_smallest = false;
    for (;;) { /* the sizes k ran at, ascending */
        size_t next = 0;
        for (size_t i = 0; i < rs->count; i++)
            if (rs->items[i].kernel == k && rs->items[i].n > last &&
                (next == 0 || rs->items[i].n < next))
                next = rs->items[i].n;
        if (next == 0 || count == MB_PLAN_MAX_SIZES)
            break;
        last = next;
        int p[MB_PLAN_MAX_THREADS];
        double s[MB_PLAN_MAX_THREADS];
        size_t m = mb_scaling_points(rs, k, next, p, s, MB_PLAN_MAX_THREADS);
        if (m == 0)
            continue;
        n[count] = next;
        gain[count++] = s[m - 1]; /* the most threads against one */
    }
    *sizes = count;
    return count >= 1 ? mb_crossover_n(n, gain, count, MB_CROSSOVER_GAIN, below_smallest) : NAN;
}
