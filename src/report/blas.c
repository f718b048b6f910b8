/* matbench blas's report: for each kernel and size, the libraries sorted
 * by GFLOP/s on all cores with a column per thread count and the ratios to
 * the reference BLAS and to the fastest, as a table, Markdown or CSV (JSON
 * is in json.c), and the lesson in sentences. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/report.h"
#include "mb_internal.h"
#include "report_internal.h"

/* Within this share the fastest and the alternative now are level: not a
 * reason to switch on this evidence. */
#define LEVEL_SHARE 0.05

/* The thread count "on all cores" stands for: the largest of the list the
 * usable cores can run at once, else the smallest of the list. */
static int all_cores_threads(const struct mb_blas_report *r)
{
    const struct mb_thread_list *t = &r->plan->threads;
    int cores = mb_machine_usable_cores(r->machine), best = -1, least = -1;
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i] <= cores && t->v[i] > best)
            best = t->v[i];
        if (least < 0 || t->v[i] < least)
            least = t->v[i];
    }
    return best > 0 ? best : least;
}

/* The row of lib x kernel x n x threads, or NULL (not run: interrupted). */
static const struct mb_blaslib_row *row_of(const struct mb_blas_report *r,
                                           const struct mb_blaslib *lib, const struct mb_kernel *k,
                                           size_t n, int threads)
{
    for (size_t i = 0; i < r->count; i++) {
        const struct mb_blaslib_row *x = &r->rows[i];
        if (x->lib == lib && x->kernel == k && x->n == n && x->threads == threads)
            return x;
    }
    return NULL;
}

/* A measured row's rate, NAN for any other. */
static double rate(const struct mb_blaslib_row *x)
{
    return x != NULL && (x->outcome == MB_BLASLIB_OK || x->outcome == MB_BLASLIB_NOT_CHECKED)
               ? x->gflops
               : NAN;
}

/* How lib identified itself in any of its rows of kernel k at n (the
 * first that has a name), or NULL. */
static const struct mb_blaslib_id *id_of(const struct mb_blas_report *r,
                                         const struct mb_blaslib *lib, const struct mb_kernel *k,
                                         size_t n)
{
    for (size_t i = 0; i < r->count; i++)
        if (r->rows[i].lib == lib && r->rows[i].kernel == k && r->rows[i].n == n &&
            r->rows[i].id.impl[0] != '\0')
            return &r->rows[i].id;
    return NULL;
}

static bool is_reference(const struct mb_blaslib_id *id)
{
    return id != NULL && strncmp(id->impl, "reference", 9) == 0;
}

/* One block of the report: kernel k at n, its libraries in order of
 * rate on all cores (unmeasured last). */
struct block {
    const struct mb_kernel *k;
    size_t n;
    int all; /* the thread count of "all cores" */
    const struct mb_blaslib *order[MB_BLASLIB_MAX];
    double at_all[MB_BLASLIB_MAX]; /* each one's rate there, in order */
    size_t count;
    int fastest, reference, alternative; /* positions in order, -1: none */
};

static const struct block *sort_block; /* qsort has no user pointer */

static int by_rate(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    double x = sort_block->at_all[a], y = sort_block->at_all[b];
    if (isnan(x) != isnan(y))
        return isnan(x) ? 1 : -1;
    if (!isnan(x) && x != y)
        return x > y ? -1 : 1;
    return a < b ? -1 : a > b;
}

static void make_block(const struct mb_blas_report *r, const struct mb_kernel *k, size_t n,
                       struct block *b)
{
    memset(b, 0, sizeof *b);
    b->k = k;
    b->n = n;
    b->all = all_cores_threads(r);
    b->count = r->libs->n;
    struct block raw = *b;
    size_t idx[MB_BLASLIB_MAX];
    for (size_t i = 0; i < b->count; i++) {
        raw.order[i] = &r->libs->v[i];
        raw.at_all[i] = rate(row_of(r, &r->libs->v[i], k, n, b->all));
        idx[i] = i;
    }
    sort_block = &raw;
    qsort(idx, b->count, sizeof idx[0], by_rate);
    b->fastest = b->reference = b->alternative = -1;
    for (size_t i = 0; i < b->count; i++) {
        b->order[i] = raw.order[idx[i]];
        b->at_all[i] = raw.at_all[idx[i]];
        if (i == 0 && !isnan(b->at_all[i]))
            b->fastest = 0;
        if (b->reference < 0 && is_reference(id_of(r, b->order[i], k, n)))
            b->reference = (int)i;
        if (b->alternative < 0 && b->order[i]->alternative)
            b->alternative = (int)i;
    }
}

/* The short text of a row that has no rate. */
static const char *short_outcome(const struct mb_blaslib_row *x)
{
    if (x == NULL)
        return "-";
    switch (x->outcome) {
    case MB_BLASLIB_WRONG:
        return "WRONG";
    case MB_BLASLIB_CRASHED:
        return "crashed";
    case MB_BLASLIB_TIMEOUT:
        return "no answer";
    case MB_BLASLIB_FAILED:
        return "failed";
    case MB_BLASLIB_SKIPPED:
        return "skipped";
    default:
        return "-";
    }
}

/* x with decimals decimals and suffix ("x"), or "-" when unknown. */
static void cell_number(char *buf, size_t cap, double x, int decimals, const char *suffix)
{
    if (isnan(x))
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%.*f%s", decimals, x, suffix);
}

/* The verified cell of lib's rows in the block: yes when all measured
 * were, FAILED when one was not, "not checked", or "-" when none ran. */
static const char *verified_cell(const struct mb_blas_report *r, const struct block *b,
                                 const struct mb_blaslib *lib)
{
    const char *cell = "-";
    for (size_t t = 0; t < r->plan->threads.n; t++) {
        const struct mb_blaslib_row *x = row_of(r, lib, b->k, b->n, r->plan->threads.v[t]);
        if (x == NULL)
            continue;
        if (x->outcome == MB_BLASLIB_WRONG)
            return "FAILED";
        if (x->outcome == MB_BLASLIB_NOT_CHECKED)
            cell = "not checked";
        else if (x->outcome == MB_BLASLIB_OK && strcmp(cell, "-") == 0)
            cell = "yes";
    }
    return cell;
}

static void write_block_title(FILE *out, const struct mb_blas_report *r, const struct block *b,
                              bool markdown)
{
    fprintf(out,
            "%s%s, n = %zu: GFLOP/s at each thread count (the median of each library's "
            "calls), sorted by the rate at %d thread%s\n",
            markdown ? "### " : "\n", b->k->name, b->n, b->all, b->all == 1 ? "" : "s");
    if (b->alternative >= 0)
        fprintf(out, "%s* = what libblas.so.3 points to now: what NumPy, SciPy and R use here%s\n",
                markdown ? "\n" : "", markdown ? "\n" : "");
    (void)r;
}

/* The cells of one library's line. */
struct line {
    char mark[4], impl[64], version[64], threading[16], core[64];
    char rates[MB_PLAN_MAX_THREADS][16];
    char used[16], busy[16], vs_ref[16], vs_best[16];
    const char *verified;
};

static void make_line(const struct mb_blas_report *r, const struct block *b, size_t i,
                      struct line *l)
{
    const struct mb_blaslib *lib = b->order[i];
    const struct mb_blaslib_id *id = id_of(r, lib, b->k, b->n);
    snprintf(l->mark, sizeof l->mark, "%s", lib->alternative ? "*" : " ");
    snprintf(l->impl, sizeof l->impl, "%s", id != NULL ? id->impl : "-");
    snprintf(l->version, sizeof l->version, "%s",
             id != NULL && id->version[0] != '\0' ? id->version : "-");
    snprintf(l->threading, sizeof l->threading, "%s", id != NULL ? id->threading : "-");
    snprintf(l->core, sizeof l->core, "%s", id != NULL && id->core[0] != '\0' ? id->core : "-");
    for (size_t t = 0; t < r->plan->threads.n; t++) {
        const struct mb_blaslib_row *x = row_of(r, lib, b->k, b->n, r->plan->threads.v[t]);
        double g = rate(x);
        if (isnan(g))
            snprintf(l->rates[t], sizeof l->rates[t], "%s", short_outcome(x));
        else
            snprintf(l->rates[t], sizeof l->rates[t], "%.1f", g);
    }
    const struct mb_blaslib_row *all = row_of(r, lib, b->k, b->n, b->all);
    if (all != NULL && all->threads_used > 0)
        snprintf(l->used, sizeof l->used, "%d", all->threads_used);
    else
        snprintf(l->used, sizeof l->used, "-");
    cell_number(l->busy, sizeof l->busy, all != NULL ? all->cores_busy : NAN, 2, "");
    double ref = b->reference >= 0 ? b->at_all[b->reference] : NAN;
    double best = b->fastest >= 0 ? b->at_all[b->fastest] : NAN;
    cell_number(l->vs_ref, sizeof l->vs_ref, b->at_all[i] / ref, 1, "x");
    cell_number(l->vs_best, sizeof l->vs_best, b->at_all[i] / best, 2, "x");
    l->verified = verified_cell(r, b, lib);
}

static void write_block(FILE *out, const struct mb_blas_report *r, const struct block *b,
                        bool markdown)
{
    write_block_title(out, r, b, markdown);
    const struct mb_thread_list *t = &r->plan->threads;
    int w = 7; /* "library" */
    for (size_t i = 0; i < b->count; i++)
        if ((int)strlen(b->order[i]->name) > w)
            w = (int)strlen(b->order[i]->name);
    if (markdown) {
        fputs("\n| | library | BLAS | version | threading | core |", out);
        for (size_t k = 0; k < t->n; k++)
            fprintf(out, " %d thr |", t->v[k]);
        fputs(" threads used | cores busy | x reference | x fastest | verified |\n|---|---|---|"
              "---|---|---|",
              out);
        for (size_t k = 0; k < t->n; k++)
            fputs("--:|", out);
        fputs("--:|--:|--:|--:|---|\n", out);
    } else {
        fprintf(out, "\n  %-*s %-24s %-8s %-9s %-12s", w, "library", "BLAS", "version", "threading",
                "core");
        for (size_t k = 0; k < t->n; k++)
            fprintf(out, " %6d thr", t->v[k]);
        fprintf(out, " %6s %6s %8s %8s  %s\n", "used", "busy", "x ref", "x best", "verified");
    }
    for (size_t i = 0; i < b->count; i++) {
        struct line l;
        make_line(r, b, i, &l);
        if (markdown) {
            fprintf(out, "| %s | %s | %s | %s | %s | %s |", l.mark[0] == '*' ? "*" : "",
                    b->order[i]->name, l.impl, l.version, l.threading, l.core);
            for (size_t k = 0; k < t->n; k++)
                fprintf(out, " %s |", l.rates[k]);
            fprintf(out, " %s | %s | %s | %s | %s |\n", l.used, l.busy, l.vs_ref, l.vs_best,
                    l.verified);
        } else {
            fprintf(out, "%s %-*s %-24s %-8s %-9s %-12s", l.mark, w, b->order[i]->name, l.impl,
                    l.version, l.threading, l.core);
            for (size_t k = 0; k < t->n; k++)
                fprintf(out, " %10s", l.rates[k]);
            fprintf(out, " %6s %6s %8s %8s  %s\n", l.used, l.busy, l.vs_ref, l.vs_best, l.verified);
        }
    }
}

/* Notes under a block: each row that did not measure, and each library
 * that ran one thread when asked for more, or whose threads were set
 * another way than a call. */
static void write_notes(FILE *out, const struct mb_blas_report *r, const struct block *b)
{
    bool any = false;
    for (size_t i = 0; i < b->count; i++) {
        const struct mb_blaslib *lib = b->order[i];
        bool told_flat = false;
        for (size_t t = 0; t < r->plan->threads.n; t++) {
            const struct mb_blaslib_row *x = row_of(r, lib, b->k, b->n, r->plan->threads.v[t]);
            if (x == NULL)
                continue;
            if (x->error[0] != '\0') {
                fprintf(out, "%s%s at %d thread%s: %s\n", any ? "" : "\n", lib->name, x->threads,
                        x->threads == 1 ? "" : "s", x->error);
                any = true;
            } else if (!told_flat && x->threads > 1 && x->threads_used == 1) {
                fprintf(out, "%s%s runs 1 thread whatever is asked (asked for %d; %s)\n",
                        any ? "" : "\n", lib->name, x->threads,
                        x->threads_used_reported ? "it says so itself" : "one thread did the work");
                any = told_flat = true;
            }
        }
    }
    char env_set[512] = "", generic[512] = "";
    for (size_t i = 0; i < b->count; i++) {
        const struct mb_blaslib_id *id = id_of(r, b->order[i], b->k, b->n);
        if (id == NULL)
            continue;
        if (strcmp(id->control, "BLIS_NUM_THREADS") == 0)
            snprintf(env_set + strlen(env_set), sizeof env_set - strlen(env_set), "%s%s",
                     env_set[0] ? ", " : "", b->order[i]->name);
        if (strcmp(id->impl, "BLIS") == 0 && strcmp(id->core, "generic") == 0)
            snprintf(generic + strlen(generic), sizeof generic - strlen(generic), "%s%s",
                     generic[0] ? ", " : "", b->order[i]->name);
    }
    if (env_set[0] != '\0')
        fprintf(out,
                "%s%s: Debian's BLIS libblas.so.3 hides bli_thread_set_num_threads, so the "
                "threads were set with BLIS_NUM_THREADS before it loaded (unset, BLIS runs 1 "
                "thread)\n",
                any ? "" : "\n", env_set);
    if (generic[0] != '\0')
        fprintf(out,
                "%s: BLIS did not recognise this CPU and runs its generic kernels "
                "(BLIS_ARCH_DEBUG=1 prints its choice)\n",
                generic);
}

/* The lesson of one block, in sentences from its numbers. */
static void block_lesson(FILE *out, const struct mb_blas_report *r, const struct block *b)
{
    if (b->fastest < 0) {
        fprintf(out, "%s at n = %zu: no library measured on %d thread%s.\n", b->k->name, b->n,
                b->all, b->all == 1 ? "" : "s");
        return;
    }
    const struct mb_blaslib *best = b->order[b->fastest];
    const struct mb_blaslib_id *bid = id_of(r, best, b->k, b->n);
    double g = b->at_all[b->fastest];
    fprintf(out, "%s at n = %zu: the fastest here is %s (%s, %s), %.1f GFLOP/s on %d thread%s",
            b->k->name, b->n, best->name, bid->impl, bid->threading, g, b->all,
            b->all == 1 ? "" : "s");
    if (b->count > 1 && !isnan(b->at_all[1]))
        fprintf(out, ", %.2fx the next (%s)", g / b->at_all[1], b->order[1]->name);
    fputs(".\n", out);
    size_t flat = 0;
    for (size_t i = 0; i < b->count; i++) {
        const struct mb_blaslib *lib = b->order[i];
        const struct mb_blaslib_row *one = row_of(r, lib, b->k, b->n, 1);
        const struct mb_blaslib_row *all = row_of(r, lib, b->k, b->n, b->all);
        if (b->all > 1 && all != NULL && all->threads_used == 1 && !isnan(rate(one)) &&
            !isnan(rate(all)))
            fprintf(out, "%s %s (%.1f on 1 thread, %.1f on %d)",
                    flat++ ? "," : "  Flat:", lib->name, rate(one), rate(all), b->all);
    }
    if (flat > 0)
        fprintf(out,
                ": %s one thread whatever is asked, so %s efficiency at %d threads "
                "says nothing about threading.\n",
                flat == 1 ? "it runs" : "they run", flat == 1 ? "its" : "their", b->all);
    if (b->reference >= 0 && b->reference != b->fastest && !isnan(b->at_all[b->reference]))
        fprintf(out,
                "  The reference BLAS (%s, netlib's plain loops: no cache blocking, no vector "
                "kernels, one thread) reached %.2f GFLOP/s: the fastest is %.0fx faster.\n",
                b->order[b->reference]->name, b->at_all[b->reference], g / b->at_all[b->reference]);
    if (b->alternative == b->fastest) {
        fprintf(out, "  libblas.so.3 already points to it: NumPy, SciPy and R use the fastest.\n");
        return;
    }
    if (b->alternative >= 0 && !isnan(b->at_all[b->alternative]) &&
        g < (1 + LEVEL_SHARE) * b->at_all[b->alternative]) {
        fprintf(out,
                "  libblas.so.3 points to %s now, within 5%% of the fastest: level on this "
                "evidence, no reason to switch.\n",
                b->order[b->alternative]->name);
        return;
    }
    if (b->alternative >= 0 && !isnan(b->at_all[b->alternative]))
        fprintf(out, "  libblas.so.3 points to %s now: %.2fx slower than the fastest.\n",
                b->order[b->alternative]->name, g / b->at_all[b->alternative]);
    if (best->found && r->found->alt_name[0] != '\0') {
        fprintf(out, "  To make NumPy, SciPy and R use %s: sudo update-alternatives --set %s %s",
                best->name, r->found->alt_name, best->path);
        const char *lib_part = strstr(r->found->alt_name, "libblas");
        if (strcmp(b->k->name, "dgetrf") == 0 && best->lapack[0] != '\0' && lib_part != NULL)
            fprintf(out, " (and --set liblapack%s %s)", lib_part + strlen("libblas"), best->lapack);
        fputs("\n", out);
    } else if (!best->found) {
        fprintf(out,
                "  %s was given by path: register it with update-alternatives --install "
                "before NumPy can be pointed at it.\n",
                best->name);
    }
}

/* The blocks of the report, kernel by kernel and size by size. */
static size_t make_blocks(const struct mb_blas_report *r, struct block *blocks, size_t cap)
{
    size_t count = 0;
    for (size_t k = 0; k < r->kernels->n; k++)
        for (size_t s = 0; s < r->plan->sizes.n && count < cap; s++)
            make_block(r, r->kernels->v[k], r->plan->sizes.v[s], &blocks[count++]);
    return count;
}

/* The lesson of every block. */
void mb_blas_lesson(FILE *out, const struct mb_blas_report *r)
{
    size_t cap = r->kernels->n * r->plan->sizes.n;
    struct block *blocks = calloc(cap ? cap : 1, sizeof *blocks);
    if (blocks == NULL)
        return;
    size_t count = make_blocks(r, blocks, cap);
    for (size_t i = 0; i < count; i++)
        block_lesson(out, r, &blocks[i]);
    free(blocks);
}

static void write_header(FILE *out, const struct mb_blas_report *r)
{
    fprintf(out, "matbench blas: %zu librar%s from %s%s; %s\n", r->libs->n,
            r->libs->n == 1 ? "y" : "ies", r->found->dir,
            r->found->n < r->libs->n ? " and paths given" : "", r->machine->cpu);
    if (r->found->alt_target[0] != '\0')
        fprintf(out, "libblas.so.3 now: %s (%s)\n", r->found->alt_target,
                r->found->alt_name[0] != '\0' ? r->found->alt_name : "not an alternative");
    fprintf(out,
            "Each library in its own process (matbench-blas-probe), its threads set by its own "
            "call; %u warm-up, %u timed calls at least, time limit %g s; %d usable core%s\n",
            r->plan->warmup, r->plan->repeat, r->time_limit_s, mb_machine_usable_cores(r->machine),
            mb_machine_usable_cores(r->machine) == 1 ? "" : "s");
}

/* One row per library x kernel x n x threads, the free text (paths, the
 * error) last, so that a reader splitting on commas finds every number. */
static void write_csv(FILE *out, const struct mb_blas_report *r)
{
    fputs("kernel,n,threads,library,implementation,version,threading,core,control,interface,"
          "alternative,status,threads_used,threads_used_from,threads_seen,threads_working,threads_"
          "sharing,"
          "repeat,warmup,calls_per_sample,time_min_s,time_median_s,time_max_s,time_mean_s,"
          "time_stddev_s,gflops,cores_busy,peak_fraction,residual,verified,interrupted,path,"
          "loaded,lapack,error\n",
          out);
    for (size_t i = 0; i < r->count; i++) {
        const struct mb_blaslib_row *x = &r->rows[i];
        fprintf(out, "%s,%zu,%d,", x->kernel->name, x->n, x->threads);
        const char *ids[] = {x->lib->name, x->id.impl,    x->id.version,  x->id.threading,
                             x->id.core,   x->id.control, x->id.interface};
        for (size_t k = 0; k < MB__ARRAY_SIZE(ids); k++)
            mb__csv_text(out, ids[k]);
        fprintf(out, "%s,", x->lib->alternative ? "true" : "false");
        mb__csv_text(out, mb_blaslib_outcome_name(x->outcome));
        mb__csv_int(out, x->threads_used);
        mb__csv_text(out, x->threads_used < 0        ? ""
                          : x->threads_used_reported ? "library"
                                                     : "measured");
        mb__csv_int(out, x->threads_seen);
        mb__csv_int(out, x->threads_working);
        mb__csv_int(out, x->threads_sharing);
        fprintf(out, "%u,%u,%u,", x->repeat, x->warmup, x->calls_per_sample);
        const double nums[] = {x->time_s.min,  x->time_s.median, x->time_s.max,
                               x->time_s.mean, x->time_s.stddev, x->gflops,
                               x->cores_busy,  x->peak_fraction, x->residual};
        for (size_t k = 0; k < MB__ARRAY_SIZE(nums); k++)
            mb__csv_num(out, x->time_s.count == 0 && k < 5 ? NAN : nums[k]);
        fprintf(out, "%s,%s,", x->outcome == MB_BLASLIB_OK ? "true" : "false",
                r->interrupted ? "true" : "false");
        const char *texts[] = {x->lib->path, x->id.loaded, x->lib->lapack};
        for (size_t k = 0; k < MB__ARRAY_SIZE(texts); k++)
            mb__csv_text(out, texts[k]);
        mb__csv_text_end(out, x->error, '\n');
    }
}

/* Writes matbench blas's report in format f. */
enum mb_status mb_report_blas(FILE *out, enum mb_format f, const struct mb_blas_report *r,
                              struct mb_diag *d)
{
    if (f == MB_FORMAT_JSON)
        return mb_report_blas_json(out, r, d);
    if (f == MB_FORMAT_CSV) {
        write_csv(out, r);
    } else {
        bool md = f == MB_FORMAT_MARKDOWN;
        size_t cap = r->kernels->n * r->plan->sizes.n;
        struct block *blocks = calloc(cap ? cap : 1, sizeof *blocks);
        if (blocks == NULL)
            return mb_diag_set(d, MB_NOMEM, "cannot allocate the report's blocks");
        write_header(out, r);
        size_t count = make_blocks(r, blocks, cap);
        for (size_t i = 0; i < count; i++) {
            if (md)
                fputc('\n', out);
            write_block(out, r, &blocks[i], md);
            write_notes(out, r, &blocks[i]);
        }
        fputc('\n', out);
        for (size_t i = 0; i < count; i++)
            block_lesson(out, r, &blocks[i]);
        free(blocks);
        if (r->interrupted)
            fprintf(out, "Interrupted by a signal: the rows above are those that had finished.\n");
    }
    if (fflush(out) != 0 || ferror(out))
        return mb_diag_set(d, MB_IO, "cannot write the report");
    return MB_OK;
}
