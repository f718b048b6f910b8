/* The CPU's vector instruction sets and features, in one vocabulary: the
 * ISAs matbench's own loops use (enum mb_isa), the feature names the
 * compiler and CPUID answer for (mb_cpu_has), the ISA levels of OpenBLAS's
 * kernels (mb_isa_rank) and the SIMD line of `matbench info`. */
#ifndef MATBENCH_CPU_H
#define MATBENCH_CPU_H

#include <stdbool.h>
#include <stddef.h>

/* Vector instruction sets, narrowest first. AVX2 means AVX2 together with
 * FMA3; AVX512 means AVX-512F. */
enum mb_isa { MB_ISA_SSE2, MB_ISA_AVX2, MB_ISA_AVX512 };

const char *mb_isa_name(enum mb_isa isa);
unsigned mb_isa_lanes(enum mb_isa isa);
unsigned mb_isa_flops_per_instruction(enum mb_isa isa);
bool mb_isa_supported(enum mb_isa isa);
enum mb_isa mb_isa_widest(void);

/* A question about the CPU: does it have this feature? mb_cpu_has asks the
 * real one; tests pass fakes. */
typedef bool mb_cpu_has_fn(const char *flag);
bool mb_cpu_has(const char *flag);
bool mb_cpu_flag_known(const char *flag);
int mb_isa_rank(const char *isa);
const char *mb_cpu_widest_isa(mb_cpu_has_fn *has);
void mb_cpu_simd_list(char *dst, size_t cap);

#endif /* MATBENCH_CPU_H */
