/* The result list and the figures derived across results. */
#include "matbench/results.h"

#include <math.h>
#include <stdlib.h>

/* Appends a copy of x. Returns MB_NOMEM when the list cannot grow. */
enum mb_status mb_results_add(struct mb_results *r, const struct mb_result *x, struct mb_diag *d)
{
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        struct mb_result *items = realloc(r->items, cap * sizeof *items);
        if (items == NULL)
            return mb_diag_set(d, MB_NOMEM, "cannot store %zu results", cap);
        r->items = items;
        r->cap = cap;
    }
    r->items[r->count++] = *x;
    return MB_OK;
}

/* The first result of kernel k (NULL: any kernel) at size n on threads
 * threads (0: any thread count), in run order; NULL when none matches. */
const struct mb_result *mb_results_find(const struct mb_results *rs, const struct mb_kernel *k,
                                        size_t n, int threads)
{
    for (size_t i = 0; i < rs->count; i++) {
        const struct mb_result *x = &rs->items[i];
        if (x->n == n && (k == NULL || x->kernel == k) && (threads == 0 || x->threads == threads))
            return x;
    }
    return NULL;
}

/* Sets, for every result that computes the same product (MB_GEMM), the
 * speed-up over the baseline kernel (the naive loop) at the same n, and
 * the parallel efficiency against the same kernel at one thread: t1 / (t * threads). Both are NAN
 * when their reference did not run. Ratios use median times. */
void mb_results_derive(struct mb_results *r)
{
    const struct mb_kernel *baseline = mb_kernel_with(MB_BASELINE);
    for (size_t i = 0; i < r->count; i++) {
        struct mb_result *x = &r->items[i];
        const struct mb_result *base =
            baseline != NULL ? mb_results_find(r, baseline, x->n, 0) : NULL;
        const struct mb_result *one = mb_results_find(r, x->kernel, x->n, 1);
        x->speedup_vs_naive = base != NULL && (x->kernel->traits & MB_GEMM)
                                  ? base->time_s.median / x->time_s.median
                                  : NAN;
        x->efficiency =
            one != NULL ? one->time_s.median / (x->time_s.median * (double)x->threads) : NAN;
    }
}

/* Sets every result's share of the measured peak that applies to its
 * thread count (mb_peak_for_threads); NAN for all when pk is NULL. */
void mb_results_apply_peak(struct mb_results *r, const struct mb_peak *pk)
{
    for (size_t i = 0; i < r->count; i++) {
        struct mb_result *x = &r->items[i];
        double peak = mb_peak_for_threads(pk, x->threads);
        x->peak_fraction = peak > 0 ? x->gflops / peak : NAN;
    }
}

/* Releases the list and leaves it empty, ready for reuse. */
void mb_results_free(struct mb_results *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->items[i].samples);
    free(r->items);
    r->items = NULL;
    r->count = r->cap = 0;
}
