/* simd: every micro-kernel this CPU can run (each forced in turn) computes
 * rows of C = A*B within Higham's bound of cblas_dgemm at sizes that divide
 * no register or cache block, in one call, in uneven blocks and on a middle
 * range that leaves the other rows alone; two threads on disjoint halves;
 * the scratch and block sizes; and forcing a path. Never timing. */
#include <cblas.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/ladder.h"
#include "matbench/matrix.h"
#include "matbench/simd.h"

/* Test hook: the path the tests force (through mb_rows_simd_ex), or the
 * automatic one (mb_rows_simd) when forced is false. */
static struct {
    bool forced;
    enum mb_isa isa;
} chosen;

static void rows_chosen(const double *A, const double *B, double *C, size_t n, size_t begin,
                        size_t end, void *scratch)
{
    if (chosen.forced)
        mb_rows_simd_ex(A, B, C, n, begin, end, scratch, chosen.isa);
    else
        mb_rows_simd(A, B, C, n, begin, end, scratch);
}

/* Pins the path called name for rows_chosen, or returns to the automatic
 * one for NULL; MB_USAGE (the choice unchanged) as mb_simd_path_isa. */
static enum mb_status force_path(const char *name, struct mb_diag *d)
{
    if (name == NULL) {
        chosen.forced = false;
        return MB_OK;
    }
    enum mb_status st = mb_simd_path_isa(name, &chosen.isa, d);
    if (st == MB_OK)
        chosen.forced = true;
    return st;
}

/* The name of the path rows_chosen uses. */
static const char *path_name(void)
{
    return chosen.forced ? mb_simd_path_name(chosen.isa) : mb_simd_isa_name();
}

/* The scheduler's view of the step: the signatures must fit mb_rows_fn. */
static const struct mb_ladder_step step = {rows_chosen, mb_simd_block_rows, mb_simd_scratch_bytes};

static const char *const all_paths[] = {"avx512", "avx2", "portable"};
#define NPATHS (sizeof all_paths / sizeof all_paths[0])

/* ---- fixture: A, B, the dgemm reference and each entry's error bound ---- */

static struct {
    size_t n;
    double *A, *B, *C;
    size_t lo, hi;       /* the rows ref and bound hold */
    double *ref, *bound; /* (hi - lo) x n */
    void *scratch;
} m;

/* A 64-byte aligned scratch buffer of the step's size for n, filled with
 * NaN bytes so that any use of a value the step did not write shows. */
static void *alloc_scratch(size_t n)
{
    size_t bytes = (step.scratch_bytes(n) + 63) / 64 * 64;
    void *s = aligned_alloc(64, bytes);
    cr_assert_not_null(s, "scratch of %zu bytes", bytes);
    memset(s, 0xff, bytes);
    return s;
}

/* Fills A and B (n x n) from fixed seeds and, for rows [lo, hi), computes
 * ref = A*B with cblas_dgemm and bound(i,j) = 4 n 2^-53 sum_k |a_ik||b_kj|:
 * both products lie within gamma_n ~ n 2^-53 times that sum of the exact
 * one (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed.,
 * 3.5) whatever the order of summation, so they differ by at most twice
 * it; 4 leaves room. */
static void make_rows_case(size_t n, size_t lo, size_t hi)
{
    const size_t rows = hi - lo;
    m.n = n;
    m.lo = lo;
    m.hi = hi;
    m.A = mb_matrix_alloc(n, n);
    m.B = mb_matrix_alloc(n, n);
    m.C = mb_matrix_alloc(n, n);
    m.ref = mb_matrix_alloc(rows, n);
    m.bound = mb_matrix_alloc(rows, n);
    cr_assert(m.A && m.B && m.C && m.ref && m.bound, "allocating for n = %zu", n);
    mb_matrix_fill(m.A, n, n, 20260101 + n, MB_STREAM_A, 1);
    mb_matrix_fill(m.B, n, n, 20260101 + n, MB_STREAM_B, 1);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)n, (int)n, 1.0,
                m.A + lo * n, (int)n, m.B, (int)n, 0.0, m.ref, (int)n);
    memset(m.bound, 0, rows * n * sizeof *m.bound);
    for (size_t i = 0; i < rows; i++)
        for (size_t k = 0; k < n; k++)
            for (size_t j = 0; j < n; j++)
                m.bound[i * n + j] += fabs(m.A[(lo + i) * n + k]) * fabs(m.B[k * n + j]);
    for (size_t i = 0; i < rows * n; i++)
        m.bound[i] *= 4.0 * (double)n * 0x1p-53;
    m.scratch = alloc_scratch(n);
}

/* The case for every row of an n x n product. */
static void make_case(size_t n)
{
    make_rows_case(n, 0, n);
}

static void free_case(void)
{
    mb_matrix_free(m.A);
    mb_matrix_free(m.B);
    mb_matrix_free(m.ref);
    mb_matrix_free(m.bound);
    mb_matrix_free(m.C);
    free(m.scratch);
    memset(&m, 0, sizeof m);
    (void)force_path(NULL, NULL);
}

TestSuite(simd, .fini = free_case);

static void poison_c(void)
{
    for (size_t i = 0; i < m.n * m.n; i++)
        m.C[i] = NAN;
}

/* Rows [begin, end) of C are within the bound of the reference; every
 * other row still holds the NaN it was poisoned with. */
static void assert_rows(size_t begin, size_t end, const char *path, const char *how)
{
    const size_t n = m.n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double c = m.C[i * n + j];
            if (i < begin || i >= end) {
                cr_assert(isnan(c), "%s %s n=%zu [%zu,%zu): row %zu outside was written (%g)", path,
                          how, n, begin, end, i, c);
                continue;
            }
            cr_assert(i >= m.lo && i < m.hi, "row %zu has no reference", i);
            const size_t at = (i - m.lo) * n + j;
            double err = fabs(c - m.ref[at]);
            cr_assert(err <= m.bound[at],
                      "%s %s n=%zu [%zu,%zu): C(%zu,%zu) = %.17g, dgemm %.17g, |diff| %g > %g",
                      path, how, n, begin, end, i, j, c, m.ref[at], err, m.bound[at]);
        }
}

/* Forces each path this CPU has and calls fn with its name; returns how
 * many it ran (every CPU has at least the portable one). */
static size_t for_each_path(void (*fn)(const char *path))
{
    size_t ran = 0;
    for (size_t p = 0; p < NPATHS; p++) {
        if (force_path(all_paths[p], NULL) != MB_OK)
            continue;
        cr_assert_str_eq(path_name(), all_paths[p]);
        fn(all_paths[p]);
        ran++;
    }
    cr_assert_geq(ran, 1);
    return ran;
}

/* Rows [begin, end) of the current case, in consecutive calls of `chunk`
 * rows (the last shorter) with the one scratch, as a worker makes them. */
static void rows_in_chunks(size_t begin, size_t end, size_t chunk)
{
    for (size_t b = begin; b < end; b += chunk)
        step.rows(m.A, m.B, m.C, m.n, b, b + chunk < end ? b + chunk : end, m.scratch);
}

static void whole_in_one_call(const char *path)
{
    poison_c();
    step.rows(m.A, m.B, m.C, m.n, 0, m.n, m.scratch);
    assert_rows(0, m.n, path, "in one call");
}

static void in_chunks_of_5_rows(const char *path)
{
    poison_c();
    rows_in_chunks(0, m.n, 5);
    assert_rows(0, m.n, path, "in chunks of 5 rows");
}

static void in_blocks_of_block_rows(const char *path)
{
    poison_c();
    rows_in_chunks(0, m.n, step.block_rows(m.n));
    assert_rows(0, m.n, path, "in blocks of mb_simd_block_rows");
}

/* Rows n/3 to n - n/3 (at these sizes they start and end off most
 * micro-tile boundaries), in chunks of 3 rows and then in one call. */
static void middle_range_only(const char *path)
{
    size_t begin = m.n / 3, end = m.n - m.n / 3;
    poison_c();
    rows_in_chunks(begin, end, 3);
    assert_rows(begin, end, path, "middle range in chunks of 3");
    poison_c();
    step.rows(m.A, m.B, m.C, m.n, begin, end, m.scratch);
    assert_rows(begin, end, path, "middle range in one call");
}

static void (*const modes[])(const char *path) = {
    whole_in_one_call,
    in_chunks_of_5_rows,
    in_blocks_of_block_rows,
    middle_range_only,
};

/* Sizes that divide no micro-tile (8 x 24, 6 x 8, 4 x 4); 130 and 257
 * take several k blocks (KC = 128 for AVX-512, 256 otherwise), 257 several
 * AVX-512 row blocks (MC = 192) in one call. */
static size_t sizes[] = {1, 2, 7, 33, 65, 130, 257};

ParameterizedTestParameters(simd, every_path_matches_dgemm_in_every_split)
{
    return cr_make_param_array(size_t, sizes, sizeof sizes / sizeof sizes[0]);
}

ParameterizedTest(size_t *n, simd, every_path_matches_dgemm_in_every_split)
{
    make_case(*n);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        for_each_path(modes[i]);
}

Test(simd, empty_range_writes_nothing)
{
    make_case(33);
    poison_c();
    step.rows(m.A, m.B, m.C, m.n, 10, 10, m.scratch);
    assert_rows(0, 0, path_name(), "empty range");
}

/* Copies of the case in buffers of exactly n x n doubles (no rounding up
 * to 64 bytes as mb_matrix_alloc does), so that a sanitizer build catches
 * any read or write just outside A, B or C. */
static void exact_size_buffers(const char *path)
{
    const size_t n = m.n, bytes = n * n * sizeof(double);
    double *A = malloc(bytes), *B = malloc(bytes), *C = malloc(bytes);
    cr_assert(A && B && C);
    memcpy(A, m.A, bytes);
    memcpy(B, m.B, bytes);
    step.rows(A, B, C, n, 0, n, m.scratch);
    memcpy(m.C, C, bytes);
    assert_rows(0, n, path, "in exact-size buffers");
    free(A);
    free(B);
    free(C);
}

Test(simd, stays_inside_exact_size_buffers)
{
    static const size_t small[] = {1, 7, 33};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
        make_case(small[i]);
        for_each_path(exact_size_buffers);
        free_case();
    }
}

/* Rows [lo, hi) of the case in one call. */
static void rows_with_reference(const char *path)
{
    poison_c();
    step.rows(m.A, m.B, m.C, m.n, m.lo, m.hi, m.scratch);
    assert_rows(m.lo, m.hi, path, "rows with a reference");
}

Test(simd, matrix_wider_than_the_nc_block)
{
    /* 4100 columns: two passes of loop 5 on every path (NC = 3072 or
     * 4080); seven rows off the micro-tile boundaries are enough. */
    make_rows_case(4100, 1001, 1008);
    for_each_path(rows_with_reference);
}

/* ---- two workers at once, each with its own scratch -------------------- */

struct half {
    size_t begin, end;
    void *scratch;
};

static void *half_main(void *arg)
{
    struct half *h = arg;
    size_t block = step.block_rows(m.n);
    for (size_t b = h->begin; b < h->end; b += block)
        step.rows(m.A, m.B, m.C, m.n, b, b + block < h->end ? b + block : h->end, h->scratch);
    return NULL;
}

static void two_threads(const char *path)
{
    const size_t n = m.n;
    struct half halves[2] = {{0, n / 2, alloc_scratch(n)}, {n / 2, n, alloc_scratch(n)}};
    pthread_t tids[2];
    poison_c();
    for (int t = 0; t < 2; t++)
        cr_assert_eq(pthread_create(&tids[t], NULL, half_main, &halves[t]), 0);
    for (int t = 0; t < 2; t++)
        pthread_join(tids[t], NULL);
    assert_rows(0, n, path, "two threads on halves");
    free(halves[0].scratch);
    free(halves[1].scratch);
}

Test(simd, two_threads_on_disjoint_halves_match_dgemm)
{
    make_case(257); /* splits at row 128, off the 6-row tile of AVX2 */
    for_each_path(two_threads);
}

/* ---- sizes and the path ------------------------------------------------- */

Test(simd, scratch_is_positive_and_bounded)
{
    static const size_t ns[] = {1, 2, 7, 257, 2000, 10000, 100000};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        size_t bytes = step.scratch_bytes(ns[i]);
        cr_assert_gt(bytes, 0, "n=%zu", ns[i]);
        cr_assert_leq(bytes, (size_t)64 << 20, "n=%zu: %zu bytes of scratch", ns[i], bytes);
    }
}

Test(simd, block_rows_are_between_one_and_n)
{
    static const size_t ns[] = {1, 2, 7, 33, 257, 2000, 10000};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        size_t rows = step.block_rows(ns[i]);
        cr_assert(rows >= 1 && rows <= ns[i], "n=%zu: %zu rows", ns[i], rows);
    }
}

Test(simd, automatic_path_is_the_widest_the_cpu_has)
{
    cr_assert_eq(force_path(NULL, NULL), MB_OK);
    const char *want = __builtin_cpu_supports("avx512f") ? "avx512"
                       : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
                           ? "avx2"
                           : "portable";
    cr_assert_str_eq(mb_simd_isa_name(), want);
}

Test(simd, forcing_a_path_and_returning_to_automatic)
{
    cr_assert_eq(force_path(NULL, NULL), MB_OK);
    const char *automatic = path_name();
    cr_assert_eq(force_path("portable", NULL), MB_OK, "every x86-64 has the portable path");
    cr_assert_str_eq(path_name(), "portable");
    cr_assert_eq(force_path(NULL, NULL), MB_OK);
    cr_assert_str_eq(path_name(), automatic);
}

Test(simd, force_refuses_an_unknown_path)
{
    static const char *const bad[] = {"", "sse2", "AVX512", "avx512 ", "neon"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mb_diag d = {0};
        cr_assert_eq(force_path(bad[i], &d), MB_USAGE, "'%s'", bad[i]);
        cr_assert(strstr(d.msg, "is not a path") != NULL, "'%s': %s", bad[i], d.msg);
        cr_assert(strstr(d.msg, "avx512, avx2, portable") != NULL, "%s", d.msg);
    }
    cr_assert_eq(force_path(NULL, NULL), MB_OK);
}

Test(simd, force_accepts_exactly_the_paths_the_cpu_has)
{
    const struct {
        const char *name;
        bool has;
    } needs[] = {
        {"avx512", __builtin_cpu_supports("avx512f")},
        {"avx2", __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
        {"portable", true},
    };
    for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++) {
        struct mb_diag d = {0};
        enum mb_status st = force_path(needs[i].name, &d);
        if (needs[i].has) {
            cr_assert_eq(st, MB_OK, "%s: %s", needs[i].name, d.msg);
        } else {
            cr_assert_eq(st, MB_USAGE, "%s", needs[i].name);
            cr_assert(strstr(d.msg, needs[i].name) != NULL, "%s", d.msg);
        }
    }
    cr_assert_eq(force_path(NULL, NULL), MB_OK);
}
