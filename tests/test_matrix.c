/* matrix: the counter-based PRNG fill gives the same matrix at any thread
 * count, allocation is 64-byte aligned, the memory-need arithmetic refuses
 * to wrap, and MemAvailable is read from /proc/meminfo text. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "matbench/matrix.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the PRNG --------------------------------------------------------- */

Test(matrix, prng_is_a_pure_function_of_seed_stream_and_index)
{
    for (uint64_t i = 0; i < 1000; i++)
        cr_assert_eq(mb_prng_value(9, MB_STREAM_A, i), mb_prng_value(9, MB_STREAM_A, i),
                     "index %llu", (unsigned long long)i);
    /* In any order: asking for a later index first changes nothing. */
    double late = mb_prng_value(9, MB_STREAM_B, 123456789);
    double early = mb_prng_value(9, MB_STREAM_B, 0);
    cr_assert_eq(mb_prng_value(9, MB_STREAM_B, 0), early);
    cr_assert_eq(mb_prng_value(9, MB_STREAM_B, 123456789), late);
}

Test(matrix, prng_values_lie_in_minus_one_to_one)
{
    static const uint64_t seeds[] = {0, 1, 42, 20260101, UINT64_MAX};
    for (size_t s = 0; s < COUNT(seeds); s++)
        for (uint64_t i = 0; i < 20000; i++) {
            double v = mb_prng_value(seeds[s], MB_STREAM_A, i);
            cr_assert(v >= -1.0 && v < 1.0, "seed %llu index %llu gives %.17g",
                      (unsigned long long)seeds[s], (unsigned long long)i, v);
        }
    cr_assert(isfinite(mb_prng_value(UINT64_MAX, UINT64_MAX, UINT64_MAX)));
}

Test(matrix, seeds_and_streams_give_different_values)
{
    int same_seed = 0, same_stream = 0, same_index = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        same_seed += mb_prng_value(1, MB_STREAM_A, i) == mb_prng_value(2, MB_STREAM_A, i);
        same_stream += mb_prng_value(1, MB_STREAM_A, i) == mb_prng_value(1, MB_STREAM_B, i);
        same_index += mb_prng_value(1, MB_STREAM_A, i) == mb_prng_value(1, MB_STREAM_A, i + 1);
    }
    cr_assert_eq(same_seed, 0, "seeds 1 and 2 agree at %d of 1000 indices", same_seed);
    cr_assert_eq(same_stream, 0, "streams A and B agree at %d of 1000 indices", same_stream);
    cr_assert_eq(same_index, 0, "neighbours agree at %d of 1000 indices", same_index);
}

/* ---- the fill --------------------------------------------------------- */

static double *filled(size_t rows, size_t cols, uint64_t seed, uint64_t stream, unsigned threads)
{
    double *m = mb_matrix_alloc(rows, cols);
    cr_assert_not_null(m, "%zu x %zu", rows, cols);
    mb_matrix_fill(m, rows, cols, seed, stream, threads);
    return m;
}

/* 1x1 and 37x53 are below any sensible threading threshold; 300x301 (90300
 * elements) is large enough that the fill really splits across threads. */
static const size_t shapes[][2] = {{1, 1}, {37, 53}, {53, 37}, {300, 301}};
static const unsigned thread_counts[] = {1, 2, 3, 7};

Test(matrix, fill_is_bit_identical_at_any_thread_count)
{
    for (size_t s = 0; s < COUNT(shapes); s++) {
        const size_t rows = shapes[s][0], cols = shapes[s][1];
        double *one = filled(rows, cols, 42, MB_STREAM_A, 1);
        for (size_t t = 1; t < COUNT(thread_counts); t++) {
            double *many = filled(rows, cols, 42, MB_STREAM_A, thread_counts[t]);
            cr_assert(memcmp(one, many, rows * cols * sizeof *one) == 0,
                      "%zu x %zu with %u threads differs from 1 thread", rows, cols,
                      thread_counts[t]);
            mb_matrix_free(many);
        }
        mb_matrix_free(one);
    }
}

Test(matrix, element_i_j_is_the_prng_value_at_i_times_cols_plus_j)
{
    for (size_t s = 0; s < COUNT(shapes); s++)
        for (size_t t = 0; t < COUNT(thread_counts); t++) {
            const size_t rows = shapes[s][0], cols = shapes[s][1];
            double *m = filled(rows, cols, 42, MB_STREAM_B, thread_counts[t]);
            for (size_t i = 0; i < rows; i++)
                for (size_t j = 0; j < cols; j++)
                    cr_assert_eq(m[i * cols + j], mb_prng_value(42, MB_STREAM_B, i * cols + j),
                                 "%zu x %zu, %u threads: element (%zu,%zu)", rows, cols,
                                 thread_counts[t], i, j);
            mb_matrix_free(m);
        }
}

Test(matrix, different_streams_and_seeds_fill_different_matrices)
{
    const size_t n = 37;
    double *a = filled(n, n, 5, MB_STREAM_A, 2);
    double *b = filled(n, n, 5, MB_STREAM_B, 2);
    double *c = filled(n, n, 6, MB_STREAM_A, 2);
    size_t same_ab = 0, same_ac = 0;
    for (size_t i = 0; i < n * n; i++) {
        same_ab += a[i] == b[i];
        same_ac += a[i] == c[i];
    }
    cr_assert_eq(same_ab, 0, "A and B share %zu entries", same_ab);
    cr_assert_eq(same_ac, 0, "seeds 5 and 6 share %zu entries", same_ac);
    mb_matrix_free(a);
    mb_matrix_free(b);
    mb_matrix_free(c);
}

Test(matrix, a_fill_is_centred_and_spans_the_range)
{
    const size_t n = 200;
    double *m = filled(n, n, 7, MB_STREAM_B, 2);
    double sum = 0, lo = 1, hi = -1;
    for (size_t i = 0; i < n * n; i++) {
        cr_assert(m[i] >= -1.0 && m[i] < 1.0, "m[%zu] = %.17g", i, m[i]);
        sum += m[i];
        lo = fmin(lo, m[i]);
        hi = fmax(hi, m[i]);
    }
    /* 40000 uniform values: the mean's standard error is 0.577/200 = 0.003. */
    double mean = sum / (double)(n * n);
    cr_assert_float_eq(mean, 0.0, 0.015, "mean %g", mean);
    cr_assert_lt(lo, -0.99, "smallest %g", lo);
    cr_assert_gt(hi, 0.99, "largest %g", hi);
    mb_matrix_free(m);
}

/* ---- allocation and memory need ---------------------------------------- */

Test(matrix, allocation_is_64_byte_aligned)
{
    static const size_t sizes[][2] = {{1, 1}, {1, 3}, {3, 1}, {7, 7}, {100, 100}, {1500, 1500}};
    for (size_t i = 0; i < COUNT(sizes); i++) {
        double *m = mb_matrix_alloc(sizes[i][0], sizes[i][1]);
        cr_assert_not_null(m, "%zu x %zu", sizes[i][0], sizes[i][1]);
        cr_assert_eq((uintptr_t)m % MB_MATRIX_ALIGN, 0, "%zu x %zu at %p", sizes[i][0], sizes[i][1],
                     (void *)m);
        m[sizes[i][0] * sizes[i][1] - 1] = 1.0; /* the last element is ours */
        mb_matrix_free(m);
    }
}

Test(matrix, allocation_refuses_an_overflowing_size)
{
    cr_assert_null(mb_matrix_alloc(SIZE_MAX / 2, 4));
    cr_assert_null(mb_matrix_alloc(SIZE_MAX, SIZE_MAX));
}

Test(matrix, memory_need_is_exact)
{
    uint64_t bytes = 0;
    cr_assert_eq(mb_matrix_bytes(5000, 3, &bytes), MB_OK);
    cr_assert_eq(bytes, 600000000ULL);
    cr_assert_eq(mb_matrix_bytes(1, 1, &bytes), MB_OK);
    cr_assert_eq(bytes, 8);
    cr_assert_eq(mb_matrix_bytes(2000, 3, &bytes), MB_OK);
    cr_assert_eq(bytes, 96000000ULL);
    /* 2^30 squared times 8 is 2^63: the largest power of two that fits. */
    cr_assert_eq(mb_matrix_bytes(1ULL << 30, 1, &bytes), MB_OK);
    cr_assert_eq(bytes, 1ULL << 63);
}

Test(matrix, memory_need_refuses_to_wrap)
{
    uint64_t bytes = 0;
    /* The largest BLAS size: 3 * (2^31 - 1)^2 * 8 is about 1.1e20 > 2^64. */
    cr_assert_eq(mb_matrix_bytes(2147483647ULL, 3, &bytes), MB_USAGE);
    cr_assert_eq(mb_matrix_bytes(2147483647ULL, 1, &bytes), MB_USAGE, "(2^31-1)^2 * 8 > 2^64");
    cr_assert_eq(mb_matrix_bytes(1ULL << 30, 2, &bytes), MB_USAGE, "2 * 2^63 = 2^64");
    cr_assert_eq(mb_matrix_bytes(1ULL << 32, 1, &bytes), MB_USAGE, "n*n itself is 2^64");
    cr_assert_eq(mb_matrix_bytes(UINT64_MAX, 3, &bytes), MB_USAGE);
    cr_assert_eq(mb_matrix_bytes(UINT64_MAX, 1, &bytes), MB_USAGE);
    cr_assert_eq(mb_matrix_bytes(UINT64_MAX, UINT32_MAX, &bytes), MB_USAGE);
}

/* ---- /proc/meminfo ------------------------------------------------------ */

static const char meminfo[] = "MemTotal:       24000000 kB\n"
                              "MemFree:         1000000 kB\n"
                              "MemAvailable:   23000000 kB\n"
                              "Buffers:           12345 kB\n";

Test(matrix, meminfo_gives_bytes_for_a_key)
{
    uint64_t bytes = 0;
    cr_assert_eq(mb_meminfo_parse("MemTotal: 24000000 kB\nMemAvailable: 23000000 kB\n",
                                  "MemAvailable", &bytes),
                 MB_OK);
    cr_assert_eq(bytes, 23000000ULL * 1024);
    cr_assert_eq(mb_meminfo_parse(meminfo, "MemAvailable", &bytes), MB_OK);
    cr_assert_eq(bytes, 23000000ULL * 1024);
    cr_assert_eq(mb_meminfo_parse(meminfo, "MemTotal", &bytes), MB_OK);
    cr_assert_eq(bytes, 24000000ULL * 1024);
    cr_assert_eq(mb_meminfo_parse(meminfo, "Buffers", &bytes), MB_OK);
    cr_assert_eq(bytes, 12345ULL * 1024);
}

Test(matrix, meminfo_without_the_key_is_an_error)
{
    uint64_t bytes = 0;
    cr_assert_neq(mb_meminfo_parse("MemTotal: 24000000 kB\n", "MemAvailable", &bytes), MB_OK);
    cr_assert_neq(mb_meminfo_parse("", "MemAvailable", &bytes), MB_OK);
    cr_assert_neq(mb_meminfo_parse(meminfo, "Mem", &bytes), MB_OK, "a prefix is not a key");
    cr_assert_neq(mb_meminfo_parse(meminfo, "Available", &bytes), MB_OK, "nor is a suffix");
    cr_assert_neq(mb_meminfo_parse("MemAvailable: x kB\n", "MemAvailable", &bytes), MB_OK,
                  "a key without a number");
}

Test(matrix, this_machine_reports_available_memory)
{
    uint64_t bytes = 0;
    cr_assert_eq(mb_mem_available(&bytes, NULL), MB_OK);
    cr_assert_gt(bytes, 0);
}
