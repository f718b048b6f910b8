/* matrix: the PRNG fill is deterministic at any thread count, allocation is
 * aligned, and the memory-need arithmetic never wraps. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "matbench/matrix.h"

static void check_fill_matches(size_t rows, size_t cols, unsigned threads)
{
    double *m = mb_matrix_alloc(rows, cols);
    cr_assert_not_null(m);
    mb_matrix_fill(m, rows, cols, 42, MB_STREAM_A, threads);
    for (size_t i = 0; i < rows * cols; i++)
        cr_assert_eq(m[i], mb_prng_value(42, MB_STREAM_A, i), "element %zu, %u threads", i,
                     threads);
    mb_matrix_free(m);
}

Test(matrix, fill_is_the_same_at_any_thread_count)
{
    static const unsigned threads[] = {1, 2, 3, 7};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        check_fill_matches(1, 1, threads[t]);
        check_fill_matches(37, 53, threads[t]);
        check_fill_matches(300, 301, threads[t]); /* large enough to use threads */
    }
}

Test(matrix, values_are_in_range_and_centred)
{
    const size_t n = 200;
    double *m = mb_matrix_alloc(n, n);
    cr_assert_not_null(m);
    mb_matrix_fill(m, n, n, 7, MB_STREAM_B, 2);
    double sum = 0, lo = 1, hi = -1;
    for (size_t i = 0; i < n * n; i++) {
        cr_assert(m[i] >= -1.0 && m[i] < 1.0, "m[%zu] = %g", i, m[i]);
        sum += m[i];
        lo = m[i] < lo ? m[i] : lo;
        hi = m[i] > hi ? m[i] : hi;
    }
    cr_assert_lt(sum / (double)(n * n) < 0 ? -sum / (double)(n * n) : sum / (double)(n * n), 0.01);
    cr_assert_lt(lo, -0.999);
    cr_assert_gt(hi, 0.999);
    mb_matrix_free(m);
}

Test(matrix, seeds_and_streams_give_different_matrices)
{
    int same_seed = 0, same_stream = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        same_seed += mb_prng_value(1, MB_STREAM_A, i) == mb_prng_value(2, MB_STREAM_A, i);
        same_stream += mb_prng_value(1, MB_STREAM_A, i) == mb_prng_value(1, MB_STREAM_B, i);
    }
    cr_assert_eq(same_seed, 0);
    cr_assert_eq(same_stream, 0);
    cr_assert_eq(mb_prng_value(9, 1, 123), mb_prng_value(9, 1, 123));
}

Test(matrix, allocation_is_64_byte_aligned)
{
    static const size_t sizes[] = {1, 3, 100, 1500};
    for (size_t i = 0; i < 4; i++) {
        double *m = mb_matrix_alloc(sizes[i], sizes[i]);
        cr_assert_not_null(m);
        cr_assert_eq((uintptr_t)m % MB_MATRIX_ALIGN, 0);
        mb_matrix_free(m);
    }
    cr_assert_null(mb_matrix_alloc(SIZE_MAX / 2, 4), "an overflowing size is refused");
    cr_assert_null(mb_matrix_alloc(0, 5));
}

Test(matrix, memory_need_does_not_overflow)
{
    uint64_t bytes = 0;
    cr_assert_eq(mb_matrix_bytes(5000, 3, &bytes), MB_OK);
    cr_assert_eq(bytes, 600000000ULL);
    cr_assert_eq(mb_matrix_bytes(1, 1, &bytes), MB_OK);
    cr_assert_eq(bytes, 8);
    /* The largest BLAS size: 3 * (2^31 - 1)^2 * 8 is about 1.1e20 > 2^64. */
    cr_assert_eq(mb_matrix_bytes(2147483647ULL, 3, &bytes), MB_USAGE);
    cr_assert_eq(mb_matrix_bytes(2147483647ULL, 1, &bytes), MB_USAGE);
    cr_assert_eq(mb_matrix_bytes(1ULL << 30, 1, &bytes), MB_OK);
    cr_assert_eq(bytes, (1ULL << 63));
    cr_assert_eq(mb_matrix_bytes(UINT64_MAX, 3, &bytes), MB_USAGE);
}

Test(matrix, meminfo_is_parsed)
{
    const char *text = "MemTotal:       24000000 kB\nMemFree: 1 kB\nMemAvailable:   23000000 kB\n";
    uint64_t bytes = 0;
    cr_assert_eq(mb_meminfo_parse(text, "MemAvailable", &bytes), MB_OK);
    cr_assert_eq(bytes, 23000000ULL * 1024);
    cr_assert_eq(mb_meminfo_parse(text, "MemTotal", &bytes), MB_OK);
    cr_assert_eq(bytes, 24000000ULL * 1024);
    cr_assert_eq(mb_meminfo_parse(text, "Mem", &bytes), MB_RUNTIME, "a prefix is not a key");
    cr_assert_eq(mb_meminfo_parse("MemAvailable: x kB\n", "MemAvailable", &bytes), MB_RUNTIME);
    cr_assert_eq(mb_meminfo_parse("", "MemAvailable", &bytes), MB_RUNTIME);
    cr_assert_eq(mb_mem_available(&bytes, NULL), MB_OK);
    cr_assert_gt(bytes, 0);
}
