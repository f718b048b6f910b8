/* Verification of C = A*B against bounds from rounding-error analysis
 * (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., 3.1:
 * a computed dot product of length n satisfies |c^ - c| <= gamma_n sum|a||b|,
 * gamma_n = n*u/(1 - n*u), u = 2^-53). */
#ifndef MATBENCH_VERIFY_H
#define MATBENCH_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matbench/status.h"

/* Safety factor over n*u: gamma_n is n*u to first order, and the long-double
 * reference adds n*2^-64 relative at most, so a correct product stays below
 * 1.0; twice that leaves room without hiding a wrong entry. */
#define MB_VERIFY_GAMMA 2.0
/* Sampled entries checked against the long-double reference (at least). */
#define MB_VERIFY_SAMPLES 64

struct mb_verify {
    bool ok;
    double residual;  /* worst |error| / (n*u*scale); a pass is <= MB_VERIFY_GAMMA */
    size_t checked;   /* entries (or rows) compared */
    const char *what; /* what the worst figure came from */
    size_t i, j;      /* the worst entry */
    double got, want, bound;
};

enum mb_status mb_verify_gemm(size_t n, const double *A, const double *B, const double *C,
                              uint64_t seed, struct mb_verify *out, struct mb_diag *d);
enum mb_status mb_verify_rows(size_t n, size_t rows, const double *A, const double *B,
                              const double *C, struct mb_verify *out, struct mb_diag *d);

#endif /* MATBENCH_VERIFY_H */
