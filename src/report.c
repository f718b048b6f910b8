/* Reporters: the header, the table with its closing lesson, CSV, and JSON
 * (built with jansson). They read results and never measure. */
#include "matbench/report.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/matrix.h"
#include "matbench/version.h"

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * 1024.0 * 1024.0)

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
    case MB_THREADS_DEFAULT:
        break;
    }
    return "1, 2, 4, ... up to the physical cores";
}

/* The machine and BLAS facts alone (matbench info), like NumPy's
 * show_config. */
void mb_report_info(FILE *out, const struct mb_machine *m, const struct mb_blas_info *b)
{
    fprintf(out, "matbench %s\n", MB_VERSION_STRING);
    fprintf(out, "BLAS      %s %s, core type %s, threading %s, at most %d threads\n", b->name,
            b->version, b->core, b->threading, b->max_threads);
    fprintf(out, "          config: %s\n", b->config);
    fprintf(out, "          OPENBLAS_NUM_THREADS: %s%s%s; BLAS threads now: %d\n",
            b->env_set ? "'" : "", b->env_set ? b->env_value : "unset", b->env_set ? "'" : "",
            b->threads);
    fprintf(out, "CPU       %s\n", m->cpu);
    fprintf(out, "          %d physical cores, %d logical CPUs; SIMD: %s\n", m->physical_cores,
            m->logical_cores, m->simd);
    fprintf(out, "Memory    %.1f GiB total, %.1f GiB available\n", (double)m->mem_total_bytes / GIB,
            (double)m->mem_available_bytes / GIB);
}

/* What is about to run: the facts of mb_report_info, then the process to
 * watch and the matrices. */
void mb_report_header(FILE *out, const struct mb_report_ctx *ctx)
{
    const struct mb_plan *p = ctx->plan;
    uint64_t bytes = 0;
    (void)mb_matrix_bytes(p->n, 3, &bytes);
    mb_report_info(out, ctx->machine, ctx->blas);
    fprintf(out, "Process   PID %ld: watch it with  htop -p %ld\n", ctx->pid, ctx->pid);
    fprintf(out, "Matrices  n = %zu: A, B, C are %zu x %zu doubles, %.1f MiB in all (seed %llu)\n",
            p->n, p->n, p->n, (double)bytes / MIB, (unsigned long long)p->seed);
    fprintf(out, "Plan      ");
    for (size_t i = 0; i < p->nkernels; i++) {
        const struct mb_kernel *k = p->kernels[i];
        fprintf(out, "%s%s", i ? "; " : "", k->name);
        if (k->traits & MB_BLAS_THREADS) {
            fprintf(out, " at threads ");
            print_threads(out, p);
            fprintf(out, " (%s)", threads_source_name(p->threads_source));
        } else if ((k->traits & MB_TIMEBOXED) && p->naive_budget_s > 0) {
            fprintf(out, " on 1 thread, time budget %g s", p->naive_budget_s);
        } else {
            fprintf(out, " on 1 thread");
        }
    }
    fprintf(out, "\n          warm-up %u, repeat %u, verification %s\n\n", p->warmup, p->repeat,
            p->verify ? "on" : "off (--no-verify)");
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
    else if (!r->verified)
        snprintf(buf, cap, "FAILED");
    else if (r->rows_done < r->n)
        snprintf(buf, cap, "yes (%zu of %zu rows)", r->rows_done, r->n);
    else
        snprintf(buf, cap, "yes");
}

/* The results as an aligned table, then the lesson. */
enum mb_status mb_report_table(FILE *out, const struct mb_report_ctx *ctx, struct mb_diag *d)
{
    (void)d;
    fprintf(out, "%-8s %7s %7s %10s %9s %10s %9s %10s  %s\n", "kernel", "n", "threads", "time",
            "GFLOP/s", "cores busy", "vs naive", "efficiency", "verified");
    for (size_t i = 0; i < ctx->results->count; i++) {
        const struct mb_result *r = &ctx->results->items[i];
        char time[32], speedup[32], eff[32], busy[32], ver[64];
        format_time(time, sizeof time, r->time_s.median, r->estimated);
        format_ratio(speedup, sizeof speedup, r->speedup_vs_naive, 1, "x");
        format_ratio(eff, sizeof eff, r->efficiency * 100, 0, "%");
        format_ratio(busy, sizeof busy, r->cores_busy, 2, "");
        format_verified(ver, sizeof ver, ctx->plan, r);
        fprintf(out, "%-8s %7zu %7d %10s %9.*f %10s %9s %10s  %s\n", r->kernel->name, r->n,
                r->threads, time, r->gflops < 10 ? 2 : 1, r->gflops, busy, speedup, eff, ver);
    }
    fputc('\n', out);
    mb_report_lesson(out, ctx);
    return MB_OK;
}

static const struct mb_result *best_threaded(const struct mb_results *rs, bool fastest)
{
    const struct mb_result *best = NULL;
    for (size_t i = 0; i < rs->count; i++) {
        const struct mb_result *r = &rs->items[i];
        if (!(r->kernel->traits & MB_BLAS_THREADS))
            continue;
        if (best == NULL || (fastest ? r->gflops > best->gflops : r->threads < best->threads))
            best = r;
    }
    return best;
}

/* One or two plain sentences with the measured numbers: how much faster the
 * BLAS ran than the naive loop and how many cores each kept busy, and what
 * going from the fewest to the most productive thread count gave. */
void mb_report_lesson(FILE *out, const struct mb_report_ctx *ctx)
{
    const struct mb_results *rs = ctx->results;
    const struct mb_result *naive = NULL;
    for (size_t i = 0; i < rs->count && naive == NULL; i++)
        if (rs->items[i].kernel->traits & MB_BASELINE)
            naive = &rs->items[i];
    const struct mb_result *fast = best_threaded(rs, true), *few = best_threaded(rs, false);

    if (naive != NULL && fast != NULL)
        fprintf(out,
                "%s on %d thread%s ran %.0f times faster than the naive loop (%.1f vs %.2f "
                "GFLOP/s) and kept %.2f cores busy; the naive loop kept %.2f.\n",
                fast->kernel->name, fast->threads, fast->threads == 1 ? "" : "s",
                fast->speedup_vs_naive, fast->gflops, naive->gflops, fast->cores_busy,
                naive->cores_busy);
    if (naive != NULL && naive->estimated)
        fprintf(out,
                "The naive loop's full-size time is an estimate from the %zu of %zu rows it "
                "computed in its %g s budget (--naive-budget 0 runs it in full).\n",
                naive->rows_done, naive->n, ctx->plan->naive_budget_s);
    if (fast != NULL && few != NULL && fast->threads > few->threads)
        fprintf(out,
                "Going from %d to %d threads made %s %.2f times faster (parallel efficiency "
                "%.0f%%) on a machine with %d physical cores.\n",
                few->threads, fast->threads, fast->kernel->name,
                few->time_s.median / fast->time_s.median, fast->efficiency * 100,
                ctx->machine->physical_cores);
    if (ctx->interrupted)
        fprintf(out, "Interrupted: %zu result%s completed before the stop.\n", rs->count,
                rs->count == 1 ? "" : "s");
}

static void csv_number(FILE *out, double x)
{
    if (!isnan(x))
        fprintf(out, "%.9g", x);
}

/* One header row, then one row per result; unknown values are empty. */
enum mb_status mb_report_csv(FILE *out, const struct mb_report_ctx *ctx, struct mb_diag *d)
{
    (void)d;
    fputs("kernel,n,threads,repeat,warmup,time_min_s,time_median_s,time_max_s,time_mean_s,"
          "time_stddev_s,gflops,cores_busy,speedup_vs_naive,efficiency,verified,residual,"
          "estimated,rows_done\n",
          out);
    for (size_t i = 0; i < ctx->results->count; i++) {
        const struct mb_result *r = &ctx->results->items[i];
        const double nums[] = {r->time_s.min,  r->time_s.median,    r->time_s.max,
                               r->time_s.mean, r->time_s.stddev,    r->gflops,
                               r->cores_busy,  r->speedup_vs_naive, r->efficiency};
        fprintf(out, "%s,%zu,%d,%u,%u", r->kernel->name, r->n, r->threads, r->repeat, r->warmup);
        for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
            fputc(',', out);
            csv_number(out, nums[k]);
        }
        fprintf(out, ",%s,", r->verified ? "true" : "false");
        csv_number(out, r->residual);
        fprintf(out, ",%s,%zu\n", r->estimated ? "true" : "false", r->rows_done);
    }
    return MB_OK;
}

static json_t *num(double x)
{
    return isnan(x) || isinf(x) ? json_null() : json_real(x);
}

static json_t *json_machine(const struct mb_machine *m)
{
    return json_pack("{s:s, s:i, s:i, s:s, s:I, s:I}", "cpu", m->cpu, "physical_cores",
                     m->physical_cores, "logical_cores", m->logical_cores, "simd", m->simd,
                     "mem_total_bytes", (json_int_t)m->mem_total_bytes, "mem_available_bytes",
                     (json_int_t)m->mem_available_bytes);
}

static json_t *json_blas(const struct mb_blas_info *b)
{
    json_t *env = json_null();
    char *end;
    long v = b->env_set ? strtol(b->env_value, &end, 10) : 0;
    if (b->env_set && b->env_value[0] != '\0' && *end == '\0' && v > 0)
        env = json_integer(v);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:i}", "name", b->name, "version", b->version,
                     "config", b->config, "core", b->core, "threading", b->threading, "env_threads",
                     env, "max_threads", b->max_threads);
}

static json_t *json_settings(const struct mb_plan *p)
{
    json_t *threads = json_array(), *kernels = json_array();
    for (size_t i = 0; i < p->nthreads; i++)
        json_array_append_new(threads, json_integer(p->threads[i]));
    for (size_t i = 0; i < p->nkernels; i++)
        json_array_append_new(kernels, json_string(p->kernels[i]->name));
    static const char *const sources[] = {"default", "env", "flag"};
    json_t *seed = p->seed <= INT64_MAX ? json_integer((json_int_t)p->seed)
                                        : json_sprintf("%llu", (unsigned long long)p->seed);
    return json_pack("{s:I, s:o, s:s, s:o, s:i, s:i, s:o, s:o, s:b, s:s}", "n", (json_int_t)p->n,
                     "threads", threads, "threads_source", sources[p->threads_source], "kernels",
                     kernels, "repeat", (int)p->repeat, "warmup", (int)p->warmup, "naive_budget_s",
                     num(p->naive_budget_s), "seed", seed, "verify", p->verify, "format",
                     mb_format_name(p->format));
}

static json_t *json_result(const struct mb_result *r)
{
    json_t *time = json_pack("{s:o, s:o, s:o, s:o, s:o}", "min", num(r->time_s.min), "median",
                             num(r->time_s.median), "max", num(r->time_s.max), "mean",
                             num(r->time_s.mean), "stddev", num(r->time_s.stddev));
    return json_pack("{s:s, s:I, s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:b, s:I}",
                     "kernel", r->kernel->name, "n", (json_int_t)r->n, "threads", r->threads,
                     "repeat", (int)r->repeat, "warmup", (int)r->warmup, "time_s", time, "gflops",
                     num(r->gflops), "cores_busy", num(r->cores_busy), "speedup_vs_naive",
                     num(r->speedup_vs_naive), "efficiency", num(r->efficiency), "verified",
                     r->verified, "residual", num(r->residual), "estimated", r->estimated,
                     "rows_done", (json_int_t)r->rows_done);
}

/* The JSON contract of DESIGN.md, built with jansson and written indented. */
enum mb_status mb_report_json(FILE *out, const struct mb_report_ctx *ctx, struct mb_diag *d)
{
    json_t *results = json_array();
    for (size_t i = 0; i < ctx->results->count; i++)
        json_array_append_new(results, json_result(&ctx->results->items[i]));
    json_t *root =
        json_pack("{s:s, s:o, s:o, s:o, s:o, s:b}", "matbench", MB_VERSION_STRING, "machine",
                  json_machine(ctx->machine), "blas", json_blas(ctx->blas), "settings",
                  json_settings(ctx->plan), "results", results, "interrupted", ctx->interrupted);
    if (root == NULL)
        return mb_diag_set(d, MB_NOMEM, "cannot build the JSON document");
    int rc = json_dumpf(root, out, JSON_INDENT(2));
    json_decref(root);
    fputc('\n', out);
    if (rc != 0)
        return mb_diag_set(d, MB_IO, "cannot write the JSON document");
    return MB_OK;
}

mb_report_fn *mb_report_for(enum mb_format f)
{
    static mb_report_fn *const reporters[] = {
        [MB_FORMAT_TABLE] = mb_report_table,
        [MB_FORMAT_CSV] = mb_report_csv,
        [MB_FORMAT_JSON] = mb_report_json,
    };
    return (size_t)f < sizeof reporters / sizeof reporters[0] ? reporters[f] : NULL;
}
