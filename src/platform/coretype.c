/* OpenBLAS core types: the table of x86-64 kernel sets OPENBLAS_CORETYPE can
 * force, the CPU features each needs, and a probe that runs dgemm under one
 * of them in a child matbench, so that a wrong guess kills the child only. */
#define _GNU_SOURCE /* pipe2, environ, strsignal */
#include "matbench/coretype.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "matbench/child.h"
#include "matbench/proc.h"
#include "matbench/report.h"
#include "mb_internal.h"

/* What each core type needs, and why.
 *
 * The names are those OpenBLAS 0.3.21 accepts in OPENBLAS_CORETYPE
 * (driver/others/dynamic.c: force_coretype matches corename[1..25]
 * case-insensitively), in corename[] order. Left out: Katmai, Coppermine,
 * Northwood, Banias and Athlon, 32-bit cores that a 64-bit library replaces
 * with Prescott (so the child would report a core other than the one asked
 * for), and SapphireRapids, which 0.3.21 does not know: its corename[] ends
 * at Cooperlake (the string is not in libopenblasp-r0.3.21.so), and an
 * unknown name makes OpenBLAS fall back on its own feature check (avx512_bf16
 * -> Cooperlake, avx512 -> SkylakeX, avx2 -> Haswell, avx -> Sandybridge,
 * else Prescott), which is why SapphireRapids and Bogus both ran as
 * Cooperlake here. It says "Core not found" on stderr only when
 * OPENBLAS_VERBOSE >= 1; by default it is silent.
 *
 * The flags are the instruction-set extensions found by disassembling every
 * object of that core in Debian's libopenblasp-r0.3.21.a (about 565 objects
 * per core, objdump -d, classified by mnemonic and VEX/EVEX/XOP encoding),
 * most telling first, so that mb_coretype_missing names the one that
 * matters. SSE2 is the x86-64 baseline and is not listed. Findings:
 *   - Opteron and Opteron_SSE3: femms (3DNow!) in dgemm_kernel and 31 other
 *     objects; 3DNow! is gone since AMD family 15h, and both died with
 *     SIGILL on this Zen 5 CPU.
 *   - Bulldozer, Piledriver, Steamroller, Excavator: FMA4 (vfmaddpd) in
 *     dgemm_kernel and 70-87 other objects, the last three FMA3 as well; no
 *     XOP instruction anywhere. Zen dropped FMA4; all four died with SIGILL.
 *   - Nehalem uses SSE4.1 (blendpd, pmaxsd, ...) but no SSE4.2 instruction;
 *     Penryn and Dunnington are the same kernels; Atom, Nano, Bobcat stop
 *     at SSSE3, Prescott and Barcelona at SSE3 (no SSE4a).
 *   - Haswell and Zen: AVX2 and FMA3. SkylakeX: AVX-512 F, BW (kmovd,
 *     vmovdqu8), DQ (kmovb, vextractf64x2, vpmullq), VL (EVEX on xmm/ymm,
 *     in dgemm_kernel itself) and BMI2 (shlx, from -march=skylake-avx512).
 *     AVX-512 CD was not seen but that -march allows it, and every AVX-512
 *     CPU has it. Cooperlake's objects are SkylakeX's code (dgemm_kernel is
 *     identical) because Debian builds without BUILD_BFLOAT16; avx512bf16 is
 *     still listed because a bfloat16 build's sbgemm kernels use it and
 *     OpenBLAS itself picks Cooperlake only for CPUs with avx512_bf16.
 *   - prefetch/prefetchw (0F 0D) appear in the AMD and Sandybridge kernels;
 *     they are hints, and OpenBLAS runs its Sandybridge kernels on Sandy
 *     Bridge CPUs, which do not report PRFCHW, so they are not listed.
 * isa is the vector ISA of the dgemm kernel: Atom's and the Opterons' are
 * SSE2 code, the 256-bit FMA3 kernels of Haswell and Zen count as avx2. */
static const char *const f_sse3[] = {"sse3", NULL};
static const char *const f_ssse3[] = {"ssse3", "sse3", NULL};
static const char *const f_sse41[] = {"sse4.1", "ssse3", "sse3", NULL};
static const char *const f_3dnow[] = {"3dnow", "sse3", NULL};
static const char *const f_avx[] = {"avx", "sse3", NULL};
static const char *const f_fma4[] = {"fma4", "avx", "sse3", NULL};
static const char *const f_fma4_fma[] = {"fma4", "fma", "avx", "sse3", NULL};
static const char *const f_avx2[] = {"avx2", "fma", "avx", "sse3", NULL};
static const char *const f_skylakex[] = {"avx512f",  "avx512cd", "avx512bw", "avx512dq",
                                         "avx512vl", "avx2",     "fma",      "bmi2",
                                         "avx",      "sse3",     NULL};
static const char *const f_cooperlake[] = {"avx512f",  "avx512cd",   "avx512bw", "avx512dq",
                                           "avx512vl", "avx512bf16", "avx2",     "fma",
                                           "bmi2",     "avx",        "sse3",     NULL};

static const struct mb_coretype coretypes[] = {
    {"Prescott", "sse3", f_sse3},       {"Atom", "sse2", f_ssse3},
    {"Core2", "sse3", f_ssse3},         {"Penryn", "sse3", f_sse41},
    {"Dunnington", "sse3", f_sse41},    {"Nehalem", "sse3", f_sse41},
    {"Opteron", "sse2", f_3dnow},       {"Opteron_SSE3", "sse2", f_3dnow},
    {"Barcelona", "sse3", f_sse3},      {"Nano", "sse3", f_ssse3},
    {"Sandybridge", "avx", f_avx},      {"Bobcat", "sse3", f_ssse3},
    {"Bulldozer", "avx", f_fma4},       {"Piledriver", "avx", f_fma4_fma},
    {"Haswell", "avx2", f_avx2},        {"Steamroller", "avx", f_fma4_fma},
    {"Excavator", "avx", f_fma4_fma},   {"Zen", "avx2", f_avx2},
    {"SkylakeX", "avx512", f_skylakex}, {"Cooperlake", "avx512", f_cooperlake},
};

/* The number of core types in the table. */
size_t mb_coretype_count(void)
{
    return MB__ARRAY_SIZE(coretypes);
}

/* The i-th core type of the table, or NULL when i is past its end. */
const struct mb_coretype *mb_coretype_at(size_t i)
{
    return i < MB__ARRAY_SIZE(coretypes) ? &coretypes[i] : NULL;
}

/* The core type named name, compared without regard to case as OpenBLAS
 * does ("skylakex" finds SkylakeX); NULL when the table has no such name. */
const struct mb_coretype *mb_coretype_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < MB__ARRAY_SIZE(coretypes); i++)
        if (strcasecmp(name, coretypes[i].name) == 0)
            return &coretypes[i];
    return NULL;
}

/* The first of ct's flags that has (mb_cpu_has when NULL) says the CPU
 * lacks, or NULL when the CPU has them all and ct is safe to run. */
const char *mb_coretype_missing(const struct mb_coretype *ct, mb_cpu_has_fn *has)
{
    if (has == NULL)
        has = mb_cpu_has;
    for (const char *const *f = ct->flags; *f != NULL; f++)
        if (!has(*f))
            return *f;
    return NULL;
}

/* ---- the probe ------------------------------------------------------------ */

/* A child's report is a few kilobytes; more than this is not matbench. */
#define MB__PROBE_OUT_MAX (1024 * 1024)

static enum mb_status fail(struct mb_coretype_probe *out, struct mb_diag *d, enum mb_status st,
                           const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Formats the probe's error into out->error (and into d unless st is
 * MB_OK: a failed probe is a finding), marks the probe failed, and returns
 * st. */
static enum mb_status fail(struct mb_coretype_probe *out, struct mb_diag *d, enum mb_status st,
                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->error, sizeof out->error, fmt, ap);
    va_end(ap);
    out->ok = false;
    out->gflops = NAN;
    if (st != MB_OK)
        mb_diag_set(d, st, "%s", out->error);
    return st;
}

/* The environment for the child: the caller's, without OPENBLAS_NUM_THREADS
 * (--threads governs) and with setting (OPENBLAS_CORETYPE=...) in place of
 * any OPENBLAS_CORETYPE. A malloc'd array of borrowed strings, or NULL. */
static char **child_environment(char *setting)
{
    static const char *const drop[] = {"OPENBLAS_NUM_THREADS=", "OPENBLAS_CORETYPE="};
    return mb_child_environment(drop, MB__ARRAY_SIZE(drop), &setting, 1);
}

/* Reads blas.core, results[0].gflops and results[0].verified from the
 * child's JSON into out. Returns MB_OK either way: out->ok says whether the
 * document was whole and the result verified. */
static enum mb_status parse_report(const struct mb_child_result *c, struct mb_coretype_probe *out,
                                   struct mb_diag *d)
{
    if (c->overflow)
        return fail(out, d, MB_OK, "unreadable output: more than %d bytes on stdout",
                    MB__PROBE_OUT_MAX);
    if (c->out_len == 0)
        return fail(out, d, MB_OK, "unreadable output: nothing on stdout");
    struct mb_report_summary s;
    char why[160];
    bool whole = mb_report_json_summary(c->out, c->out_len, &s, why, sizeof why);
    snprintf(out->core, sizeof out->core, "%s", s.core);
    if (!whole)
        return fail(out, d, MB_OK, "unreadable output: %s", why);
    if (!s.verified)
        return fail(out, d, MB_OK, "dgemm result failed verification");
    out->gflops = s.gflops;
    out->ok = true;
    return MB_OK;
}

/* What the child's wait status says, into out: killed, a non-zero exit with
 * its last stderr line, or the report it printed. */
static enum mb_status judge(const struct mb_child_result *c, struct mb_coretype_probe *out,
                            struct mb_diag *d)
{
    char line[200];
    if (!WIFEXITED(c->status) || WEXITSTATUS(c->status) != 0) {
        mb_child_describe(c, line, sizeof line);
        return fail(out, d, MB_OK, "%s", line);
    }
    return parse_report(c, out, d);
}

/* Runs `exe N --kernels dgemm --threads T --format json --quiet --no-peak
 * --repeat R` in a child process (fork and execve, no shell) with
 * OPENBLAS_CORETYPE=coretype in its environment and OPENBLAS_NUM_THREADS
 * taken out, reads its stdout and stderr through pipes, waits for it, and
 * fills out from the JSON it printed (blas.core, results[0].gflops and
 * .verified). A child that is killed (SIGILL when the CPU lacks the core's
 * instructions), exits non-zero, prints something unreadable or an
 * unverified result is a finding, not an error: out->ok is false,
 * out->error says why, and the return is MB_OK. out->core is filled
 * whenever the child's report named it, so an unverified run still tells
 * which core ran. Returns MB_USAGE for bad arguments and MB_RUNTIME when
 * the child cannot be started at all (no such exe, not executable, fork or
 * pipe failing), MB_NOMEM when memory runs out; out->error then carries
 * d's message too. The child is always waited for and every descriptor
 * opened here is closed (and close-on-exec meanwhile). There is no time
 * limit: a hung child hangs the probe. The child never outlives the
 * caller (see mb_proc_fork). Same as mb_coretype_probe_ex with no stop flag. */
enum mb_status mb_coretype_probe(const char *exe, const char *coretype, size_t n, int threads,
                                 struct mb_coretype_probe *out, struct mb_diag *d)
{
    return mb_coretype_probe_ex(exe, coretype, n, threads, NULL, out, d);
}

/* Checks the arguments of mb_coretype_probe_ex and starts *out afresh
 * (gflops NAN, requested set). Returns MB_OK, MB_USAGE naming the bad
 * value, or MB_INTERRUPTED when stop is already raised. */
static enum mb_status check_probe(const char *exe, const char *coretype, size_t n, int threads,
                                  const volatile sig_atomic_t *stop, struct mb_coretype_probe *out,
                                  struct mb_diag *d)
{
    memset(out, 0, sizeof *out);
    out->gflops = NAN;
    if (exe == NULL || exe[0] == '\0')
        return fail(out, d, MB_USAGE, "exe: no program given to probe with");
    if (coretype == NULL || coretype[0] == '\0' || strlen(coretype) >= sizeof out->requested)
        return fail(out, d, MB_USAGE, "coretype: '%.40s' is not allowed (1..%zu characters)",
                    coretype != NULL ? coretype : "", sizeof out->requested - 1);
    if (n == 0)
        return fail(out, d, MB_USAGE, "n: '0' is not allowed (1 or more)");
    if (threads < 1)
        return fail(out, d, MB_USAGE, "threads: '%d' is not allowed (1 or more)", threads);
    snprintf(out->requested, sizeof out->requested, "%s", coretype);
    if (stop != NULL && *stop != 0)
        return fail(out, d, MB_INTERRUPTED, "probe %s: stopped before it started", coretype);

    return MB_OK;
}

/* mb_coretype_probe, stopped early when *stop becomes non-zero (a caught
 * SIGINT, SIGTERM or SIGHUP; stop may be NULL): the waits on the child look
 * at the flag every 50 ms, and once it is raised the child is killed
 * (SIGKILL) and reaped, and the return is MB_INTERRUPTED (out->ok false, no
 * child started when the flag was raised before). */
enum mb_status mb_coretype_probe_ex(const char *exe, const char *coretype, size_t n, int threads,
                                    const volatile sig_atomic_t *stop,
                                    struct mb_coretype_probe *out, struct mb_diag *d)
{
    enum mb_status st = check_probe(exe, coretype, n, threads, stop, out, d);
    if (st != MB_OK)
        return st;

    char n_arg[24], threads_arg[16], repeat_arg[16], setting[64];
    snprintf(n_arg, sizeof n_arg, "%zu", n);
    snprintf(threads_arg, sizeof threads_arg, "%d", threads);
    snprintf(repeat_arg, sizeof repeat_arg, "%d", MB_CORETYPE_PROBE_REPEAT);
    snprintf(setting, sizeof setting, "OPENBLAS_CORETYPE=%s", coretype);
    char *argv[] = {(char *)exe, n_arg,      "--kernels", "dgemm",   "--threads",
                    threads_arg, "--format", "json",      "--quiet", "--no-peak",
                    "--repeat",  repeat_arg, NULL};

    char **envp = child_environment(setting);
    if (envp == NULL)
        return fail(out, d, MB_NOMEM, "probe %s: out of memory", coretype);
    struct mb_child_spec spec = {.exe = exe,
                                 .argv = argv,
                                 .envp = envp,
                                 .pass_fd = -1,
                                 .stop = stop,
                                 .out_cap = MB__PROBE_OUT_MAX};
    struct mb_child_result c;
    struct mb_diag cd = {0};
    st = mb_child_run(&spec, &c, &cd);
    if (st == MB_INTERRUPTED)
        st = fail(out, d, MB_INTERRUPTED, "probe %s: stopped", coretype);
    else if (st != MB_OK)
        st = fail(out, d, st, "%s", cd.msg);
    else
        st = judge(&c, out, d);
    mb_child_free(&c);
    free(envp);
    return st;
}

/* The index of the probe with the most GFLOP/s among those that are ok
 * (the first of equals), or -1 when none is. */
int mb_coretype_best(const struct mb_coretype_probe *p, size_t count)
{
    int best = -1;
    for (size_t i = 0; p != NULL && i < count && i <= (size_t)INT_MAX; i++)
        if (p[i].ok && !isnan(p[i].gflops) && (best < 0 || p[i].gflops > p[best].gflops))
            best = (int)i;
    return best;
}
