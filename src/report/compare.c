/* matbench compare's report as a table, Markdown or CSV (JSON in json.c):
 * what differs between the environments first, then a row per result found
 * on both sides, the geometric mean, the rows of one side only, and the
 * warnings. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "matbench/report.h"
#include "mb_internal.h"
#include "report_internal.h"

/* A time in a unit that keeps four significant digits. */
static void time_text(char *buf, size_t cap, double s)
{
    if (isnan(s))
        snprintf(buf, cap, "-");
    else if (s < 1e-3)
        snprintf(buf, cap, "%.4g us", s * 1e6);
    else if (s < 1)
        snprintf(buf, cap, "%.4g ms", s * 1e3);
    else
        snprintf(buf, cap, "%.4g s", s);
}

static void p_text(char *buf, size_t cap, const struct mb_mwu *u)
{
    if (isnan(u->p))
        snprintf(buf, cap, "-");
    else if (u->p < 1e-3)
        snprintf(buf, cap, "%.2e", u->p);
    else
        snprintf(buf, cap, "%.4f", u->p);
}

/* "2.1 % faster", "same (within 2 %)", "3.4 % slower". */
static void change_text(char *buf, size_t cap, double ratio)
{
    if (isnan(ratio))
        snprintf(buf, cap, "-");
    else if (ratio < 1)
        snprintf(buf, cap, "%.1f %% faster", (1 - ratio) * 100);
    else
        snprintf(buf, cap, "%.1f %% slower", (ratio - 1) * 100);
}

/* s for a Markdown table's cell: its '|' escaped. */
static const char *md_cell(const char *s, char *buf, size_t cap)
{
    size_t k = 0;
    for (; *s != '\0' && k + 2 < cap; s++) {
        if (*s == '|')
            buf[k++] = '\\';
        buf[k++] = *s;
    }
    buf[k] = '\0';
    return buf;
}

static void write_env(FILE *out, const struct mb_compare *c, bool md)
{
    if (c->nenv == 0) {
        fprintf(out,
                "%sThe environments match: matbench version, CPU, usable cores, BLAS name, "
                "version, core type and threading, thread source, seed and verification.\n",
                md ? "\n" : "");
        return;
    }
    fprintf(out, "%sThe environments differ; read each verdict with this in mind:\n",
            md ? "\n" : "");
    if (md)
        fprintf(out, "\n| field | old | new |\n|---|---|---|\n");
    for (size_t i = 0; i < c->nenv; i++) {
        const struct mb_compare_env *e = &c->env[i];
        char ov[2 * sizeof e->old_value], nv[2 * sizeof e->new_value];
        if (md)
            fprintf(out, "| %s | %s | %s |\n", e->field,
                    md_cell(e->old_value[0] ? e->old_value : "-", ov, sizeof ov),
                    md_cell(e->new_value[0] ? e->new_value : "-", nv, sizeof nv));
        else
            fprintf(out, "  %-24s %s  ->  %s\n", e->field, e->old_value[0] ? e->old_value : "-",
                    e->new_value[0] ? e->new_value : "-");
    }
}

static void write_rows(FILE *out, const struct mb_compare *c, bool md)
{
    const char *head[] = {"result",        "old median", "new median", "new/old",
                          "95 % interval", "p",          "verdict"};
    if (md) {
        fprintf(out, "\n|");
        for (size_t i = 0; i < MB__ARRAY_SIZE(head); i++)
            fprintf(out, " %s |", head[i]);
        fprintf(out, "\n|---|--:|--:|--:|--:|--:|---|\n");
    } else {
        fprintf(out, "\n  %-34s %12s %12s %8s %17s %10s  %s\n", head[0], head[1], head[2], head[3],
                head[4], head[5], head[6]);
    }
    for (size_t i = 0; i < c->count; i++) {
        const struct mb_compare_row *r = &c->rows[i];
        char told[32], tnew[32], ci[48], p[32], verdict[48];
        time_text(told, sizeof told, r->old_median_s);
        time_text(tnew, sizeof tnew, r->new_median_s);
        snprintf(ci, sizeof ci, "%.3f - %.3f", r->lo, r->hi);
        p_text(p, sizeof p, &r->u);
        snprintf(verdict, sizeof verdict, "%s%s%s", mb_compare_verdict_name(r->verdict),
                 r->few ? " (few samples)" : "", r->fail ? " FAIL" : "");
        char label[2 * sizeof r->label];
        if (md)
            fprintf(out, "| %s | %s | %s | %.3f | %s | %s | %s |\n",
                    md_cell(r->label, label, sizeof label), told, tnew, r->ratio, ci, p, verdict);
        else
            fprintf(out, "  %-34s %12s %12s %8.3f %17s %10s  %s\n", r->label, told, tnew, r->ratio,
                    ci, p, verdict);
    }
}

static void write_list(FILE *out, const char *what, char *const *v, size_t n, bool md)
{
    if (n == 0)
        return;
    fprintf(out, "%s%s (%zu):", md ? "\n" : "", what, n);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? ", " : " ", v[i]);
    fputc('\n', out);
}

static void write_notes(FILE *out, const struct mb_compare *c, bool md)
{
    char change[48];
    change_text(change, sizeof change, c->geomean);
    fprintf(out, "%sGeometric mean of new/old over %zu row%s: %.3f (%s).\n", md ? "\n" : "\n",
            c->count, c->count == 1 ? "" : "s", c->geomean, change);
    write_list(out, "Only in old", c->only_old, c->nonly_old, md);
    write_list(out, "Only in new", c->only_new, c->nonly_new, md);
    write_list(out, "On both sides but without samples on one", c->no_samples, c->nno_samples, md);
    size_t few = 0, thinned = 0;
    for (size_t i = 0; i < c->count; i++) {
        few += c->rows[i].few;
        thinned += c->rows[i].thinned;
    }
    if (few > 0)
        fprintf(out,
                "%sWarning: %zu row%s fewer than %d samples on a side: with fewer than 4 a "
                "side the U test cannot reach p < 0.05; run each side with more samples "
                "(--repeat, --min-time) or more rounds (bench/compare.sh).\n",
                md ? "\n" : "", few, few == 1 ? " has" : "s have", MB_COMPARE_FEW);
    if (thinned > 0)
        fprintf(out,
                "%s%zu row%s more than %d samples on a side: that many, evenly spaced in the "
                "order measured, were used.\n",
                md ? "\n" : "", thinned, thinned == 1 ? " had" : "s had", MB_COMPARE_SAMPLES_USED);
    if (c->old_skipped + c->new_skipped > 0)
        fprintf(out,
                "%sSkipped %zu result%s of old and %zu of new: not timed (a failed run), or "
                "fields that are not matbench's.\n",
                md ? "\n" : "", c->old_skipped, c->old_skipped == 1 ? "" : "s", c->new_skipped);
    if (c->old_duplicates + c->new_duplicates > 0)
        fprintf(out,
                "%sWarning: %zu result%s of old and %zu of new appear twice in one report; "
                "their samples were merged.\n",
                md ? "\n" : "", c->old_duplicates, c->old_duplicates == 1 ? "" : "s",
                c->new_duplicates);
    fprintf(out,
            "%sVerdict: faster or slower when the %.0f %% interval of new/old (%u bootstrap "
            "resamples) excludes 1 and the change is %.0f %% or more (--threshold); p is the "
            "two-sided Mann-Whitney U test of the samples.\n",
            md ? "\n" : "", c->level * 100, c->resamples, c->threshold * 100);
    if (!isnan(c->fail_if_slower))
        fprintf(out, "%s--fail-if-slower %g: %zu row%s slower by more than %g %% with p < %g.\n",
                md ? "\n" : "", c->fail_if_slower * 100, c->failed, c->failed == 1 ? "" : "s",
                c->fail_if_slower * 100, MB_COMPARE_ALPHA);
}

static void write_csv(FILE *out, const struct mb_compare *c)
{
    fputs("kernel,n,threads,blas,ranks,grid,old_count,new_count,old_median_s,new_median_s,"
          "ratio,ci_low,ci_high,u,p,p_exact,verdict,few_samples,fails\n",
          out);
    for (size_t i = 0; i < c->count; i++) {
        const struct mb_compare_row *r = &c->rows[i];
        mb__csv_text(out, r->kernel);
        fprintf(out, "%zu,", r->n);
        mb__csv_int(out, r->threads);
        mb__csv_text(out, r->blas);
        mb__csv_int(out, r->ranks);
        mb__csv_text(out, r->grid);
        fprintf(out, "%zu,%zu,", r->old_count, r->new_count);
        const double nums[] = {r->old_median_s, r->new_median_s, r->ratio, r->lo,
                               r->hi,           r->u.u_a,        r->u.p};
        for (size_t k = 0; k < MB__ARRAY_SIZE(nums); k++)
            mb__csv_num(out, nums[k]);
        fprintf(out, "%s,%s,%s,%s\n", r->u.exact ? "true" : "false",
                mb_compare_verdict_name(r->verdict), r->few ? "true" : "false",
                r->fail ? "true" : "false");
    }
}

enum mb_status mb_report_compare(FILE *out, enum mb_format f, const struct mb_compare *c,
                                 struct mb_diag *d)
{
    if (f == MB_FORMAT_JSON)
        return mb_report_compare_json(out, c, d);
    if (f == MB_FORMAT_CSV) {
        write_csv(out, c);
    } else {
        bool md = f == MB_FORMAT_MARKDOWN;
        fprintf(out, "%smatbench compare: old %s (%zu file%s), new %s (%zu file%s)\n",
                md ? "# " : "", c->old_arg, c->old_files, c->old_files == 1 ? "" : "s", c->new_arg,
                c->new_files, c->new_files == 1 ? "" : "s");
        write_env(out, c, md);
        write_rows(out, c, md);
        write_notes(out, c, md);
    }
    if (fflush(out) != 0 || ferror(out))
        return mb_diag_set(d, MB_IO, "cannot write the report");
    return MB_OK;
}
