/* Every JSON document matbench writes, built with jansson: a run's report
 * (the contract of DESIGN.md), info, peak, coretypes and kernels, and the
 * machine, BLAS and peak objects they share; and the summary the core-type
 * probe reads back from a child's report. The only file of matbench that
 * includes <jansson.h>. */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "matbench/dist.h"
#include "matbench/matrix.h"
#include "matbench/report.h"
#include "matbench/scaling.h"
#include "matbench/version.h"
#include "mb_internal.h"

/* A number, or null for NAN and infinities (JSON has neither). */
static json_t *json_num(double x)
{
    return isnan(x) || isinf(x) ? json_null() : json_real(x);
}

/* The contract's "time_s" object: the statistics and the samples they
 * summarise, seconds for one call each, in the order measured. */
static json_t *json_time(const struct mb_stats *t, const double *samples, size_t nsamples)
{
    json_t *a = json_array();
    for (size_t i = 0; i < nsamples; i++)
        json_array_append_new(a, json_num(samples[i]));
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "min", json_num(t->min), "median",
                     json_num(t->median), "max", json_num(t->max), "mean", json_num(t->mean),
                     "stddev", json_num(t->stddev), "samples", a);
}

/* One cache level {bytes, count}, or null when unknown. */
static json_t *json_cache(const struct mb_cache *c)
{
    if (c->count == 0)
        return json_null();
    return json_pack("{s:I, s:i}", "bytes", (json_int_t)c->bytes, "count", c->count);
}

/* The contract's "machine" object. The usable_* keys say what this process
 * may use: usable_cores (what thread defaults and the peak use),
 * usable_cpus and usable_cpu_list (the logical CPUs), usable_quota (the
 * cgroup CPU quota in CPUs, null for none) and usable_limited_by (which of
 * "affinity", "cpuset", "quota" make it less than the machine; empty when
 * none does). */
static json_t *json_machine(const struct mb_machine *m)
{
    static const struct {
        unsigned bit;
        const char *name;
    } limits[] = {
        {MB_LIMIT_AFFINITY, "affinity"}, {MB_LIMIT_CPUSET, "cpuset"}, {MB_LIMIT_QUOTA, "quota"}};
    json_t *by = json_array();
    for (size_t i = 0; i < MB__ARRAY_SIZE(limits); i++)
        if (m->usable_limits & limits[i].bit)
            json_array_append_new(by, json_string(limits[i].name));
    json_t *x = json_pack("{s:s, s:i, s:i, s:i, s:s, s:{s:o, s:o, s:o}, s:I, s:I}", "cpu", m->cpu,
                          "physical_cores", m->physical_cores, "logical_cores", m->logical_cores,
                          "smt", m->smt, "simd", m->simd, "caches", "l1d", json_cache(&m->l1d),
                          "l2", json_cache(&m->l2), "l3", json_cache(&m->l3), "mem_total_bytes",
                          (json_int_t)m->mem_total_bytes, "mem_available_bytes",
                          (json_int_t)m->mem_available_bytes);
    json_object_set_new(x, "usable_cores", json_integer(mb_machine_usable_cores(m)));
    json_object_set_new(x, "usable_cpus",
                        json_integer(m->usable_cpus > 0 ? m->usable_cpus : m->logical_cores));
    json_object_set_new(x, "usable_cpu_list", json_string(m->usable_cpu_list));
    json_object_set_new(x, "usable_quota",
                        m->usable_quota > 0 ? json_real(m->usable_quota) : json_null());
    json_object_set_new(x, "usable_limited_by", by);
    return x;
}

/* The contract's "blas" object; env_threads is OPENBLAS_NUM_THREADS as a
 * positive number, null when unset or not one. */
static json_t *json_blas(const struct mb_blas_info *b)
{
    json_t *env = json_null();
    char *end;
    long v = b->env_set ? strtol(b->env_value, &end, 10) : 0;
    if (b->env_set && b->env_value[0] != '\0' && *end == '\0' && v > 0)
        env = json_integer(v);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:{s:s, s:s}}", "name", b->name,
                     "version", b->version, "config", b->config, "core", b->core, "threading",
                     b->threading, "env_threads", env, "max_threads", b->max_threads, "lapack",
                     "version", b->lapack_version, "library", b->lapack_library);
}

/* The contract's "peak" object; null when pk is NULL. */
static json_t *json_peak(const struct mb_peak *pk)
{
    if (pk == NULL)
        return json_null();
    return json_pack("{s:o, s:o, s:s, s:i, s:o}", "per_core_gflops", json_num(pk->per_core_gflops),
                     "all_cores_gflops", json_num(pk->all_cores_gflops), "isa",
                     mb_isa_name(pk->isa), "cores", pk->cores, "seconds", json_num(pk->seconds));
}

/* Writes root indented and releases it. */
static enum mb_status json_dump(FILE *out, json_t *root, struct mb_diag *d)
{
    if (root == NULL)
        return mb_diag_set(d, MB_NOMEM, "cannot build the JSON document");
    int rc = json_dumpf(root, out, JSON_INDENT(2));
    json_decref(root);
    fputc('\n', out);
    if (rc != 0)
        return mb_diag_set(d, MB_IO, "cannot write the JSON document");
    return MB_OK;
}

/* matbench info --format json: the machine and BLAS objects of the
 * contract, for scripts (the physical core count, the BLAS core type). */
enum mb_status mb_report_info_json(FILE *out, const struct mb_machine *m,
                                   const struct mb_blas_info *b, struct mb_diag *d)
{
    return json_dump(out,
                     json_pack("{s:s, s:o, s:o}", "matbench", MB_VERSION_STRING, "machine",
                               json_machine(m), "blas", json_blas(b)),
                     d);
}

/* matbench peak --format json: the contract's "peak" object (the widest
 * instruction set) and every one measured under "isas". */
enum mb_status mb_report_peak_json(FILE *out, const struct mb_machine *m, const struct mb_peak *pk,
                                   size_t count, struct mb_diag *d)
{
    json_t *isas = json_array();
    for (size_t i = 0; i < count; i++) {
        json_t *x = json_peak(&pk[i]);
        json_object_set_new(x, "lanes", json_integer(mb_isa_lanes(pk[i].isa)));
        json_object_set_new(x, "flops_per_instruction",
                            json_integer(mb_isa_flops_per_instruction(pk[i].isa)));
        json_array_append_new(isas, x);
    }
    return json_dump(out,
                     json_pack("{s:s, s:o, s:o, s:o}", "matbench", MB_VERSION_STRING, "machine",
                               json_machine(m), "peak", json_peak(count > 0 ? &pk[0] : NULL),
                               "isas", isas),
                     d);
}

/* matbench coretypes --format json: the same rows, for scripts. */
enum mb_status mb_report_coretypes_json(FILE *out, const struct mb_coretype_report *r,
                                        struct mb_diag *d)
{
    const struct mb_coretype_probe *base = r->baseline >= 0 ? &r->rows[r->baseline].probe : NULL;
    json_t *rows = json_array();
    for (size_t i = 0; i < r->count; i++) {
        const struct mb_coretype_row *row = &r->rows[i];
        const struct mb_coretype_probe *pr = &row->probe;
        bool tried = row->missing == NULL;
        json_array_append_new(
            rows,
            json_pack("{s:s, s:s, s:b, s:o, s:b, s:o, s:o, s:o, s:o}", "name", row->type->name,
                      "isa", row->type->isa, "tried", tried, "missing",
                      tried ? json_null() : json_string(row->missing), "ok", tried && pr->ok,
                      "core", tried && pr->core[0] ? json_string(pr->core) : json_null(), "gflops",
                      json_num(tried && pr->ok ? pr->gflops : NAN), "vs_in_use",
                      json_num(tried && pr->ok && base != NULL ? pr->gflops / base->gflops : NAN),
                      "error", tried && !pr->ok ? json_string(pr->error) : json_null()));
    }
    return json_dump(
        out,
        json_pack("{s:s, s:o, s:I, s:i, s:s, s:o, s:o, s:o, s:b}", "matbench", MB_VERSION_STRING,
                  "machine", json_machine(r->machine), "n", (json_int_t)r->n, "threads", r->threads,
                  "in_use", r->detected, "env_coretype",
                  r->env != NULL ? json_string(r->env) : json_null(), "best",
                  r->best >= 0 ? json_string(r->rows[r->best].type->name) : json_null(),
                  "coretypes", rows, "interrupted", r->interrupted),
        d);
}

/* matbench kernels --format json: every registered kernel and its traits. */
enum mb_status mb_report_kernels_json(FILE *out, struct mb_diag *d)
{
    json_t *list = json_array();
    for (size_t i = 0; i < mb_kernel_count(); i++) {
        const struct mb_kernel *k = mb_kernel_at(i);
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b}", "name", k->name, "lesson",
                            k->lesson, "flops", k->flops_formula, "runs_on", mb_kernel_workers(k),
                            "threads", mb_kernel_sweeps_threads(k), "processes",
                            (k->traits & MB_PROCS) != 0, "blas", (k->traits & MB_BLAS_THREADS) != 0,
                            "time_boxed", (k->traits & MB_TIMEBOXED) != 0));
    }
    return json_dump(out, json_pack("{s:s, s:o}", "matbench", MB_VERSION_STRING, "kernels", list),
                     d);
}

/* The contract's "settings" object: the plan as resolved. */
static json_t *json_settings(const struct mb_plan *p, const struct mb_front *f)
{
    json_t *sizes = json_array(), *threads = json_array(), *kernels = json_array();
    for (size_t i = 0; i < p->sizes.n; i++)
        json_array_append_new(sizes, json_integer((json_int_t)p->sizes.v[i]));
    for (size_t i = 0; i < p->threads.n; i++)
        json_array_append_new(threads, json_integer(p->threads.v[i]));
    for (size_t i = 0; i < p->kernels.n; i++)
        json_array_append_new(kernels, json_string(p->kernels.v[i]->name));
    static const char *const sources[] = {"default", "env", "flag", "config", "ladder"};
    json_t *seed = p->seed <= INT64_MAX ? json_integer((json_int_t)p->seed)
                                        : json_sprintf("%llu", (unsigned long long)p->seed);
    /* "n" (the largest size, which the matrices are allocated for) is kept
     * from the single-size JSON of earlier versions */
    json_t *o = json_pack(
        "{s:I, s:o, s:o, s:s, s:o, s:i, s:i, s:o, s:o, s:o, s:o, s:b, s:b, s:b, s:b, s:s, "
        "s:o, s:o}",
        "n", (json_int_t)mb_plan_largest_size(p), "sizes", sizes, "threads", threads,
        "threads_source", sources[p->threads_source], "kernels", kernels, "repeat", (int)p->repeat,
        "warmup", (int)p->warmup, "naive_budget_s", json_num(p->naive_budget_s), "duration_s",
        json_num(p->duration_s), "min_time_s", json_num(p->min_time_s), "seed", seed, "verify",
        p->verify, "monitor", f->monitor, "peak", f->peak, "live", f->live, "format",
        mb_format_name(f->format), "config",
        f->config != NULL ? json_string(f->config) : json_null(), "coretype",
        f->coretype != NULL ? json_string(f->coretype) : json_null());
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

/* Each CPU's busy fraction, null inside for unknown; null when the
 * monitor did not run. */
static json_t *json_per_core(const struct mb_result *r)
{
    if (r->ncpus == 0)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < r->ncpus; i++)
        json_array_append_new(a, json_num(r->per_core_busy[i]));
    return a;
}

/* One result as the contract's "results" entry. */
static json_t *json_result(const struct mb_result *r)
{
    json_t *time = json_time(&r->time_s, r->samples, r->nsamples);
    json_t *o = json_pack("{s:s, s:I, s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, "
                          "s:o, s:b, s:I}",
                          "kernel", r->kernel->name, "n", (json_int_t)r->n, "threads", r->threads,
                          "repeat", (int)r->repeat, "warmup", (int)r->warmup, "time_s", time,
                          "gflops", json_num(r->gflops), "cores_busy", json_num(r->cores_busy),
                          "per_core_busy", json_per_core(r), "max_threads_seen",
                          r->max_threads_seen > 0 ? json_integer(r->max_threads_seen) : json_null(),
                          "peak_fraction", json_num(r->peak_fraction), "speedup_vs_naive",
                          json_num(r->speedup_vs_naive), "efficiency", json_num(r->efficiency),
                          "verified", r->verified, "residual", json_num(r->residual), "estimated",
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
        "{s:o, s:I, s:o, s:o}", "interval_s", json_num(ctx->monitor.interval_s), "samples",
        (json_int_t)ctx->monitor.samples, "cpu_s", json_num(ctx->monitor.cpu_s), "overhead",
        json_num(ctx->monitor.wall_s > 0 ? ctx->monitor.cpu_s / ctx->monitor.wall_s : NAN));
}

/* The JSON contract of DESIGN.md, built with jansson and written indented. */
/* The scaling analysis (scaling.h) of the run: for every kernel and size
 * measured at one thread and more, each thread count's speed-up,
 * efficiency and Karp–Flatt e, the Amdahl fit (null below three thread
 * counts) and whether e grows with p; for every kernel measured so at two
 * sizes or more, the crossover n (null when threads never gained
 * MB_CROSSOVER_GAIN). */
static json_t *json_scaling(const struct mb_report_ctx *ctx)
{
    const struct mb_plan *plan = ctx->plan;
    json_t *kf = json_array(), *amdahl = json_array(), *cross = json_array();
    for (size_t k = 0; k < plan->kernels.n; k++) {
        const struct mb_kernel *kernel = plan->kernels.v[k];
        for (size_t z = 0; z < plan->sizes.n; z++) {
            int p[MB_PLAN_MAX_THREADS];
            double sp[MB_PLAN_MAX_THREADS];
            size_t n = plan->sizes.v[z];
            size_t m = mb_scaling_points(ctx->results, kernel, n, p, sp, MB_PLAN_MAX_THREADS);
            if (m == 0)
                continue;
            for (size_t i = 1; i < m; i++)
                json_array_append_new(kf, json_pack("{s:s, s:I, s:i, s:o, s:o, s:o}", "kernel",
                                                    kernel->name, "n", (json_int_t)n, "threads",
                                                    p[i], "speedup", json_num(sp[i]), "efficiency",
                                                    json_num(sp[i] / p[i]), "e",
                                                    json_num(mb_karp_flatt(sp[i], p[i]))));
            json_array_append_new(
                amdahl,
                json_pack("{s:s, s:I, s:o, s:b, s:i}", "kernel", kernel->name, "n", (json_int_t)n,
                          "serial_fraction", json_num(mb_amdahl_serial_fraction(p, sp, m)),
                          "e_grows", mb_karp_flatt_grows(p, sp, m), "thread_counts", (int)m));
        }
        bool below;
        size_t sizes;
        double x = mb_scaling_crossover(ctx->results, kernel, &below, &sizes);
        if (sizes >= 2)
            json_array_append_new(cross, json_pack("{s:s, s:o, s:f, s:b, s:I}", "kernel",
                                                   kernel->name, "n", json_num(x), "gain",
                                                   MB_CROSSOVER_GAIN, "at_or_below_smallest", below,
                                                   "sizes", (json_int_t)sizes));
    }
    return json_pack("{s:o, s:o, s:o}", "karp_flatt", kf, "amdahl_serial_fraction", amdahl,
                     "crossover_n", cross);
}

enum mb_status mb_report_json(FILE *out, const struct mb_report_ctx *ctx, struct mb_diag *d)
{
    json_t *results = json_array();
    for (size_t i = 0; i < ctx->results->count; i++)
        json_array_append_new(results, json_result(&ctx->results->items[i]));
    return json_dump(out,
                     json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "matbench",
                               MB_VERSION_STRING, "machine", json_machine(ctx->machine), "blas",
                               json_blas(ctx->blas), "peak", json_peak(ctx->peak), "settings",
                               json_settings(ctx->plan, ctx->front), "monitor", json_monitor(ctx),
                               "results", results, "scaling", json_scaling(ctx), "interrupted",
                               ctx->interrupted),
                     d);
}

/* Reads blas.core, results[0].gflops and results[0].verified from the run
 * report doc[0..len) into out. Returns true when all three are there with
 * their types (out->verified may still be false); else false, with what is
 * missing in why ("no results[0]", "'x' near ... (line 1)"). out->core is
 * filled whenever blas.core is there. */
bool mb_report_json_summary(const char *doc, size_t len, struct mb_report_summary *out, char *why,
                            size_t cap)
{
    *out = (struct mb_report_summary){.gflops = NAN};
    json_error_t jerr;
    json_t *root = json_loadb(doc, len, 0, &jerr);
    if (root == NULL) {
        snprintf(why, cap, "%s (line %d)", jerr.text, jerr.line);
        return false;
    }
    const char *core = json_string_value(json_object_get(json_object_get(root, "blas"), "core"));
    json_t *r0 = json_array_get(json_object_get(root, "results"), 0);
    json_t *gflops = json_object_get(r0, "gflops");
    json_t *verified = json_object_get(r0, "verified");
    if (core != NULL)
        snprintf(out->core, sizeof out->core, "%s", core);
    const char *missing = core == NULL                 ? "no blas.core"
                          : !json_is_object(r0)        ? "no results[0]"
                          : !json_is_number(gflops)    ? "results[0].gflops is not a number"
                          : !json_is_boolean(verified) ? "results[0].verified is not true or false"
                                                       : NULL;
    if (missing != NULL) {
        snprintf(why, cap, "%s", missing);
    } else {
        out->gflops = json_number_value(gflops);
        out->verified = json_is_true(verified);
    }
    json_decref(root);
    return missing == NULL;
}

/* One row of matbench-mpi as a "results" entry: the names of matbench's
 * results, plus ranks, grid, nb, threads_per_rank and hosts. */
static json_t *json_dist_result(const struct mb_dist_result *r)
{
    json_t *time = json_time(&r->time_s, r->samples, r->nsamples);
    return json_pack("{s:s, s:I, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:b, s:o, "
                     "s:o, s:s}",
                     "kernel", r->kernel->name, "n", (json_int_t)r->n, "ranks", r->ranks, "nb",
                     (int)r->nb, "threads_per_rank", r->threads_per_rank, "hosts", r->hosts,
                     "repeat", (int)r->repeat, "warmup", (int)r->warmup, "time_s", time, "gflops",
                     json_num(r->gflops), "gflops_per_rank", json_num(r->gflops_per_rank),
                     "imbalance", json_num(r->imbalance), "verified", r->verified, "residual",
                     json_num(r->residual), "residual_limit", json_num(r->limit), "check",
                     r->kernel->check);
}

/* matbench-mpi's JSON: the libraries and hosts, then one entry per row. */
enum mb_status mb_report_dist_json(FILE *out, const struct mb_dist_header *h,
                                   const struct mb_dist_result *r, size_t count, struct mb_diag *d)
{
    json_t *results = json_array();
    for (size_t i = 0; i < count; i++) {
        json_t *o = json_dist_result(&r[i]);
        json_object_set_new(o, "grid", json_sprintf("%dx%d", r[i].grid.p, r[i].grid.q));
        json_object_set_new(o, "peak_fraction", json_num(r[i].peak_fraction));
        json_object_set_new(o, "one_rank_gflops", json_num(r[i].one_rank_gflops));
        if (!isnan(r[i].one_rank_gflops))
            json_object_set_new(o, "one_rank_threads", json_integer(r[i].one_rank_threads));
        json_object_set_new(o, "efficiency", json_num(r[i].efficiency));
        if (r[i].one_rank_why[0] != '\0')
            json_object_set_new(o, "one_rank_why", json_string(r[i].one_rank_why));
        json_object_set_new(o, "one_process_gflops", json_num(r[i].one_process_gflops));
        json_object_set_new(o, "vs_one_process", json_num(r[i].vs_one_process));
        if (r[i].one_process_why[0] != '\0')
            json_object_set_new(o, "one_process_why", json_string(r[i].one_process_why));
        json_array_append_new(results, o);
    }
    json_t *mpi = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:b}", "library", h->mpi_library,
                            "scalapack", h->scalapack, "blas", h->blas, "ranks", h->ranks, "hosts",
                            h->nhosts, "host_list", h->hosts, "singleton", h->singleton);
    json_object_set_new(mpi, "peak_gflops", json_num(h->peak_gflops));
    json_object_set_new(mpi, "interrupted", json_boolean(h->interrupted));
    return json_dump(
        out,
        json_pack("{s:s, s:o, s:o}", "matbench", MB_VERSION_STRING, "mpi", mpi, "results", results),
        d);
}

/* s as a JSON string; text that is not UTF-8 (a path can be any bytes) is
 * made printable first, so the document stays whole. */
static json_t *json_text(const char *s)
{
    json_t *x = json_string(s != NULL ? s : "");
    if (x == NULL) {
        char buf[MB_BLASLIB_PATH_MAX];
        x = json_string(mb_printable(s, buf, sizeof buf));
    }
    return x != NULL ? x : json_string("?");
}

/* The "blas" object of a matbench blas row: the library and how it
 * identified itself. */
static json_t *json_blaslib(const struct mb_blaslib *lib, const struct mb_blaslib_id *id)
{
    json_t *o = json_object();
    const struct {
        const char *key, *value;
    } texts[] = {{"name", lib->name},
                 {"implementation", id->impl},
                 {"version", id->version},
                 {"version_from", id->version_from},
                 {"threading", id->threading},
                 {"core", id->core},
                 {"config", id->config},
                 {"control", id->control},
                 {"interface", id->interface},
                 {"path", lib->path},
                 {"loaded", id->loaded},
                 {"lapack", lib->lapack},
                 {"lapack_why", lib->lapack_why},
                 {"lapack_loaded", id->lapack_loaded},
                 {"lapack_blas", id->lapack_blas}};
    for (size_t i = 0; i < MB__ARRAY_SIZE(texts); i++)
        json_object_set_new(o, texts[i].key, json_text(texts[i].value));
    json_object_set_new(o, "threads_reported",
                        id->threads_reported > 0 ? json_integer(id->threads_reported)
                                                 : json_null());
    json_object_set_new(o, "alternative", json_boolean(lib->alternative));
    json_object_set_new(o, "found", json_boolean(lib->found));
    return o;
}

static json_t *json_count(int x)
{
    return x >= 0 ? json_integer(x) : json_null();
}

/* One row of matbench blas as a "results" entry: the names of matbench's
 * results, plus the "blas" object, threads_used and what became of it. */
static json_t *json_blas_row(const struct mb_blaslib_row *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "kernel", json_string(x->kernel->name));
    json_object_set_new(o, "n", json_integer((json_int_t)x->n));
    json_object_set_new(o, "threads", json_integer(x->threads));
    json_object_set_new(o, "blas", json_blaslib(x->lib, &x->id));
    json_object_set_new(o, "status", json_string(mb_blaslib_outcome_name(x->outcome)));
    json_object_set_new(o, "error", x->error[0] != '\0' ? json_text(x->error) : json_null());
    json_object_set_new(o, "threads_used", json_count(x->threads_used));
    json_object_set_new(o, "threads_used_from",
                        x->threads_used < 0        ? json_null()
                        : x->threads_used_reported ? json_string("library")
                                                   : json_string("measured"));
    json_object_set_new(o, "threads_seen", json_count(x->threads_seen));
    json_object_set_new(o, "threads_working", json_count(x->threads_working));
    json_object_set_new(o, "threads_sharing", json_count(x->threads_sharing));
    json_object_set_new(o, "repeat", json_integer(x->repeat));
    json_object_set_new(o, "warmup", json_integer(x->warmup));
    json_object_set_new(o, "calls_per_sample", json_integer(x->calls_per_sample));
    bool timed = x->time_s.count > 0;
    json_object_set_new(o, "time_s",
                        timed ? json_time(&x->time_s, x->samples, x->nsamples) : json_null());
    json_object_set_new(o, "gflops", json_num(x->gflops));
    json_object_set_new(o, "cores_busy", json_num(x->cores_busy));
    json_object_set_new(o, "peak_fraction", json_num(x->peak_fraction));
    json_object_set_new(o, "verified", json_boolean(x->outcome == MB_BLASLIB_OK));
    json_object_set_new(o, "residual", json_num(x->residual));
    json_object_set_new(o, "residual_limit", json_num(x->limit));
    return o;
}

/* matbench blas --format json: where the libraries were looked for, the
 * settings, and one entry per library x kernel x n x threads. */
enum mb_status mb_report_blas_json(FILE *out, const struct mb_blas_report *r, struct mb_diag *d)
{
    json_t *results = json_array();
    for (size_t i = 0; i < r->count; i++)
        json_array_append_new(results, json_blas_row(&r->rows[i]));
    json_t *threads = json_array(), *sizes = json_array(), *kernels = json_array();
    for (size_t i = 0; i < r->plan->threads.n; i++)
        json_array_append_new(threads, json_integer(r->plan->threads.v[i]));
    for (size_t i = 0; i < r->plan->sizes.n; i++)
        json_array_append_new(sizes, json_integer((json_int_t)r->plan->sizes.v[i]));
    for (size_t i = 0; i < r->kernels->n; i++)
        json_array_append_new(kernels, json_string(r->kernels->v[i]->name));
    json_t *settings = json_pack(
        "{s:o, s:o, s:o, s:i, s:i, s:I, s:b, s:o, s:o}", "sizes", sizes, "threads", threads,
        "kernels", kernels, "repeat", (int)r->plan->repeat, "warmup", (int)r->plan->warmup, "seed",
        (json_int_t)r->plan->seed, "verify", r->plan->verify, "time_limit_s",
        json_num(r->time_limit_s), "max_sampling_s", json_num(r->max_sampling_s));
    json_t *search = json_object();
    json_object_set_new(search, "dir", json_text(r->found->dir));
    json_object_set_new(search, "found", json_integer((json_int_t)r->found->n));
    json_object_set_new(search, "alternative",
                        r->found->alt_target[0] != '\0'
                            ? json_pack("{s:o, s:o}", "name", json_text(r->found->alt_name), "path",
                                        json_text(r->found->alt_target))
                            : json_null());
    json_t *root = json_object();
    json_object_set_new(root, "matbench", json_string(MB_VERSION_STRING));
    json_object_set_new(root, "command", json_string("blas"));
    json_object_set_new(root, "machine", json_machine(r->machine));
    json_object_set_new(root, "peak", json_peak(r->peak));
    json_object_set_new(root, "search", search);
    json_object_set_new(root, "settings", settings);
    json_object_set_new(root, "results", results);
    json_object_set_new(root, "interrupted", json_boolean(r->interrupted));
    return json_dump(out, root, d);
}
/* One measurement of matbench pitfalls. */
static json_t *json_pitfall_run(const struct mb_pitfall_run *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "what", json_text(x->label));
    json_object_set_new(o, "outcome", json_string(mb_pitfall_outcome_name(x->outcome)));
    json_object_set_new(o, "error", x->error[0] != '\0' ? json_text(x->error) : json_null());
    json_object_set_new(o, "n", json_integer((json_int_t)x->n));
    json_object_set_new(o, "callers", json_integer(x->callers));
    json_object_set_new(o, "threads_asked",
                        x->threads_asked > 0 ? json_integer(x->threads_asked) : json_null());
    json_object_set_new(o, "threads_default", json_count(x->threads_default));
    json_object_set_new(o, "threads_reported", json_count(x->threads_reported));
    json_object_set_new(o, "threads_seen", json_count(x->threads_seen));
    json_object_set_new(o, "cpus", json_count(x->cpus));
    json_object_set_new(o, "threading", json_text(x->threading));
    json_object_set_new(o, "core", json_text(x->core));
    json_object_set_new(o, "gflops", json_num(x->gflops));
    json_object_set_new(o, "cores_busy", json_num(x->busy));
    json_object_set_new(o, "wall_s", json_num(x->wall_s));
    json_object_set_new(o, "calls", x->calls >= 0 ? json_integer(x->calls) : json_null());
    json_object_set_new(o, "verified", json_boolean(x->outcome == MB_PITFALL_RUN_OK));
    if (!isnan(x->child_s))
        json_object_set_new(o, "forked_child_s", json_num(x->child_s));
    return o;
}

/* One side of a scenario: how, and its measurements. */
static json_t *json_pitfall_side(const char *how, const struct mb_pitfall_run *runs, size_t count)
{
    json_t *a = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(a, json_pitfall_run(&runs[i]));
    return json_pack("{s:o, s:o}", "how", json_text(how), "runs", a);
}

/* matbench pitfalls --format json: {"pitfalls": [{"id", "what", "trap",
 * "fix", "gain", "status"}, ...]} with the machine and the settings; a
 * trap's runs pair with the fix's runs of the same index, and the fix's
 * runs beyond the trap's count stand alone. */
enum mb_status mb_report_pitfalls_json(FILE *out, const struct mb_pitfall_report *r,
                                       struct mb_diag *d)
{
    json_t *list = json_array();
    for (size_t i = 0; i < r->count; i++) {
        const struct mb_pitfall_result *x = &r->results[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(x->p->id));
        json_object_set_new(o, "title", json_text(x->p->title));
        json_object_set_new(o, "what", json_text(x->p->what));
        json_object_set_new(o, "why", json_text(x->p->why));
        json_object_set_new(o, "trap", json_pitfall_side(x->p->what, x->trap, x->ntrap));
        json_object_set_new(o, "fix", json_pitfall_side(x->p->fix, x->fix, x->nfix));
        json_object_set_new(o, "gain", json_num(x->gain));
        json_object_set_new(o, "gain_text",
                            x->gain_text[0] != '\0' ? json_text(x->gain_text) : json_null());
        json_object_set_new(o, "status", json_string(mb_pitfall_status_name(x->status)));
        json_object_set_new(o, "reason", x->reason[0] != '\0' ? json_text(x->reason) : json_null());
        json_object_set_new(o, "found", x->found[0] != '\0' ? json_text(x->found) : json_null());
        if (!isnan(x->crossover_n))
            json_object_set_new(o, "crossover_n", json_num(x->crossover_n));
        json_array_append_new(list, o);
    }
    json_t *settings =
        json_pack("{s:I, s:o, s:o, s:o}", "n", (json_int_t)r->n, "min_time_s",
                  json_num(r->min_time_s), "time_limit_s", json_num(r->time_limit_s),
                  "openmp_build", r->omp_dir[0] != '\0' ? json_text(r->omp_dir) : json_null());
    json_t *root = json_object();
    json_object_set_new(root, "matbench", json_string(MB_VERSION_STRING));
    json_object_set_new(root, "command", json_string("pitfalls"));
    json_object_set_new(root, "machine", json_machine(r->machine));
    json_object_set_new(root, "settings", settings);
    json_object_set_new(root, "pitfalls", list);
    json_object_set_new(root, "interrupted", json_boolean(r->interrupted));
    return json_dump(out, root, d);
}

/* An array of labels. */
static json_t *json_labels(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_text(v[i]));
    return a;
}

/* One side of a compared row: its median and samples. */
static json_t *json_compare_side(double median_s, const double *samples, size_t count)
{
    json_t *a = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(a, json_num(samples[i]));
    return json_pack("{s:o, s:I, s:o}", "median_s", json_num(median_s), "count", (json_int_t)count,
                     "samples", a);
}

static json_t *json_compare_row(const struct mb_compare_row *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "kernel", json_text(r->kernel));
    json_object_set_new(o, "n", json_integer((json_int_t)r->n));
    json_object_set_new(o, "threads", r->threads >= 0 ? json_integer(r->threads) : json_null());
    json_object_set_new(o, "blas", r->blas[0] != '\0' ? json_text(r->blas) : json_null());
    json_object_set_new(o, "ranks", r->ranks >= 0 ? json_integer(r->ranks) : json_null());
    json_object_set_new(o, "grid", r->grid[0] != '\0' ? json_text(r->grid) : json_null());
    json_object_set_new(o, "old", json_compare_side(r->old_median_s, r->old_samples, r->old_count));
    json_object_set_new(o, "new", json_compare_side(r->new_median_s, r->new_samples, r->new_count));
    json_object_set_new(o, "ratio", json_num(r->ratio));
    json_object_set_new(o, "ci", json_pack("[o, o]", json_num(r->lo), json_num(r->hi)));
    json_object_set_new(o, "u", json_num(r->u.u_a));
    json_object_set_new(o, "p", json_num(r->u.p));
    json_object_set_new(o, "p_exact", json_boolean(r->u.exact));
    json_object_set_new(o, "verdict", json_string(mb_compare_verdict_name(r->verdict)));
    json_object_set_new(o, "few_samples", json_boolean(r->few));
    json_object_set_new(o, "thinned", json_boolean(r->thinned));
    json_object_set_new(o, "fails", json_boolean(r->fail));
    return o;
}

/* One side's files: as given, how many, and the results skipped or met
 * twice in one file. */
static json_t *json_compare_files(const char *arg, size_t files, size_t skipped, size_t duplicates)
{
    return json_pack("{s:o, s:I, s:I, s:I}", "files", json_text(arg), "count", (json_int_t)files,
                     "skipped", (json_int_t)skipped, "duplicates", (json_int_t)duplicates);
}

/* matbench compare --format json: the settings, the environment fields
 * that differ, each matched row with both sides' samples, the geometric
 * mean, and the rows of one side only. */
enum mb_status mb_report_compare_json(FILE *out, const struct mb_compare *c, struct mb_diag *d)
{
    json_t *rows = json_array(), *env = json_array();
    for (size_t i = 0; i < c->count; i++)
        json_array_append_new(rows, json_compare_row(&c->rows[i]));
    for (size_t i = 0; i < c->nenv; i++)
        json_array_append_new(env, json_pack("{s:s, s:o, s:o}", "field", c->env[i].field, "old",
                                             json_text(c->env[i].old_value), "new",
                                             json_text(c->env[i].new_value)));
    json_t *settings =
        json_pack("{s:o, s:o, s:i, s:o, s:I, s:o, s:i}", "threshold", json_num(c->threshold),
                  "fail_if_slower", json_num(c->fail_if_slower), "resamples", (int)c->resamples,
                  "level", json_num(c->level), "seed", (json_int_t)c->seed, "alpha",
                  json_num(MB_COMPARE_ALPHA), "few_samples", MB_COMPARE_FEW);
    json_t *root = json_object();
    json_object_set_new(root, "matbench", json_string(MB_VERSION_STRING));
    json_object_set_new(root, "command", json_string("compare"));
    json_object_set_new(
        root, "old",
        json_compare_files(c->old_arg, c->old_files, c->old_skipped, c->old_duplicates));
    json_object_set_new(
        root, "new",
        json_compare_files(c->new_arg, c->new_files, c->new_skipped, c->new_duplicates));
    json_t *match = json_array();
    json_array_append_new(match, json_string("kernel"));
    json_array_append_new(match, json_string("n"));
    const char *fields[] = {"threads", "blas", "ranks", "grid"};
    for (size_t i = 0; i < MB__ARRAY_SIZE(fields); i++)
        if (c->match & (1u << i))
            json_array_append_new(match, json_string(fields[i]));
    json_object_set_new(settings, "match", match);
    json_object_set_new(root, "settings", settings);
    json_object_set_new(root, "environment", env);
    json_object_set_new(root, "rows", rows);
    json_object_set_new(root, "geomean_ratio", json_num(c->geomean));
    json_object_set_new(root, "only_old", json_labels(c->only_old, c->nonly_old));
    json_object_set_new(root, "only_new", json_labels(c->only_new, c->nonly_new));
    json_object_set_new(root, "no_samples", json_labels(c->no_samples, c->nno_samples));
    json_object_set_new(root, "failed", json_integer((json_int_t)c->failed));
    return json_dump(out, root, d);
}
