/* The measured double-precision peak: a loop of independent multiply-adds
 * that lives in vector registers (no loads, no stores), timed on one thread
 * and on `cores` threads released together. */
#include "matbench/peak.h"

#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "matbench/clock.h"
#include "mb_internal.h"

/* Each loop keeps CHAINS independent chains acc = acc * m + c in vector
 * registers. A chain cannot advance faster than one FMA latency (4 cycles
 * on Zen 4/5, Skylake-X, Ice Lake; 5 on Haswell), so two FMA pipes need at
 * least 2 x 4 = 8 (2 x 5 = 10) chains in flight; we use as many as the
 * register file holds beside m and c. In the SSE2 loop a step is a multiply
 * and then an add (3 + 3 cycles on Zen): 14 chains keep Zen's two multiply
 * and two add pipes busy. With m = 1 - 2^-20 and c = 2^-20 every chain
 * drifts towards its fixed point c / (1 - m) = 1: the values stay finite and
 * far from denormal, so no operand takes a slow path.
 * The library is built for plain x86-64: the AVX loops carry their own
 * target attribute and run only when the CPU has the instructions. LOOP
 * keeps gcc from inlining a loop or treating it as a pure function whose
 * repeated calls could be merged or hoisted out of a timing loop (noipa),
 * and compiles it optimised in every build type: at -O0 each intrinsic's
 * result goes through the stack and a Debug build measured a tenth of the
 * peak. (gcc calls the optimize attribute a debugging aid; on these leaf
 * loops it gives the same code as -O2, which objdump confirms.) */
#ifdef __clang__
#define LOOP __attribute__((noinline))
#else
#define LOOP __attribute__((noipa, optimize("O2")))
#endif
#define SSE2_CHAINS 14   /* 16 xmm registers: 14 + m + c */
#define AVX2_CHAINS 12   /* 16 ymm registers: 12 + m + c */
#define AVX512_CHAINS 24 /* 32 zmm registers: 24 + m + c */
#define PEAK_MUL (1.0 - 0x1p-20)
#define PEAK_ADD 0x1p-20

#define REP12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define REP14(X) REP12(X) X(12) X(13)
#define REP24(X) REP12(X) X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)

/* Runs `iterations` rounds of one multiply (mulpd) and one add (addpd) on
 * each of SSE2_CHAINS chains of 2 doubles; SSE2 has no FMA. Returns the sum
 * of every lane, for the caller to store where the compiler must keep it.
 * (Built with FMA enabled, gcc would contract each pair into one FMA: the
 * flops are the same.) */
LOOP static double loop_sse2(uint64_t iterations, double mul, double add)
{
    const __m128d m = _mm_set1_pd(mul), c = _mm_set1_pd(add);
#define DECLARE(i) __m128d a##i = _mm_set1_pd(1.0 + (i) / 64.0);
    REP14(DECLARE)
#undef DECLARE
    for (uint64_t it = 0; it < iterations; it++) {
#define STEP(i) a##i = _mm_add_pd(_mm_mul_pd(a##i, m), c);
        REP14(STEP)
#undef STEP
    }
    __m128d s = _mm_setzero_pd();
#define SUM(i) s = _mm_add_pd(s, a##i);
    REP14(SUM)
#undef SUM
    double lanes[2];
    _mm_storeu_pd(lanes, s);
    return lanes[0] + lanes[1];
}

/* Runs `iterations` rounds of one FMA on each of AVX2_CHAINS chains of 4
 * doubles. Returns the sum of every lane. */
LOOP __attribute__((target("avx2,fma"))) static double loop_avx2(uint64_t iterations, double mul,
                                                                 double add)
{
    const __m256d m = _mm256_set1_pd(mul), c = _mm256_set1_pd(add);
#define DECLARE(i) __m256d a##i = _mm256_set1_pd(1.0 + (i) / 64.0);
    REP12(DECLARE)
#undef DECLARE
    for (uint64_t it = 0; it < iterations; it++) {
#define STEP(i) a##i = _mm256_fmadd_pd(a##i, m, c);
        REP12(STEP)
#undef STEP
    }
    __m256d s = _mm256_setzero_pd();
#define SUM(i) s = _mm256_add_pd(s, a##i);
    REP12(SUM)
#undef SUM
    double lanes[4];
    _mm256_storeu_pd(lanes, s);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

/* Runs `iterations` rounds of one FMA on each of AVX512_CHAINS chains of 8
 * doubles. Returns the sum of every lane. */
LOOP __attribute__((target("avx512f"))) static double loop_avx512(uint64_t iterations, double mul,
                                                                  double add)
{
    const __m512d m = _mm512_set1_pd(mul), c = _mm512_set1_pd(add);
#define DECLARE(i) __m512d a##i = _mm512_set1_pd(1.0 + (i) / 64.0);
    REP24(DECLARE)
#undef DECLARE
    for (uint64_t it = 0; it < iterations; it++) {
#define STEP(i) a##i = _mm512_fmadd_pd(a##i, m, c);
        REP24(STEP)
#undef STEP
    }
    __m512d s = _mm512_setzero_pd();
#define SUM(i) s = _mm512_add_pd(s, a##i);
    REP24(SUM)
#undef SUM
    return _mm512_reduce_add_pd(s);
}

typedef double loop_fn(uint64_t iterations, double mul, double add);

/* The loop of each instruction set, indexed by enum mb_isa (its name,
 * lanes and flops per instruction are in matbench/cpu.h). */
static const struct isa_row {
    unsigned instructions_per_iteration; /* of the loop below */
    loop_fn *loop;
} isas[] = {
    [MB_ISA_SSE2] = {2 * SSE2_CHAINS, loop_sse2},
    [MB_ISA_AVX2] = {AVX2_CHAINS, loop_avx2},
    [MB_ISA_AVX512] = {AVX512_CHAINS, loop_avx512},
};

/* isa's row, or NULL when isa is not one of the enum's values. */
static const struct isa_row *find_isa(enum mb_isa isa)
{
    return (unsigned)isa < MB__ARRAY_SIZE(isas) ? &isas[isa] : NULL;
}

/* Flops done by `instructions` vector arithmetic instructions of isa:
 * instructions x mb_isa_flops_per_instruction(isa). Exact up to 2^53. */
double mb_peak_flops(enum mb_isa isa, uint64_t instructions)
{
    return (double)instructions * mb_isa_flops_per_instruction(isa);
}

/* A chunk of work is timed as one piece: long enough that the clock's
 * resolution and the call are negligible (a few ns in 10 ms), short enough
 * that a phase holds many and one undisturbed chunk is likely. */
#define CHUNK_S 0.010
#define WARMUP_S 0.1

/* Seconds one run of row's loop for `iterations` takes on this thread. */
static double time_loop(const struct isa_row *row, uint64_t iterations)
{
    volatile double sink;
    double t0 = mb_clock_now_s();
    sink = row->loop(iterations, PEAK_MUL, PEAK_ADD);
    double elapsed = mb_clock_now_s() - t0;
    (void)sink;
    return elapsed;
}

/* Iterations of row's loop that take about chunk_s on this thread. The
 * count doubles from a small one until a run lasts an eighth of a chunk;
 * that count runs twice more and the fastest of the three is scaled to the
 * chunk (a run another process interrupted would otherwise make every
 * chunk short). The runs also warm the vector unit up: a CPU may power its
 * wide units up, or change clocks, on their first use. */
static uint64_t calibrate(const struct isa_row *row, double chunk_s)
{
    const uint64_t most = UINT64_C(1) << 40;
    uint64_t iterations = 1024;
    double fastest = time_loop(row, iterations);
    while (fastest < chunk_s / 8 && iterations < most) {
        iterations *= 2;
        fastest = time_loop(row, iterations);
    }
    for (int again = 0; again < 2; again++) {
        double elapsed = time_loop(row, iterations);
        fastest = elapsed < fastest ? elapsed : fastest;
    }
    double scaled = fastest > 0 ? (double)iterations * chunk_s / fastest : (double)most;
    return scaled < 1 ? 1 : scaled > (double)most ? most : (uint64_t)scaled;
}

/* The best rate, in flop/s, of chunks of `iterations` run one after another
 * on this thread until phase_s has passed (at least one chunk). */
static double best_rate_one_thread(const struct isa_row *row, uint64_t iterations,
                                   double flops_per_chunk, double phase_s)
{
    volatile double sink;
    double best = 0, start = mb_clock_now_s(), now;
    do {
        double t0 = mb_clock_now_s();
        sink = row->loop(iterations, PEAK_MUL, PEAK_ADD);
        now = mb_clock_now_s();
        if (now > t0 && flops_per_chunk / (now - t0) > best)
            best = flops_per_chunk / (now - t0);
    } while (now - start < phase_s);
    (void)sink;
    return best;
}

/* The threads of the all-cores phase and the coordinator (the caller) meet
 * at one barrier twice a round: at the release and after the work. Nothing
 * is pinned: with as many busy threads as physical cores the scheduler
 * spreads them over idle cores by itself, and pinning would need the core
 * numbering (hwloc) and could fight a taskset or cgroup the user chose. */
struct team {
    pthread_mutex_t gate; /* held by the coordinator while threads start */
    bool go;              /* every thread started: run rounds (else leave) */
    bool stop;            /* written before a release, read after it */
    pthread_barrier_t barrier;
    loop_fn *loop;
    uint64_t iterations;
};

struct worker {
    struct team *team;
    pthread_t tid;
    double start_s, end_s; /* this round, on the monotonic clock */
    volatile double sink;
};

/* A thread of the all-cores phase: one chunk per round until told to stop.
 * Returns NULL. */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct team *t = w->team;
    pthread_mutex_lock(&t->gate);
    bool go = t->go;
    pthread_mutex_unlock(&t->gate);
    if (!go)
        return NULL;
    for (;;) {
        pthread_barrier_wait(&t->barrier); /* release */
        if (t->stop)
            return NULL;
        w->start_s = mb_clock_now_s();
        w->sink = t->loop(t->iterations, PEAK_MUL, PEAK_ADD);
        w->end_s = mb_clock_now_s();
        pthread_barrier_wait(&t->barrier); /* done */
    }
}

/* Runs rounds of `cores` threads released together, each doing one chunk of
 * `iterations`, until phase_s has passed (at least one round). A round's
 * rate is all threads' flops over the time from the first thread's start
 * to the last one's finish; *best receives the best round's rate in flop/s.
 * Returns MB_OK, or MB_RUNTIME (nothing left running) when the barrier or a
 * thread cannot be created. */
static enum mb_status best_rate_all_cores(const struct isa_row *row, uint64_t iterations,
                                          double flops_per_chunk, int cores, double phase_s,
                                          double *best, struct mb_diag *d)
{
    struct team t = {
        .gate = PTHREAD_MUTEX_INITIALIZER, .loop = row->loop, .iterations = iterations};
    struct worker w[MB_PEAK_MAX_THREADS];
    int err = pthread_barrier_init(&t.barrier, NULL, (unsigned)cores + 1);
    if (err != 0)
        return mb_diag_set(d, MB_RUNTIME, "peak: cannot create a barrier for %d threads: %s", cores,
                           strerror(err));
    int started = 0;
    pthread_mutex_lock(&t.gate);
    for (; started < cores; started++) {
        w[started] = (struct worker){.team = &t};
        err = pthread_create(&w[started].tid, NULL, worker_main, &w[started]);
        if (err != 0)
            break;
    }
    t.go = started == cores;
    pthread_mutex_unlock(&t.gate);
    if (!t.go) {
        for (int i = 0; i < started; i++)
            pthread_join(w[i].tid, NULL);
        pthread_barrier_destroy(&t.barrier);
        return mb_diag_set(d, MB_RUNTIME, "peak: cannot start thread %d of %d: %s", started + 1,
                           cores, strerror(err));
    }

    double start = mb_clock_now_s();
    *best = 0;
    do {
        pthread_barrier_wait(&t.barrier); /* release */
        pthread_barrier_wait(&t.barrier); /* all done */
        double first = INFINITY, last = -INFINITY;
        for (int i = 0; i < cores; i++) {
            first = w[i].start_s < first ? w[i].start_s : first;
            last = w[i].end_s > last ? w[i].end_s : last;
        }
        if (last > first && flops_per_chunk * cores / (last - first) > *best)
            *best = flops_per_chunk * cores / (last - first);
    } while (mb_clock_now_s() - start < phase_s);
    t.stop = true;
    pthread_barrier_wait(&t.barrier);
    for (int i = 0; i < cores; i++)
        pthread_join(w[i].tid, NULL);
    pthread_barrier_destroy(&t.barrier);
    return MB_OK;
}

/* Measures isa's peak: chunks of ~10 ms on this thread for about
 * seconds_per_phase, then rounds of `cores` threads at once for about as
 * long; out receives the best chunk's and the best round's rates in
 * GFLOP/s. Best, not median: the work is fixed and touches no memory, so
 * anything that varies (other processes on a shared machine, interrupts, a
 * clock dip) can only make a chunk slower, and the fastest chunk is the
 * closest to what the hardware does. With cores == 1 the all-cores figure
 * is the one-thread figure. The loop never runs an instruction the CPU
 * lacks. Returns MB_OK; MB_USAGE for an unknown isa or one this CPU lacks,
 * cores outside 1..MB_PEAK_MAX_THREADS, seconds_per_phase outside
 * (0, MB_PEAK_MAX_PHASE_S] or a NULL out; MB_RUNTIME when the threads
 * cannot be started. On failure *out (when not NULL) is left unmeasured
 * (all zero), which mb_peak_for_threads reports as NAN. */
enum mb_status mb_peak_measure(enum mb_isa isa, int cores, double seconds_per_phase,
                               struct mb_peak *out, struct mb_diag *d)
{
    double begin = mb_clock_now_s();
    if (out == NULL)
        return mb_diag_set(d, MB_USAGE, "peak: no place for the result");
    memset(out, 0, sizeof *out);
    const struct isa_row *row = find_isa(isa);
    if (row == NULL)
        return mb_diag_set(d, MB_USAGE,
                           "isa: '%d' is not an instruction set (sse2, avx2+fma, "
                           "avx512)",
                           (int)isa);
    if (!mb_isa_supported(isa))
        return mb_diag_set(d, MB_USAGE, "isa: this CPU has no %s (the widest it has is %s)",
                           mb_isa_name(isa), mb_isa_name(mb_isa_widest()));
    if (cores < 1 || cores > MB_PEAK_MAX_THREADS)
        return mb_diag_set(d, MB_USAGE, "cores: '%d' is not allowed (1..%d)", cores,
                           MB_PEAK_MAX_THREADS);
    if (!(seconds_per_phase > 0 && seconds_per_phase <= MB_PEAK_MAX_PHASE_S))
        return mb_diag_set(d, MB_USAGE, "seconds per phase: '%g' is not allowed (0 < s <= %g)",
                           seconds_per_phase, MB_PEAK_MAX_PHASE_S);

    /* at least two chunks a phase, so a short phase still has a best of */
    double chunk_s = seconds_per_phase / 2 < CHUNK_S ? seconds_per_phase / 2 : CHUNK_S;
    uint64_t iterations = calibrate(row, chunk_s);
    /* Warm-up: a core that was idle (as one is after matbench waits for
     * OpenBLAS's threads to settle) ran AVX-512 at two thirds of its rate
     * here for up to a few tenths of a second; the first chunks of a phase
     * would otherwise measure the clock ramping up, not the peak. */
    for (double t0 = mb_clock_now_s(); mb_clock_now_s() - t0 < WARMUP_S;)
        (void)time_loop(row, iterations);
    double flops = mb_peak_flops(isa, iterations * row->instructions_per_iteration);
    double one = best_rate_one_thread(row, iterations, flops, seconds_per_phase);
    double all = one;
    if (cores > 1) {
        enum mb_status st =
            best_rate_all_cores(row, iterations, flops, cores, seconds_per_phase, &all, d);
        if (st != MB_OK)
            return st;
    }
    *out = (struct mb_peak){.isa = isa,
                            .per_core_gflops = one * 1e-9,
                            .all_cores_gflops = all * 1e-9,
                            .cores = cores,
                            .seconds = mb_clock_now_s() - begin};
    return MB_OK;
}

/* The peak, in GFLOP/s, that bounds a run on `threads` threads: the
 * all-cores figure from pk->cores threads up (extra threads share the same
 * cores), and below it per_core x threads, capped at the all-cores figure
 * (cores that share power or clocks may not all reach the one-core rate).
 * Returns NAN when pk is NULL or unmeasured, or threads < 1. */
double mb_peak_for_threads(const struct mb_peak *pk, int threads)
{
    if (pk == NULL || pk->cores < 1 || !(pk->per_core_gflops > 0) || !(pk->all_cores_gflops > 0) ||
        threads < 1)
        return NAN;
    if (threads >= pk->cores)
        return pk->all_cores_gflops;
    double scaled = pk->per_core_gflops * threads;
    return scaled < pk->all_cores_gflops ? scaled : pk->all_cores_gflops;
}

/* The peak as a run measures it: first the wait until the process is idle
 * (mb_clock_settle: OpenBLAS's workers spin for a while after a call, and
 * at start-up), then mb_peak_measure; on a quiet machine all cores together
 * beat one, so when they did not, another program held a core and the
 * measurement is taken once more. Returns what mb_peak_measure returns. */
enum mb_status mb_peak_measure_settled(enum mb_isa isa, int cores, double seconds_per_phase,
                                       struct mb_peak *out, struct mb_diag *d)
{
    mb_clock_settle();
    enum mb_status st = mb_peak_measure(isa, cores, seconds_per_phase, out, d);
    if (st == MB_OK && out->cores > 1 && out->all_cores_gflops < out->per_core_gflops)
        st = mb_peak_measure(isa, cores, seconds_per_phase, out, d);
    return st;
}
