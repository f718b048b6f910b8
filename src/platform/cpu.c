/* The CPU's vector instruction sets and features: one table of matbench's
 * own ISAs, one of the feature names gcc's builtins and CPUID answer for,
 * and the ISA levels of OpenBLAS's kernels. Everything that asks the CPU
 * what it has asks here. */
#include "matbench/cpu.h"

#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mb_internal.h"

/* ---- matbench's own ISAs -------------------------------------------------- */

/* One row per enum mb_isa: its name, doubles per register, the flops of
 * one vector arithmetic instruction (a flop is one add or multiply, an FMA
 * two: the convention of vendors' peak figures and LAPACK Working Note
 * 41), and the features the CPU must have, as mb_cpu_has names them. */
static const struct {
    const char *name;
    unsigned lanes, flops_per_instruction;
    const char *features[3]; /* NULL-terminated */
} isas[] = {
    [MB_ISA_SSE2] = {"sse2", 2, 2, {"sse2", NULL}},
    [MB_ISA_AVX2] = {"avx2+fma", 4, 8, {"avx2", "fma", NULL}},
    [MB_ISA_AVX512] = {"avx512", 8, 16, {"avx512f", NULL}},
};

static bool isa_known(enum mb_isa isa)
{
    return (unsigned)isa < MB__ARRAY_SIZE(isas);
}

/* The name of isa ("sse2", "avx2+fma", "avx512"), or "unknown". */
const char *mb_isa_name(enum mb_isa isa)
{
    return isa_known(isa) ? isas[isa].name : "unknown";
}

/* Doubles per vector register of isa: 2, 4 or 8; 0 for an unknown isa. */
unsigned mb_isa_lanes(enum mb_isa isa)
{
    return isa_known(isa) ? isas[isa].lanes : 0;
}

/* Flops one vector arithmetic instruction of isa performs: an FMA on every
 * lane for AVX2 (8) and AVX-512 (16); SSE2 has no FMA, so a multiply or an
 * add on 2 lanes (2). Returns 0 for an unknown isa. */
unsigned mb_isa_flops_per_instruction(enum mb_isa isa)
{
    return isa_known(isa) ? isas[isa].flops_per_instruction : 0;
}

/* Whether this CPU, and the kernel (which must save the wider registers),
 * can run isa's instructions: every feature of its row, as mb_cpu_has
 * answers (gcc's cpuid probe counts the AVX features only when XGETBV shows
 * the OS enabled their state). False for an unknown isa. */
bool mb_isa_supported(enum mb_isa isa)
{
    if (!isa_known(isa))
        return false;
    for (const char *const *f = isas[isa].features; *f != NULL; f++)
        if (!mb_cpu_has(*f))
            return false;
    return true;
}

/* The widest instruction set this CPU supports: AVX-512 when it has
 * avx512f, else AVX2 when it has avx2 and fma, else SSE2 (every x86-64). */
enum mb_isa mb_isa_widest(void)
{
    for (size_t i = MB__ARRAY_SIZE(isas) - 1; i > 0; i--)
        if (mb_isa_supported((enum mb_isa)i))
            return (enum mb_isa)i;
    return MB_ISA_SSE2;
}

/* ---- ISA levels of OpenBLAS's kernels ---------------------------------- */

/* The vector ISA levels of OpenBLAS's dgemm kernels, narrowest first, each
 * with the feature that shows a CPU has it (every x86-64 has sse2). */
static const struct {
    const char *isa, *flag;
} levels[] = {
    {"sse2", "sse2"}, {"sse3", "sse3"}, {"avx", "avx"}, {"avx2", "avx2"}, {"avx512", "avx512f"}};

/* The position of isa among sse2 < sse3 < avx < avx2 < avx512 (0..4), or
 * -1 when it is none of them (or NULL). */
int mb_isa_rank(const char *isa)
{
    for (size_t i = 0; isa != NULL && i < MB__ARRAY_SIZE(levels); i++)
        if (strcmp(isa, levels[i].isa) == 0)
            return (int)i;
    return -1;
}

/* ---- features: the compiler's and CPUID's names --------------------------- */

/* The feature names mb_cpu_has asks the compiler about: each becomes one
 * __builtin_cpu_supports call, which takes only a string literal. gcc 12
 * spells SSE4.1 "sse4.1" and AVX-512 BF16 "avx512bf16". Names that one of
 * the compilers we build with does not know (clang 14 refuses 3dnow, f16c,
 * avx512fp16 and the AMX ones) are read from CPUID instead: cpuid_flags. */
#define MB__CPU_FLAGS(X)                                                                           \
    X("sse2")                                                                                      \
    X("sse3")                                                                                      \
    X("ssse3")                                                                                     \
    X("sse4.1")                                                                                    \
    X("sse4.2")                                                                                    \
    X("sse4a")                                                                                     \
    X("popcnt")                                                                                    \
    X("avx")                                                                                       \
    X("fma4")                                                                                      \
    X("xop")                                                                                       \
    X("fma")                                                                                       \
    X("bmi")                                                                                       \
    X("bmi2")                                                                                      \
    X("avx2")                                                                                      \
    X("avx512f")                                                                                   \
    X("avx512cd")                                                                                  \
    X("avx512bw")                                                                                  \
    X("avx512dq")                                                                                  \
    X("avx512vl")                                                                                  \
    X("avx512vnni")                                                                                \
    X("avx512bf16")

/* The features read from CPUID (Intel SDM vol. 2A, CPUID; AMD APM vol. 3
 * for 3DNow!): leaf, sub-leaf, register (0 eax .. 3 edx) and bit, and the
 * compiler-checked feature whose register state the OS must save for it
 * to be usable (libgcc checks XGETBV for AVX and AVX-512). AMX tiles need
 * their own state too: XCR0 bits 17 and 18. */
static const struct cpuid_flag {
    const char *name;
    unsigned leaf, subleaf, reg, bit;
    const char *needs; /* NULL: nothing beyond the bit */
    bool amx_state;
} cpuid_flags[] = {
    {"3dnow", 0x80000001u, 0, 3, 31, NULL, false}, {"f16c", 1, 0, 2, 29, "avx", false},
    {"avx512fp16", 7, 0, 3, 23, "avx512f", false}, {"amx-tile", 7, 0, 3, 24, NULL, true},
    {"amx-bf16", 7, 0, 3, 22, NULL, true},
};

/* XCR0, the register state the OS saves; 0 when XGETBV is not enabled. */
static uint64_t xcr0(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c >> 27 & 1)) /* OSXSAVE */
        return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

static bool cpuid_has(const struct cpuid_flag *f)
{
    unsigned r[4] = {0};
    if (!__get_cpuid_count(f->leaf, f->subleaf, &r[0], &r[1], &r[2], &r[3]))
        return false;
    if (!(r[f->reg] >> f->bit & 1))
        return false;
    if (f->amx_state && (xcr0() & (3u << 17)) != (3u << 17))
        return false;
    return f->needs == NULL || mb_cpu_has(f->needs);
}

/* True when this CPU (and the kernel, for AVX and AVX-512 register state:
 * libgcc checks XGETBV) supports flag; false for a name mb_cpu_flag_known
 * does not know. */
bool mb_cpu_has(const char *flag)
{
    if (flag == NULL)
        return false;
    __builtin_cpu_init();
#define MB__CPU_HAS(f)                                                                             \
    if (strcmp(flag, f) == 0)                                                                      \
        return __builtin_cpu_supports(f) != 0;
    MB__CPU_FLAGS(MB__CPU_HAS)
#undef MB__CPU_HAS
    for (size_t i = 0; i < MB__ARRAY_SIZE(cpuid_flags); i++)
        if (strcmp(flag, cpuid_flags[i].name) == 0)
            return cpuid_has(&cpuid_flags[i]);
    return false;
}

/* True when mb_cpu_has checks flag for real rather than answering false
 * for a name it does not know. */
bool mb_cpu_flag_known(const char *flag)
{
    static const char *const known[] = {
#define MB__CPU_NAME(f) f,
        MB__CPU_FLAGS(MB__CPU_NAME)
#undef MB__CPU_NAME
    };
    for (size_t i = 0; flag != NULL && i < MB__ARRAY_SIZE(known); i++)
        if (strcmp(flag, known[i]) == 0)
            return true;
    for (size_t i = 0; flag != NULL && i < MB__ARRAY_SIZE(cpuid_flags); i++)
        if (strcmp(flag, cpuid_flags[i].name) == 0)
            return true;
    return false;
}

/* The widest vector ISA level of a CPU described by has (mb_cpu_has when
 * NULL): "avx512" with avx512f, else "avx2", "avx", "sse3", and "sse2",
 * which every x86-64 CPU has. */
const char *mb_cpu_widest_isa(mb_cpu_has_fn *has)
{
    if (has == NULL)
        has = mb_cpu_has;
    for (size_t i = MB__ARRAY_SIZE(levels) - 1; i > 0; i--)
        if (has(levels[i].flag))
            return levels[i].isa;
    return levels[0].isa;
}

/* ---- the SIMD line of `matbench info` -------------------------------------- */

/* Writes to dst the vector extensions that matter for double-precision
 * GEMM that this CPU has, widest first, separated by spaces ("avx512f avx2
 * fma avx sse2"), or "none". */
void mb_cpu_simd_list(char *dst, size_t cap)
{
    static const char *const simd[] = {"avx512f", "avx2", "fma", "avx", "sse2"};
    size_t len = 0;
    dst[0] = '\0';
    for (size_t i = 0; i < MB__ARRAY_SIZE(simd); i++)
        if (mb_cpu_has(simd[i]) && len < cap) {
            int w = snprintf(dst + len, cap - len, "%s%s", len ? " " : "", simd[i]);
            len += w > 0 ? (size_t)w : 0;
        }
    if (dst[0] == '\0')
        snprintf(dst, cap, "none");
}
