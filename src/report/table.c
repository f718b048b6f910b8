/* The results as an aligned table, with GFLOP/s bars and colour on a
 * terminal, then the notes and the lesson. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_internal.h"

#define BAR_WIDTH 20
#define RED "\033[1;31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define RESET "\033[0m"

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
        struct mb__cells c;
        mb__make_cells(&c, ctx->plan, &rs->items[i]);
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
        struct mb__cells c;
        mb__make_cells(&c, ctx->plan, r);
        char bar[BAR_WIDTH * 4 + 1] = "";
        int pad = 0;
        if (fancy) {
            mb_report_bar(bar, sizeof bar, r->gflops, top, BAR_WIDTH);
            pad = BAR_WIDTH - (int)mb_report_cells(bar);
        }
        const char *vc = !fancy || !ctx->plan->verify ? "" : r->verified ? GREEN : RED;
        const char *sc = fancy && mb__noisy(r) ? YELLOW : "";
        fprintf(out, "%-*s %7zu %7d %10s %s%7s%s %9s %s%s%s%s%*s%8s %10s  %s%*s %9s %10s  %s%s%s\n",
                name_width, r->kernel->name, r->n, r->threads, c.time, sc, c.spread,
                *sc ? RESET : "", c.gflops, fancy ? " " : "", fancy ? CYAN : "", bar,
                fancy ? RESET : "", pad, "", c.peak, c.busy, c.per_cpu,
                per_cpu_width - (int)mb_report_cells(c.per_cpu), "", c.speedup, c.eff, vc, c.ver,
                *vc ? RESET : "");
    }
    fputc('\n', out);
    mb__noisy_note(out, rs);
    mb__pids_note(out, rs);
    mb__ladder_table(out, rs, false);
    mb_report_lesson(out, ctx);
    return MB_OK;
}
