/* Square row-major matrices of doubles: 64-byte aligned allocation, the
 * memory-need check made before any allocation, and the deterministic
 * parallel random fill (a counter-based PRNG, so the same seed gives the same
 * matrix whatever the number of threads). */
#ifndef MATBENCH_MATRIX_H
#define MATBENCH_MATRIX_H

#include <stddef.h>
#include <stdint.h>

#include "matbench/machine.h" /* mb_mem_available, for the memory check */
#include "matbench/status.h"

#define MB_MATRIX_ALIGN 64

/* Streams of the PRNG: A, B and the right-hand sides of a solve are
 * independent from one seed. */
enum { MB_STREAM_A = 1, MB_STREAM_B = 2, MB_STREAM_RHS = 3 };

enum mb_status mb_matrix_bytes(uint64_t n, unsigned count, uint64_t *bytes);
double *mb_matrix_alloc(size_t rows, size_t cols);
void mb_matrix_free(double *m);
double *mb_matrix_alloc_shared(size_t rows, size_t cols);
void mb_matrix_free_shared(double *m, size_t rows, size_t cols);
double mb_prng_value(uint64_t seed, uint64_t stream, uint64_t index);
void mb_matrix_fill(double *m, size_t rows, size_t cols, uint64_t seed, uint64_t stream,
                    unsigned nthreads);
unsigned mb_fill_threads(void);

#endif /* MATBENCH_MATRIX_H */
