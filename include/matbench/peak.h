/* The machine's double-precision peak, measured rather than looked up: a
 * register-resident multiply-add loop on one thread and on every physical
 * core at once, for an instruction set the CPU has (SSE2, AVX2+FMA, AVX-512). */
#ifndef MATBENCH_PEAK_H
#define MATBENCH_PEAK_H

#include <stdbool.h>
#include <stdint.h>

#include "matbench/cpu.h" /* enum mb_isa, mb_isa_* */
#include "matbench/status.h"

#define MB_PEAK_MAX_THREADS 256     /* cores mb_peak_measure accepts */
#define MB_PEAK_DEFAULT_PHASE_S 0.2 /* a default run: ~0.5 s in all */
#define MB_PEAK_MAX_PHASE_S 60.0

struct mb_peak {
    enum mb_isa isa;
    double per_core_gflops;  /* one thread alone */
    double all_cores_gflops; /* `cores` threads at once, total */
    int cores;               /* threads used for all_cores_gflops */
    double seconds;          /* wall time the measurement took */
};

double mb_peak_flops(enum mb_isa isa, uint64_t instructions);
enum mb_status mb_peak_measure(enum mb_isa isa, int cores, double seconds_per_phase,
                               struct mb_peak *out, struct mb_diag *d);
enum mb_status mb_peak_measure_settled(enum mb_isa isa, int cores, double seconds_per_phase,
                                       struct mb_peak *out, struct mb_diag *d);
double mb_peak_for_threads(const struct mb_peak *pk, int threads);

#endif /* MATBENCH_PEAK_H */
