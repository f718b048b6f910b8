/* The `simd` step of the hand-written GEMM ladder: Goto's algorithm as BLIS
 * lays it out (packed panels of A and B, five loops around a register-blocked
 * micro-kernel), with an AVX-512, an AVX2+FMA and a portable micro-kernel
 * chosen at run time, so one binary runs on any x86-64. mb_rows_simd_ex
 * takes the one to use, for tests and benchmarks. */
#ifndef MATBENCH_SIMD_H
#define MATBENCH_SIMD_H

#include <stddef.h>

#include "matbench/ladder.h"
#include "matbench/peak.h"
#include "matbench/status.h"

void mb_rows_simd(const double *A, const double *B, double *C, size_t n, size_t begin, size_t end,
                  void *scratch);
void mb_rows_simd_ex(const double *A, const double *B, double *C, size_t n, size_t begin,
                     size_t end, void *scratch, enum mb_isa isa);
size_t mb_simd_block_rows(size_t n);
size_t mb_simd_scratch_bytes(size_t n);
const char *mb_simd_isa_name(void);

/* The step: mb_rows_simd, a block of rows and one scratch per worker. */
extern const struct mb_ladder_step mb_step_simd;
const char *mb_simd_path_name(enum mb_isa isa);
enum mb_status mb_simd_path_isa(const char *name, enum mb_isa *isa, struct mb_diag *d);

#endif /* MATBENCH_SIMD_H */
