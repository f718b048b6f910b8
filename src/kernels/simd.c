/* The `simd` step of the ladder: rows of C = A*B by Goto's algorithm as BLIS
 * lays it out (Goto & van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 34(3), 2008; Van Zee & van de Geijn, "BLIS",
 * ACM TOMS 41(3), 2015). For the rows [begin, end) of one call, five loops
 * around a micro-kernel, each loop keeping one operand in one cache level:
 *
 *   loop 5  jc: columns of B and C, NC at a time
 *   loop 4  pc: the inner dimension, KC at a time; pack the KC x NC panel
 *               of B (it stays in L3 for the loops below)
 *   loop 3  ic: the call's rows, MC at a time; pack the MC x KC block of A
 *               (it stays in L2 for the loops below)
 *   loop 2  jr: NR columns of the packed B: a KC x NR sliver (L1)
 *   loop 1  ir: MR rows of the packed A: a MR x KC micro-panel, streamed
 *   micro-kernel: the MR x NR tile of C += micro-panel x sliver, KC rank-1
 *               updates on a tile held in vector registers throughout.
 *
 * Packing copies each block into the order the micro-kernel reads it, one
 * contiguous stream per operand, and pads it with zeros to whole
 * micro-panels, so the micro-kernel never tests a fringe: a tile that
 * sticks out of C is computed into a local buffer and only its valid part
 * is written. The first KC block writes C, the others add to it, so the old
 * contents of C are never read. The micro-kernel (AVX-512F, AVX2+FMA or
 * portable C) is chosen at run time; the library itself is compiled for
 * baseline x86-64 and the vector kernels carry their own target attribute. */
#include "matbench/simd.h"

#include <immintrin.h>
#include <stdbool.h>
#include <string.h>

#include "matbench/peak.h"
#include "mb_internal.h"

/* ---- block sizes ---------------------------------------------------------
 * Micro-tiles (MR x NR) come from the register file: MR x NR/lanes
 * accumulators, NR/lanes registers for a row of the B sliver and one for a
 * broadcast element of A must fit, and the accumulators must outnumber
 * FMA latency x FMA pipes (4 x 2 = 8 on Skylake-X, Ice Lake, Zen 4/5; 5 x 2
 * = 10 on Haswell) so every pipe issues every cycle.
 * - AVX-512, 32 zmm: 8 x 24 is 8 x 3 = 24 accumulators + 3 + 1 = 28. Each
 *   step of k is 3 loads of B and 8 broadcasts of A for 24 FMAs, within
 *   the two loads a cycle that come with two FMAs a cycle.
 * - AVX2, 16 ymm: 6 x 8 is 6 x 2 = 12 accumulators + 2 + 1 = 15 (BLIS's
 *   haswell kernel).
 * - portable, 16 xmm of SSE2: 4 x 4 is 4 x 2 = 8 accumulators + 2 + 1;
 *   wider tiles made gcc spill (measured: 4 x 8, 6 x 4 and 8 x 4 were 5 to
 *   20 % slower on Zen 5).
 * Cache blocks (BLIS's analytical model, Low et al., "Analytical modeling
 * is enough for high-performance BLIS", ACM TOMS 43(2), 2016):
 * - KC: the KC x NR sliver of B stays in L1 while MR x KC micro-panels of A
 *   stream past it, so it should fill about half of L1; a longer KC loads
 *   and stores the C tile less often. AVX-512: 128 x 24 x 8 B = 24 KiB, half
 *   of the 48 KiB L1 of Zen 5, Ice Lake and Sapphire Rapids (measured on
 *   Zen 5 at n = 2000 and 3000, one thread: KC = 128 gave 100 GFLOP/s, 192
 *   about 3 % less, 256 about 7 % less). AVX2: 256 x 8 x 8 B =
 *   16 KiB, half of Haswell's 32 KiB (BLIS's haswell KC).
 * - MC: the MC x KC block of A stays in L2 while loop 2 walks the slivers;
 *   well under half of L2, the rest holding slivers and C tiles passing
 *   through: AVX-512 192 x 128 x 8 B = 192 KiB of 1 MiB or more (MC = 96
 *   to 384 measured the same); AVX2 72 x 256 x 8 B = 144 KiB of Haswell's
 *   256 KiB (BLIS's haswell MC).
 * - NC: the KC x NC panel of B stays in L3 for the whole of loop 3, within a
 *   core's share of it: AVX-512 128 x 3072 x 8 B = 3 MiB, AVX2 256 x 4080 x
 *   8 B = 8 MiB (BLIS's haswell NC). Narrower matrices take one pass of
 *   loop 5.
 * The portable path keeps AVX2's KC and NC, with an MC of 96 (a 192 KiB
 * block of A) in whole 4-row micro-panels.
 * MC and NC are whole micro-panels (multiples of MR and NR), checked below;
 * every size is constant, so the tests see the same blocking as a run. */
#define AVX512_MR 8
#define AVX512_NR 24
#define AVX512_MC 192
#define AVX512_KC 128
#define AVX512_NC 3072

#define AVX2_MR 6
#define AVX2_NR 8
#define AVX2_MC 72
#define AVX2_KC 256
#define AVX2_NC 4080

#define PORTABLE_MR 4
#define PORTABLE_NR 4
#define PORTABLE_MC 96
#define PORTABLE_KC 256
#define PORTABLE_NC 4080

#define MAX_MR 8 /* the largest MR and NR above: the fringe tile's size */
#define MAX_NR 24

_Static_assert(AVX512_MC % AVX512_MR == 0 && AVX512_NC % AVX512_NR == 0, "whole panels");
_Static_assert(AVX2_MC % AVX2_MR == 0 && AVX2_NC % AVX2_NR == 0, "whole panels");
_Static_assert(PORTABLE_MC % PORTABLE_MR == 0 && PORTABLE_NC % PORTABLE_NR == 0, "whole panels");

/* Rows a worker takes at a time. Each call packs all of B again (a worker's
 * scratch is its own, so packed B cannot be shared as BLIS shares it between
 * threads): n^2 copies for 2 x rows x n^2 flops, a share of the time that
 * depends on the rows per call and not on n. Measured on Zen 5 (AVX-512,
 * one thread, n = 2000 and 3000), against all rows in one call: blocks of
 * 96 rows lost about 20 %, 192 about 9 %, 288 about 6 %, 384 about 5 %.
 * 384 is a whole number of micro-panels for every path (48 x 8, 64 x 6,
 * 96 x 4) and two AVX-512 MC blocks. Below 8 x 384 rows, blocks are an
 * eighth of n (in whole micro-panels) so that 2, 4 or 8 workers get equal
 * shares, for a few per cent more packing. */
#define BLOCK_ROWS 384
#define BLOCK_ROWS_QUANTUM 24 /* lcm of the MRs: blocks of whole micro-panels */
#define BLOCKS_AT_LEAST 8

#define REP4(X) X(0) X(1) X(2) X(3)
#define REP6(X) REP4(X) X(4) X(5)
#define REP8(X) REP6(X) X(6) X(7)

/* ---- micro-kernels -------------------------------------------------------
 * Each computes the MR x NR tile  sum over k < kc of a(:,k) b(k,:)  from a
 * packed micro-panel a (kc columns of MR values) and a packed sliver b (kc
 * rows of NR values), and stores it in the tile at c (row stride ldc) or,
 * when accumulate is true, adds it to what the tile holds. c must have MR
 * rows of NR valid doubles. */
typedef void micro_kernel_fn(size_t kc, const double *restrict a, const double *restrict b,
                             double *restrict c, size_t ldc, bool accumulate);

/* The 8 x 24 AVX-512 micro-kernel: 24 zmm accumulators, C rows prefetched
 * into L1 at the start (kc steps of ~12 cycles hide the latency). */
__attribute__((target("avx512f"))) static void kernel_avx512(size_t kc, const double *restrict a,
                                                             const double *restrict b,
                                                             double *restrict c, size_t ldc,
                                                             bool accumulate)
{
#define DECLARE(i)                                                                                 \
    __m512d c##i##0 = _mm512_setzero_pd(), c##i##1 = _mm512_setzero_pd(),                          \
            c##i##2 = _mm512_setzero_pd();                                                         \
    _mm_prefetch((const char *)(c + (i)*ldc), _MM_HINT_T0);                                        \
    _mm_prefetch((const char *)(c + (i)*ldc + 8), _MM_HINT_T0);                                    \
    _mm_prefetch((const char *)(c + (i)*ldc + 16), _MM_HINT_T0);                                   \
    _mm_prefetch((const char *)(c + (i)*ldc + 23), _MM_HINT_T0);
    REP8(DECLARE)
#undef DECLARE
    for (size_t k = 0; k < kc; k++) {
        const __m512d b0 = _mm512_loadu_pd(b), b1 = _mm512_loadu_pd(b + 8),
                      b2 = _mm512_loadu_pd(b + 16);
#define STEP(i)                                                                                    \
    {                                                                                              \
        const __m512d ai = _mm512_set1_pd(a[i]);                                                   \
        c##i##0 = _mm512_fmadd_pd(ai, b0, c##i##0);                                                \
        c##i##1 = _mm512_fmadd_pd(ai, b1, c##i##1);                                                \
        c##i##2 = _mm512_fmadd_pd(ai, b2, c##i##2);                                                \
    }
        REP8(STEP)
#undef STEP
        a += AVX512_MR;
        b += AVX512_NR;
    }
#define STORE(i)                                                                                   \
    {                                                                                              \
        double *ci = c + (i)*ldc;                                                                  \
        if (accumulate) {                                                                          \
            c##i##0 = _mm512_add_pd(c##i##0, _mm512_loadu_pd(ci));                                 \
            c##i##1 = _mm512_add_pd(c##i##1, _mm512_loadu_pd(ci + 8));                             \
            c##i##2 = _mm512_add_pd(c##i##2, _mm512_loadu_pd(ci + 16));                            \
        }                                                                                          \
        _mm512_storeu_pd(ci, c##i##0);                                                             \
        _mm512_storeu_pd(ci + 8, c##i##1);                                                         \
        _mm512_storeu_pd(ci + 16, c##i##2);                                                        \
    }
    REP8(STORE)
#undef STORE
}

/* The 6 x 8 AVX2+FMA micro-kernel: 12 ymm accumulators. */
__attribute__((target("avx2,fma"))) static void kernel_avx2(size_t kc, const double *restrict a,
                                                            const double *restrict b,
                                                            double *restrict c, size_t ldc,
                                                            bool accumulate)
{
#define DECLARE(i)                                                                                 \
    __m256d c##i##0 = _mm256_setzero_pd(), c##i##1 = _mm256_setzero_pd();                          \
    _mm_prefetch((const char *)(c + (i)*ldc), _MM_HINT_T0);                                        \
    _mm_prefetch((const char *)(c + (i)*ldc + 7), _MM_HINT_T0);
    REP6(DECLARE)
#undef DECLARE
    for (size_t k = 0; k < kc; k++) {
        const __m256d b0 = _mm256_loadu_pd(b), b1 = _mm256_loadu_pd(b + 4);
#define STEP(i)                                                                                    \
    {                                                                                              \
        const __m256d ai = _mm256_broadcast_sd(a + (i));                                           \
        c##i##0 = _mm256_fmadd_pd(ai, b0, c##i##0);                                                \
        c##i##1 = _mm256_fmadd_pd(ai, b1, c##i##1);                                                \
    }
        REP6(STEP)
#undef STEP
        a += AVX2_MR;
        b += AVX2_NR;
    }
#define STORE(i)                                                                                   \
    {                                                                                              \
        double *ci = c + (i)*ldc;                                                                  \
        if (accumulate) {                                                                          \
            c##i##0 = _mm256_add_pd(c##i##0, _mm256_loadu_pd(ci));                                 \
            c##i##1 = _mm256_add_pd(c##i##1, _mm256_loadu_pd(ci + 4));                             \
        }                                                                                          \
        _mm256_storeu_pd(ci, c##i##0);                                                             \
        _mm256_storeu_pd(ci + 4, c##i##1);                                                         \
    }
    REP6(STORE)
#undef STORE
}

/* The 4 x 4 micro-kernel in plain C, for the compiler to vectorise with
 * whatever the baseline target has (SSE2 on x86-64). Without FMA each
 * update is a rounded multiply and a rounded add: same error bound. */
static void kernel_portable(size_t kc, const double *restrict a, const double *restrict b,
                            double *restrict c, size_t ldc, bool accumulate)
{
    double acc[PORTABLE_MR][PORTABLE_NR] = {{0}};
    for (size_t k = 0; k < kc; k++) {
        for (int i = 0; i < PORTABLE_MR; i++)
            for (int j = 0; j < PORTABLE_NR; j++)
                acc[i][j] += a[i] * b[j];
        a += PORTABLE_MR;
        b += PORTABLE_NR;
    }
    for (int i = 0; i < PORTABLE_MR; i++)
        for (int j = 0; j < PORTABLE_NR; j++)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

/* ---- packing ---------------------------------------------------------------
 * Written once with the panel width as a parameter and inlined into one
 * function per path with its MR or NR as a constant, so that the copies
 * become fixed-size vector moves (of the path's own width) instead of
 * calls to memcpy. */
typedef void pack_a_fn(const double *restrict A, size_t n, size_t i0, size_t mc, size_t p0,
                       size_t kc, double *restrict ap);
typedef void pack_b_fn(const double *restrict B, size_t n, size_t p0, size_t kc, size_t j0,
                       size_t nc, double *restrict bp);

/* Packs the mc x kc block of the n x n matrix A at row i0, column p0 into
 * ap as micro-panels of mr rows, one after another; within a micro-panel
 * the mr entries of each column are side by side, in the order the
 * micro-kernel broadcasts them. Rows past mc in the last micro-panel are
 * zeros. ap holds round_up(mc, mr) x kc doubles. */
static inline __attribute__((always_inline)) void pack_a_mr(const double *restrict A, size_t n,
                                                            size_t i0, size_t mc, size_t p0,
                                                            size_t kc, double *restrict ap,
                                                            const size_t mr)
{
    for (size_t ir = 0; ir < mc; ir += mr) {
        const size_t h = mc - ir < mr ? mc - ir : mr;
        for (size_t i = 0; i < h; i++) {
            const double *row = A + (i0 + ir + i) * n + p0;
            for (size_t k = 0; k < kc; k++)
                ap[k * mr + i] = row[k];
        }
        for (size_t i = h; i < mr; i++)
            for (size_t k = 0; k < kc; k++)
                ap[k * mr + i] = 0.0;
        ap += mr * kc;
    }
}

/* Packs the kc x nc panel of the n x n matrix B at row p0, column j0 into
 * bp as slivers of nr columns, one after another; within a sliver the nr
 * entries of each row are side by side, as the micro-kernel loads them.
 * Columns past nc in the last sliver are zeros. B is read row by row, in
 * the order it lies in memory. bp holds kc x round_up(nc, nr) doubles. */
static inline __attribute__((always_inline)) void pack_b_nr(const double *restrict B, size_t n,
                                                            size_t p0, size_t kc, size_t j0,
                                                            size_t nc, double *restrict bp,
                                                            const size_t nr)
{
    const size_t whole = nc / nr * nr;
    for (size_t k = 0; k < kc; k++) {
        const double *restrict row = B + (p0 + k) * n + j0;
        double *restrict dst = bp + k * nr;
        size_t jr = 0;
        for (; jr < whole; jr += nr, dst += nr * kc)
            for (size_t j = 0; j < nr; j++)
                dst[j] = row[jr + j];
        if (jr < nc) {
            for (size_t j = 0; j < nc - jr; j++)
                dst[j] = row[jr + j];
            for (size_t j = nc - jr; j < nr; j++)
                dst[j] = 0.0;
        }
    }
}

#define DEFINE_PACKS(path, target, mr, nr)                                                         \
    target static void pack_a_##path(const double *restrict A, size_t n, size_t i0, size_t mc,     \
                                     size_t p0, size_t kc, double *restrict ap)                    \
    {                                                                                              \
        pack_a_mr(A, n, i0, mc, p0, kc, ap, mr);                                                   \
    }                                                                                              \
    target static void pack_b_##path(const double *restrict B, size_t n, size_t p0, size_t kc,     \
                                     size_t j0, size_t nc, double *restrict bp)                    \
    {                                                                                              \
        pack_b_nr(B, n, p0, kc, j0, nc, bp, nr);                                                   \
    }
DEFINE_PACKS(avx512, __attribute__((target("avx512f"))), AVX512_MR, AVX512_NR)
DEFINE_PACKS(avx2, __attribute__((target("avx2,fma"))), AVX2_MR, AVX2_NR)
DEFINE_PACKS(portable, , PORTABLE_MR, PORTABLE_NR)
#undef DEFINE_PACKS

/* ---- the paths -------------------------------------------------------------
 * One row per micro-kernel, widest first: the automatic choice is the
 * first row whose instruction set the CPU has. */
static const struct simd_path {
    const char *name;
    enum mb_isa isa; /* what the CPU must have (SSE2: every x86-64) */
    size_t mr, nr;   /* the micro-tile */
    size_t mc, kc, nc;
    micro_kernel_fn *kernel;
    pack_a_fn *pack_a;
    pack_b_fn *pack_b;
} paths[] = {
    {"avx512", MB_ISA_AVX512, AVX512_MR, AVX512_NR, AVX512_MC, AVX512_KC, AVX512_NC, kernel_avx512,
     pack_a_avx512, pack_b_avx512},
    {"avx2", MB_ISA_AVX2, AVX2_MR, AVX2_NR, AVX2_MC, AVX2_KC, AVX2_NC, kernel_avx2, pack_a_avx2,
     pack_b_avx2},
    {"portable", MB_ISA_SSE2, PORTABLE_MR, PORTABLE_NR, PORTABLE_MC, PORTABLE_KC, PORTABLE_NC,
     kernel_portable, pack_a_portable, pack_b_portable},
};
#define NPATHS (MB__ARRAY_SIZE(paths))

/* The widest path the CPU has. gcc's CPU probe runs in a constructor, so
 * __builtin_cpu_supports (behind mb_isa_supported) only reads a table:
 * cheap enough to ask on every call. */
static const struct simd_path *automatic_path(void)
{
    for (size_t i = 0; i + 1 < NPATHS; i++)
        if (mb_isa_supported(paths[i].isa))
            return &paths[i];
    return &paths[NPATHS - 1];
}

/* The widest path that needs no more than isa (the portable one for
 * SSE2). */
static const struct simd_path *path_for(enum mb_isa isa)
{
    for (size_t i = 0; i + 1 < NPATHS; i++)
        if (paths[i].isa <= isa)
            return &paths[i];
    return &paths[NPATHS - 1];
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* x rounded up to a multiple of q (q > 0). */
static size_t round_up(size_t x, size_t q)
{
    return (x + q - 1) / q * q;
}

/* The step that cuts total (> 0) into the fewest blocks of at most most,
 * as equal as they can be in multiples of quantum (most is a multiple of
 * quantum). n = 257 with AVX2's KC = 256 becomes 129 + 128 rather than
 * 256 + 1, which would load and store all of C again for one rank-1
 * update. */
static size_t even_step(size_t total, size_t most, size_t quantum)
{
    size_t blocks = (total + most - 1) / most;
    return min_size(round_up((total + blocks - 1) / blocks, quantum), most);
}

/* Doubles of p's packed A block for size n, rounded up to 64 bytes so
 * that the packed B after it is aligned as the scratch is. The call's rows
 * are at most n, so at most min(MC, n rounded up to MR) of them at a time. */
static size_t a_doubles(const struct simd_path *p, size_t n)
{
    return round_up(min_size(p->mc, round_up(n, p->mr)) * min_size(p->kc, n), 8);
}

/* Doubles of p's packed B panel for size n. */
static size_t b_doubles(const struct simd_path *p, size_t n)
{
    return min_size(p->kc, n) * min_size(p->nc, round_up(n, p->nr));
}

/* Writes the valid h x w corner of the MR x NR tile (row stride nr) into c
 * (row stride ldc), or adds it to what c holds when accumulate is true. */
static void store_fringe(double *c, size_t ldc, const double *tile, size_t nr, size_t h, size_t w,
                         bool accumulate)
{
    for (size_t i = 0; i < h; i++)
        for (size_t j = 0; j < w; j++)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + tile[i * nr + j] : tile[i * nr + j];
}

/* Loops 2 and 1 (BLIS's macro-kernel): the mc x nc block of C at c (row
 * stride ldc) gets the product of the packed mc x kc block ap and the packed
 * kc x nc panel bp, written or, when accumulate is true, added. */
static void macro_kernel(const struct simd_path *p, size_t mc, size_t nc, size_t kc,
                         const double *ap, const double *bp, double *c, size_t ldc, bool accumulate)
{
    const size_t mr = p->mr, nr = p->nr;
    double tile[MAX_MR * MAX_NR] __attribute__((aligned(64)));
    for (size_t jr = 0; jr < nc; jr += nr) {     /* loop 2: a sliver of B */
        for (size_t ir = 0; ir < mc; ir += mr) { /* loop 1: a micro-panel of A */
            const size_t h = min_size(mr, mc - ir), w = min_size(nr, nc - jr);
            const double *a = ap + ir * kc, *b = bp + jr * kc;
            double *cij = c + ir * ldc + jr;
            if (h == mr && w == nr) {
                p->kernel(kc, a, b, cij, ldc, accumulate);
            } else {
                p->kernel(kc, a, b, tile, nr, false);
                store_fringe(cij, ldc, tile, nr, h, w, accumulate);
            }
        }
    }
}

/* Computes rows [begin, end) of C = A*B for n x n row-major matrices,
 * overwriting those rows of C and touching no other; A and B are only read,
 * and only within their n x n entries. scratch holds mb_simd_scratch_bytes(n)
 * bytes, 64-byte aligned, used by this call alone. Any begin <= end <= n
 * is allowed. Safe to call from several threads at once on disjoint row
 * ranges, each with its own scratch. Allocates nothing. Uses the widest
 * path that needs no more than isa, which the CPU must have (see
 * mb_simd_path_isa). */
void mb_rows_simd_ex(const double *A, const double *B, double *C, size_t n, size_t begin,
                     size_t end, void *scratch, enum mb_isa isa)
{
    if (begin >= end)
        return;
    const struct simd_path *p = path_for(isa);
    double *ap = scratch;
    double *bp = ap + a_doubles(p, n);
    const size_t nc_step = even_step(n, p->nc, p->nr);
    const size_t kc_step = even_step(n, p->kc, 1);
    const size_t mc_step = even_step(end - begin, p->mc, p->mr);
    for (size_t jc = 0; jc < n; jc += nc_step) { /* loop 5: a panel of columns */
        const size_t nc = min_size(nc_step, n - jc);
        for (size_t pc = 0; pc < n; pc += kc_step) { /* loop 4: a block of k */
            const size_t kc = min_size(kc_step, n - pc);
            p->pack_b(B, n, pc, kc, jc, nc, bp);
            for (size_t ic = begin; ic < end; ic += mc_step) { /* loop 3: a block of rows */
                const size_t mc = min_size(mc_step, end - ic);
                p->pack_a(A, n, ic, mc, pc, kc, ap);
                macro_kernel(p, mc, nc, kc, ap, bp, C + ic * n + jc, n, pc > 0);
            }
        }
    }
}

/* mb_rows_simd_ex on the widest path the CPU has. */
void mb_rows_simd(const double *A, const double *B, double *C, size_t n, size_t begin, size_t end,
                  void *scratch)
{
    mb_rows_simd_ex(A, B, C, n, begin, end, scratch, automatic_path()->isa);
}

/* The rows a worker should take at a time for size n: an eighth of n
 * rounded up to whole micro-panels, at most BLOCK_ROWS, and always between
 * 1 and n (1 for n = 0). The same for every path; any block is correct. */
size_t mb_simd_block_rows(size_t n)
{
    size_t eighth = round_up(n / BLOCKS_AT_LEAST > 0 ? n / BLOCKS_AT_LEAST : 1, BLOCK_ROWS_QUANTUM);
    size_t rows = min_size(min_size(BLOCK_ROWS, eighth), n);
    return rows > 0 ? rows : 1;
}

/* The scratch bytes one worker needs for size n: the packed A block and B
 * panel of the path that needs the most, so that choosing another path after
 * the scratch was allocated stays safe. Bounded by the block sizes
 * whatever n is (8.2 MiB, the portable path's, from n = 4080 up); at
 * least 8. */
size_t mb_simd_scratch_bytes(size_t n)
{
    size_t most = 1;
    for (size_t i = 0; i < NPATHS; i++) {
        size_t doubles = a_doubles(&paths[i], n) + b_doubles(&paths[i], n);
        most = doubles > most ? doubles : most;
    }
    return most * sizeof(double);
}

/* The name of the path mb_rows_simd uses: "avx512", "avx2" or
 * "portable". */
const char *mb_simd_isa_name(void)
{
    return automatic_path()->name;
}

/* The name of the path mb_rows_simd_ex uses for isa. */
const char *mb_simd_path_name(enum mb_isa isa)
{
    return path_for(isa)->name;
}

/* The instruction set of the path called name ("avx512", "avx2",
 * "portable"), for mb_rows_simd_ex. Returns MB_OK with *isa set, or
 * MB_USAGE (*isa unchanged) for an unknown name or a path whose
 * instructions this CPU lacks. */
enum mb_status mb_simd_path_isa(const char *name, enum mb_isa *isa, struct mb_diag *d)
{
    for (size_t i = 0; i < NPATHS; i++) {
        if (strcmp(name, paths[i].name) != 0)
            continue;
        if (!mb_isa_supported(paths[i].isa))
            return mb_diag_set(d, MB_USAGE, "simd: this CPU has no %s (the widest it has is %s)",
                               name, automatic_path()->name);
        *isa = paths[i].isa;
        return MB_OK;
    }
    char buf[64];
    return mb_diag_set(d, MB_USAGE, "simd: '%s' is not a path (avx512, avx2, portable)",
                       mb_printable(name, buf, sizeof buf));
}

/* The simd step of the ladder, as the kernel table and the tests run it. */
const struct mb_ladder_step mb_step_simd = {mb_rows_simd, mb_simd_block_rows,
                                            mb_simd_scratch_bytes};
