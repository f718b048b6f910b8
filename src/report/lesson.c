/* The closing lesson: plain sentences with the measured numbers, under the
 * table and Markdown. */
#include <limits.h>
#include <math.h>
#include <stdio.h>

#include "matbench/lapack.h"
#include "matbench/scaling.h"
#include "report_internal.h"

/* A ratio as every lesson sentence writes it: three significant figures,
 * trailing zeros kept (106, 12.0, 1.95), so one figure reads the same
 * wherever it appears. Returns buf. */
static const char *ratio_text(char *buf, size_t cap, double x)
{
    const int decimals = fabs(x) >= 99.95 ? 0 : fabs(x) >= 9.995 ? 1 : 2;
    snprintf(buf, cap, "%.*f", decimals, x);
    return buf;
}

#define RATIO(x) ratio_text((char[32]){0}, 32, (x))

enum pick_by { FASTEST, FEWEST_THREADS, MOST_THREADS };

/* Among the results of kernel k (k NULL: of the BLAS-threaded kernels that
 * multiply, MB_GEMM) at size n with lo <= threads <= hi: the fastest (most
 * GFLOP/s), or the one with the fewest or the most threads. */
static const struct mb_result *pick(const struct mb_results *rs, size_t n,
                                    const struct mb_kernel *k, int lo, int hi, enum pick_by by)
{
    const struct mb_result *best = NULL;
    const unsigned gemm = MB_BLAS_THREADS | MB_GEMM;
    for (size_t i = 0; i < rs->count; i++) {
        const struct mb_result *r = &rs->items[i];
        if ((k != NULL ? r->kernel != k : (r->kernel->traits & gemm) != gemm) || r->n != n ||
            r->threads < lo || r->threads > hi)
            continue;
        if (best == NULL || (by == FASTEST && r->gflops > best->gflops) ||
            (by == FEWEST_THREADS && r->threads < best->threads) ||
            (by == MOST_THREADS && r->threads > best->threads))
            best = r;
    }
    return best;
}

/* What going from the fewest threads to the most (up to the cores this
 * process may use) gave at each size, for at most eight sizes spread evenly
 * over those run: small matrices do not scale. */
static void size_lesson(FILE *out, const struct mb_report_ctx *ctx)
{
    const struct mb_plan *p = ctx->plan;
    const int cores = mb_machine_usable_cores(ctx->machine);
    const struct mb_result *few[MB_PLAN_MAX_SIZES], *many[MB_PLAN_MAX_SIZES];
    size_t count = 0;
    for (size_t i = 0; i < p->sizes.n; i++) {
        few[count] = pick(ctx->results, p->sizes.v[i], NULL, 1, INT_MAX, FEWEST_THREADS);
        many[count] = pick(ctx->results, p->sizes.v[i], NULL, 1, cores, MOST_THREADS);
        if (few[count] != NULL && many[count] != NULL && many[count]->threads > few[count]->threads)
            count++;
    }
    if (count < 2)
        return;
    const size_t shown = count < 8 ? count : 8;
    static const char *const parts[] = {" times as fast at n = ", ""};
    fprintf(out, "Threads pay off with size: going from %d to %d threads made %s ", few[0]->threads,
            many[0]->threads, many[0]->kernel->name);
    for (int part = 0; part < 2; part++) {
        for (size_t j = 0; j < shown; j++) {
            size_t i = j * (count - 1) / (shown - 1);
            const char *sep = j == 0 ? "" : j + 1 == shown ? " and " : ", ";
            if (part == 0)
                fprintf(out, "%s%s", sep, RATIO(few[i]->time_s.median / many[i]->time_s.median));
            else
                fprintf(out, "%s%zu", sep, many[i]->n);
        }
        fputs(parts[part], out);
    }
    fprintf(out, ".\n");
}

/* What the monitor saw for the naive loop and the fastest BLAS run: how
 * many CPUs were mostly busy, each CPU's share, and the thread counts. */
static void per_cpu_lesson(FILE *out, const struct mb_result *naive, const struct mb_result *fast)
{
    const struct mb_result *pair[] = {naive, fast};
    if (isnan(mb_busy_sum(naive->per_core_busy, naive->ncpus)) ||
        isnan(mb_busy_sum(fast->per_core_busy, fast->ncpus)))
        return;
    fprintf(out, "Per CPU (the whole machine, from /proc/stat): ");
    for (int k = 0; k < 2; k++) {
        const struct mb_result *r = pair[k];
        int mostly = 0;
        for (size_t i = 0; i < r->ncpus; i++)
            mostly += r->per_core_busy[i] >= 0.5;
        fprintf(out, "%s%s on %d thread%s kept %d CPU%s mostly busy (", k ? "; " : "",
                k ? r->kernel->name : "the naive loop", r->threads, r->threads == 1 ? "" : "s",
                mostly, mostly == 1 ? "" : "s");
        if (r->ncpus <= MB_PER_CPU_NUMBERS) {
            for (size_t i = 0; i < r->ncpus; i++)
                fprintf(out, isnan(r->per_core_busy[i]) ? "%scpu%zu ?" : "%scpu%zu %.0f%%",
                        i ? ", " : "", i, r->per_core_busy[i] * 100);
        } else {
            char glyphs[1024];
            mb__format_per_cpu(glyphs, sizeof glyphs, r);
            fputs(glyphs, out);
        }
        fprintf(out, ") with %d threads in the process", r->max_threads_seen);
    }
    fprintf(out, " (matbench's monitor thread is one of them).\n");
}

/* One sentence per LAPACK kernel at size n: its best rate and thread
 * count, the gain over its fewest threads, its rate against dgemm's on as
 * many threads, and its residual; then what makes them scale and the
 * layout they ran in. */
static void lapack_lesson(FILE *out, const struct mb_report_ctx *ctx, size_t n)
{
    const struct mb_plan *p = ctx->plan;
    const struct mb_kernel *dgemm = mb_kernel_with(MB_REFERENCE);
    bool any = false;
    for (size_t i = 0; i < p->kernels.n; i++) {
        const struct mb_kernel *k = p->kernels.v[i];
        const struct mb_result *best = pick(ctx->results, n, k, 1, INT_MAX, FASTEST);
        if (!(k->traits & MB_LAPACK) || best == NULL)
            continue;
        any = true;
        const struct mb_result *few = pick(ctx->results, n, k, 1, INT_MAX, FEWEST_THREADS);
        const struct mb_result *gemm =
            pick(ctx->results, n, dgemm, best->threads, best->threads, FASTEST);
        fprintf(out, "%s on %d thread%s: %.1f GFLOP/s", k->name, best->threads,
                best->threads == 1 ? "" : "s", best->gflops);
        if (few != best)
            fprintf(out, ", %s times as fast as on %d",
                    RATIO(few->time_s.median / best->time_s.median), few->threads);
        if (gemm != NULL)
            fprintf(out, ", %.0f%% of dgemm's %.1f", best->gflops / gemm->gflops * 100,
                    gemm->gflops);
        if (!isnan(best->residual))
            fprintf(out, "; scaled residual %.2g (a pass is below %g, as in HPL)", best->residual,
                    MB_LAPACK_THRESHOLD);
        fprintf(out, ".\n");
    }
    if (!any)
        return;
    fprintf(out,
            "LAPACK's blocked factorisations do most of their work in BLAS-3 calls (dgemm, dtrsm, "
            "dsyrk), so they run on the BLAS's threads with no threading code of their own; the "
            "narrow panel steps between those calls scale less.\n");
    if (p->layout == MB_LAYOUT_ROW)
        fprintf(out, "They ran row-major (--layout row): LAPACKE transposed each input into a copy "
                     "and back inside the timed call; the default, --layout col, shows the "
                     "routines alone.\n");
    else
        fprintf(out, "They ran column-major, as LAPACK stores matrices; --layout row makes LAPACKE "
                     "transpose each input into a copy and back inside the call, and shows what "
                     "that costs.\n");
}

/* No GIL in C, at size n: the naive loop on threads and on processes
 * against the naive loop on one core, on the most workers run. */
static void no_gil_lesson(FILE *out, const struct mb_report_ctx *ctx, size_t n)
{
    const struct mb_results *rs = ctx->results;
    const struct mb_kernel *baseline = mb_kernel_with(MB_BASELINE);
    const struct mb_result *naive = baseline ? mb_results_find(rs, baseline, n, 1) : NULL;
    int most = 1;
    for (size_t i = 0; i < ctx->plan->threads.n; i++)
        most = ctx->plan->threads.v[i] > most ? ctx->plan->threads.v[i] : most;
    const struct mb_kernel *threads = mb_kernel_variant(baseline, MB_THREADS, MB_PROCS);
    const struct mb_kernel *procs = mb_kernel_variant(baseline, MB_PROCS, 0);
    const struct mb_result *th = threads ? mb_results_find(rs, threads, n, most) : NULL;
    const struct mb_result *pr = procs ? mb_results_find(rs, procs, n, most) : NULL;
    if (naive == NULL || most <= 1 || (th == NULL && pr == NULL))
        return;
    fprintf(out, "No GIL in C: on %d workers the naive loop ran", most);
    if (th != NULL)
        fprintf(out, " %s times as fast in threads (%.2f cores busy)",
                RATIO(naive->time_s.median / th->time_s.median), th->cores_busy);
    if (pr != NULL)
        fprintf(out, "%s %s times as fast in processes (%.2f cores busy)", th != NULL ? " and" : "",
                RATIO(naive->time_s.median / pr->time_s.median), pr->cores_busy);
    fprintf(out, ".\n");
}

/* The ladder in one sentence at size n: each one-core step (the baseline,
 * then every kernel of the registry with a why, in registry order) against
 * the step before it that ran, with what the step changed. */
static void ladder_lesson(FILE *out, const struct mb_report_ctx *ctx, size_t n)
{
    const struct mb_results *rs = ctx->results;
    const struct mb_result *prev = NULL;
    int shown = 0;
    for (size_t i = 0; i < mb_kernel_count(); i++) {
        const struct mb_kernel *k = mb_kernel_at(i);
        if (!(k->traits & MB_BASELINE) && k->why == NULL)
            continue;
        const struct mb_result *r = mb_results_find(rs, k, n, 1);
        if (r == NULL)
            continue;
        if (prev != NULL && k->why != NULL) {
            fprintf(out, "%s %s %s times %s (%s)", shown ? "," : "On one core:", k->name,
                    RATIO(prev->time_s.median / r->time_s.median), prev->kernel->name, k->why);
            shown++;
        }
        prev = r;
    }
    if (shown > 0)
        fprintf(out, ".\n");
}

/* The BLAS against the naive loop at the largest size: how much faster the
 * fastest run was and how many cores each kept busy, what the monitor saw
 * per CPU, the share of the FMA peak, and whether the naive time is an
 * estimate. */
static void speed_lesson(FILE *out, const struct mb_report_ctx *ctx, const struct mb_result *naive,
                         const struct mb_result *fast)
{
    if (naive != NULL && fast != NULL)
        fprintf(out,
                "%s on %d thread%s ran %s times faster than the naive loop (%.1f vs %.2f "
                "GFLOP/s) and kept %.2f cores busy; the naive loop kept %.2f.\n",
                fast->kernel->name, fast->threads, fast->threads == 1 ? "" : "s",
                RATIO(fast->speedup_vs_naive), fast->gflops, naive->gflops, fast->cores_busy,
                naive->cores_busy);
    if (naive != NULL && fast != NULL)
        per_cpu_lesson(out, naive, fast);
    if (fast != NULL && !isnan(fast->peak_fraction)) {
        fprintf(
            out,
            "%s on %d thread%s reached %.0f%% of the measured %s FMA peak for %s (%.1f GFLOP/s)",
            fast->kernel->name, fast->threads, fast->threads == 1 ? "" : "s",
            fast->peak_fraction * 100, mb_isa_name(ctx->peak->isa),
            fast->threads == 1 ? "one core" : "that many threads",
            mb_peak_for_threads(ctx->peak, fast->threads));
        if (naive != NULL && !isnan(naive->peak_fraction))
            fprintf(out, "; the naive loop %.1f%% of one core's", naive->peak_fraction * 100);
        fprintf(out, ".\n");
    }
    if (naive != NULL && naive->estimated)
        fprintf(out,
                "The naive loop's full-size time is an estimate from the %zu of %zu rows it "
                "computed in its %g s budget (--naive-budget 0 runs it in full).\n",
                naive->rows_done, naive->n, ctx->plan->naive_budget_s);
}

/* The thread counts at size n: what going from the fewest (few) to the
 * most productive (fast) gave, what threads beyond the usable cores gave
 * and that they were oversubscribed. The cores are those this process may
 * use (mb_machine_usable_cores): under taskset or a cgroup limit fewer than
 * the machine's, and the sentences say so. */
static void threads_lesson(FILE *out, const struct mb_report_ctx *ctx, size_t n,
                           const struct mb_result *fast, const struct mb_result *few)
{
    const struct mb_results *rs = ctx->results;
    const struct mb_machine *m = ctx->machine;
    const int cores = mb_machine_usable_cores(m);
    const bool limited = m->usable_limits != 0;
    /* "CPU" when each usable core is one usable CPU (no SMT siblings) */
    const char *unit = m->usable_cpus == cores ? "CPU" : "core";
    char on[sizeof m->usable_why + 96];
    if (limited)
        snprintf(on, sizeof on, "%d usable %s%s of a machine with %d physical cores (%s)", cores,
                 unit, cores == 1 ? "" : "s", m->physical_cores, m->usable_why);
    else
        snprintf(on, sizeof on, "a machine with %d physical cores", m->physical_cores);
    if (fast != NULL && few != NULL && fast->threads > few->threads)
        fprintf(out,
                "Going from %d to %d threads made %s %s times faster (parallel efficiency "
                "%.0f%%) at n=%zu on %s.\n",
                few->threads, fast->threads, fast->kernel->name,
                RATIO(few->time_s.median / fast->time_s.median), fast->efficiency * 100, n, on);
    const struct mb_result *within = pick(rs, n, NULL, 1, cores, FASTEST);
    const struct mb_result *beyond = pick(rs, n, NULL, cores + 1, INT_MAX, FASTEST);
    if (within != NULL && beyond != NULL)
        fprintf(out,
                "Beyond the %d %s %s%s more threads %s: the best of them, %d threads, "
                "reached %.1f GFLOP/s against %.1f at %d.\n",
                cores, limited ? "usable" : "physical", limited ? unit : "core",
                cores == 1 ? "" : "s",
                beyond->gflops > within->gflops * 1.05 ? "still helped here" : "did not help",
                beyond->threads, beyond->gflops, within->gflops, within->threads);
    const struct mb_result *most = pick(rs, n, NULL, cores + 1, INT_MAX, MOST_THREADS);
    if (most != NULL)
        fprintf(out,
                "%d threads on %d usable %s%s: oversubscribed%s%s%s, so they take turns on "
                "%s.\n",
                most->threads, cores, unit, cores == 1 ? "" : "s", limited ? " (" : "",
                limited ? m->usable_why : "", limited ? ")" : "", cores == 1 ? "it" : "them");
}

/* Karp–Flatt and Amdahl for kernel k at n (scaling.h): e at each thread
 * count, whether it grows (overhead, not a serial part), that counts above
 * the usable cores measure taking turns, and the Amdahl fit with three
 * thread counts or more. */
static void scaling_lesson(FILE *out, const struct mb_report_ctx *ctx, const struct mb_kernel *k,
                           size_t n)
{
    int p[MB_PLAN_MAX_THREADS];
    double sp[MB_PLAN_MAX_THREADS];
    size_t m = mb_scaling_points(ctx->results, k, n, p, sp, MB_PLAN_MAX_THREADS);
    if (m == 0)
        return;
    const int cores = mb_machine_usable_cores(ctx->machine);
    const size_t shown = m - 1 < 6 ? m - 1 : 6;
    bool beyond = false;
    fprintf(out,
            "Karp-Flatt serial fraction of %s at n=%zu ((1/S - 1/p) / (1 - 1/p)): e = ", k->name,
            n);
    for (size_t j = 0; j < shown; j++) {
        size_t i = 1 + (shown > 1 ? j * (m - 2) / (shown - 1) : 0);
        fprintf(out, "%s%.2f at %d threads",
                j == 0           ? ""
                : j + 1 == shown ? " and "
                                 : ", ",
                mb_karp_flatt(sp[i], p[i]), p[i]);
    }
    for (size_t i = 1; i < m; i++)
        beyond |= p[i] > cores;
    if (mb_karp_flatt_grows(p, sp, m))
        fprintf(out, "; it grows with the threads: overhead that grows with them "
                     "(synchronisation, memory bandwidth), not a fixed serial part");
    if (beyond)
        fprintf(out, "; above the %d usable core%s it measures threads taking turns", cores,
                cores == 1 ? "" : "s");
    fprintf(out, ".\n");
    double f = mb_amdahl_serial_fraction(p, sp, m);
    if (!isnan(f) && f > 0 && f < 1)
        fprintf(out,
                "Amdahl's law fitted to the %zu thread counts: a serial fraction of %.3f, so no "
                "number of threads could make %s more than %.0f times faster than one at this "
                "size.\n",
                m, f, k->name, 1 / f);
    else if (!isnan(f))
        fprintf(out,
                "Amdahl's law fitted to the %zu thread counts gives a serial fraction of %.3f: "
                "%s, which a fixed serial part does not describe.\n",
                m, f,
                f <= 0 ? "threads gained as much as their count or more"
                       : "more threads were slower");
}

/* Where threads start to pay for kernel k over a --sizes sweep: the
 * crossover n (scaling.h), or that no size measured reached it. */
static void crossover_lesson(FILE *out, const struct mb_report_ctx *ctx, const struct mb_kernel *k)
{
    bool below;
    size_t sizes;
    double x = mb_scaling_crossover(ctx->results, k, &below, &sizes);
    if (sizes < 2)
        return;
    const struct mb_size_list *z = &ctx->plan->sizes;
    size_t lo = z->v[0], hi = z->v[0];
    for (size_t i = 0; i < z->n; i++) {
        lo = z->v[i] < lo ? z->v[i] : lo;
        hi = z->v[i] > hi ? z->v[i] : hi;
    }
    const int gain = (int)(MB_CROSSOVER_GAIN * 100 + 0.5) - 100;
    if (isnan(x))
        fprintf(out,
                "%s: the most threads never beat one thread by %d%% at the sizes measured "
                "(n = %zu to %zu).\n",
                k->name, gain, lo, hi);
    else if (below)
        fprintf(out,
                "%s: the most threads beat one thread by %d%% already at the smallest size "
                "measured, n = %zu (the crossover is there or below).\n",
                k->name, gain, lo);
    else
        fprintf(out,
                "%s: the most threads first beat one thread by %d%% at n = %.0f (interpolated "
                "between the sizes measured).\n",
                k->name, gain, x);
}

/* Plain sentences with the measured numbers, at the largest size run: how
 * much faster the BLAS ran than the naive loop and how many cores each kept
 * busy, what going from the fewest to the most productive thread count
 * gave, what threads beyond the usable cores gave (and that they were
 * oversubscribed), and how the thread gain grows with n. The cores are
 * those this process may use (mb_machine_usable_cores): under taskset or a
 * cgroup limit fewer than the machine's, and the sentences say so. */
void mb_report_lesson(FILE *out, const struct mb_report_ctx *ctx)
{
    const struct mb_results *rs = ctx->results;
    size_t n = 0;
    for (size_t i = 0; i < rs->count; i++)
        if (rs->items[i].n > n)
            n = rs->items[i].n;
    const struct mb_kernel *baseline = mb_kernel_with(MB_BASELINE);
    const struct mb_result *naive = baseline ? mb_results_find(rs, baseline, n, 0) : NULL;
    const struct mb_result *fast = pick(rs, n, NULL, 1, INT_MAX, FASTEST);
    const struct mb_result *few =
        fast != NULL ? pick(rs, n, fast->kernel, 1, INT_MAX, FEWEST_THREADS) : NULL;
    speed_lesson(out, ctx, naive, fast);
    threads_lesson(out, ctx, n, fast, few);
    if (fast != NULL)
        scaling_lesson(out, ctx, fast->kernel, n);
    size_lesson(out, ctx);
    for (size_t k = 0; k < ctx->plan->kernels.n; k++)
        crossover_lesson(out, ctx, ctx->plan->kernels.v[k]);
    no_gil_lesson(out, ctx, n);
    ladder_lesson(out, ctx, n);
    lapack_lesson(out, ctx, n);
    if (ctx->hint != NULL && ctx->hint[0] != '\0')
        fprintf(out, "%s\n", ctx->hint);
    if (ctx->interrupted)
        fprintf(out, "Interrupted: %zu result%s completed before the stop.\n", rs->count,
                rs->count == 1 ? "" : "s");
}
