/* The machine's double-precision peak, measured rather than looked up: a
 * register-resident multiply-add loop on one thread and on every physical
 * core at once, for an instruction set the CPU has (SSE2, AVX2+FMA, AVX-512). */
#ifndef MATBENCH_PEAK_H
#define MATBENCH_PEAK_H

#include <stdbool.h>
#include <stdint.h>

#include "matbench/status.h"

/* Vector instruction sets, narrowest first. AVX2 means AVX2 together with
 * FMA3; AVX512 means AVX-512F. */
enum mb_isa { MB_ISA_SSE2, MB_ISA_AVX2, MB_ISA_AVX512 };

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

const char *mb_isa_name(enum mb_isa isa);
unsigned mb_isa_lanes(enum mb_isa isa);
unsigned mb_isa_flops_per_instruction(enum mb_isa isa);
bool mb_isa_supported(enum mb_isa isa);
enum mb_isa mb_isa_widest(void);
double mb_peak_flops(enum mb_isa isa, uint64_t instructions);
enum mb_status mb_peak_measure(enum mb_isa isa, int cores, double seconds_per_phase,
                               struct mb_peak *out, struct mb_diag *d);
double mb_peak_for_threads(const struct mb_peak *pk, int threads);

#endif /* MATBENCH_PEAK_H */
