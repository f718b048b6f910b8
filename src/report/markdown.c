/* The results as GitHub-flavoured Markdown: a table, then the notes and
 * the lesson as paragraphs. */
#include <stdio.h>

#include "report_internal.h"

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
        struct mb__cells c;
        mb__make_cells(&c, ctx->plan, r);
        fprintf(out, "| %s | %zu | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                r->kernel->name, r->n, r->threads, c.time, c.spread, c.gflops, c.peak, c.busy,
                c.per_cpu, c.speedup, c.eff, c.ver);
    }
    fputc('\n', out);
    if (mb__count_noisy(rs) > 0) {
        mb__noisy_note(out, rs);
        fputc('\n', out);
    }
    mb__pids_note(out, rs);
    mb__ladder_table(out, rs, true);
    mb_report_lesson(out, ctx);
    return MB_OK;
}
