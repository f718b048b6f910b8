/* The command line's side of OpenBLAS core types: matbench coretypes (each
 * core type this CPU can run, tried in a child), --coretype (matbench run
 * again under one), and the hint a run gives when OpenBLAS chose kernels
 * narrower than the CPU. Part of the front end: it reads the environment,
 * writes progress to stderr and re-executes the program. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "matbench/blas.h"
#include "matbench/cli.h"
#include "matbench/coretype.h"
#include "matbench/report.h"
#include "mb_internal.h"

/* The program to run children of: this one. */
#define SELF_EXE "/proc/self/exe"

/* Set in the environment of the matbench that --coretype re-executes: the
 * core type it asked for, and the one OpenBLAS had detected on its own. */
#define ENV_FORCED "MATBENCH_CORETYPE"
#define ENV_DETECTED "MATBENCH_CORETYPE_DETECTED"
#define ENV_HOW "MATBENCH_CORETYPE_HOW"

/* The n --coretype best probes at: big enough for the BLAS-3 kernels to
 * dominate, small enough for a probe of a second or two. */
#define BEST_PROBE_N 1500

/* Checks a --coretype value: "best", or a core type of the table whose CPU
 * features this CPU has. Returns MB_OK or MB_USAGE naming what is allowed. */
enum mb_status mb__coretype_check(const char *name, struct mb_diag *d)
{
    if (strcmp(name, "best") == 0)
        return MB_OK;
    const struct mb_coretype *ct = mb_coretype_find(name);
    if (ct == NULL) {
        char names[512] = "";
        for (size_t i = 0, len = 0; i < mb_coretype_count() && len < sizeof names; i++) {
            const struct mb_coretype *c = mb_coretype_at(i);
            if (mb_coretype_missing(c, NULL) == NULL)
                len += (size_t)snprintf(names + len, sizeof names - len, "%s, ", c->name);
        }
        return mb_diag_set(d, MB_USAGE,
                           "coretype: '%s' is not an OpenBLAS core type this CPU can run (%sor "
                           "best)",
                           mb_printable(name, (char[64]){0}, 64), names);
    }
    const char *missing = mb_coretype_missing(ct, NULL);
    if (missing != NULL)
        return mb_diag_set(d, MB_USAGE,
                           "coretype: '%s' needs %s, which this CPU does not have (see matbench "
                           "coretypes)",
                           ct->name, missing);
    return MB_OK;
}

/* Tries every core type of the table whose ISA ranks at least min_rank and
 * that this CPU can run, each in a child at size n on threads threads; the
 * others get their missing feature. Tells a terminal which one runs. Fills
 * rows (capacity: mb_coretype_count()) and returns how many; MB_RUNTIME in
 * *st when a child cannot be started at all. A caught stop signal (SIGINT,
 * SIGTERM, SIGHUP) kills the child running and ends the loop: the rows are
 * those done before it, and *st is MB_INTERRUPTED. */
static size_t probe_all(size_t n, int threads, int min_rank, bool tell,
                        struct mb_coretype_row *rows, enum mb_status *st, struct mb_diag *d)
{
    const volatile sig_atomic_t *stop = mb_cli_signals_catch();
    size_t count = 0, runnable = 0, done = 0;
    *st = MB_OK;
    for (size_t i = 0; i < mb_coretype_count(); i++)
        runnable += mb_coretype_missing(mb_coretype_at(i), NULL) == NULL &&
                    mb_isa_rank(mb_coretype_at(i)->isa) >= min_rank;
    for (size_t i = 0; i < mb_coretype_count() && *st == MB_OK; i++) {
        const struct mb_coretype *ct = mb_coretype_at(i);
        if (mb_isa_rank(ct->isa) < min_rank)
            continue;
        struct mb_coretype_row *row = &rows[count++];
        *row = (struct mb_coretype_row){.type = ct, .missing = mb_coretype_missing(ct, NULL)};
        row->probe.gflops = NAN;
        if (row->missing != NULL)
            continue;
        if (tell)
            fprintf(stderr, "\r\033[Ktrying %s (%zu of %zu): dgemm n=%zu on %d thread%s...",
                    ct->name, ++done, runnable, n, threads, threads == 1 ? "" : "s");
        *st = mb_coretype_probe_ex(SELF_EXE, ct->name, n, threads, stop, &row->probe, d);
        if (*st == MB_INTERRUPTED)
            count--; /* stopped half-way: not a finding */
    }
    if (*st == MB_OK && *stop != 0)
        *st = MB_INTERRUPTED;
    if (tell)
        fprintf(stderr, "\r\033[K");
    return count;
}

/* The row whose child ran the core type OpenBLAS detects by itself (the
 * baseline of "x over detected"), or -1. */
static int detected_row(const struct mb_coretype_row *rows, size_t count, const char *detected)
{
    for (size_t i = 0; i < count; i++)
        if (rows[i].probe.ok && strcasecmp(rows[i].probe.core, detected) == 0 &&
            strcasecmp(rows[i].type->name, detected) == 0)
            return (int)i;
    return -1;
}

/* The fastest row, or -1. */
static int fastest_row(const struct mb_coretype_row *rows, size_t count)
{
    int best = -1;
    for (size_t i = 0; i < count; i++)
        if (rows[i].probe.ok && (best < 0 || rows[i].probe.gflops > rows[best].probe.gflops))
            best = (int)i;
    return best;
}

/* The core type OpenBLAS uses here without --coretype: this process's
 * (which OPENBLAS_CORETYPE in the environment may have chosen), or the one
 * before --coretype ran matbench again. */
static void detected_core(char *buf, size_t cap)
{
    const char *was = getenv(ENV_DETECTED);
    struct mb_blas_info b;
    mb_blas_info(&b);
    snprintf(buf, cap, "%s", was != NULL ? was : b.core);
}

/* matbench coretypes [N]: dgemm at N on every usable core under each
 * core type this CPU can run, one child each; a table or JSON of them, the
 * fastest, and how to use it, written to out. Returns MB_RUNTIME when no
 * child ran. */
enum mb_status mb__cli_coretypes(const struct mb_options *o, FILE *out, struct mb_diag *d)
{
    const volatile sig_atomic_t *stop = mb_cli_signals_catch();
    const struct mb_plan *p = &o->plan;
    const struct mb_front *f = &o->front;
    struct mb_coretype_row *rows = calloc(mb_coretype_count(), sizeof *rows);
    if (rows == NULL)
        return mb_diag_set(d, MB_NOMEM, "cannot allocate the core-type table");
    char detected[64];
    detected_core(detected, sizeof detected);
    struct mb_coretype_report r = {.machine = &o->machine,
                                   .env = getenv(ENV_FORCED) == NULL ? getenv("OPENBLAS_CORETYPE")
                                                                     : NULL,
                                   .n = p->sizes.v[0],
                                   .threads = mb_machine_usable_cores(&o->machine),
                                   .detected = detected,
                                   .rows = rows};
    enum mb_status st;
    r.count = probe_all(r.n, r.threads, 0, !f->quiet && isatty(STDERR_FILENO), rows, &st, d);
    r.best = fastest_row(rows, r.count);
    r.interrupted = *stop != 0;
    r.baseline = detected_row(rows, r.count, detected);
    if (st == MB_OK && r.best < 0)
        st = mb_diag_set(d, MB_RUNTIME, "no core type ran dgemm (every child failed; see above)");
    mb_cli_signals_hold(true); /* the rows so far are printed whole */
    enum mb_status wst = MB_OK;
    if (mb_format_row(f->format)->traits & MB_FORMAT_DOCUMENT)
        wst = mb_report_coretypes_json(out, &r, d);
    else
        mb_report_coretypes(out, &r);
    free(rows);
    if (fflush(out) != 0 || ferror(out))
        wst = mb_diag_set(d, MB_IO, "cannot write the report: %s", strerror(errno));
    mb_cli_signals_hold(false);
    char kept[64];
    snprintf(kept, sizeof kept, "%zu of %zu core types", r.count, mb_coretype_count());
    return mb_cli_interrupted(st != MB_OK ? st : wst, *stop, kept, d);
}

/* --coretype NAME|best: runs this matbench again (the same arguments) with
 * OPENBLAS_CORETYPE=NAME, which OpenBLAS reads only when it loads; "best"
 * first tries each core type at least as wide as the detected one in a
 * quick probe and takes the fastest. Returns MB_OK at once when there is
 * nothing to do (no --coretype, or this is the run again); otherwise does
 * not return unless it fails (MB_RUNTIME, or the probe's status). */
enum mb_status mb__cli_coretype_exec(const struct mb_options *o, char **argv, struct mb_diag *d)
{
    const char *want = o->front.coretype;
    if (want == NULL || getenv(ENV_FORCED) != NULL)
        return MB_OK;
    char detected[64], how[160];
    detected_core(detected, sizeof detected);
    const struct mb_coretype *ct = mb_coretype_find(want);
    snprintf(how, sizeof how, "--coretype %s", want);
    if (strcmp(want, "best") == 0) {
        struct mb_coretype_row *rows = calloc(mb_coretype_count(), sizeof *rows);
        if (rows == NULL)
            return mb_diag_set(d, MB_NOMEM, "cannot allocate the core-type table");
        const struct mb_coretype *det = mb_coretype_find(detected);
        enum mb_status st;
        size_t count = probe_all(BEST_PROBE_N, mb_machine_usable_cores(&o->machine),
                                 det != NULL ? mb_isa_rank(det->isa) : 0,
                                 !o->front.quiet && isatty(STDERR_FILENO), rows, &st, d);
        int best = fastest_row(rows, count), base = detected_row(rows, count, detected);
        if (st == MB_OK && best < 0)
            st = mb_diag_set(d, MB_RUNTIME, "--coretype best: no core type ran dgemm");
        if (st == MB_OK) {
            ct = rows[best].type;
            int len = snprintf(how, sizeof how,
                               "--coretype best: the fastest of %zu tried, %.1f "
                               "GFLOP/s at n = %d",
                               count, rows[best].probe.gflops, BEST_PROBE_N);
            if (base >= 0 && len > 0 && (size_t)len < sizeof how)
                snprintf(how + len, sizeof how - (size_t)len, ", %.2fx %s",
                         rows[best].probe.gflops / rows[base].probe.gflops, detected);
        }
        free(rows);
        if (st != MB_OK)
            return st;
    }
    if (setenv("OPENBLAS_CORETYPE", ct->name, 1) != 0 || setenv(ENV_FORCED, ct->name, 1) != 0 ||
        setenv(ENV_DETECTED, detected, 1) != 0 || setenv(ENV_HOW, how, 1) != 0)
        return mb_diag_set(d, MB_RUNTIME, "cannot set OPENBLAS_CORETYPE: %s", strerror(errno));
    fflush(NULL);
    /* the run again catches the stop signals itself; one caught until now
     * ends this one instead (after the release, one kills it) */
    if (mb_cli_signals_release() != 0)
        return mb_diag_set(d, MB_INTERRUPTED, "interrupted before matbench ran again");
    execv(SELF_EXE, argv);
    return mb_diag_set(d, MB_RUNTIME, "cannot run matbench again under %s: %s", ct->name,
                       strerror(errno));
}

/* What the header says about the core type: how --coretype forced it and
 * whether OpenBLAS took it ("" when nothing was forced). */
void mb__coretype_note(const struct mb_blas_info *b, char *buf, size_t cap)
{
    const char *forced = getenv(ENV_FORCED), *detected = getenv(ENV_DETECTED);
    const char *how = getenv(ENV_HOW);
    buf[0] = '\0';
    if (forced == NULL)
        return;
    int len = snprintf(buf, cap, "core type %s forced (%s; without it OpenBLAS used %s)", forced,
                       how != NULL ? how : "--coretype", detected != NULL ? detected : "?");
    if (strcasecmp(b->core, forced) != 0 && len > 0 && (size_t)len < cap)
        snprintf(buf + len, cap - (size_t)len,
                 "; OpenBLAS did not take it and runs %s (this build may not have it)", b->core);
}

/* The one-line hint for a run whose OpenBLAS uses kernels for a narrower
 * vector ISA than the CPU has, with the command to try: the first core
 * type of the table for the CPU's widest ISA that it can run. It says why:
 * OPENBLAS_CORETYPE in the environment, or OpenBLAS's own detection. ""
 * when the kernels match the CPU, the core type is unknown, or --coretype
 * chose it. */
void mb__coretype_hint(const struct mb_blas_info *b, size_t n, char *buf, size_t cap)
{
    buf[0] = '\0';
    const struct mb_coretype *core = mb_coretype_find(b->core);
    const char *env = getenv("OPENBLAS_CORETYPE");
    if (core == NULL || getenv(ENV_FORCED) != NULL)
        return;
    const char *cpu = mb_cpu_widest_isa(NULL);
    if (mb_isa_rank(core->isa) >= mb_isa_rank(cpu))
        return;
    for (size_t i = 0; i < mb_coretype_count(); i++) {
        const struct mb_coretype *ct = mb_coretype_at(i);
        if (strcmp(ct->isa, cpu) != 0 || mb_coretype_missing(ct, NULL) != NULL)
            continue;
        char why[128];
        if (env != NULL)
            snprintf(why, sizeof why, "OPENBLAS_CORETYPE=%s in the environment makes OpenBLAS use",
                     mb_printable(env, (char[48]){0}, 48));
        else
            snprintf(why, sizeof why, "OpenBLAS chose");
        snprintf(buf, cap,
                 "Hint: %s its %s kernels (%s) but this CPU has %s; try  matbench %zu "
                 "--coretype %s  (compare them all: matbench coretypes %zu)",
                 why, core->name, core->isa, cpu, n, ct->name, n);
        return;
    }
}
