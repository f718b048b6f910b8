/* matbench blas: every BLAS library installed (and any given by path)
 * side by side, each library x kernel x size x thread count in its own
 * child process, interleaved so that the machine's noise falls on all of
 * them alike; then the report where --output says. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "matbench/blaslib.h"
#include "matbench/machine.h"
#include "matbench/report.h"
#include "matbench/sink.h"
#include "mb_internal.h"

/* The kernels matbench blas runs: --kernels, of which only dgemm and
 * dgetrf, or dgemm alone by default. */
static enum mb_status blas_kernels(const struct mb_options *o, struct mb_kernel_list *out,
                                   struct mb_diag *d)
{
    memset(out, 0, sizeof *out);
    if (!o->kernels_given) {
        out->v[out->n++] = mb_kernel_find("dgemm");
        return MB_OK;
    }
    for (size_t i = 0; i < o->plan.kernels.n; i++) {
        const struct mb_kernel *k = o->plan.kernels.v[i];
        if (strcmp(k->name, "dgemm") != 0 && strcmp(k->name, "dgetrf") != 0)
            return mb_diag_set(d, MB_USAGE,
                               "kernels: '%s' is not one matbench blas runs (dgemm, dgetrf)",
                               k->name);
        out->v[out->n++] = k;
    }
    return MB_OK;
}

/* The memory the largest measurement needs, against MemAvailable. */
static enum mb_status check_memory(const struct mb_options *o, const struct mb_kernel_list *ks,
                                   struct mb_diag *d)
{
    uint64_t available;
    enum mb_status st = mb_mem_available(&available, d);
    if (st != MB_OK)
        return st;
    for (size_t k = 0; k < ks->n; k++)
        for (size_t s = 0; s < o->plan.sizes.n; s++) {
            size_t n = o->plan.sizes.v[s];
            uint64_t need = mb_blaslib_memory(ks->v[k], n);
            if (need == 0 || need > available)
                return mb_diag_set(d, MB_USAGE,
                                   "N: '%zu' needs %.1f GiB for matbench blas's %s (the "
                                   "matrices here and the probe's copies) but %.1f GiB is "
                                   "available",
                                   n, need == 0 ? INFINITY : (double)need / (1u << 30),
                                   ks->v[k]->name, (double)available / (1u << 30));
        }
    return MB_OK;
}

/* The libraries to compare: the found ones or the --blas list, each one
 * given by path checked by the probe (loads, has cblas_dgemm or dgemm_).
 * MB_USAGE for a bad list or an unusable path, MB_RUNTIME when nothing is
 * found. */
static enum mb_status choose(const struct mb_options *o, const char *probe,
                             struct mb_blaslib_set *found, struct mb_blaslib_set *libs,
                             struct mb_diag *d)
{
    enum mb_status st = mb_blaslib_scan(mb_blaslib_dir(), found, d);
    if (st == MB_OK)
        st = mb_blaslib_select(found, o->blas, libs, d);
    if (st != MB_OK)
        return st;
    if (libs->n == 0)
        return mb_diag_set(d, MB_RUNTIME,
                           "no BLAS found: no folder of %s holds a libblas.so.3 (Debian's "
                           "packages %s put one there), and --blas names none",
                           found->dir, MB_BLASLIB_PACKAGES);
    for (size_t i = 0; i < libs->n && st == MB_OK; i++) {
        if (libs->v[i].found)
            continue;
        struct mb_blaslib_id id;
        struct mb_diag cd = {0};
        enum mb_status cst = mb_blaslib_check(&libs->v[i], probe, &id, &cd);
        if (cst == MB_USAGE || cst == MB_INTERRUPTED || cst == MB_NOMEM)
            st = mb_diag_set(d, cst, "%s", cd.msg);
        else if (cst != MB_OK && !o->front.quiet)
            fprintf(stderr, "matbench: %s; measuring it anyway\n", cd.msg); /* its row says */
    }
    return st;
}

/* One progress line on a terminal's stderr. */
static void tell(bool on, const struct mb_blaslib_row *x, size_t done, size_t total)
{
    if (!on)
        return;
    if (x->outcome == MB_BLASLIB_OK || x->outcome == MB_BLASLIB_NOT_CHECKED)
        fprintf(stderr, "\r\033[K[%zu/%zu] %s %s n=%zu %d thread%s: %.1f GFLOP/s\n", done, total,
                x->lib->name, x->kernel->name, x->n, x->threads, x->threads == 1 ? "" : "s",
                x->gflops);
    else
        fprintf(stderr, "\r\033[K[%zu/%zu] %s %s n=%zu %d thread%s: %s\n", done, total,
                x->lib->name, x->kernel->name, x->n, x->threads, x->threads == 1 ? "" : "s",
                x->error);
}

/* Measures every library x kernel x n x threads into rows (capacity
 * total), the libraries innermost so that each thread count of each size
 * sees them one after the other. *count says how many were done; stops at
 * a stop signal (MB_INTERRUPTED) or a failure to set a measurement up. */
static enum mb_status measure_all(const struct mb_options *o, const struct mb_blaslib_set *libs,
                                  const struct mb_kernel_list *ks,
                                  const struct mb_blaslib_settings *s, const struct mb_peak *peak,
                                  struct mb_blaslib_row *rows, size_t total, size_t *count,
                                  struct mb_diag *d)
{
    const struct mb_plan *p = &o->plan;
    bool on = !o->front.quiet && isatty(STDERR_FILENO);
    int cores = mb_machine_usable_cores(&o->machine);
    *count = 0;
    for (size_t k = 0; k < ks->n; k++)
        for (size_t z = 0; z < p->sizes.n; z++)
            for (size_t t = 0; t < p->threads.n; t++)
                for (size_t i = 0; i < libs->n; i++) {
                    struct mb_blaslib_row *x = &rows[*count];
                    if (on)
                        fprintf(stderr, "\r\033[K[%zu/%zu] %s %s n=%zu %d thread%s...", *count + 1,
                                total, libs->v[i].name, ks->v[k]->name, p->sizes.v[z],
                                p->threads.v[t], p->threads.v[t] == 1 ? "" : "s");
                    enum mb_status st = mb_blaslib_measure(&libs->v[i], ks->v[k], p->sizes.v[z],
                                                           p->threads.v[t], s, x, d);
                    if (st != MB_OK) {
                        if (on)
                            fprintf(stderr, "\r\033[K");
                        return st;
                    }
                    int used = x->threads_used > 0 ? x->threads_used : x->threads;
                    if (peak != NULL && !isnan(x->gflops))
                        x->peak_fraction =
                            x->gflops / mb_peak_for_threads(peak, used < cores ? used : cores);
                    (*count)++;
                    tell(on, x, *count, total);
                }
    return MB_OK;
}

/* The rows that failed verification, for the closing message. */
static size_t count_wrong(const struct mb_blaslib_row *rows, size_t count, char *first, size_t cap)
{
    size_t wrong = 0;
    for (size_t i = 0; i < count; i++)
        if (rows[i].outcome == MB_BLASLIB_WRONG && wrong++ == 0)
            snprintf(first, cap, "%s %s n=%zu %d thread%s", rows[i].lib->name, rows[i].kernel->name,
                     rows[i].n, rows[i].threads, rows[i].threads == 1 ? "" : "s");
    return wrong;
}

/* matbench blas [N]: finds the libraries and checks the list, then the
 * report opened, the peak, every measurement, the report. Exit status:
 * MB_USAGE (2) before anything runs; MB_VERIFY (1) when a library gave a
 * wrong answer; a crash or a hang is its row's finding, not a failure. */
enum mb_status mb__cli_blas(const struct mb_options *o, struct mb_diag *d)
{
    const volatile sig_atomic_t *stop = mb_cli_signals_catch();
    struct mb_kernel_list ks;
    char probe[MB_BLASLIB_PATH_MAX];
    struct mb_blaslib_set *found = calloc(2, sizeof *found);
    if (found == NULL)
        return mb_diag_set(d, MB_NOMEM, "cannot allocate the library list");
    struct mb_blaslib_set *libs = found + 1;
    enum mb_status st = blas_kernels(o, &ks, d);
    if (st == MB_OK)
        st = check_memory(o, &ks, d);
    if (st == MB_OK)
        st = mb_blaslib_probe_path(probe, sizeof probe, d);
    if (st == MB_OK)
        st = choose(o, probe, found, libs, d);
    struct mb_sink out;
    if (st == MB_OK)
        st = mb_sink_open(&out, o->front.output, d);
    if (st != MB_OK) {
        free(found);
        return mb_cli_interrupted(st, *stop, "no results", d);
    }
    const struct mb_plan *p = &o->plan;
    const double limit_s = mb__time_limit_s(o, MB_BLASLIB_DEFAULT_LIMIT_S);
    size_t total = libs->n * ks.n * p->sizes.n * p->threads.n, count = 0;
    struct mb_blaslib_row *rows = calloc(total, sizeof *rows);
    struct mb_peak peak;
    bool have_peak = rows != NULL && o->front.peak && mb__optional_peak(o, &peak);
    struct mb_blaslib_settings s = {.probe = probe,
                                    .warmup = p->warmup,
                                    .repeat = p->repeat,
                                    .min_s = mb_plan_wall_min_s(p),
                                    .max_s = MB_BLASLIB_MAX_SAMPLING_S,
                                    .time_limit_s = limit_s,
                                    .seed = p->seed,
                                    .verify = p->verify,
                                    .stop = stop};
    if (rows == NULL)
        st = mb_diag_set(d, MB_NOMEM, "cannot allocate %zu rows", total);
    else
        st = measure_all(o, libs, &ks, &s, have_peak ? &peak : NULL, rows, total, &count, d);
    mb_cli_signals_hold(true); /* a signal now waits until the report is whole */
    struct mb_blas_report r = {.machine = &o->machine,
                               .found = found,
                               .libs = libs,
                               .plan = p,
                               .kernels = &ks,
                               .rows = rows,
                               .count = count,
                               .peak = have_peak ? &peak : NULL,
                               .time_limit_s = limit_s,
                               .max_sampling_s = MB_BLASLIB_MAX_SAMPLING_S,
                               .interrupted = st == MB_INTERRUPTED};
    struct mb_diag wd = {0};
    enum mb_status wst = count > 0 ? mb_report_blas(out.f, o->front.format, &r, &wd) : MB_OK;
    enum mb_status cst = mb_sink_close(&out, count > 0, &wd);
    if (wst == MB_OK)
        wst = cst;
    mb_cli_signals_hold(false);
    char first[160] = "", kept[64];
    size_t wrong = count_wrong(rows, count, first, sizeof first);
    snprintf(kept, sizeof kept, "%zu of %zu rows", count, total);
    free(rows);
    free(found);
    if (st == MB_OK && wst != MB_OK) {
        *d = wd;
        st = wst;
    }
    if (st == MB_OK && wrong > 0)
        st = mb_diag_set(d, MB_VERIFY, "blas: %zu row%s failed verification (the first: %s)", wrong,
                         wrong == 1 ? "" : "s", first);
    return mb_cli_interrupted(st, *stop, kept, d);
}
