/* The fill rate of matbench's counter-based PRNG, in million doubles per
 * second: median of 5 fills of memory already touched (the generator alone),
 * and one fill of fresh memory (page faults included, as in a matbench run).
 * Usage: fill_rate [MILLIONS] [THREADS]  (default 100 million, all CPUs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/clock.h"
#include "matbench/matrix.h"
#include "matbench/stats.h"

int main(int argc, char **argv)
{
    long millions = argc > 1 ? atol(argv[1]) : 100;
    long threads = argc > 2 ? atol(argv[2]) : (long)mb_fill_threads();
    if (argc > 3 || millions < 1 || millions > 10000 || threads < 1 || threads > 256) {
        fprintf(stderr, "usage: fill_rate [MILLIONS 1..10000] [THREADS 1..256]\n");
        return 2;
    }
    size_t count = (size_t)millions * 1000000;
    double *fresh = mb_matrix_alloc(count, 1);
    if (fresh == NULL) {
        fprintf(stderr, "fill_rate: out of memory\n");
        return 1;
    }
    double t0 = mb_clock_now_s();
    mb_matrix_fill(fresh, count, 1, 1, MB_STREAM_A, (unsigned)threads);
    double first_touch = mb_clock_now_s() - t0;

    double samples[5];
    for (int r = 0; r < 5; r++) {
        t0 = mb_clock_now_s();
        mb_matrix_fill(fresh, count, 1, (uint64_t)r + 2, MB_STREAM_B, (unsigned)threads);
        samples[r] = mb_clock_now_s() - t0;
    }
    struct mb_stats st;
    mb_stats_compute(samples, 5, &st);
    printf("fill_rate %zu doubles, %ld threads: %.0f M doubles/s (median of 5, memory touched); "
           "%.0f M doubles/s first touch (page faults included)\n",
           count, threads, (double)count / st.median * 1e-6, (double)count / first_touch * 1e-6);
    mb_matrix_free(fresh);
    return 0;
}
