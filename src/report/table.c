/* Reporters: the header, the table with its closing lesson, CSV, and JSON
 * (built with jansson). They read results and never measure. */
#include "matbench/report.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/lapack.h"
#include "matbench/matrix.h"
#include "matbench/version.h"
#include "mb_internal.h"

#define MIB (1024.0 * 1024.0)

static void print_threads(FILE *out, const struct mb_plan *p)
{
    for (size_t i = 0; i < p->nthreads; i++)
        fprintf(out, "%s%d", i ? ", " : "", p->threads[i]);
}

static const char *threads_source_name(enum mb_threads_source s)
{
    switch (s) {
    case MB_THREADS_ENV:
        return "from OPENBLAS_NUM_THREADS";
    case MB_THREADS_FLAG:
        return "from --threads";
    case MB_THREADS_CONFIG:
        return "from the config file";
    case MB_THREADS_LADDER:
        return "1 and the usable cores: the ladder's default";
    case MB_THREADS_DEFAULT:
        break;
    }
    return "1, 2, 4, ... up to the usable cores";
}

static void print_sizes(FILE *out, const struct mb_plan *p)
{
    for (size_t i = 0; i < p->nsizes; i++)
        fprintf(out, "%s%zu", i ? ", " : "", p->sizes[i]);
}

/* What is about to run: the facts of mb_report_info, then the process to
 * watch and the matrices. */
void mb_report_header(FILE *out, const struct mb_report_ctx *ctx)
{
    const struct mb_plan *p = ctx->plan;
    const size_t largest = mb_plan_largest_size(p);
    struct mb_memory mem = {0};
    char names[96];
    (void)mb_plan_memory(p, largest, &mem);
    mb_memory_names(&mem, names, sizeof names);
    mb_report_info(out, ctx->machine, ctx->blas);
    if (ctx->coretype_note != NULL && ctx->coretype_note[0] != '\0')
        fprintf(out, "          %s\n", ctx->coretype_note);
    if (ctx->peak != NULL)
        fprintf(out,
                "Peak      %s FMA, measured: %.1f GFLOP/s on one core, %.1f on %d core%s at once "
                "(%.1f s; --no-peak skips it)\n",
                mb_isa_name(ctx->peak->isa), ctx->peak->per_core_gflops,
                ctx->peak->all_cores_gflops, ctx->peak->cores, ctx->peak->cores == 1 ? "" : "s",
                ctx->peak->seconds);
    fprintf(out, "Process   PID %ld: watch it with  htop -p %ld%s\n", ctx->pid, ctx->pid,
            p->live ? " (or here: --live draws each CPU's load)" : "");
    if (p->duration_s > 0)
        fprintf(out,
                "          watch it now: each BLAS run keeps going for at least %g s "
                "(--duration)\n",
                p->duration_s);
    fprintf(out, "Matrices  n = ");
    print_sizes(out, p);
    if (p->nsizes > 1)
        fprintf(out, ": %s allocated once for n = %zu, %.1f MiB in all", names, largest,
                (double)mem.bytes / MIB);
    else
        fprintf(out, ": %s are %zu x %zu doubles, %.1f MiB in all", names, largest, largest,
                (double)mem.bytes / MIB);
    if (mem.pivots || mem.rhs)
        fprintf(out, " with the pivots%s", mem.rhs ? " and right-hand sides" : "");
    fprintf(out, " (seed %llu)\n", (unsigned long long)p->seed);
    if (mem.lapacke_bytes > 0)
        fprintf(out,
                "          and LAPACKE's transposed copies, %.1f MiB, while a LAPACK kernel "
                "runs row-major\n",
                (double)mem.lapacke_bytes / MIB);
    fprintf(out, "Plan      ");
    for (size_t i = 0; i < p->nkernels; i++) {
        const struct mb_kernel *k = p->kernels[i];
        /* kernels with threads in a row share one "at threads ..." */
        const bool blas = mb_kernel_sweeps_threads(k);
        const bool prev_blas = i > 0 && mb_kernel_sweeps_threads(p->kernels[i - 1]);
        fprintf(out, "%s%s", i == 0 ? "" : blas && prev_blas ? ", " : "; ", k->name);
        if (blas && i + 1 < p->nkernels && mb_kernel_sweeps_threads(p->kernels[i + 1]))
            continue;
        if (blas) {
            fprintf(out, " at threads ");
            print_threads(out, p);
            fprintf(out, " (%s)", threads_source_name(p->threads_source));
        } else if ((k->traits & MB_BASELINE) && (k->traits & MB_TIMEBOXED) &&
                   p->naive_budget_s > 0) {
            fprintf(out, " on 1 thread, time budget %g s", p->naive_budget_s);
        } else {
            fprintf(out, " on 1 thread");
        }
    }
    /* the time box of the slow kernels beyond the naive loop, by name */
    size_t boxed = 0;
    for (size_t i = 0; i < p->nkernels && p->naive_budget_s > 0; i++) {
        const struct mb_kernel *k = p->kernels[i];
        if (!(k->traits & MB_TIMEBOXED) || (k->traits & MB_BASELINE))
            continue;
        fprintf(out, "%s%s", boxed++ ? ", " : "\n          time budget per run: ", k->name);
    }
    if (boxed > 0)
        fprintf(out, " %g s each (--naive-budget)", p->naive_budget_s);
    if (mem.pivots)
        fprintf(out, "\n          LAPACKE %s",
                p->layout == MB_LAYOUT_ROW
                    ? "row-major (--layout row): it transposes each input into a copy and back, "
                      "inside the timed call"
                    : "column-major, as LAPACK stores matrices (--layout row shows what "
                      "row-major costs)");
    if (mem.rhs)
        fprintf(out, "; dgesv solves for %u right-hand side%s (--nrhs)", p->nrhs,
                p->nrhs == 1 ? "" : "s");
    fprintf(out, "\n          %zu run%s; warm-up %u, repeat %u", mb_plan_run_count(p),
            mb_plan_run_count(p) == 1 ? "" : "s", p->warmup, p->repeat);
    if (p->duration_s > 0)
        fprintf(out, " (more for at least %g s each)", p->duration_s);
    fprintf(out, ", verification %s", p->verify ? "on" : "off (--no-verify)");
    if (p->config != NULL)
        fprintf(out, ", config %s", p->config);
    fprintf(out, "\n\n");
}

/* A duration in a unit that keeps three or four significant digits. */
static void format_time(char *buf, size_t cap, double s, bool estimated)
{
    const char *mark = estimated ? "~" : "";
    static const struct {
        double scale;
        const char *unit;
    } units[] = {{1, "s"}, {1e3, "ms"}, {1e6, "us"}, {1e9, "ns"}};
    size_t u = 0;
    while (u + 1 < sizeof units / sizeof units[0] && s * units[u].scale < 1)
        u++;
    double x = s * units[u].scale;
    snprintf(buf, cap, "%s%.*f %s", mark, x >= 100 ? 0 : x >= 10 ? 1 : 2, x, units[u].unit);
}

static void format_ratio(char *buf, size_t cap, double x, int decimals, const char *suffix)
{
    if (isnan(x))
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%.*f%s", decimals, x, suffix);
}

static void format_verified(char *buf, size_t cap, const struct mb_plan *p,
                            const struct mb_result *r)
{
    if (!p->verify)
        snprintf(buf, cap, "skipped");
    else if (r->kernel->traits & MB_LAPACK)
        snprintf(buf, cap, "%s (resid %.2g)", r->verified ? "yes" : "FAILED", r->residual);
    else if (!r->verified)
        snprintf(buf, cap, "FAILED");
    else if (r->rows_done < r->n)
        snprintf(buf, cap, "yes (%zu of %zu rows)", r->rows_done, r->n);
    else
        snprintf(buf, cap, "yes");
}

/* A result whose repetitions spread more than this (max / min) is marked:
 * the machine was busy while it ran. */
#define MB_NOISY_SPREAD 1.10

static bool noisy(const struct mb_result *r)
{
    return r->time_s.count > 1 && r->time_s.max > MB_NOISY_SPREAD * r->time_s.min;
}

/* One result's figures as text, shared by the table and Markdown. */
struct cells {
    char time[32], spread[32], gflops[32], peak[32], busy[32], per_cpu[1024], speedup[32], eff[32],
        ver[64];
};

/* Display cells of UTF-8 text whose characters are each one cell wide
 * (digits, block glyphs): its characters, not its bytes. */
size_t mb_report_cells(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Up to this many CPUs the per-CPU cell lists percentages ("99 2"); beyond,
 * one block glyph per CPU, its height the busy fraction. */
#define MB_PER_CPU_NUMBERS 8

/* Each logical CPU's busy share during the timed region, compactly; "-"
 * when the monitor did not run or the region was too short to tell. */
static void format_per_cpu(char *buf, size_t cap, const struct mb_result *r)
{
    static const char *const levels[] = {"▁", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    size_t len = 0;
    buf[0] = '\0';
    if (isnan(mb_busy_sum(r->per_core_busy, r->ncpus))) {
        snprintf(buf, cap, "-");
        return;
    }
    for (size_t i = 0; i < r->ncpus && len + 8 < cap; i++) {
        double b = r->per_core_busy[i];
        if (r->ncpus <= MB_PER_CPU_NUMBERS)
            len += (size_t)(isnan(b)
                                ? snprintf(buf + len, cap - len, "%s?", i ? " " : "")
                                : snprintf(buf + len, cap - len, "%s%.0f", i ? " " : "", b * 100));
        else
            len += (size_t)snprintf(buf + len, cap - len, "%s",
                                    isnan(b) ? "?" : levels[(int)lround(b * 8)]);
    }
}

static void make_cells(struct cells *c, const struct mb_plan *p, const struct mb_result *r)
{
    format_time(c->time, sizeof c->time, r->time_s.median, r->estimated);
    if (r->time_s.count > 1 && r->time_s.min > 0)
        snprintf(c->spread, sizeof c->spread, "%s%.0f%%", noisy(r) ? "!" : "",
                 (r->time_s.max / r->time_s.min - 1) * 100);
    else
        snprintf(c->spread, sizeof c->spread, "-");
    snprintf(c->gflops, sizeof c->gflops, "%.*f", r->gflops < 10 ? 2 : 1, r->gflops);
    format_ratio(c->speedup, sizeof c->speedup, r->speedup_vs_naive, 1, "x");
    format_ratio(c->eff, sizeof c->eff, r->efficiency * 100, 0, "%");
    format_ratio(c->busy, sizeof c->busy, r->cores_busy, 2, "");
    format_ratio(c->peak, sizeof c->peak, r->peak_fraction * 100, 0, "%");
    format_per_cpu(c->per_cpu, sizeof c->per_cpu, r);
    format_verified(c->ver, sizeof c->ver, p, r);
}

/* The bar for value out of max in width cells of Unicode blocks, eighths
 * of a cell at the end, so small differences stay visible. */
void mb_report_bar(char *buf, size_t cap, double value, double max, int width)
{
    static const char *const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    size_t len = 0;
    buf[0] = '\0';
    if (!(max > 0) || !(value > 0) || width <= 0)
        return;
    long units = lround(fmin(value / max, 1.0) * width * 8);
    for (long i = 0; i < units / 8 && len + 4 < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "█");
    if (units % 8 != 0 && len + 4 < cap)
        snprintf(buf + len, cap - len, "%s", eighths[units % 8]);
}

#define BAR_WIDTH 20
#define RED "\033[1;31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define RESET "\033[0m"

static size_t count_noisy(const struct mb_results *rs)
{
    size_t k = 0;
    for (size_t i = 0; i < rs->count; i++)
        k += noisy(&rs->items[i]);
    return k;
}

static void noisy_note(FILE *out, const struct mb_results *rs)
{
    size_t k = count_noisy(rs);
    if (k > 0)
        fprintf(out,
                "! The repetitions of %zu of %zu results spread more than %.0f%% (max/min): the "
                "machine was busy or noisy\n  while they ran. The medians are reported; more "
                "--repeat or a quieter machine gives steadier figures.\n",
                k, rs->count, (MB_NOISY_SPREAD - 1) * 100);
}

/* Which processes the process kernels ran in: the last pass's children
 * (each pass forks its own). */
static void pids_note(FILE *out, const struct mb_results *rs)
{
    for (size_t i = 0; i < rs->count; i++) {
        const struct mb_result *r = &rs->items[i];
        if (r->npids == 0)
            continue;
        fprintf(out, "%s n=%zu threads=%d ran in processes", r->kernel->name, r->n, r->threads);
        for (size_t k = 0; k < r->npids; k++)
            fprintf(out, "%s %d", k ? "," : "", r->pids[k]);
        fprintf(out, " (the last pass's; each pass forks its own).\n");
    }
}

/* The results at the largest size of the kernels that compute the product
 * (MB_GEMM), in run order: the ladder, when at least three steps ran. */
static size_t ladder_rows(const struct mb_results *rs, const struct mb_result **rows, size_t cap)
{
    size_t n = 0, count = 0, kernels = 0;
    const struct mb_kernel *last = NULL;
    for (size_t i = 0; i < rs->count; i++)
        if (rs->items[i].n > n)
            n = rs->items[i].n;
    for (size_t i = 0; i < rs->count && count < cap; i++) {
        const struct mb_result *r = &rs->items[i];
        if (r->n != n || !(r->kernel->traits & MB_GEMM))
            continue;
        kernels += r->kernel != last;
        last = r->kernel;
        rows[count++] = r;
    }
    return kernels >= 3 ? count : 0;
}

/* The dgemm result at r's size and thread count, or NULL. */
static const struct mb_result *dgemm_for(const struct mb_results *rs, const struct mb_result *r)
{
    for (size_t i = 0; i < rs->count; i++) {
        const struct mb_result *x = &rs->items[i];
        if (x->n == r->n && x->threads == r->threads && strcmp(x->kernel->name, "dgemm") == 0)
            return x;
    }
    return NULL;
}

/* The ladder table: each step's GFLOP/s, its gain over the step before,
 * its share of the FMA peak and of dgemm on as many threads. Markdown
 * when markdown is true. */
static void ladder_table(FILE *out, const struct mb_results *rs, bool markdown)
{
    const struct mb_result *rows[MB_PLAN_MAX_KERNELS * MB_PLAN_MAX_THREADS];
    size_t count = ladder_rows(rs, rows, sizeof rows / sizeof rows[0]);
    if (count == 0)
        return;
    int width = 4;
    for (size_t i = 0; i < count; i++)
        width = (int)fmax(width, (double)strlen(rows[i]->kernel->name));
    fprintf(out, "The ladder at n = %zu, each step against the one before it:\n%s", rows[0]->n,
            markdown ? "\n" : "");
    if (markdown)
        fputs("| step | threads | GFLOP/s | x previous | of peak | of dgemm |\n"
              "|:--|--:|--:|--:|--:|--:|\n",
              out);
    else
        fprintf(out, "%-*s %7s %9s %10s %8s %9s\n", width, "step", "threads", "GFLOP/s",
                "x previous", "of peak", "of dgemm");
    for (size_t i = 0; i < count; i++) {
        const struct mb_result *r = rows[i];
        const struct mb_result *g = dgemm_for(rs, r);
        char gf[32], prev[32], peak[32], of_dgemm[32];
        snprintf(gf, sizeof gf, "%.*f", r->gflops < 10 ? 2 : 1, r->gflops);
        format_ratio(prev, sizeof prev, i > 0 ? r->gflops / rows[i - 1]->gflops : NAN, 2, "x");
        format_ratio(peak, sizeof peak, r->peak_fraction * 100, r->peak_fraction < 0.1 ? 1 : 0,
                     "%");
        format_ratio(of_dgemm, sizeof of_dgemm, g != NULL ? r->gflops / g->gflops * 100 : NAN,
                     g != NULL && r->gflops < 0.1 * g->gflops ? 1 : 0, "%");
        if (markdown)
            fprintf(out, "| %s | %d | %s | %s | %s | %s |\n", r->kernel->name, r->threads, gf, prev,
                    peak, of_dgemm);
        else
            fprintf(out, "%-*s %7d %9s %10s %8s %9s\n", width, r->kernel->name, r->threads, gf,
                    prev, peak, of_dgemm);
    }
    fputc('\n', out);
}

/* The results as an aligned table (with GFLOP/s bars and colour when
 * ctx->fancy), then the notes and the lesson. */
enum mb_status mb_report_table(FILE *out, const struct mb_report_ctx *ctx, struct mb_diag *d)
{
    (void)d;
    const struct mb_results *rs = ctx->results;
    const bool fancy = ctx->fancy;
    static const char per_cpu_title[] = "busy per CPU %";
    double top = 0;
    int per_cpu_width = (int)strlen(per_cpu_title);
    for (size_t i = 0; i < rs->count; i++) {
        struct cells c;
        make_cells(&c, ctx->plan, &rs->items[i]);
        top = fmax(top, rs->items[i].gflops);
        per_cpu_width = (int)fmax(per_cpu_width, (double)mb_report_cells(c.per_cpu));
    }
    int name_width = 8;
    for (size_t i = 0; i < rs->count; i++)
        name_width = (int)fmax(name_width, (double)strlen(rs->items[i].kernel->name));
    fprintf(out, "%-*s %7s %7s %10s %7s %9s %s%*s%8s %10s  %-*s %9s %10s  %s\n", name_width,
            "kernel", "n", "threads", "time", "spread", "GFLOP/s", fancy ? " " : "",
            fancy ? BAR_WIDTH : 0, "", "of peak", "cores busy", per_cpu_width, per_cpu_title,
            "vs naive", "efficiency", "verified");
    for (size_t i = 0; i < rs->count; i++) {
        const struct mb_result *r = &rs->items[i];
        struct cells c;
        make_cells(&c, ctx->plan, r);
        char bar[BAR_WIDTH * 4 + 1] = "";
        int pad = 0;
        if (fancy) {
            mb_report_bar(bar, sizeof bar, r->gflops, top, BAR_WIDTH);
            pad = BAR_WIDTH - (int)mb_report_cells(bar);
        }
        const char *vc = !fancy || !ctx->plan->verify ? "" : r->verified ? GREEN : RED;
        const char *sc = fancy && noisy(r) ? YELLOW : "";
        fprintf(out, "%-*s %7zu %7d %10s %s%7s%s %9s %s%s%s%s%*s%8s %10s  %s%*s %9s %10s  %s%s%s\n",
                name_width, r->kernel->name, r->n, r->threads, c.time, sc, c.spread,
                *sc ? RESET : "", c.gflops, fancy ? " " : "", fancy ? CYAN : "", bar,
                fancy ? RESET : "", pad, "", c.peak, c.busy, c.per_cpu,
                per_cpu_width - (int)mb_report_cells(c.per_cpu), "", c.speedup, c.eff, vc, c.ver,
                *vc ? RESET : "");
    }
    fputc('\n', out);
    noisy_note(out, rs);
    pids_note(out, rs);
    ladder_table(out, rs, false);
    mb_report_lesson(out, ctx);
    return MB_OK;
}

/* The results as a GitHub-flavoured Markdown table, then the notes and the
 * lesson as paragraphs: for pasting into a report or an issue. */
enum mb_status mb_report_markdown(FILE *out, const struct mb_report_ctx *ctx, struct mb_diag *d)
{
    (void)d;
    const struct mb_results *rs = ctx->results;
    fputs("| kernel | n | threads | time (median) | spread | GFLOP/s | of peak | cores busy | "
          "busy per CPU % | vs naive | efficiency | verified |\n"
          "|:-------|--:|--:|--:|--:|--:|--:|--:|:--|--:|--:|:--|\n",
          out);
    for (size_t i = 0; i < rs->count; i++) {
        const struct mb_result *r = &rs->items[i];
        struct cells c;
        make_cells(&c, ctx->plan, r);
        fprintf(out, "| %s | %zu | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                r->kernel->name, r->n, r->threads, c.time, c.spread, c.gflops, c.peak, c.busy,
                c.per_cpu, c.speedup, c.eff, c.ver);
    }
    fputc('\n', out);
    if (count_noisy(rs) > 0) {
        noisy_note(out, rs);
        fputc('\n', out);
    }
    pids_note(out, rs);
    ladder_table(out, rs, true);
    mb_report_lesson(out, ctx);
    return MB_OK;
}

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
    for (size_t i = 0; i < p->nsizes; i++) {
        few[count] = pick(ctx->results, p->sizes[i], NULL, 1, INT_MAX, FEWEST_THREADS);
        many[count] = pick(ctx->results, p->sizes[i], NULL, 1, cores, MOST_THREADS);
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
                fprintf(out, "%s%.2f", sep, few[i]->time_s.median / many[i]->time_s.median);
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
            format_per_cpu(glyphs, sizeof glyphs, r);
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
    const struct mb_kernel *dgemm = mb_kernel_find("dgemm");
    bool any = false;
    for (size_t i = 0; i < p->nkernels; i++) {
        const struct mb_kernel *k = p->kernels[i];
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
            fprintf(out, ", %.2f times as fast as on %d", few->time_s.median / best->time_s.median,
                    few->threads);
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

/* The result of the kernel called name at size n and exactly threads
 * threads, or NULL. */
static const struct mb_result *find_result(const struct mb_results *rs, const char *name, size_t n,
                                           int threads)
{
    for (size_t i = 0; i < rs->count; i++) {
        const struct mb_result *r = &rs->items[i];
        if (r->n == n && r->threads == threads && strcmp(r->kernel->name, name) == 0)
            return r;
    }
    return NULL;
}

/* The ladder in sentences at size n: threads and processes against the
 * naive loop on the most workers run (no GIL in C), and each step on one
 * core against the step before it, with what the step changed. */
static void ladder_lesson(FILE *out, const struct mb_report_ctx *ctx, size_t n)
{
    const struct mb_results *rs = ctx->results;
    const struct mb_result *naive = find_result(rs, "naive", n, 1);
    int most = 1;
    for (size_t i = 0; i < ctx->plan->nthreads; i++)
        most = ctx->plan->threads[i] > most ? ctx->plan->threads[i] : most;
    const struct mb_result *th = find_result(rs, "naive-threads", n, most);
    const struct mb_result *pr = find_result(rs, "naive-procs", n, most);
    if (naive != NULL && most > 1 && (th != NULL || pr != NULL)) {
        fprintf(out, "No GIL in C: on %d workers the naive loop ran", most);
        if (th != NULL)
            fprintf(out, " %.2f times as fast in threads (%.2f cores busy)",
                    naive->time_s.median / th->time_s.median, th->cores_busy);
        if (pr != NULL)
            fprintf(out, "%s %.2f times as fast in processes (%.2f cores busy)",
                    th != NULL ? " and" : "", naive->time_s.median / pr->time_s.median,
                    pr->cores_busy);
        fprintf(out, ".\n");
    }
    static const struct {
        const char *name, *why;
    } steps[] = {{"naive", NULL},
                 {"ikj", "unit stride"},
                 {"tiled", "tiles of B reused from the cache"},
                 {"simd", "packed panels, registers and vector units"},
                 {"dgemm", "OpenBLAS"}};
    const struct mb_result *prev = NULL;
    const char *prev_name = NULL;
    int shown = 0;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        const struct mb_result *r = find_result(rs, steps[i].name, n, 1);
        if (r == NULL)
            continue;
        if (prev != NULL) {
            fprintf(out, "%s %s %.2f times %s (%s)", shown ? "," : "On one core:", steps[i].name,
                    prev->time_s.median / r->time_s.median, prev_name, steps[i].why);
            shown++;
        }
        prev = r;
        prev_name = steps[i].name;
    }
    if (shown > 0)
        fprintf(out, ".\n");
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
    size_t n = 0;
    for (size_t i = 0; i < rs->count; i++)
        if (rs->items[i].n > n)
            n = rs->items[i].n;
    const struct mb_result *naive = NULL;
    for (size_t i = 0; i < rs->count && naive == NULL; i++)
        if ((rs->items[i].kernel->traits & MB_BASELINE) && rs->items[i].n == n)
            naive = &rs->items[i];
    const struct mb_result *fast = pick(rs, n, NULL, 1, INT_MAX, FASTEST);
    const struct mb_result *few =
        fast != NULL ? pick(rs, n, fast->kernel, 1, INT_MAX, FEWEST_THREADS) : NULL;

    if (naive != NULL && fast != NULL)
        fprintf(out,
                "%s on %d thread%s ran %.0f times faster than the naive loop (%.1f vs %.2f "
                "GFLOP/s) and kept %.2f cores busy; the naive loop kept %.2f.\n",
                fast->kernel->name, fast->threads, fast->threads == 1 ? "" : "s",
                fast->speedup_vs_naive, fast->gflops, naive->gflops, fast->cores_busy,
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
    if (fast != NULL && few != NULL && fast->threads > few->threads)
        fprintf(out,
                "Going from %d to %d threads made %s %.2f times faster (parallel efficiency "
                "%.0f%%) at n=%zu on %s.\n",
                few->threads, fast->threads, fast->kernel->name,
                few->time_s.median / fast->time_s.median, fast->efficiency * 100, n, on);
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
    size_lesson(out, ctx);
    ladder_lesson(out, ctx, n);
    lapack_lesson(out, ctx, n);
    if (ctx->hint != NULL && ctx->hint[0] != '\0')
        fprintf(out, "%s\n", ctx->hint);
    if (ctx->interrupted)
        fprintf(out, "Interrupted: %zu result%s completed before the stop.\n", rs->count,
                rs->count == 1 ? "" : "s");
}

static void csv_number(FILE *out, double x)
{
    if (!isnan(x))
        fprintf(out, "%.9g", x);
}

/* One header row, then one row per result; unknown values are empty.
 * `interrupted` is true on every row of a run a signal stopped (as JSON's
 * top-level "interrupted"): the rows are the configurations finished before
 * it, and the last may be cut short (fewer repetitions, fewer rows). A
 * column rather than a trailing comment line keeps the file plain CSV for
 * readers by column name (bench/lib.sh csv_columns, spreadsheets). */
enum mb_status mb_report_csv(FILE *out, const struct mb_report_ctx *ctx, struct mb_diag *d)
{
    (void)d;
    fputs("kernel,n,threads,repeat,warmup,calls_per_sample,time_min_s,time_median_s,time_max_s,"
          "time_mean_s,time_stddev_s,gflops,cores_busy,speedup_vs_naive,efficiency,interrupted,"
          "verified,residual,estimated,rows_done,peak_fraction,max_threads_seen,per_core_busy\n",
          out);
    for (size_t i = 0; i < ctx->results->count; i++) {
        const struct mb_result *r = &ctx->results->items[i];
        const double nums[] = {r->time_s.min,  r->time_s.median,    r->time_s.max,
                               r->time_s.mean, r->time_s.stddev,    r->gflops,
                               r->cores_busy,  r->speedup_vs_naive, r->efficiency};
        fprintf(out, "%s,%zu,%d,%u,%u,%u", r->kernel->name, r->n, r->threads, r->repeat, r->warmup,
                r->calls_per_sample);
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
            fputc(',', out);
            csv_number(out, nums[k]);
        }
        fprintf(out, ",%s,%s,", ctx->interrupted ? "true" : "false",
                r->verified ? "true" : "false");
        csv_number(out, r->residual);
        fprintf(out, ",%s,%zu,", r->estimated ? "true" : "false", r->rows_done);
        csv_number(out, r->peak_fraction);
        fputc(',', out);
        if (r->max_threads_seen > 0)
            fprintf(out, "%d", r->max_threads_seen);
        fputc(',', out);
        /* one field: the CPUs' fractions separated by ';', empty where unknown */
        for (size_t c = 0; c < r->ncpus; c++) {
            if (c > 0)
                fputc(';', out);
            csv_number(out, r->per_core_busy[c]);
        }
        fputc('\n', out);
    }
    return MB_OK;
}

static json_t *json_settings(const struct mb_plan *p)
{
    json_t *sizes = json_array(), *threads = json_array(), *kernels = json_array();
    for (size_t i = 0; i < p->nsizes; i++)
        json_array_append_new(sizes, json_integer((json_int_t)p->sizes[i]));
    for (size_t i = 0; i < p->nthreads; i++)
        json_array_append_new(threads, json_integer(p->threads[i]));
    for (size_t i = 0; i < p->nkernels; i++)
        json_array_append_new(kernels, json_string(p->kernels[i]->name));
    static const char *const sources[] = {"default", "env", "flag", "config", "ladder"};
    json_t *seed = p->seed <= INT64_MAX ? json_integer((json_int_t)p->seed)
                                        : json_sprintf("%llu", (unsigned long long)p->seed);
    /* "n" (the largest size, which the matrices are allocated for) is kept
     * from the single-size JSON of earlier versions */
    json_t *o = json_pack(
        "{s:I, s:o, s:o, s:s, s:o, s:i, s:i, s:o, s:o, s:o, s:b, s:b, s:b, s:b, s:s, "
        "s:o, s:o}",
        "n", (json_int_t)mb_plan_largest_size(p), "sizes", sizes, "threads", threads,
        "threads_source", sources[p->threads_source], "kernels", kernels, "repeat", (int)p->repeat,
        "warmup", (int)p->warmup, "naive_budget_s", mb__json_num(p->naive_budget_s), "duration_s",
        mb__json_num(p->duration_s), "seed", seed, "verify", p->verify, "monitor", p->monitor,
        "peak", p->peak, "live", p->live, "format", mb_format_name(p->format), "config",
        p->config != NULL ? json_string(p->config) : json_null(), "coretype",
        p->coretype != NULL ? json_string(p->coretype) : json_null());
    struct mb_memory m;
    json_object_set_new(o, "nrhs", json_integer(p->nrhs));
    json_object_set_new(o, "layout", json_string(mb_layout_name(p->layout)));
    if (mb_plan_memory(p, mb_plan_largest_size(p), &m) == MB_OK)
        json_object_set_new(o, "memory",
                            json_pack("{s:I, s:i, s:I}", "bytes", (json_int_t)m.bytes, "matrices",
                                      (int)m.matrices, "lapacke_bytes",
                                      (json_int_t)m.lapacke_bytes));
    return o;
}

static json_t *json_per_core(const struct mb_result *r)
{
    if (r->ncpus == 0)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < r->ncpus; i++)
        json_array_append_new(a, mb__json_num(r->per_core_busy[i]));
    return a;
}

static json_t *json_result(const struct mb_result *r)
{
    json_t *time =
        json_pack("{s:o, s:o, s:o, s:o, s:o}", "min", mb__json_num(r->time_s.min), "median",
                  mb__json_num(r->time_s.median), "max", mb__json_num(r->time_s.max), "mean",
                  mb__json_num(r->time_s.mean), "stddev", mb__json_num(r->time_s.stddev));
    json_t *o =
        json_pack("{s:s, s:I, s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, "
                  "s:o, s:b, s:I}",
                  "kernel", r->kernel->name, "n", (json_int_t)r->n, "threads", r->threads, "repeat",
                  (int)r->repeat, "warmup", (int)r->warmup, "time_s", time, "gflops",
                  mb__json_num(r->gflops), "cores_busy", mb__json_num(r->cores_busy),
                  "per_core_busy", json_per_core(r), "max_threads_seen",
                  r->max_threads_seen > 0 ? json_integer(r->max_threads_seen) : json_null(),
                  "peak_fraction", mb__json_num(r->peak_fraction), "speedup_vs_naive",
                  mb__json_num(r->speedup_vs_naive), "efficiency", mb__json_num(r->efficiency),
                  "verified", r->verified, "residual", mb__json_num(r->residual), "estimated",
                  r->estimated, "rows_done", (json_int_t)r->rows_done);
    /* each sample timed this many calls together; time_s is one call's */
    json_object_set_new(o, "calls_per_sample", json_integer((json_int_t)r->calls_per_sample));
    if (r->npids > 0) { /* the worker processes of the last pass */
        json_t *pids = json_array();
        for (size_t i = 0; i < r->npids; i++)
            json_array_append_new(pids, json_integer(r->pids[i]));
        json_object_set_new(o, "pids", pids);
    }
    return o;
}

/* What the monitor cost: its samples and its thread's CPU time, also as a
 * share of one core over the run. null when it did not run. */
static json_t *json_monitor(const struct mb_report_ctx *ctx)
{
    if (!ctx->monitor.on)
        return json_null();
    return json_pack(
        "{s:o, s:I, s:o, s:o}", "interval_s", mb__json_num(ctx->monitor.interval_s), "samples",
        (json_int_t)ctx->monitor.samples, "cpu_s", mb__json_num(ctx->monitor.cpu_s), "overhead",
        mb__json_num(ctx->monitor.wall_s > 0 ? ctx->monitor.cpu_s / ctx->monitor.wall_s : NAN));
}

/* The JSON contract of DESIGN.md, built with jansson and written indented. */
enum mb_status mb_report_json(FILE *out, const struct mb_report_ctx *ctx, struct mb_diag *d)
{
    json_t *results = json_array();
    for (size_t i = 0; i < ctx->results->count; i++)
        json_array_append_new(results, json_result(&ctx->results->items[i]));
    return mb__json_dump(
        out,
        json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "matbench", MB_VERSION_STRING,
                  "machine", mb__json_machine(ctx->machine), "blas", mb__json_blas(ctx->blas),
                  "peak", mb__json_peak(ctx->peak), "settings", json_settings(ctx->plan), "monitor",
                  json_monitor(ctx), "results", results, "interrupted", ctx->interrupted),
        d);
}

mb_report_fn *mb_report_for(enum mb_format f)
{
    static mb_report_fn *const reporters[] = {
        [MB_FORMAT_TABLE] = mb_report_table,
        [MB_FORMAT_CSV] = mb_report_csv,
        [MB_FORMAT_JSON] = mb_report_json,
        [MB_FORMAT_MARKDOWN] = mb_report_markdown,
    };
    return (size_t)f < sizeof reporters / sizeof reporters[0] ? reporters[f] : NULL;
}
