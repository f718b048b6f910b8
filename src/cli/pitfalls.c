/* matbench pitfalls: the classic BLAS threading traps, one scenario each:
 * what people write, run in a child (matbench-pitfall-child) and
 * measured, then the fix, measured the same way; what each found, and the
 * report where --output says. The scenario table is here with the code of
 * each; what they share is src/measure/pitfalls.c. */
#define _GNU_SOURCE /* strtok_r */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "matbench/blas.h"
#include "matbench/blaslib.h"
#include "matbench/coretype.h"
#include "matbench/pitfalls.h"
#include "matbench/proc.h"
#include "matbench/report.h"
#include "matbench/sink.h"
#include "mb_internal.h"

#define WORKER_NAME "matbench-pitfall-child"
#define SELF_EXE "/proc/self/exe"
#define OMP_FOLDER "openblas-openmp"

/* small-matrices sweeps n from SMALL_FIRST, doubling up to SMALL_LAST, and
 * stops once all cores beat one thread by MB_PITFALL_SHOWN_GAIN at two
 * sizes in a row; then halves the step between the last size one thread
 * won and the next, SMALL_REFINE times. */
#define SMALL_FIRST 16
#define SMALL_LAST 2048
#define SMALL_REFINE 3
/* All cores "win" at a size when they beat one thread by this much: a
 * tie within the noise is no crossover. */
#define SMALL_WIN 1.05

/* fork-after-init's size at least: OpenBLAS runs products below about
 * n = 64 on one thread, and the trap needs its threads started. */
#define FORK_MIN_N 256

struct mb_pitfall_ctx {
    const struct mb_options *o;
    char worker[MB_BLASLIB_PATH_MAX];
    char omp_dir[MB_BLASLIB_PATH_MAX]; /* the OpenMP build's folder; "" when not installed */
    size_t n;
    int cores;  /* usable */
    int online; /* the machine's CPUs */
    double min_s, limit_s;
    const volatile sig_atomic_t *stop;
    bool tell;
    const char *id;
};

/* ---- one measurement -------------------------------------------------- */

/* Runs the worker with the arguments fmt makes (words split at spaces) on
 * the OpenMP build when omp, on its first cpus CPUs when cpus > 0, with env
 * ("NAME=value") added when not NULL, and reads its answer (after prefix)
 * into run. */
static enum mb_status spawn(struct mb_pitfall_ctx *c, struct mb_pitfall_run *run, bool omp,
                            int cpus, const char *env, const char *prefix, double limit_s,
                            struct mb_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));
static enum mb_status spawn(struct mb_pitfall_ctx *c, struct mb_pitfall_run *run, bool omp,
                            int cpus, const char *env, const char *prefix, double limit_s,
                            struct mb_diag *d, const char *fmt, ...)
{
    char words[512], cpus_arg[16], ld[MB_BLASLIB_PATH_MAX + 32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(words, sizeof words, fmt, ap);
    va_end(ap);
    char *argv[32];
    size_t k = 0;
    argv[k++] = c->worker;
    if (cpus > 0) {
        snprintf(cpus_arg, sizeof cpus_arg, "%d", cpus);
        argv[k++] = "--cpus";
        argv[k++] = cpus_arg;
    }
    char *save = NULL;
    for (char *w = strtok_r(words, " ", &save); w != NULL && k < 31; w = strtok_r(NULL, " ", &save))
        argv[k++] = w;
    argv[k] = NULL;
    char *add[2];
    size_t nadd = 0;
    if (omp) {
        snprintf(ld, sizeof ld, "LD_LIBRARY_PATH=%s", c->omp_dir);
        add[nadd++] = ld;
    }
    if (env != NULL)
        add[nadd++] = (char *)env;
    char **envp = mb_pitfall_environment(add, nadd);
    if (envp == NULL)
        return mb_diag_set(d, MB_NOMEM, "cannot allocate a child's environment");
    if (c->tell)
        fprintf(stderr, "\r\033[K%s: %s...", c->id, run->label);
    struct mb_pitfall_spawn s = {
        .exe = c->worker, .argv = argv, .envp = envp, .time_limit_s = limit_s, .stop = c->stop};
    enum mb_status st = mb_pitfall_measure(&s, prefix, run, d);
    free(envp);
    if (c->tell)
        fprintf(stderr, "\r\033[K");
    return st;
}

/* The next run of a side (trap or fix), labelled; NULL when the side is
 * full. */
static struct mb_pitfall_run *next_run(struct mb_pitfall_run *side, size_t *count, size_t n,
                                       int callers, int threads, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static struct mb_pitfall_run *next_run(struct mb_pitfall_run *side, size_t *count, size_t n,
                                       int callers, int threads, const char *fmt, ...)
{
    if (*count >= MB_PITFALL_RUNS)
        return NULL;
    char label[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(label, sizeof label, fmt, ap);
    va_end(ap);
    struct mb_pitfall_run *run = &side[(*count)++];
    mb_pitfall_run_init(run, label, n, callers, threads);
    return run;
}

/* Appends a sentence to r->found. */
static void say(struct mb_pitfall_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(struct mb_pitfall_result *r, const char *fmt, ...)
{
    size_t len = strlen(r->found);
    if (len + 2 >= sizeof r->found)
        return;
    if (len > 0)
        r->found[len++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->found + len, sizeof r->found - len, fmt, ap);
    va_end(ap);
}

static const char *plural(int k)
{
    return k == 1 ? "" : "s";
}

/* ---- 1. oversubscription ------------------------------------------------ */

static enum mb_status sc_oversubscription(struct mb_pitfall_ctx *c, struct mb_pitfall_result *r,
                                          struct mb_diag *d)
{
    static const struct {
        const char *build, *mode, *program;
        bool omp;
    } v[] = {{"pthreads build", "pthread", "POSIX", false},
             {"OpenMP build", "pthread", "POSIX", true},
             {"OpenMP build", "openmp", "OpenMP", true}};
    int p = c->cores;
    enum mb_status st = MB_OK;
    for (size_t i = 0; i < MB__ARRAY_SIZE(v) && st == MB_OK; i++) {
        if (v[i].omp && c->omp_dir[0] == '\0')
            continue;
        struct mb_pitfall_run *t =
            next_run(r->trap, &r->ntrap, c->n, p, p, "%d %s threads x %d BLAS threads (%s)", p,
                     v[i].program, p, v[i].build);
        struct mb_pitfall_run *f =
            next_run(r->fix, &r->nfix, c->n, p, 1, "%d %s threads x 1 BLAS thread (%s)", p,
                     v[i].program, v[i].build);
        st = spawn(c, t, v[i].omp, 0, NULL, "", c->limit_s, d, "gemm %zu %d %s %d openblas %.9g",
                   c->n, p, v[i].mode, p, c->min_s);
        if (st == MB_OK)
            st = spawn(c, f, v[i].omp, 0, NULL, "", c->limit_s, d, "gemm %zu %d %s 1 openblas %.9g",
                       c->n, p, v[i].mode, c->min_s);
    }
    struct mb_pitfall_run *alone = next_run(r->fix, &r->nfix, c->n, 1, p,
                                            "the BLAS alone: 1 caller x %d BLAS threads "
                                            "(pthreads build)",
                                            p);
    if (st == MB_OK)
        st = spawn(c, alone, false, 0, NULL, "", c->limit_s, d,
                   "gemm %zu 1 pthread %d openblas %.9g", c->n, p, c->min_s);
    if (st != MB_OK)
        return st;
    mb_pitfall_judge(r);
    for (size_t i = 0; i < r->ntrap; i++) {
        const struct mb_pitfall_run *t = &r->trap[i], *f = &r->fix[i];
        if (t->outcome == MB_PITFALL_RUN_OK && f->outcome == MB_PITFALL_RUN_OK)
            say(r, "%s: %.1f GFLOP/s with %d threads in the process, %.1f with %d (%.2fx).",
                t->label, t->gflops, t->threads_seen, f->gflops, f->threads_seen,
                f->gflops / t->gflops);
        else
            say(r, "%s: %s.", t->label, t->error);
    }
    if (alone->outcome == MB_PITFALL_RUN_OK)
        say(r, "The BLAS alone on all %d cores, one call at a time: %.1f GFLOP/s.", p,
            alone->gflops);
    if (r->status == MB_PITFALL_NOT_SHOWN)
        say(r,
            "Here the program's threads with the BLAS's own lost less than %.0f %%: the "
            "calls ran on %d cores with %d threads, and the BLAS's pool was shared.",
            (MB_PITFALL_SHOWN_GAIN - 1) * 100, p, r->trap[0].threads_seen);
    return MB_OK;
}

/* ---- 2. small-matrices -------------------------------------------------- */

/* Measures n on all cores (the trap) and on one thread (the fix), as the
 * pair at index i of r (kept in order of n). */
static enum mb_status small_pair(struct mb_pitfall_ctx *c, struct mb_pitfall_result *r, size_t n,
                                 struct mb_diag *d)
{
    if (r->ntrap >= MB_PITFALL_RUNS)
        return MB_OK;
    size_t at = 0;
    while (at < r->ntrap && r->trap[at].n < n)
        at++;
    memmove(&r->trap[at + 1], &r->trap[at], (r->ntrap - at) * sizeof r->trap[0]);
    memmove(&r->fix[at + 1], &r->fix[at], (r->nfix - at) * sizeof r->fix[0]);
    r->ntrap++;
    r->nfix++;
    char label[64];
    snprintf(label, sizeof label, "n = %zu, %d threads", n, c->cores);
    mb_pitfall_run_init(&r->trap[at], label, n, 1, c->cores);
    snprintf(label, sizeof label, "n = %zu, 1 thread", n);
    mb_pitfall_run_init(&r->fix[at], label, n, 1, 1);
    enum mb_status st = spawn(c, &r->trap[at], false, 0, NULL, "", c->limit_s, d,
                              "gemm %zu 1 pthread %d openblas %.9g", n, c->cores, c->min_s);
    if (st == MB_OK)
        st = spawn(c, &r->fix[at], false, 0, NULL, "", c->limit_s, d,
                   "gemm %zu 1 pthread 1 openblas %.9g", n, c->min_s);
    return st;
}

/* All cores over one thread at pair i; NAN unless both ran. */
static double small_gain(const struct mb_pitfall_result *r, size_t i)
{
    if (r->trap[i].outcome != MB_PITFALL_RUN_OK || r->fix[i].outcome != MB_PITFALL_RUN_OK)
        return NAN;
    return r->trap[i].gflops / r->fix[i].gflops;
}

/* The first pair from which all cores beat one thread by SMALL_WIN at
 * every size above; r->ntrap when there is none. */
static size_t small_crossover(const struct mb_pitfall_result *r)
{
    size_t from = r->ntrap;
    for (size_t i = r->ntrap; i-- > 0;) {
        if (!(small_gain(r, i) >= SMALL_WIN))
            break;
        from = i;
    }
    return from;
}

static enum mb_status sc_small_matrices(struct mb_pitfall_ctx *c, struct mb_pitfall_result *r,
                                        struct mb_diag *d)
{
    enum mb_status st = MB_OK;
    int wins = 0;
    for (size_t n = SMALL_FIRST; n <= SMALL_LAST && st == MB_OK && wins < 2; n *= 2) {
        st = small_pair(c, r, n, d);
        double g = small_gain(r, r->ntrap - 1);
        wins = g >= MB_PITFALL_SHOWN_GAIN ? wins + 1 : 0;
    }
    for (int k = 0; k < SMALL_REFINE && st == MB_OK; k++) {
        size_t from = small_crossover(r);
        if (from == 0 || from == r->ntrap)
            break;
        size_t lo = r->trap[from - 1].n, hi = r->trap[from].n, mid = (lo + hi) / 2;
        mid -= mid % 8;
        if (mid <= lo || mid >= hi)
            break;
        st = small_pair(c, r, mid, d);
    }
    if (st != MB_OK)
        return st;
    for (size_t i = 0; i < r->ntrap; i++)
        if (r->trap[i].outcome != MB_PITFALL_RUN_OK || r->fix[i].outcome != MB_PITFALL_RUN_OK) {
            r->status = MB_PITFALL_FAILED;
            snprintf(r->reason, sizeof r->reason, "n = %zu did not run: %.200s", r->trap[i].n,
                     r->trap[i].outcome != MB_PITFALL_RUN_OK ? r->trap[i].error : r->fix[i].error);
            return MB_OK;
        }
    size_t from = small_crossover(r);
    /* the fix is one thread below the crossover: its gain is there */
    for (size_t i = 0; i < from; i++) {
        double g = r->fix[i].gflops / r->trap[i].gflops;
        if (isnan(r->gain) || g > r->gain) {
            r->gain = g;
            r->best = (int)i;
        }
    }
    if (from < r->ntrap)
        r->crossover_n = (double)r->trap[from].n;
    if (r->best >= 0)
        snprintf(r->gain_text, sizeof r->gain_text, "%.2fx at n = %zu", r->gain,
                 r->trap[r->best].n);
    r->status = r->gain >= MB_PITFALL_SHOWN_GAIN ? MB_PITFALL_SHOWN : MB_PITFALL_NOT_SHOWN;
    if (from == r->ntrap) {
        say(r, "%d threads never beat one by %.0f %% up to n = %zu.", c->cores,
            (SMALL_WIN - 1) * 100, r->trap[r->ntrap - 1].n);
        return MB_OK;
    }
    if (from == 0) {
        say(r,
            "%d threads beat one by %.0f %% or more at every size from n = %zu (%.2f GFLOP/s "
            "against %.2f).",
            c->cores, (SMALL_WIN - 1) * 100, r->trap[0].n, r->trap[0].gflops, r->fix[0].gflops);
        return MB_OK;
    }
    const struct mb_pitfall_run *lt = &r->trap[from - 1], *lf = &r->fix[from - 1];
    const struct mb_pitfall_run *ht = &r->trap[from], *hf = &r->fix[from];
    say(r,
        "From n = %zu on, all %d cores beat one thread by %.0f %% or more (%.1f against %.1f "
        "GFLOP/s); at n = %zu, the size below, 1 thread made %.1f GFLOP/s and %d threads %.1f.",
        ht->n, c->cores, (SMALL_WIN - 1) * 100, ht->gflops, hf->gflops, lt->n, lf->gflops, c->cores,
        lt->gflops);
    if (r->best >= 0)
        say(r, "The most one thread gained: %.2fx at n = %zu.", r->gain, r->trap[r->best].n);
    return MB_OK;
}

/* ---- 3. env-at-load ------------------------------------------------------ */

static enum mb_status sc_env_at_load(struct mb_pitfall_ctx *c, struct mb_pitfall_result *r,
                                     struct mb_diag *d)
{
    struct mb_pitfall_run *t = next_run(r->trap, &r->ntrap, c->n, 1, 1,
                                        "setenv(\"OPENBLAS_NUM_THREADS\", \"1\") after loading");
    struct mb_pitfall_run *f =
        next_run(r->fix, &r->nfix, c->n, 1, 1, "openblas_set_num_threads(1)");
    struct mb_pitfall_run *e =
        next_run(r->fix, &r->nfix, c->n, 1, 1, "OPENBLAS_NUM_THREADS=1 set before the start");
    enum mb_status st = spawn(c, t, false, 0, NULL, "", c->limit_s, d,
                              "gemm %zu 1 pthread 1 setenv %.9g", c->n, c->min_s);
    if (st == MB_OK)
        st = spawn(c, f, false, 0, NULL, "", c->limit_s, d, "gemm %zu 1 pthread 1 openblas %.9g",
                   c->n, c->min_s);
    if (st == MB_OK)
        st = spawn(c, e, false, 0, "OPENBLAS_NUM_THREADS=1", "", c->limit_s, d,
                   "gemm %zu 1 pthread 1 none %.9g", c->n, c->min_s);
    if (st != MB_OK)
        return st;
    mb_pitfall_judge(r);
    if (r->status == MB_PITFALL_FAILED || t->outcome != MB_PITFALL_RUN_OK)
        return MB_OK;
    bool ignored = t->threads_reported != 1 && t->busy > 1.5;
    bool honoured = f->threads_reported == 1 && e->threads_reported == 1;
    r->gain = NAN; /* the point is the thread count, not the speed */
    snprintf(r->gain_text, sizeof r->gain_text, "%d threads -> 1, as asked", t->threads_reported);
    r->status = ignored && honoured ? MB_PITFALL_SHOWN : MB_PITFALL_NOT_SHOWN;
    say(r,
        "Asked for 1 thread through setenv after the library had loaded, OpenBLAS still ran %d "
        "(it says %d, %.2f cores busy, %.1f GFLOP/s); openblas_set_num_threads(1) gave %d (%.2f "
        "cores busy), and the variable set before the process started gave %d (%.2f).",
        t->threads_reported, t->threads_reported, t->busy, t->gflops, f->threads_reported, f->busy,
        e->threads_reported, e->busy);
    return MB_OK;
}

/* ---- 4. fork-after-init -------------------------------------------------- */

static enum mb_status sc_fork_after_init(struct mb_pitfall_ctx *c, struct mb_pitfall_result *r,
                                         struct mb_diag *d)
{
    static const struct {
        const char *build;
        bool omp;
    } v[] = {{"pthreads build", false}, {"OpenMP build", true}};
    /* two threads at least, and a size at which the BLAS starts them
     * (OpenBLAS keeps small products on one thread): what matters is that
     * they are running when the process forks */
    int p = c->cores > 2 ? c->cores : 2;
    size_t n = c->n > FORK_MIN_N ? c->n : FORK_MIN_N;
    /* the parent's own calls, then the child's, then the verification */
    double outer = c->limit_s > 0 ? 3 * c->limit_s + 30 : 0;
    enum mb_status st = MB_OK;
    for (size_t i = 0; i < MB__ARRAY_SIZE(v) && st == MB_OK; i++) {
        if (v[i].omp && c->omp_dir[0] == '\0')
            continue;
        struct mb_pitfall_run *t =
            next_run(r->trap, &r->ntrap, n, 1, p, "fork, then dgemm in the child (%s)", v[i].build);
        struct mb_pitfall_run *f =
            next_run(r->fix, &r->nfix, n, 1, p, "fork and exec, then dgemm (%s)", v[i].build);
        st = spawn(c, t, v[i].omp, 0, NULL, "child.", outer, d, "fork %zu %d fork %.9g %.9g", n, p,
                   c->min_s, c->limit_s);
        if (st == MB_OK)
            st = spawn(c, f, v[i].omp, 0, NULL, "child.", outer, d, "fork %zu %d exec %.9g %.9g", n,
                       p, c->min_s, c->limit_s);
    }
    if (st != MB_OK)
        return st;
    mb_pitfall_judge(r);
    for (size_t i = 0; i < r->ntrap; i++) {
        const struct mb_pitfall_run *t = &r->trap[i], *f = &r->fix[i];
        if (t->outcome == MB_PITFALL_RUN_OK)
            say(r, "%s: ran, %.1f GFLOP/s on %d thread%s (after fork and exec: %.1f).", t->label,
                t->gflops, t->threads_reported, plural(t->threads_reported), f->gflops);
        else
            say(r, "%s: %s; after fork and exec the same call ran at %.1f GFLOP/s.", t->label,
                t->error, f->gflops);
    }
    if (r->ntrap > 0 && r->trap[0].outcome == MB_PITFALL_RUN_OK)
        say(r, "The pthreads build stops its threads before fork and starts them again in the "
               "child (its pthread_atfork handlers), so the child's call ran.");
    return MB_OK;
}

/* ---- 5. cpu-limit ---------------------------------------------------------- */

static enum mb_status sc_cpu_limit(struct mb_pitfall_ctx *c, struct mb_pitfall_result *r,
                                   struct mb_diag *d)
{
    int k = c->cores / 2, all = c->online > c->cores ? c->online : c->cores;
    struct mb_pitfall_run *t =
        next_run(r->trap, &r->ntrap, c->n, 1, all,
                 "%d BLAS threads (the machine's CPUs) on %d CPU%s", all, k, plural(k));
    struct mb_pitfall_run *f = next_run(r->fix, &r->nfix, c->n, 1, k,
                                        "%d BLAS thread%s (one per allowed CPU)", k, plural(k));
    struct mb_pitfall_run *own = next_run(
        r->fix, &r->nfix, c->n, 1, 0, "what OpenBLAS starts by itself on %d CPU%s", k, plural(k));
    enum mb_status st = spawn(c, t, false, k, NULL, "", c->limit_s, d,
                              "gemm %zu 1 pthread %d openblas %.9g", c->n, all, c->min_s);
    if (st == MB_OK)
        st = spawn(c, f, false, k, NULL, "", c->limit_s, d, "gemm %zu 1 pthread %d openblas %.9g",
                   c->n, k, c->min_s);
    if (st == MB_OK)
        st = spawn(c, own, false, k, NULL, "", c->limit_s, d, "gemm %zu 1 pthread 1 none %.9g",
                   c->n, c->min_s);
    if (st != MB_OK)
        return st;
    mb_pitfall_judge(r);
    if (r->status == MB_PITFALL_FAILED || t->outcome != MB_PITFALL_RUN_OK)
        return MB_OK;
    say(r,
        "Restricted to %d of the machine's %d CPUs, %d BLAS threads ran at %.1f GFLOP/s, "
        "%d at %.1f (%.2fx).",
        k, all, all, t->gflops, k, f->gflops, f->gflops / t->gflops);
    say(r,
        "Left to itself, OpenBLAS started %d thread%s there: it %s the affinity (as taskset "
        "or a container's cpuset sets it); a CPU quota (docker --cpus, cgroup cpu.max) "
        "leaves the affinity whole, and then it starts one per CPU of the machine.",
        own->threads_default, plural(own->threads_default),
        own->threads_default == k ? "reads" : "does not read");
    return MB_OK;
}

/* ---- 6. coretype ------------------------------------------------------------ */

/* A core-type probe's result as a run. */
static void from_probe(const struct mb_coretype_probe *p, struct mb_pitfall_run *run)
{
    snprintf(run->core, sizeof run->core, "%s", p->core);
    if (p->ok) {
        run->outcome = MB_PITFALL_RUN_OK;
        run->gflops = p->gflops;
    } else {
        run->outcome = MB_PITFALL_RUN_FAILED;
        snprintf(run->error, sizeof run->error, "%s", p->error);
    }
}

static enum mb_status sc_coretype(struct mb_pitfall_ctx *c, struct mb_pitfall_result *r,
                                  struct mb_diag *d)
{
    struct mb_blas_info b;
    mb_blas_info(&b);
    const struct mb_coretype *used = mb_coretype_find(b.core);
    if (used == NULL) {
        r->status = MB_PITFALL_SKIPPED;
        snprintf(r->reason, sizeof r->reason,
                 "OpenBLAS runs core type '%s', which matbench's table does not know, so it "
                 "cannot be forced for a comparison",
                 b.core);
        return MB_OK;
    }
    const char *env = getenv("OPENBLAS_CORETYPE");
    struct mb_pitfall_run *t =
        next_run(r->trap, &r->ntrap, c->n, 1, c->cores, "%s, the kernels in use (%s)", used->name,
                 env != NULL ? "OPENBLAS_CORETYPE in the environment" : "detected by OpenBLAS");
    struct mb_coretype_probe probe;
    if (c->tell)
        fprintf(stderr, "\r\033[K%s: %s...", c->id, t->label);
    enum mb_status st =
        mb_coretype_probe_ex(SELF_EXE, used->name, c->n, c->cores, c->stop, &probe, d);
    if (st != MB_OK)
        return st;
    from_probe(&probe, t);
    struct mb_pitfall_run best_run;
    mb_pitfall_run_init(&best_run, "", c->n, 1, c->cores);
    size_t tried = 0;
    for (size_t i = 0; i < mb_coretype_count(); i++) {
        const struct mb_coretype *ct = mb_coretype_at(i);
        if (ct == used || mb_coretype_missing(ct, NULL) != NULL ||
            mb_isa_rank(ct->isa) < mb_isa_rank(used->isa))
            continue;
        if (c->tell)
            fprintf(stderr, "\r\033[K%s: trying %s...", c->id, ct->name);
        st = mb_coretype_probe_ex(SELF_EXE, ct->name, c->n, c->cores, c->stop, &probe, d);
        if (st != MB_OK)
            return st;
        tried++;
        /* a core type OpenBLAS did not take ran another one's kernels */
        if (probe.ok && strcasecmp(probe.core, ct->name) == 0 &&
            (isnan(best_run.gflops) || probe.gflops > best_run.gflops)) {
            snprintf(best_run.label, sizeof best_run.label, "OPENBLAS_CORETYPE=%s", ct->name);
            from_probe(&probe, &best_run);
        }
    }
    if (c->tell)
        fprintf(stderr, "\r\033[K");
    if (isnan(best_run.gflops) ||
        (t->outcome == MB_PITFALL_RUN_OK && best_run.gflops <= t->gflops)) {
        /* the kernels in use are the best this CPU can run: the fix is to keep them */
        struct mb_pitfall_run keep = *t;
        snprintf(keep.label, sizeof keep.label,
                 "%s kept (no core type this CPU runs was faster "
                 "of %zu tried)",
                 used->name, tried);
        best_run = keep;
    }
    r->fix[r->nfix++] = best_run;
    mb_pitfall_judge(r);
    if (r->status == MB_PITFALL_FAILED)
        return MB_OK;
    say(r,
        "OpenBLAS runs %s kernels here (%s): %.1f GFLOP/s on %d threads at n = %zu; the "
        "fastest of the %zu other core types at least as wide that this CPU runs: %s, %.1f.",
        used->name, env != NULL ? "OPENBLAS_CORETYPE is set" : "its own detection", t->gflops,
        c->cores, c->n, tried, best_run.core, best_run.gflops);
    return MB_OK;
}

/* ---- 7. openmp-set-threads ----------------------------------------------- */

static enum mb_status sc_openmp_set_threads(struct mb_pitfall_ctx *c, struct mb_pitfall_result *r,
                                            struct mb_diag *d)
{
    int p = c->cores;
    struct mb_pitfall_run *t1 = next_run(r->trap, &r->ntrap, c->n, 1, 1,
                                         "omp_set_num_threads(1), then dgemm (OpenMP build)");
    struct mb_pitfall_run *t2 =
        next_run(r->trap, &r->ntrap, c->n, p, 1,
                 "omp_set_num_threads(1), then %d POSIX threads call dgemm (OpenMP build)", p);
    struct mb_pitfall_run *f1 = next_run(r->fix, &r->nfix, c->n, 1, 1,
                                         "openblas_set_num_threads(1), then dgemm (OpenMP build)");
    struct mb_pitfall_run *f2 = next_run(
        r->fix, &r->nfix, c->n, p, 1,
        "OMP_NUM_THREADS=1 before the start, %d POSIX threads call dgemm (OpenMP build)", p);
    struct mb_pitfall_run *f3 =
        next_run(r->fix, &r->nfix, c->n, p, 1,
                 "openblas_set_num_threads(1), then %d POSIX threads call dgemm (OpenMP build)", p);
    enum mb_status st = spawn(c, t1, true, 0, NULL, "", c->limit_s, d,
                              "gemm %zu 1 pthread 1 omp %.9g", c->n, c->min_s);
    if (st == MB_OK)
        st = spawn(c, t2, true, 0, NULL, "", c->limit_s, d, "gemm %zu %d pthread 1 omp %.9g", c->n,
                   p, c->min_s);
    if (st == MB_OK)
        st = spawn(c, f1, true, 0, NULL, "", c->limit_s, d, "gemm %zu 1 pthread 1 openblas %.9g",
                   c->n, c->min_s);
    if (st == MB_OK)
        st = spawn(c, f2, true, 0, "OMP_NUM_THREADS=1", "", c->limit_s, d,
                   "gemm %zu %d pthread 1 none %.9g", c->n, p, c->min_s);
    if (st == MB_OK)
        st = spawn(c, f3, true, 0, NULL, "", c->limit_s, d, "gemm %zu %d pthread 1 openblas %.9g",
                   c->n, p, c->min_s);
    if (st != MB_OK)
        return st;
    mb_pitfall_judge(r);
    if (r->status == MB_PITFALL_FAILED || t1->outcome != MB_PITFALL_RUN_OK ||
        t2->outcome != MB_PITFALL_RUN_OK)
        return MB_OK;
    /* what shows the trap here is the threads as much as the speed */
    bool says_other = t1->threads_reported != 1;
    bool spread = t2->threads_seen > f2->threads_seen;
    if (says_other || spread)
        r->status = MB_PITFALL_SHOWN;
    if (spread && !(r->gain >= MB_PITFALL_SHOWN_GAIN))
        snprintf(r->gain_text, sizeof r->gain_text, "%d threads -> %d", t2->threads_seen,
                 f2->threads_seen);
    else if (says_other && !(r->gain >= MB_PITFALL_SHOWN_GAIN))
        snprintf(r->gain_text, sizeof r->gain_text, "BLAS says %d, runs %.0f", t1->threads_reported,
                 t1->busy);
    say(r,
        "After omp_set_num_threads(1) in the main thread, openblas_get_num_threads() says %d "
        "and the call kept %.2f cores busy (after openblas_set_num_threads(1): says %d, %.2f "
        "busy).",
        t1->threads_reported, t1->busy, f1->threads_reported, f1->busy);
    say(r,
        "%d POSIX threads calling dgemm after omp_set_num_threads(1) in the main thread: %d "
        "threads in the process, %.2f cores busy, %.1f GFLOP/s; with OMP_NUM_THREADS=1 set "
        "before the start: %d threads, %.2f busy, %.1f GFLOP/s; after "
        "openblas_set_num_threads(1): %d threads, %.2f busy, %.1f GFLOP/s.",
        p, t2->threads_seen, t2->busy, t2->gflops, f2->threads_seen, f2->busy, f2->gflops,
        f3->threads_seen, f3->busy, f3->gflops);
    if (!says_other && !spread)
        say(r, "Both calls set the threads alike here.");
    return MB_OK;
}

/* ---- the table -------------------------------------------------------------- */

static const struct mb_pitfall pitfalls[] = {
    {"oversubscription", "BLAS threads inside the program's own threads",
     "a program runs T threads of its own (POSIX or OpenMP), each multiplying its own matrices "
     "with dgemm, and leaves the BLAS at its default: every call asks for all the cores",
     "T calls at once each want all the cores: T x cores threads on the cores. OpenBLAS's "
     "threads wait for each other at the end of each block by spinning, so a thread that is "
     "not running holds up the rest (OpenBLAS #3187, threadpoolctl's README).",
     "one BLAS thread per program thread (openblas_set_num_threads(1), or threadpoolctl's "
     "threadpool_limits(1) in Python), or the BLAS alone on all the cores",
     MB_PITFALL_NEEDS_CORES, sc_oversubscription},
    {"small-matrices", "small matrices slower with threads",
     "a program multiplies small matrices (n of a few tens to a few hundreds) with the BLAS "
     "on all its threads, as it does the large ones",
     "starting and synchronising threads costs microseconds; a product of n = 100 takes "
     "tens of them, so the threads' cost is not paid back (OpenBLAS #103, #4199)",
     "one thread below the crossover n (openblas_set_num_threads(1) around small calls, or "
     "batch the small products over the program's threads)",
     MB_PITFALL_NEEDS_CORES, sc_small_matrices},
    {"env-at-load", "OPENBLAS_NUM_THREADS read once, when the library loads",
     "a program sets OPENBLAS_NUM_THREADS with setenv (os.environ in Python after import "
     "numpy) and expects the next dgemm to use that many threads",
     "OpenBLAS reads the variable once, in its constructor when the library loads, and "
     "starts its threads then; setting it later changes nothing (OpenBLAS #1194)",
     "openblas_set_num_threads(k) at run time (threadpoolctl in Python), or the variable set "
     "before the process starts (OPENBLAS_NUM_THREADS=k ./program)",
     MB_PITFALL_NEEDS_CORES, sc_env_at_load},
    {"fork-after-init", "fork() after the BLAS started its threads",
     "a program calls the BLAS, then forks workers (multiprocessing's fork start method, a "
     "server's prefork) that call the BLAS too",
     "fork copies only the calling thread: the BLAS's worker threads are gone in the child "
     "while its state says they run. OpenBLAS's pthreads build stops its threads around "
     "fork and starts them again; GNU OpenMP's runtime has no such handler, and the child's first "
     "parallel region waits for threads that do not exist (OpenBLAS #240, #294, #5520)",
     "exec in the child (multiprocessing's spawn or forkserver start method), or fork before "
     "the BLAS starts its threads",
     0, sc_fork_after_init},
    {"cpu-limit", "CPU limits ignored",
     "a program runs under a CPU limit (taskset, a container's cpuset or CPU quota, a batch "
     "scheduler's allocation) and lets the BLAS start one thread per CPU of the machine",
     "more threads than allowed CPUs take turns on them, and each waits for the others at "
     "every block; the BLAS counts the CPUs once when it loads, and a CPU quota (cgroup "
     "cpu.max, docker --cpus) is not in the count at all (OpenBLAS #1155, #4545, #6059)",
     "one BLAS thread per allowed CPU: OPENBLAS_NUM_THREADS=$(nproc) in a container with a "
     "quota, or openblas_set_num_threads from the allowed count",
     MB_PITFALL_NEEDS_CORES, sc_cpu_limit},
    {"coretype", "kernels for another CPU",
     "a program runs with the kernels OpenBLAS chose for this CPU, or that OPENBLAS_CORETYPE "
     "forced, and never checks them",
     "OpenBLAS picks its kernels from the CPU's identification when it loads; a CPU newer "
     "than the library, a virtual machine that hides features, or a forced core type can "
     "give narrower kernels than the CPU runs (OpenBLAS #1146, #4267)",
     "OPENBLAS_CORETYPE=the fastest core type this CPU runs (matbench coretypes measures each; "
     "matbench --coretype best picks it)",
     0, sc_coretype},
    {"openmp-set-threads", "omp_set_num_threads against openblas_set_num_threads",
     "a program linked with OpenBLAS's OpenMP build sets the BLAS threads with "
     "omp_set_num_threads, or with openblas_set_num_threads, and expects the same",
     "with the OpenMP build the threads are OpenMP's: omp_set_num_threads sets them for the "
     "thread that calls it only (each thread has its own OpenMP setting), and "
     "openblas_get_num_threads does not see it (OpenBLAS #3933)",
     "OMP_NUM_THREADS=k before the start, which every thread starts from; "
     "openblas_set_num_threads(k) for calls from the thread that set it (what it does for the "
     "program's other threads is measured below)",
     MB_PITFALL_NEEDS_CORES | MB_PITFALL_NEEDS_OPENMP, sc_openmp_set_threads},
};

size_t mb_pitfall_count(void)
{
    return MB__ARRAY_SIZE(pitfalls);
}

const struct mb_pitfall *mb_pitfall_at(size_t i)
{
    return i < MB__ARRAY_SIZE(pitfalls) ? &pitfalls[i] : NULL;
}

const struct mb_pitfall *mb_pitfall_find(const char *id)
{
    for (size_t i = 0; i < MB__ARRAY_SIZE(pitfalls); i++)
        if (strcmp(pitfalls[i].id, id) == 0)
            return &pitfalls[i];
    return NULL;
}

/* ---- the command ------------------------------------------------------------ */

/* Where OpenBLAS's OpenMP build is, into c->omp_dir ("" when it is not
 * installed); what was looked for into at. */
static void find_openmp(struct mb_pitfall_ctx *c, char *at, size_t cap)
{
    snprintf(c->omp_dir, sizeof c->omp_dir, "%s/%s", mb_blaslib_dir(), OMP_FOLDER);
    snprintf(at, cap, "%s/libopenblas.so.0", c->omp_dir);
    if (access(at, R_OK) != 0)
        c->omp_dir[0] = '\0';
}

/* N against what the scenarios need: the child's bound, and the memory
 * of oversubscription, whose program threads (one per core) each multiply
 * their own three matrices. */
static enum mb_status check_size(const struct mb_options *o, struct mb_diag *d)
{
    size_t n = o->plan.sizes.v[0];
    if (n > MB_PITFALL_N_MAX)
        return mb_diag_set(d, MB_USAGE, "N: '%zu' is not allowed for matbench pitfalls (1..%d)", n,
                           MB_PITFALL_N_MAX);
    uint64_t available;
    enum mb_status st = mb_mem_available(&available, d);
    if (st != MB_OK)
        return st;
    double need =
        3.0 * (double)n * (double)n * sizeof(double) * (double)mb_machine_usable_cores(&o->machine);
    if (need > (double)available)
        return mb_diag_set(d, MB_USAGE,
                           "N: '%zu' needs %.1f GiB for matbench pitfalls (three matrices for each "
                           "of %d program threads) but %.1f GiB is available",
                           n, need / (1u << 30), mb_machine_usable_cores(&o->machine),
                           (double)available / (1u << 30));
    return MB_OK;
}

/* Runs each chosen scenario into results (count done in *done); stops at
 * a stop signal (MB_INTERRUPTED, the rest marked so) or a failure to start
 * a child (its status). */
static enum mb_status run_all(struct mb_pitfall_ctx *c, const bool *chosen,
                              const struct mb_pitfall_machine *m, struct mb_pitfall_result *results,
                              size_t *done, struct mb_diag *d)
{
    enum mb_status st = MB_OK;
    *done = 0;
    for (size_t i = 0; i < mb_pitfall_count(); i++) {
        if (!chosen[i])
            continue;
        const struct mb_pitfall *p = mb_pitfall_at(i);
        struct mb_pitfall_result *r = &results[(*done)++];
        mb_pitfall_result_init(r, p);
        if (st != MB_OK || *c->stop != 0) {
            r->status = MB_PITFALL_INTERRUPTED;
            snprintf(r->reason, sizeof r->reason, "not run: stopped before it");
            continue;
        }
        if (mb_pitfall_skip(p, m, r->reason, sizeof r->reason)) {
            r->status = MB_PITFALL_SKIPPED;
            continue;
        }
        c->id = p->id;
        st = p->run(c, r, d);
        if (st == MB_INTERRUPTED || *c->stop != 0) {
            st = MB_INTERRUPTED;
            r->status = MB_PITFALL_INTERRUPTED;
            snprintf(r->reason, sizeof r->reason, "stopped while it ran");
        } else if (st != MB_OK) {
            r->status = MB_PITFALL_FAILED;
            snprintf(r->reason, sizeof r->reason, "%.255s", d->msg);
            return st;
        }
        if (c->tell)
            fprintf(stderr, "\r\033[K%s: %s%s%s\n", p->id, mb_pitfall_status_name(r->status),
                    r->gain_text[0] != '\0' ? ", " : "", r->gain_text);
    }
    return st;
}

/* matbench pitfalls [N]: the chosen scenarios, each in its children, then
 * the report. Exit status: MB_USAGE (2) before anything runs; MB_RUNTIME
 * (1) when a child could not be started or a scenario's fix failed; a trap
 * that hangs, crashes or computes wrong is its finding, not a failure. */
enum mb_status mb__cli_pitfalls(const struct mb_options *o, struct mb_diag *d)
{
    const volatile sig_atomic_t *stop = mb_cli_signals_catch();
    size_t count = mb_pitfall_count();
    bool chosen[64];
    enum mb_status st = mb_pitfall_parse_only(o->only, chosen, d);
    if (st == MB_OK)
        st = check_size(o, d);
    if (st != MB_OK)
        return st;
    struct mb_pitfall_ctx *c = calloc(1, sizeof *c);
    struct mb_pitfall_result *results = calloc(count, sizeof *results);
    if (c == NULL || results == NULL) {
        free(c);
        free(results);
        return mb_diag_set(d, MB_NOMEM, "cannot allocate the scenarios' results");
    }
    char omp_at[MB_BLASLIB_PATH_MAX + 32];
    *c = (struct mb_pitfall_ctx){.o = o,
                                 .n = o->plan.sizes.v[0],
                                 .cores = mb_machine_usable_cores(&o->machine),
                                 .online = (int)sysconf(_SC_NPROCESSORS_ONLN),
                                 .min_s = mb_plan_wall_min_s(&o->plan),
                                 .limit_s = mb__time_limit_s(o, MB_PITFALL_DEFAULT_LIMIT_S),
                                 .stop = stop,
                                 .tell = !o->front.quiet && isatty(STDERR_FILENO)};
    find_openmp(c, omp_at, sizeof omp_at);
    struct mb_pitfall_machine m = {
        .usable_cpus = c->cores, .openmp = c->omp_dir[0] != '\0', .omp_at = omp_at};
    st = mb_proc_helper_path(WORKER_NAME, c->worker, sizeof c->worker, d);
    struct mb_sink out;
    if (st == MB_OK)
        st = mb_sink_open(&out, o->front.output, d);
    if (st != MB_OK) {
        free(c);
        free(results);
        return st;
    }
    size_t done = 0;
    st = run_all(c, chosen, &m, results, &done, d);
    mb_cli_signals_hold(true); /* a signal now waits until the report is whole */
    struct mb_pitfall_report r = {.machine = &o->machine,
                                  .n = c->n,
                                  .min_time_s = c->min_s,
                                  .time_limit_s = c->limit_s,
                                  .omp_dir = c->omp_dir,
                                  .results = results,
                                  .count = done,
                                  .interrupted = st == MB_INTERRUPTED};
    struct mb_diag wd = {0};
    enum mb_status wst = mb_report_pitfalls(out.f, o->front.format, &r, &wd);
    enum mb_status cst = mb_sink_close(&out, true, &wd);
    if (wst == MB_OK)
        wst = cst;
    mb_cli_signals_hold(false);
    size_t failed = 0, finished = 0;
    const char *first = NULL;
    for (size_t i = 0; i < done; i++) {
        finished += results[i].status != MB_PITFALL_INTERRUPTED;
        if (results[i].status == MB_PITFALL_FAILED && failed++ == 0)
            first = results[i].p->id;
    }
    char kept[64], which[64];
    snprintf(kept, sizeof kept, "%zu of %zu scenarios", finished, done);
    snprintf(which, sizeof which, "%s", first != NULL ? first : "");
    free(results);
    free(c);
    if (st == MB_OK && wst != MB_OK) {
        *d = wd;
        st = wst;
    }
    if (st == MB_OK && failed > 0)
        st = mb_diag_set(d, MB_RUNTIME,
                         "pitfalls: %zu scenario%s failed to measure (the first: %s; the report "
                         "says why)",
                         failed, failed == 1 ? "" : "s", which);
    return mb_cli_interrupted(st, *stop, kept, d);
}
