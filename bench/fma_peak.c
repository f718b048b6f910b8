/* An independent check of the FMA peak matbench measures (src/measure/peak.c): the
 * loops here are hand-written vfmadd231pd in inline assembly with another
 * number of accumulators (14, in registers 0-15), timed with clock_gettime,
 * and nothing of matbench is called. Compare its per-core line with
 * `matbench peak` (or mb_peak_measure) run just before or after.
 * Usage: fma_peak [SECONDS] [THREADS]   (defaults 1 s per ISA, 1 thread)
 * Each ISA the CPU has runs chunks of ~10 ms for SECONDS on each of THREADS
 * threads started together; it prints the best and the median chunk of one
 * thread (the per-core figure) and, with THREADS > 1, the total rate of all
 * threads over the whole run (flops done / wall time, no best-of). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_THREADS 256
#define MAX_CHUNKS 100000
#define CHUNK_S 0.010

/* Seconds on the monotonic clock. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* 14 accumulators acc += x * y, x = y = 2^-20: each step adds 2^-40, so
 * after 10^12 steps an accumulator is still below 1, and nothing is denormal. */
static const double operand = 0x1p-20;

#define FMA14(r)                                                                                   \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "0\n\t"                                               \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "1\n\t"                                               \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "2\n\t"                                               \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "3\n\t"                                               \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "4\n\t"                                               \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "5\n\t"                                               \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "6\n\t"                                               \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "7\n\t"                                               \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "8\n\t"                                               \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "9\n\t"                                               \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "10\n\t"                                              \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "11\n\t"                                              \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "12\n\t"                                              \
    "vfmadd231pd %%" r "15, %%" r "14, %%" r "13\n\t"

/* The loop: 14 FMAs, the count, the branch; then clean upper halves for
 * any SSE code that follows. */
#define LOOP14(r) ".p2align 5\n1:\n\t" FMA14(r) "dec %[n]\n\tjnz 1b\n\tvzeroupper"

#define CLOBBERS                                                                                   \
    "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",       \
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc"

/* iterations (>= 1) rounds of 14 AVX-512 FMAs on 8 doubles. */
static void loop_avx512(uint64_t iterations)
{
    __asm__ volatile("vbroadcastsd %[x], %%zmm14\n\t"
                     "vbroadcastsd %[x], %%zmm15\n\t"
                     "vpxorq %%zmm0, %%zmm0, %%zmm0\n\t"
                     "vmovapd %%zmm0, %%zmm1\n\tvmovapd %%zmm0, %%zmm2\n\t"
                     "vmovapd %%zmm0, %%zmm3\n\tvmovapd %%zmm0, %%zmm4\n\t"
                     "vmovapd %%zmm0, %%zmm5\n\tvmovapd %%zmm0, %%zmm6\n\t"
                     "vmovapd %%zmm0, %%zmm7\n\tvmovapd %%zmm0, %%zmm8\n\t"
                     "vmovapd %%zmm0, %%zmm9\n\tvmovapd %%zmm0, %%zmm10\n\t"
                     "vmovapd %%zmm0, %%zmm11\n\tvmovapd %%zmm0, %%zmm12\n\t"
                     "vmovapd %%zmm0, %%zmm13\n\t" LOOP14("zmm")
                     : [n] "+r"(iterations)
                     : [x] "m"(operand)
                     : CLOBBERS);
}

/* iterations (>= 1) rounds of 14 AVX2 FMAs on 4 doubles. */
static void loop_avx2(uint64_t iterations)
{
    __asm__ volatile("vbroadcastsd %[x], %%ymm14\n\t"
                     "vbroadcastsd %[x], %%ymm15\n\t"
                     "vxorpd %%ymm0, %%ymm0, %%ymm0\n\t"
                     "vmovapd %%ymm0, %%ymm1\n\tvmovapd %%ymm0, %%ymm2\n\t"
                     "vmovapd %%ymm0, %%ymm3\n\tvmovapd %%ymm0, %%ymm4\n\t"
                     "vmovapd %%ymm0, %%ymm5\n\tvmovapd %%ymm0, %%ymm6\n\t"
                     "vmovapd %%ymm0, %%ymm7\n\tvmovapd %%ymm0, %%ymm8\n\t"
                     "vmovapd %%ymm0, %%ymm9\n\tvmovapd %%ymm0, %%ymm10\n\t"
                     "vmovapd %%ymm0, %%ymm11\n\tvmovapd %%ymm0, %%ymm12\n\t"
                     "vmovapd %%ymm0, %%ymm13\n\t" LOOP14("ymm")
                     : [n] "+r"(iterations)
                     : [x] "m"(operand)
                     : CLOBBERS);
}

struct isa {
    const char *name;
    double flops_per_iteration; /* 14 FMAs x lanes x 2 */
    void (*loop)(uint64_t);
};

/* One thread's share: chunks until the deadline, each chunk's seconds kept. */
struct job {
    const struct isa *isa;
    uint64_t iterations; /* per chunk */
    pthread_barrier_t *start;
    double seconds;
    double begin_s, end_s;
    int chunks;
    double *chunk_s; /* MAX_CHUNKS */
};

/* A thread: waits for the others, then runs chunks until its deadline
 * (at least one), timing each. Returns NULL. */
static void *run_job(void *arg)
{
    struct job *j = arg;
    pthread_barrier_wait(j->start);
    j->begin_s = now_s();
    double deadline = j->begin_s + j->seconds, t = j->begin_s;
    for (j->chunks = 0; j->chunks < MAX_CHUNKS && (j->chunks == 0 || t < deadline); j->chunks++) {
        double t0 = now_s();
        j->isa->loop(j->iterations);
        t = now_s();
        j->chunk_s[j->chunks] = t - t0;
    }
    j->end_s = t;
    return NULL;
}

/* qsort order for doubles, ascending. */
static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Measures one ISA on `threads` threads and prints its line; returns 0, or
 * 1 when threads or memory cannot be had. */
static int measure(const struct isa *isa, double seconds, int threads)
{
    /* calibrate on this thread: double until 1 ms, then scale the fastest
     * of five runs at that count to a chunk */
    uint64_t iterations = 1000;
    double fastest = 0;
    while (fastest < 0.001) {
        iterations *= 2;
        fastest = 1e9;
        for (int r = 0; r < 5; r++) {
            double t0 = now_s();
            isa->loop(iterations);
            double t = now_s() - t0;
            fastest = t < fastest ? t : fastest;
        }
    }
    iterations = (uint64_t)((double)iterations * CHUNK_S / fastest) + 1;

    static struct job jobs[MAX_THREADS];
    static pthread_t tids[MAX_THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)threads);
    for (int i = 0; i < threads; i++) {
        jobs[i] = (struct job){isa, iterations, &start, seconds,
                               0,   0,          0,      malloc(MAX_CHUNKS * sizeof(double))};
        if (jobs[i].chunk_s == NULL) {
            fprintf(stderr, "fma_peak: out of memory\n");
            return 1;
        }
    }
    for (int i = 1; i < threads; i++) {
        int err = pthread_create(&tids[i], NULL, run_job, &jobs[i]);
        if (err != 0) {
            fprintf(stderr, "fma_peak: cannot start thread %d: %s\n", i + 1, strerror(err));
            return 1;
        }
    }
    run_job(&jobs[0]);
    for (int i = 1; i < threads; i++)
        pthread_join(tids[i], NULL);
    pthread_barrier_destroy(&start);

    double flops_per_chunk = isa->flops_per_iteration * (double)iterations;
    double first = jobs[0].begin_s, last = jobs[0].end_s, total_flops = 0;
    for (int i = 0; i < threads; i++) {
        first = jobs[i].begin_s < first ? jobs[i].begin_s : first;
        last = jobs[i].end_s > last ? jobs[i].end_s : last;
        total_flops += flops_per_chunk * jobs[i].chunks;
    }
    struct job *one = &jobs[0];
    qsort(one->chunk_s, (size_t)one->chunks, sizeof(double), compare_doubles);
    double best = flops_per_chunk / one->chunk_s[0] * 1e-9;
    double median = flops_per_chunk / one->chunk_s[one->chunks / 2] * 1e-9;
    printf("%-9s per core %7.2f GFLOP/s (best of %d chunks, fastest %.1f ms; median %.2f)",
           isa->name, best, one->chunks, one->chunk_s[0] * 1e3, median);
    if (threads > 1)
        printf("; %d threads together %7.2f GFLOP/s over %.2f s", threads,
               total_flops / (last - first) * 1e-9, last - first);
    printf("\n");
    for (int i = 0; i < threads; i++)
        free(jobs[i].chunk_s);
    return 0;
}

/* Parses SECONDS and THREADS (a bad one: a line naming it, exit 2), then
 * measures each ISA the CPU has. Returns 0, or 1 when a run fails. */
int main(int argc, char **argv)
{
    double seconds = 1.0;
    long threads = 1;
    char *end;
    if (argc > 3) {
        fprintf(stderr, "usage: fma_peak [SECONDS] [THREADS]\n");
        return 2;
    }
    if (argc > 1) {
        errno = 0;
        seconds = strtod(argv[1], &end);
        if (end == argv[1] || *end != '\0' || errno != 0 || !(seconds > 0 && seconds <= 600)) {
            fprintf(stderr, "fma_peak: SECONDS '%s' is not allowed (a number, 0 < s <= 600)\n",
                    argv[1]);
            return 2;
        }
    }
    if (argc > 2) {
        errno = 0;
        threads = strtol(argv[2], &end, 10);
        if (end == argv[2] || *end != '\0' || errno != 0 || threads < 1 || threads > MAX_THREADS) {
            fprintf(stderr, "fma_peak: THREADS '%s' is not allowed (1..%d)\n", argv[2],
                    MAX_THREADS);
            return 2;
        }
    }

    static const struct isa isas[] = {
        {"avx512", 14 * 8 * 2, loop_avx512},
        {"avx2+fma", 14 * 4 * 2, loop_avx2},
    };
    const int has[] = {__builtin_cpu_supports("avx512f"),
                       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")};
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
        if (!has[i]) {
            printf("%-9s skipped: this CPU does not have it\n", isas[i].name);
            continue;
        }
        if (measure(&isas[i], seconds, (int)threads) != 0)
            return 1;
    }
    return 0;
}
