/* What to run: sizes, thread counts, kernels and measurement settings, from
 * defaults and flags. Parsing functions here are the ones the command line
 * uses; each rejects bad text with a one-line message naming the value. */
#ifndef MATBENCH_PLAN_H
#define MATBENCH_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matbench/format.h"
#include "matbench/kernels.h"
#include "matbench/status.h"

#define MB_PLAN_MAX_THREADS 64 /* entries in a thread list */
#define MB_PLAN_MAX_KERNELS 16
#define MB_PLAN_MAX_SIZES 64
#define MB_N_MAX 2147483647ULL /* BLAS integers are 32-bit (blasint = int) */
#define MB_DEFAULT_N 2000
#define MB_DEFAULT_REPEAT 3
#define MB_DEFAULT_WARMUP 1
#define MB_DEFAULT_BUDGET_S 10.0
#define MB_DEFAULT_SEED 20260101ULL
#define MB_REPEAT_MAX 1000000
#define MB_WARMUP_MAX 1000000
#define MB_BUDGET_MAX_S 1e6
#define MB_DURATION_MAX_S 1e6
/* Each repeated configuration is timed for at least this much wall time
 * by default (--min-time; as Google Benchmark's min_time): three samples
 * of a few milliseconds are the machine's noise, not its speed. */
#define MB_DEFAULT_MIN_TIME_S 0.25
#define MB_NRHS_MAX 1000000 /* right-hand sides of dgesv */

/* How the LAPACK kernels store their matrices: column-major, as LAPACK
 * does, or row-major, which LAPACKE transposes into a copy and back. */
enum mb_layout { MB_LAYOUT_COL, MB_LAYOUT_ROW };

/* Where the thread list came from; LADDER: the ladder's default, 1 and the
 * physical cores. */
enum mb_threads_source {
    MB_THREADS_DEFAULT,
    MB_THREADS_ENV,
    MB_THREADS_FLAG,
    MB_THREADS_CONFIG,
    MB_THREADS_LADDER
};

/* The three lists of a plan, each its entries v[0..n) in the order given;
 * a parser that fails leaves n at 0. */
struct mb_size_list {
    size_t v[MB_PLAN_MAX_SIZES];
    size_t n;
};
struct mb_thread_list {
    int v[MB_PLAN_MAX_THREADS];
    size_t n;
};
struct mb_kernel_list {
    const struct mb_kernel *v[MB_PLAN_MAX_KERNELS];
    size_t n;
};

struct mb_plan {
    struct mb_size_list sizes; /* run in this order */
    struct mb_thread_list threads;
    enum mb_threads_source threads_source;
    struct mb_kernel_list kernels;
    unsigned repeat, warmup;
    double naive_budget_s; /* 0 = run time-boxed kernels in full */
    double duration_s;     /* keep each repeated (BLAS) configuration busy this long; 0 = off */
    double min_time_s;     /* time each repeated configuration at least this long; 0 = off */
    uint64_t seed;
    unsigned nrhs;         /* right-hand sides for dgesv (--nrhs) */
    enum mb_layout layout; /* of the LAPACK kernels (--layout) */
    bool verify;
};

/* What a plan holds in memory at one size (mb_plan_memory). */
struct mb_memory {
    unsigned matrices;      /* n x n matrices matbench allocates */
    bool has_b;             /* B among them (a kernel multiplies) */
    unsigned work;          /* work matrices among them (LAPACK kernels) */
    bool pivots;            /* pivots and tau, n each (LAPACK kernels) */
    bool rhs;               /* two n x nrhs blocks of right-hand sides (a solve) */
    uint64_t bytes;         /* all matbench allocates: matrices, pivots, right-hand sides */
    uint64_t lapacke_bytes; /* LAPACKE's transposed copies with --layout row */
    uint64_t need;          /* bytes + lapacke_bytes */
};

/* One configuration of a plan: a kernel at one size and thread count. */
struct mb_run_spec {
    const struct mb_kernel *kernel;
    size_t n;
    int threads;
};

void mb_plan_defaults(struct mb_plan *p);
enum mb_status mb_parse_size(const char *s, size_t *n, struct mb_diag *d);
enum mb_status mb_parse_sizes(const char *s, struct mb_size_list *out, struct mb_diag *d);
enum mb_status mb_parse_threads(const char *s, int max_threads, int physical_cores,
                                struct mb_thread_list *out, struct mb_diag *d);
enum mb_status mb_parse_kernels(const char *s, struct mb_kernel_list *out, struct mb_diag *d);
enum mb_status mb_parse_uint(const char *what, const char *s, unsigned min, unsigned max,
                             unsigned *out, struct mb_diag *d);
enum mb_status mb_parse_u64(const char *what, const char *s, uint64_t *out, struct mb_diag *d);
enum mb_status mb_parse_seconds(const char *what, const char *s, double max, double *out,
                                struct mb_diag *d);
enum mb_status mb_parse_percent(const char *what, const char *s, double max, double *out,
                                struct mb_diag *d);
enum mb_status mb_plan_default_threads(const char *env, int max_threads, int physical_cores,
                                       struct mb_thread_list *out, enum mb_threads_source *source,
                                       struct mb_diag *d);
enum mb_status mb_plan_resolve_threads(struct mb_plan *p, const char *env, int max_threads,
                                       int usable_cores, struct mb_diag *d);
enum mb_status mb_parse_layout(const char *s, enum mb_layout *out, struct mb_diag *d);
const char *mb_layout_name(enum mb_layout l);
enum mb_status mb_plan_memory(const struct mb_plan *p, size_t n, struct mb_memory *m);
const char *mb_memory_names(const struct mb_memory *m, char *buf, size_t cap);
enum mb_status mb_plan_check_memory(const struct mb_plan *p, uint64_t available_bytes,
                                    struct mb_diag *d);
size_t mb_plan_largest_size(const struct mb_plan *p);
bool mb_kernel_sweeps_threads(const struct mb_kernel *k);
bool mb_plan_has_group(const struct mb_plan *p, const char *name);

/* The least wall time each repeated configuration is timed for: the larger
 * of --duration and --min-time. */
double mb_plan_wall_min_s(const struct mb_plan *p);
size_t mb_plan_run_count(const struct mb_plan *p);
bool mb_plan_run_at(const struct mb_plan *p, size_t index, struct mb_run_spec *out);

#endif /* MATBENCH_PLAN_H */
