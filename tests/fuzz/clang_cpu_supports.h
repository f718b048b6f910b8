/* Force-included (-include) into src/coretype.c in the MATBENCH_FUZZ build
 * only. clang 14's __builtin_cpu_supports refuses at compile time four of the
 * names gcc 12 knows and coretype.c asks about (3dnow, f16c, avx512fp16,
 * amx-tile, amx-bf16). This routes every __builtin_cpu_supports(NAME) of the file to
 * mb__fuzz_cpu_supports: the real builtin for the names clang knows, CPUID
 * for the other five (with the builtin's answer for AVX or AVX-512, which
 * covers the OS saving the registers). To drop when coretype.c builds with
 * clang by itself. */
#ifndef MATBENCH_FUZZ_CLANG_CPU_SUPPORTS_H
#define MATBENCH_FUZZ_CLANG_CPU_SUPPORTS_H

#define _GNU_SOURCE /* as coretype.c, which defines it before any include */
#include <cpuid.h>
#include <stdbool.h>
#include <string.h>

static inline bool mb__fuzz_cpuid7(unsigned reg, unsigned bit)
{
    unsigned r[4] = {0};
    if (!__get_cpuid_count(7, 0, &r[0], &r[1], &r[2], &r[3]))
        return false;
    return (r[reg] >> bit) & 1;
}

static inline int mb__fuzz_cpu_supports(const char *f)
{
#define MB__FUZZ_REAL(name)                                                                        \
    if (strcmp(f, name) == 0)                                                                      \
        return __builtin_cpu_supports(name);
    MB__FUZZ_REAL("sse2") MB__FUZZ_REAL("sse3") MB__FUZZ_REAL("ssse3") MB__FUZZ_REAL("sse4.1")
    MB__FUZZ_REAL("sse4.2") MB__FUZZ_REAL("sse4a") MB__FUZZ_REAL("popcnt")
    MB__FUZZ_REAL("avx") MB__FUZZ_REAL("fma4") MB__FUZZ_REAL("xop") MB__FUZZ_REAL("fma")
    MB__FUZZ_REAL("bmi") MB__FUZZ_REAL("bmi2") MB__FUZZ_REAL("avx2") MB__FUZZ_REAL("avx512f")
    MB__FUZZ_REAL("avx512cd") MB__FUZZ_REAL("avx512bw") MB__FUZZ_REAL("avx512dq")
    MB__FUZZ_REAL("avx512vl") MB__FUZZ_REAL("avx512vnni") MB__FUZZ_REAL("avx512bf16")
#undef MB__FUZZ_REAL
    unsigned a, b, c, d;
    if (strcmp(f, "3dnow") == 0) /* CPUID.80000001H:EDX[31] */
        return __get_cpuid(0x80000001, &a, &b, &c, &d) && (d >> 31 & 1);
    if (strcmp(f, "f16c") == 0) /* CPUID.1:ECX[29] */
        return __builtin_cpu_supports("avx") && __get_cpuid(1, &a, &b, &c, &d) && (c >> 29 & 1);
    if (strcmp(f, "avx512fp16") == 0) /* CPUID.7.0:EDX[23] */
        return __builtin_cpu_supports("avx512f") && mb__fuzz_cpuid7(3, 23);
    if (strcmp(f, "amx-tile") == 0) /* EDX[24] */
        return __builtin_cpu_supports("avx512f") && mb__fuzz_cpuid7(3, 24);
    if (strcmp(f, "amx-bf16") == 0) /* EDX[22] */
        return __builtin_cpu_supports("avx512f") && mb__fuzz_cpuid7(3, 22);
    return 0;
}

#define __builtin_cpu_supports(name) mb__fuzz_cpu_supports(name)

#endif /* MATBENCH_FUZZ_CLANG_CPU_SUPPORTS_H */
