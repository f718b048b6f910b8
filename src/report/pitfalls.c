/* matbench pitfalls's report: one section per scenario (what people do,
 * what was measured here, why, the fix, the gain) and a closing summary,
 * as a text table or Markdown; one CSV row per measurement; JSON in
 * json.c. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "matbench/report.h"
#include "mb_internal.h"
#include "report_internal.h"

#define WRAP 96 /* columns of the text's paragraphs */

/* text after label, wrapped at WRAP columns, its lines indented by indent
 * spaces (the first after the label). */
static void para(FILE *out, int indent, const char *label, const char *text)
{
    int col = fprintf(out, "%*s%s", indent, "", label);
    bool fresh = label[0] == '\0'; /* at a line's start: no space before the word */
    const char *s = text;
    while (*s != '\0') {
        size_t word = strcspn(s, " ");
        if (!fresh && col + 1 + (int)word > WRAP) {
            fputc('\n', out);
            col = fprintf(out, "%*s", indent + 2, "");
            fresh = true;
        }
        if (!fresh) {
            fputc(' ', out);
            col++;
        }
        fresh = false;
        col += fprintf(out, "%.*s", (int)word, s);
        s += word;
        while (*s == ' ')
            s++;
    }
    fputc('\n', out);
}

/* A run's figures in words: "86.5 GFLOP/s, 1.95 cores busy, 3 threads". */
static void run_figures(char *buf, size_t cap, const struct mb_pitfall_run *x)
{
    if (x->outcome != MB_PITFALL_RUN_OK) {
        snprintf(buf, cap, "%s: %s", mb_pitfall_outcome_name(x->outcome), x->error);
        return;
    }
    int len = snprintf(buf, cap, "%.1f GFLOP/s", x->gflops);
    if (!isnan(x->busy) && len > 0 && (size_t)len < cap)
        len += snprintf(buf + len, cap - (size_t)len, ", %.2f cores busy", x->busy);
    if (x->threads_seen > 0 && len > 0 && (size_t)len < cap)
        len += snprintf(buf + len, cap - (size_t)len, ", %d thread%s", x->threads_seen,
                        x->threads_seen == 1 ? "" : "s");
    if (x->threads_reported > 0 && len > 0 && (size_t)len < cap)
        snprintf(buf + len, cap - (size_t)len, ", BLAS says %d", x->threads_reported);
}

/* The side and index of run i of the result's measurements in order:
 * the pairs first (trap, fix), then the further fixes. */
static const struct mb_pitfall_run *nth_run(const struct mb_pitfall_result *x, size_t i,
                                            const char **side)
{
    if (i < 2 * x->ntrap) {
        *side = i % 2 == 0 ? "trap" : "fix";
        return i % 2 == 0 ? &x->trap[i / 2] : &x->fix[i / 2];
    }
    *side = "fix";
    return &x->fix[x->ntrap + (i - 2 * x->ntrap)];
}

static size_t run_count(const struct mb_pitfall_result *x)
{
    return x->ntrap + x->nfix;
}

/* The summary's trap and fix cells: the figures of the pair that gained
 * most, or of the first pair. */
static void summary_cells(const struct mb_pitfall_result *x, char *trap, char *fix, size_t cap)
{
    snprintf(trap, cap, "-");
    snprintf(fix, cap, "-");
    if (x->status == MB_PITFALL_SKIPPED || x->status == MB_PITFALL_INTERRUPTED || x->nfix == 0)
        return;
    size_t i = x->best >= 0 ? (size_t)x->best : 0;
    const struct mb_pitfall_run *t = i < x->ntrap ? &x->trap[i] : NULL, *f = &x->fix[i];
    if (t != NULL && t->outcome == MB_PITFALL_RUN_OK)
        snprintf(trap, cap, "%.1f GFLOP/s", t->gflops);
    else if (t != NULL)
        snprintf(trap, cap, "%s", mb_pitfall_outcome_name(t->outcome));
    if (f->outcome == MB_PITFALL_RUN_OK)
        snprintf(fix, cap, "%.1f GFLOP/s", f->gflops);
    else
        snprintf(fix, cap, "%s", mb_pitfall_outcome_name(f->outcome));
}

static const char *gain_cell(const struct mb_pitfall_result *x)
{
    if (x->gain_text[0] != '\0')
        return x->gain_text;
    return "-";
}

static void write_section(FILE *out, size_t k, const struct mb_pitfall_result *x, bool md)
{
    const struct mb_pitfall *p = x->p;
    if (md)
        fprintf(out, "\n## %zu. `%s`: %s (%s)\n\n", k, p->id, p->title,
                mb_pitfall_status_name(x->status));
    else
        fprintf(out, "\n%zu. %s: %s [%s]\n", k, p->id, p->title, mb_pitfall_status_name(x->status));
    const char *what_label = md ? "**What people do:**" : "What people do:";
    para(out, md ? 0 : 3, what_label, p->what);
    if (x->status == MB_PITFALL_SKIPPED || x->status == MB_PITFALL_INTERRUPTED ||
        (x->status == MB_PITFALL_FAILED && run_count(x) == 0)) {
        para(out, md ? 0 : 3,
             x->status == MB_PITFALL_SKIPPED ? (md ? "\n**Skipped:**" : "Skipped:")
                                             : (md ? "\n**Not measured:**" : "Not measured:"),
             x->reason);
        return;
    }
    if (md)
        fprintf(out, "\n| | what ran | n | measured |\n|---|---|--:|---|\n");
    else
        fprintf(out, "   Measured here:\n");
    for (size_t i = 0; i < run_count(x); i++) {
        const char *side;
        const struct mb_pitfall_run *run = nth_run(x, i, &side);
        char fig[400];
        run_figures(fig, sizeof fig, run);
        if (md)
            fprintf(out, "| %s | %s | %zu | %s |\n", side, run->label, run->n, fig);
        else
            fprintf(out, "     %-4s  %-66s n=%-5zu %s\n", side, run->label, run->n, fig);
    }
    if (md)
        fputc('\n', out);
    para(out, md ? 0 : 3, md ? "**Why:**" : "Why:", p->why);
    para(out, md ? 0 : 3, md ? "\n**The fix:**" : "The fix:", p->fix);
    if (x->found[0] != '\0')
        para(out, md ? 0 : 3, md ? "\n**Found here:**" : "Found here:", x->found);
    if (x->status == MB_PITFALL_FAILED)
        para(out, md ? 0 : 3, md ? "\n**Failed:**" : "Failed:", x->reason);
    char gain[128];
    snprintf(gain, sizeof gain, "%s (%s)", gain_cell(x), mb_pitfall_status_name(x->status));
    para(out, md ? 0 : 3, md ? "\n**Gain:**" : "Gain:", gain);
}

static void write_summary(FILE *out, const struct mb_pitfall_report *r, bool md)
{
    if (md)
        fprintf(out, "\n## Summary\n\n| scenario | status | trap | fix | gain |\n"
                     "|---|---|--:|--:|---|\n");
    else
        fprintf(out, "\nSummary\n  %-20s %-12s %-16s %-16s %s\n", "scenario", "status", "trap",
                "fix", "gain");
    for (size_t i = 0; i < r->count; i++) {
        const struct mb_pitfall_result *x = &r->results[i];
        char trap[64], fix[64];
        summary_cells(x, trap, fix, sizeof trap);
        if (md)
            fprintf(out, "| %s | %s | %s | %s | %s |\n", x->p->id,
                    mb_pitfall_status_name(x->status), trap, fix, gain_cell(x));
        else
            fprintf(out, "  %-20s %-12s %-16s %-16s %s\n", x->p->id,
                    mb_pitfall_status_name(x->status), trap, fix, gain_cell(x));
    }
}

static void write_csv(FILE *out, const struct mb_pitfall_report *r)
{
    fputs("id,status,side,n,callers,threads_asked,threads_default,threads_reported,"
          "threads_seen,cpus,threading,core,gflops,cores_busy,wall_s,calls,outcome,gain,what,"
          "error\n",
          out);
    for (size_t i = 0; i < r->count; i++) {
        const struct mb_pitfall_result *x = &r->results[i];
        for (size_t k = 0; k < run_count(x); k++) {
            const char *side;
            const struct mb_pitfall_run *run = nth_run(x, k, &side);
            mb__csv_text(out, x->p->id);
            mb__csv_text(out, mb_pitfall_status_name(x->status));
            mb__csv_text(out, side);
            fprintf(out, "%zu,%d,", run->n, run->callers);
            mb__csv_int(out, run->threads_asked);
            mb__csv_int(out, run->threads_default);
            mb__csv_int(out, run->threads_reported);
            mb__csv_int(out, run->threads_seen);
            mb__csv_int(out, run->cpus);
            mb__csv_text(out, run->threading);
            mb__csv_text(out, run->core);
            mb__csv_num(out, run->gflops);
            mb__csv_num(out, run->busy);
            mb__csv_num(out, run->wall_s);
            mb__csv_int(out, run->calls > INT_MAX ? INT_MAX : (int)run->calls);
            mb__csv_text(out, mb_pitfall_outcome_name(run->outcome));
            mb__csv_num(out, x->gain);
            mb__csv_text(out, run->label);
            mb__csv_text_end(out, run->error, '\n');
        }
        if (run_count(x) == 0) { /* skipped or not run: the reason, in a row */
            mb__csv_text(out, x->p->id);
            mb__csv_text(out, mb_pitfall_status_name(x->status));
            fputs(",,,,,,,,,,,,,,,,,", out);
            mb__csv_text_end(out, x->reason, '\n');
        }
    }
}

enum mb_status mb_report_pitfalls(FILE *out, enum mb_format f, const struct mb_pitfall_report *r,
                                  struct mb_diag *d)
{
    if (f == MB_FORMAT_JSON)
        return mb_report_pitfalls_json(out, r, d);
    if (f == MB_FORMAT_CSV) {
        write_csv(out, r);
    } else {
        bool md = f == MB_FORMAT_MARKDOWN;
        int cores = mb_machine_usable_cores(r->machine);
        fprintf(out, "%smatbench pitfalls: the classic BLAS threading traps, measured here\n",
                md ? "# " : "");
        fprintf(out,
                "%s%s, %d usable core%s; n = %zu; each measurement at least %g s; a child "
                "with no answer in %g s is killed%s\n",
                md ? "\n" : "", r->machine->cpu, cores, cores == 1 ? "" : "s", r->n, r->min_time_s,
                r->time_limit_s,
                r->omp_dir[0] != '\0' ? "; OpenBLAS's OpenMP build installed" : "");
        for (size_t i = 0; i < r->count; i++)
            write_section(out, i + 1, &r->results[i], md);
        write_summary(out, r, md);
        if (r->interrupted)
            fprintf(out, "\nInterrupted by a signal: the scenarios above marked so did not "
                         "finish.\n");
    }
    if (fflush(out) != 0 || ferror(out))
        return mb_diag_set(d, MB_IO, "cannot write the report");
    return MB_OK;
}
