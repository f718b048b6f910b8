/* A plan: its defaults, the kernels and groups it runs, what it holds in
 * memory, and the configurations it runs in order. */
#include "matbench/plan.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/matrix.h"
#include "plan/plan_internal.h"

void mb_plan_defaults(struct mb_plan *p)
{
    memset(p, 0, sizeof *p);
    p->sizes.v[0] = MB_DEFAULT_N;
    p->sizes.n = 1;
    p->kernels.v[0] = mb_kernel_with(MB_BASELINE);
    p->kernels.v[1] = mb_kernel_with(MB_REFERENCE);
    p->kernels.n = 2;
    p->repeat = MB_DEFAULT_REPEAT;
    p->warmup = MB_DEFAULT_WARMUP;
    p->naive_budget_s = MB_DEFAULT_BUDGET_S;
    p->min_time_s = MB_DEFAULT_MIN_TIME_S;
    p->seed = MB_DEFAULT_SEED;
    p->nrhs = 1;
    p->layout = MB_LAYOUT_COL;
    p->verify = true;
}

double mb_plan_wall_min_s(const struct mb_plan *p)
{
    return p->duration_s > p->min_time_s ? p->duration_s : p->min_time_s;
}

/* Whether the plan runs every kernel of the group called name. */
bool mb_plan_has_group(const struct mb_plan *p, const char *name)
{
    unsigned bit = mb__plan_group_bit(name);
    if (bit == 0)
        return false;
    for (size_t i = 0; i < mb_kernel_count(); i++) {
        const struct mb_kernel *k = mb_kernel_at(i);
        bool found = !(k->groups & bit);
        for (size_t j = 0; j < p->kernels.n && !found; j++)
            found = p->kernels.v[j] == k;
        if (!found)
            return false;
    }
    return true;
}

/* What the plan holds in memory at size n: A and C always, B when a kernel
 * multiplies (MB_GEMM), the most work matrices any kernel asks for, pivots
 * and tau for the LAPACK kernels, two n x nrhs blocks of right-hand sides
 * for a solve; and, not allocated by matbench but there while a LAPACK
 * kernel runs row-major, LAPACKE's transposed copies of its inputs.
 * Returns MB_USAGE when a count does not fit in 64 bits. */
enum mb_status mb_plan_memory(const struct mb_plan *p, size_t n, struct mb_memory *m)
{
    *m = (struct mb_memory){.matrices = 2};
    size_t scratch = 0; /* per worker, the most any kernel asks for */
    for (size_t i = 0; i < p->kernels.n; i++) {
        const struct mb_kernel *k = p->kernels.v[i];
        m->has_b |= (k->traits & MB_GEMM) != 0;
        m->pivots |= (k->traits & MB_LAPACK) != 0;
        m->rhs |= (k->traits & MB_RHS) != 0;
        if (k->work > m->work)
            m->work = k->work;
        if (mb_kernel_scratch_bytes(k, n) > scratch)
            scratch = mb_kernel_scratch_bytes(k, n);
    }
    m->matrices += m->has_b + m->work;
    uint64_t nrhs_elems, vectors = 0, rhs_bytes = 0, one;
    if (mb_matrix_bytes(n, 1, &one) != MB_OK ||
        mb_matrix_bytes(n, m->matrices, &m->bytes) != MB_OK ||
        __builtin_mul_overflow((uint64_t)n, (uint64_t)p->nrhs, &nrhs_elems))
        return MB_USAGE;
    if (m->pivots)
        vectors = (uint64_t)n * (sizeof(int) + sizeof(double));
    if (m->rhs && __builtin_mul_overflow(nrhs_elems, 2 * sizeof(double), &rhs_bytes))
        return MB_USAGE;
    int most = 1;
    for (size_t i = 0; i < p->threads.n; i++)
        most = p->threads.v[i] > most ? p->threads.v[i] : most;
    uint64_t scratch_bytes = (uint64_t)scratch * (uint64_t)most; /* both below 2^40 */
    if (__builtin_add_overflow(m->bytes, vectors + rhs_bytes + scratch_bytes, &m->bytes))
        return MB_USAGE;
    if (m->pivots && p->layout == MB_LAYOUT_ROW)
        m->lapacke_bytes = one + rhs_bytes / 2;
    if (__builtin_add_overflow(m->bytes, m->lapacke_bytes, &m->need))
        return MB_USAGE;
    return MB_OK;
}

/* "A, B, C and 2 work matrices" for the header and messages. */
const char *mb_memory_names(const struct mb_memory *m, char *buf, size_t cap)
{
    snprintf(buf, cap, "A, %sC", m->has_b ? "B, " : "");
    size_t len = strlen(buf);
    if (m->work > 0)
        snprintf(buf + len, cap - len, " and %u work matri%s", m->work, m->work == 1 ? "x" : "ces");
    return buf;
}

/* Checks, before anything is allocated, that what the plan needs at its
 * largest size (mb_plan_memory) fits in available_bytes (MemAvailable). The
 * message gives the need, what is there, and the largest N that fits. */
enum mb_status mb_plan_check_memory(const struct mb_plan *p, uint64_t available_bytes,
                                    struct mb_diag *d)
{
    const double gib = 1024.0 * 1024.0 * 1024.0;
    const size_t n = mb_plan_largest_size(p);
    struct mb_memory m;
    /* The largest N that fits, by bisection: need(N) grows with N. */
    unsigned long long lo = 0, hi = (unsigned long long)sqrt((double)available_bytes / 8.0) + 2;
    while (lo < hi) {
        unsigned long long mid = lo + (hi - lo + 1) / 2;
        if (mb_plan_memory(p, (size_t)mid, &m) == MB_OK && m.need <= available_bytes)
            lo = mid;
        else
            hi = mid - 1;
    }
    char names[96];
    enum mb_status st = mb_plan_memory(p, n, &m);
    mb_memory_names(&m, names, sizeof names);
    if (st != MB_OK)
        return mb_diag_set(d, MB_USAGE,
                           "N: '%zu' is too large: %s at %zu x %zu exceed 2^64 bytes "
                           "(largest N here: %llu)",
                           n, names, n, n, lo);
    if (m.need > available_bytes)
        return mb_diag_set(d, MB_USAGE,
                           "N: '%zu' needs %.1f GiB for %s (%u %zu x %zu matrices)%s%s but %.1f "
                           "GiB is available (largest N here: %llu%s)",
                           n, (double)m.need / gib, names, m.matrices, n, n,
                           m.rhs ? ", two blocks of right-hand sides (--nrhs)" : "",
                           m.lapacke_bytes ? " and LAPACKE's row-major copies" : "",
                           (double)available_bytes / gib, lo,
                           m.rhs ? ", or fewer right-hand sides" : "");
    return MB_OK;
}

size_t mb_plan_largest_size(const struct mb_plan *p)
{
    size_t largest = 0;
    for (size_t i = 0; i < p->sizes.n; i++)
        if (p->sizes.v[i] > largest)
            largest = p->sizes.v[i];
    return largest;
}

/* Whether kernel k runs at every thread count of the plan: through the
 * BLAS, or on its own threads or processes. */
bool mb_kernel_sweeps_threads(const struct mb_kernel *k)
{
    return (k->traits & (MB_BLAS_THREADS | MB_THREADS)) != 0;
}

static size_t threads_for(const struct mb_plan *p, const struct mb_kernel *k)
{
    return mb_kernel_sweeps_threads(k) ? p->threads.n : 1;
}

/* The number of configurations the plan runs: every size, every kernel,
 * and for a kernel with threads (BLAS's or its own) every thread count. */
size_t mb_plan_run_count(const struct mb_plan *p)
{
    size_t per_size = 0;
    for (size_t i = 0; i < p->kernels.n; i++)
        per_size += threads_for(p, p->kernels.v[i]);
    return per_size * p->sizes.n;
}

/* The index-th configuration (from 0) in run order: sizes outermost, then
 * kernels, then thread counts. Returns false past the end. */
bool mb_plan_run_at(const struct mb_plan *p, size_t index, struct mb_run_spec *out)
{
    size_t per_size = mb_plan_run_count(p) / (p->sizes.n ? p->sizes.n : 1);
    if (per_size == 0 || index >= per_size * p->sizes.n)
        return false;
    size_t rest = index % per_size;
    out->n = p->sizes.v[index / per_size];
    for (size_t i = 0; i < p->kernels.n; i++) {
        size_t t = threads_for(p, p->kernels.v[i]);
        if (rest < t) {
            out->kernel = p->kernels.v[i];
            out->threads = mb_kernel_sweeps_threads(p->kernels.v[i]) ? p->threads.v[rest] : 1;
            return true;
        }
        rest -= t;
    }
    return false;
}
