/* The results as CSV: one header row, one row per result. */
#include <math.h>
#include <stdio.h>

#include "matbench/report.h"
#include "mb_internal.h"

/* x as a CSV field: nothing when unknown (NAN). */
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
        for (size_t k = 0; k < MB__ARRAY_SIZE(nums); k++) {
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
