/* OpenBLAS core types (the kernel sets OPENBLAS_CORETYPE forces in a
 * DYNAMIC_ARCH build): which exist, which this CPU can run, and a probe that
 * runs dgemm under one of them in a child process, where a wrong choice can
 * only kill the child. */
#ifndef MATBENCH_CORETYPE_H
#define MATBENCH_CORETYPE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "matbench/cpu.h" /* mb_cpu_has, mb_isa_rank */
#include "matbench/status.h"

struct mb_coretype {
    const char *name;         /* as OPENBLAS_CORETYPE spells it: "Haswell", "SkylakeX", ... */
    const char *isa;          /* vector ISA of its dgemm kernel: "sse2", "sse3", "avx", "avx2",
                                 "avx512" (mb_isa_rank orders them) */
    const char *const *flags; /* CPU features its kernels use, NULL-terminated, spelled as
                                 __builtin_cpu_supports spells them ("sse4.1", "avx512f") */
};

size_t mb_coretype_count(void);
const struct mb_coretype *mb_coretype_at(size_t i);
const struct mb_coretype *mb_coretype_find(const char *name);
const char *mb_coretype_missing(const struct mb_coretype *ct, mb_cpu_has_fn *has);

/* The dgemm repetitions a probe asks the child for. */
#define MB_CORETYPE_PROBE_REPEAT 2

struct mb_coretype_probe {
    char requested[32]; /* the OPENBLAS_CORETYPE value */
    char core[64];      /* blas.core the child reported ("" when it reported none) */
    double gflops;      /* the child's dgemm result; NAN unless ok */
    bool ok;            /* ran, exited 0, verified, parsed */
    char error[256];    /* when !ok: "killed by signal 4 (Illegal instruction)", "exit 1: <last
                           stderr line>", "unreadable output: ...", "result not verified" */
};

enum mb_status mb_coretype_probe(const char *exe, const char *coretype, size_t n, int threads,
                                 struct mb_coretype_probe *out, struct mb_diag *d);
enum mb_status mb_coretype_probe_ex(const char *exe, const char *coretype, size_t n, int threads,
                                    const volatile sig_atomic_t *stop,
                                    struct mb_coretype_probe *out, struct mb_diag *d);
int mb_coretype_best(const struct mb_coretype_probe *p, size_t count);

#endif /* MATBENCH_CORETYPE_H */
