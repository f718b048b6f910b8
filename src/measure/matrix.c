/* Matrix allocation, the memory-need check, and the deterministic parallel
 * fill. */
#include "matbench/matrix.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Bytes for count n x n matrices of doubles, into *bytes. Returns MB_USAGE
 * when the product does not fit in 64 bits (no wrap-around). */
enum mb_status mb_matrix_bytes(uint64_t n, unsigned count, uint64_t *bytes)
{
    uint64_t nn, b;
    if (__builtin_mul_overflow(n, n, &nn) || __builtin_mul_overflow(nn, sizeof(double), &b) ||
        __builtin_mul_overflow(b, (uint64_t)count, &b))
        return MB_USAGE;
    *bytes = b;
    return MB_OK;
}

/* Large matrices are placed on 2 MiB boundaries and marked for transparent
 * huge pages: first touch then costs one page fault per 2 MiB instead of per
 * 4 KiB (on this project's VMs a 4 KiB fault costs ~9 us, which made a fresh
 * fill 30 times slower than the generator), and the TLB covers more of the
 * matrix. */
#define MB_HUGE_PAGE ((size_t)2 << 20)
#define MB_HUGE_MIN_BYTES ((size_t)4 << 20)

/* A rows x cols matrix of doubles, 64-byte aligned (a cache line, and an
 * AVX-512 register; 2 MiB for large ones), uninitialised. Returns NULL when
 * the size overflows or memory is short. Free with mb_matrix_free. */
double *mb_matrix_alloc(size_t rows, size_t cols)
{
    size_t elems, bytes;
    if (rows == 0 || cols == 0 || __builtin_mul_overflow(rows, cols, &elems) ||
        __builtin_mul_overflow(elems, sizeof(double), &bytes))
        return NULL;
    size_t align = bytes >= MB_HUGE_MIN_BYTES ? MB_HUGE_PAGE : MB_MATRIX_ALIGN;
    if (bytes > SIZE_MAX - align)
        return NULL;
    bytes = (bytes + align - 1) / align * align;
    double *m = aligned_alloc(align, bytes);
    if (m != NULL && align == MB_HUGE_PAGE)
        (void)madvise(m, bytes, MADV_HUGEPAGE); /* advice only: fine if refused */
    return m;
}

void mb_matrix_free(double *m)
{
    free(m);
}

/* A rows x cols matrix of doubles in memory shared with the processes this
 * one forks (MAP_SHARED | MAP_ANONYMOUS, page aligned), zero-filled.
 * Returns NULL when the size overflows or the mapping fails. Free with
 * mb_matrix_free_shared and the same size. */
double *mb_matrix_alloc_shared(size_t rows, size_t cols)
{
    size_t elems, bytes;
    if (rows == 0 || cols == 0 || __builtin_mul_overflow(rows, cols, &elems) ||
        __builtin_mul_overflow(elems, sizeof(double), &bytes))
        return NULL;
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return m == MAP_FAILED ? NULL : m;
}

void mb_matrix_free_shared(double *m, size_t rows, size_t cols)
{
    if (m != NULL)
        munmap(m, rows * cols * sizeof *m);
}

/* SplitMix64's output function (Steele, Lea, Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014): a bijective mixer whose
 * output passes BigCrush when fed a Weyl sequence. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t stream_key(uint64_t seed, uint64_t stream)
{
    return mix64(seed ^ mix64(stream * 0xD1B54A32D192ED03ULL));
}

/* 52 random bits scaled to [0, 2) then shifted: uniform in [-1, 1) on a grid
 * of 2^-52, every value exact. Zero-mean values make C = A*B cancel, so the
 * verification sees real rounding rather than only growth. */
static inline double to_unit(uint64_t z)
{
    return (double)(z >> 12) * 0x1p-51 - 1.0;
}

/* Element `index` (row-major position) of matrix `stream` for `seed`: a pure
 * function of its arguments, which is what makes the fill independent of the
 * thread count. */
double mb_prng_value(uint64_t seed, uint64_t stream, uint64_t index)
{
    return to_unit(mix64(stream_key(seed, stream) + (index + 1) * 0x9E3779B97F4A7C15ULL));
}

struct fill_job {
    double *m;
    uint64_t key, begin, end;
};

static void fill_range(double *m, uint64_t key, uint64_t begin, uint64_t end)
{
    for (uint64_t i = begin; i < end; i++)
        m[i] = to_unit(mix64(key + (i + 1) * 0x9E3779B97F4A7C15ULL));
}

static void *fill_thread(void *arg)
{
    struct fill_job *job = arg;
    fill_range(job->m, job->key, job->begin, job->end);
    return NULL;
}

#define MB_FILL_MAX_THREADS 256

/* Fills the rows x cols matrix m with mb_prng_value(seed, stream, i) at
 * position i, split into nthreads contiguous ranges (one per thread, the
 * caller taking the last). A thread that cannot be started has its range
 * filled by the caller, so the result is the same in every case. */
void mb_matrix_fill(double *m, size_t rows, size_t cols, uint64_t seed, uint64_t stream,
                    unsigned nthreads)
{
    uint64_t total = (uint64_t)rows * cols;
    uint64_t key = stream_key(seed, stream);
    if (nthreads < 1)
        nthreads = 1;
    if (nthreads > MB_FILL_MAX_THREADS)
        nthreads = MB_FILL_MAX_THREADS;
    if (total < 65536)
        nthreads = 1; /* not worth a thread */

    struct fill_job jobs[MB_FILL_MAX_THREADS];
    pthread_t tids[MB_FILL_MAX_THREADS];
    int started[MB_FILL_MAX_THREADS] = {0};
    for (unsigned t = 0; t < nthreads; t++) {
        jobs[t] = (struct fill_job){m, key, total * t / nthreads, total * (t + 1) / nthreads};
        if (t + 1 < nthreads)
            started[t] = pthread_create(&tids[t], NULL, fill_thread, &jobs[t]) == 0;
    }
    fill_range(m, key, jobs[nthreads - 1].begin, jobs[nthreads - 1].end);
    for (unsigned t = 0; t + 1 < nthreads; t++) {
        if (started[t])
            pthread_join(tids[t], NULL);
        else
            fill_range(m, key, jobs[t].begin, jobs[t].end);
    }
}

/* Threads for the fill: every online logical CPU (the fill is independent of
 * the BLAS thread count being measured). */
unsigned mb_fill_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > MB_FILL_MAX_THREADS ? MB_FILL_MAX_THREADS : (unsigned)n;
}
