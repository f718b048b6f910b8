/* What to run: size, thread counts, kernels and measurement settings, from
 * defaults and flags. Parsing functions here are the ones the command line
 * uses; each rejects bad text with a one-line message naming the value. */
#ifndef MATBENCH_PLAN_H
#define MATBENCH_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matbench/kernels.h"
#include "matbench/status.h"

#define MB_PLAN_MAX_THREADS 64 /* entries in a thread list */
#define MB_PLAN_MAX_KERNELS 16
#define MB_N_MAX 2147483647ULL /* BLAS integers are 32-bit (blasint = int) */
#define MB_DEFAULT_N 2000
#define MB_DEFAULT_REPEAT 3
#define MB_DEFAULT_WARMUP 1
#define MB_DEFAULT_BUDGET_S 10.0
#define MB_DEFAULT_SEED 20260101ULL
#define MB_REPEAT_MAX 1000000
#define MB_WARMUP_MAX 1000000
#define MB_BUDGET_MAX_S 1e6

enum mb_format { MB_FORMAT_TABLE, MB_FORMAT_CSV, MB_FORMAT_JSON };

enum mb_threads_source { MB_THREADS_DEFAULT, MB_THREADS_ENV, MB_THREADS_FLAG };

struct mb_plan {
    size_t n;
    int threads[MB_PLAN_MAX_THREADS];
    size_t nthreads;
    enum mb_threads_source threads_source;
    const struct mb_kernel *kernels[MB_PLAN_MAX_KERNELS];
    size_t nkernels;
    unsigned repeat, warmup;
    double naive_budget_s; /* 0 = run time-boxed kernels in full */
    uint64_t seed;
    bool verify;
    enum mb_format format;
    const char *output; /* NULL = stdout */
    bool quiet;
};

void mb_plan_defaults(struct mb_plan *p);
enum mb_status mb_parse_size(const char *s, size_t *n, struct mb_diag *d);
enum mb_status mb_parse_threads(const char *s, int max_threads, int physical_cores, int *out,
                                size_t cap, size_t *count, struct mb_diag *d);
enum mb_status mb_parse_kernels(const char *s, const struct mb_kernel **out, size_t cap,
                                size_t *count, struct mb_diag *d);
enum mb_status mb_parse_uint(const char *what, const char *s, unsigned min, unsigned max,
                             unsigned *out, struct mb_diag *d);
enum mb_status mb_parse_u64(const char *what, const char *s, uint64_t *out, struct mb_diag *d);
enum mb_status mb_parse_seconds(const char *what, const char *s, double max, double *out,
                                struct mb_diag *d);
enum mb_status mb_parse_format(const char *s, enum mb_format *out, struct mb_diag *d);
const char *mb_format_name(enum mb_format f);
enum mb_status mb_plan_default_threads(const char *env, int max_threads, int physical_cores,
                                       int *out, size_t cap, size_t *count,
                                       enum mb_threads_source *source, struct mb_diag *d);
enum mb_status mb_plan_check_memory(size_t n, uint64_t available_bytes, struct mb_diag *d);

#endif /* MATBENCH_PLAN_H */
