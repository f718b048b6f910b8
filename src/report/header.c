/* The run header: the machine and BLAS facts of matbench info, the process
 * to watch, the matrices and the plan, printed before the results. */
#include <stdio.h>

#include "matbench/report.h"

#define MIB (1024.0 * 1024.0)

/* The plan's thread counts, "1, 2, 4". */
static void print_threads(FILE *out, const struct mb_plan *p)
{
    for (size_t i = 0; i < p->threads.n; i++)
        fprintf(out, "%s%d", i ? ", " : "", p->threads.v[i]);
}

/* Where the thread list came from, as the Plan line says it. */
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

/* The plan's sizes, "1000, 2000". */
static void print_sizes(FILE *out, const struct mb_plan *p)
{
    for (size_t i = 0; i < p->sizes.n; i++)
        fprintf(out, "%s%zu", i ? ", " : "", p->sizes.v[i]);
}

/* The Matrices line: the sizes, the matrices allocated for the largest,
 * their memory and the seed, and LAPACKE's copies when it makes them. */
static void print_matrices(FILE *out, const struct mb_plan *p, const struct mb_memory *m)
{
    const size_t largest = mb_plan_largest_size(p);
    char names[96];
    mb_memory_names(m, names, sizeof names);
    fprintf(out, "Matrices  n = ");
    print_sizes(out, p);
    if (p->sizes.n > 1)
        fprintf(out, ": %s allocated once for n = %zu, %.1f MiB in all", names, largest,
                (double)m->bytes / MIB);
    else
        fprintf(out, ": %s are %zu x %zu doubles, %.1f MiB in all", names, largest, largest,
                (double)m->bytes / MIB);
    if (m->pivots || m->rhs)
        fprintf(out, " with the pivots%s", m->rhs ? " and right-hand sides" : "");
    fprintf(out, " (seed %llu)\n", (unsigned long long)p->seed);
    if (m->lapacke_bytes > 0)
        fprintf(out,
                "          and LAPACKE's transposed copies, %.1f MiB, while a LAPACK kernel "
                "runs row-major\n",
                (double)m->lapacke_bytes / MIB);
}

/* The Plan line's kernels: each on 1 thread (with the baseline's budget),
 * the thread-sweeping kernels in a row sharing one "at threads ...". */
static void print_kernels(FILE *out, const struct mb_plan *p)
{
    fprintf(out, "Plan      ");
    for (size_t i = 0; i < p->kernels.n; i++) {
        const struct mb_kernel *k = p->kernels.v[i];
        /* kernels with threads in a row share one "at threads ..." */
        const bool blas = mb_kernel_sweeps_threads(k);
        const bool prev_blas = i > 0 && mb_kernel_sweeps_threads(p->kernels.v[i - 1]);
        fprintf(out, "%s%s", i == 0 ? "" : blas && prev_blas ? ", " : "; ", k->name);
        if (blas && i + 1 < p->kernels.n && mb_kernel_sweeps_threads(p->kernels.v[i + 1]))
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
}

/* The time box of the slow kernels beyond the naive loop, by name. */
static void print_time_boxes(FILE *out, const struct mb_plan *p)
{
    size_t boxed = 0;
    for (size_t i = 0; i < p->kernels.n && p->naive_budget_s > 0; i++) {
        const struct mb_kernel *k = p->kernels.v[i];
        if (!(k->traits & MB_TIMEBOXED) || (k->traits & MB_BASELINE))
            continue;
        fprintf(out, "%s%s", boxed++ ? ", " : "\n          time budget per run: ", k->name);
    }
    if (boxed > 0)
        fprintf(out, " %g s each (--naive-budget)", p->naive_budget_s);
}

/* The settings under the Plan line: LAPACKE's layout and dgesv's
 * right-hand sides when they run, the run count, warm-up, repeat,
 * duration, verification and config file. */
static void print_settings(FILE *out, const struct mb_plan *p, const struct mb_front *f,
                           const struct mb_memory *m)
{
    if (m->pivots)
        fprintf(out, "\n          LAPACKE %s",
                p->layout == MB_LAYOUT_ROW
                    ? "row-major (--layout row): it transposes each input into a copy and back, "
                      "inside the timed call"
                    : "column-major, as LAPACK stores matrices (--layout row shows what "
                      "row-major costs)");
    if (m->rhs)
        fprintf(out, "; dgesv solves for %u right-hand side%s (--nrhs)", p->nrhs,
                p->nrhs == 1 ? "" : "s");
    fprintf(out, "\n          %zu run%s; warm-up %u, repeat %u", mb_plan_run_count(p),
            mb_plan_run_count(p) == 1 ? "" : "s", p->warmup, p->repeat);
    if (mb_plan_wall_min_s(p) > 0)
        fprintf(out, " (more for at least %g s each)", mb_plan_wall_min_s(p));
    fprintf(out, ", verification %s", p->verify ? "on" : "off (--no-verify)");
    if (f->config != NULL)
        fprintf(out, ", config %s", f->config);
}

/* What is about to run: the facts of mb_report_info, then the process to
 * watch and the matrices. */
void mb_report_header(FILE *out, const struct mb_report_ctx *ctx)
{
    const struct mb_plan *p = ctx->plan;
    struct mb_memory mem = {0};
    (void)mb_plan_memory(p, mb_plan_largest_size(p), &mem);
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
            ctx->front->live ? " (or here: --live draws each CPU's load)" : "");
    if (p->duration_s > 0)
        fprintf(out,
                "          watch it now: each BLAS run keeps going for at least %g s "
                "(--duration)\n",
                p->duration_s);
    print_matrices(out, p, &mem);
    print_kernels(out, p);
    print_time_boxes(out, p);
    print_settings(out, p, ctx->front, &mem);
    fprintf(out, "\n\n");
}
