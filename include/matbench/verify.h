/* Verification of C = A*B against bounds from rounding-error analysis
 * (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., §3.1:
 * a computed dot product of length n satisfies |c^ - c| <= gamma_n sum|a||b|,
 * gamma_n = n*u/(1 - n*u), u = 2^-53; §3.5: |C^ - AB| <= gamma_n |A||B|).
 * What the row check catches anywhere: mb_verify_row_reach. */
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
/* Column groups of the row check: each row is checked on this many blocks
 * of columns, so an error has to stand out of the rounding of n/8 columns,
 * not n (see mb_verify_row_reach). */
#define MB_VERIFY_GROUPS 8

/* The checks of mb_verify_gemm_ex (mb_verify_gemm runs both). */
enum { MB_VERIFY_SAMPLED = 1, MB_VERIFY_ROWS = 2 };

struct mb_verify {
    bool ok;
    double residual;  /* |error| / (n*u*scale) of the comparison furthest past its limit */
    double limit;     /* that comparison's pass limit: MB_VERIFY_GAMMA for entries,
                         mb_verify_row_limit(n) for the row check */
    size_t checked;   /* entries (or row groups) compared */
    const char *what; /* what the worst figure came from */
    size_t i, j;      /* the worst entry; j = SIZE_MAX for the row check */
    size_t col_first, col_last; /* the row check's columns */
    double got, want, bound;
};

enum mb_status mb_verify_gemm(size_t n, const double *A, const double *B, const double *C,
                              uint64_t seed, struct mb_verify *out, struct mb_diag *d);
enum mb_status mb_verify_gemm_ex(size_t n, const double *A, const double *B, const double *C,
                                 uint64_t seed, unsigned checks, struct mb_verify *out,
                                 struct mb_diag *d);
size_t mb_verify_samples(size_t n, uint64_t seed, size_t (*ij)[2], size_t cap);
int mb_verify_row_sign(uint64_t seed, size_t j);
double mb_verify_row_limit(size_t n);
double mb_verify_row_reach(size_t n);
enum mb_status mb_verify_rows(size_t n, size_t rows, const double *A, const double *B,
                              const double *C, struct mb_verify *out, struct mb_diag *d);

#endif /* MATBENCH_VERIFY_H */
