/* The results as an aligned table, with GFLOP/s bars and colour on a
 * terminal, fitted to its width, then the notes and the lesson. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report_internal.h"

#define BAR_WIDTH 20
#define RED "\033[1;31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define RESET "\033[0m"

static const char per_cpu_title[] = "busy per CPU %";
static const char per_cpu_short[] = "CPU %"; /* its title when the column must be narrower */

/* How wide the table's variable columns are: the kernel names, the bar (0:
 * none) and the per-CPU column (per_cpu_on false: left out) with its
 * title and its widest figures. */
struct layout {
    int name, bar, per_cpu, figures;
    bool per_cpu_on;
    const char *title;
};

/* Cuts text to at most max display cells, dropping whole per-CPU figures
 * from the end and marking the cut with an ellipsis. */
static void cut_cells(char *text, size_t max)
{
    if (max == 0 || mb_report_cells(text) <= max)
        return;
    size_t cells = 0, end = 0; /* end: where the max-th character starts */
    for (; text[end] != '\0'; end++)
        if (((unsigned char)text[end] & 0xC0) != 0x80 && cells++ == max - 1)
            break;
    if (strchr(text, ' ') != NULL) /* numbers: keep whole ones */
        while (end > 0 && text[end] != ' ')
            end--;
    snprintf(text + end, 4, "%s", "…");
}

/* The title line of the table under layout l, into buf. */
static void format_title(char *buf, size_t cap, const struct layout *l)
{
    snprintf(buf, cap, "%-*s %7s %7s %10s %7s %9s %s%*s%8s %10s%s%-*s %9s %10s  %s\n", l->name,
             "kernel", "n", "threads", "time", "spread", "GFLOP/s", l->bar > 0 ? " " : "", l->bar,
             "", "of peak", "cores busy", l->per_cpu_on ? "  " : "", l->per_cpu_on ? l->per_cpu : 0,
             l->per_cpu_on ? l->title : "", "vs naive", "efficiency", "verified");
}

/* One result's line under layout l, into buf; its bar scaled to top. */
static void format_row(char *buf, size_t cap, const struct layout *l,
                       const struct mb_report_ctx *ctx, const struct mb_result *r, double top)
{
    const bool fancy = ctx->fancy;
    struct mb__cells c;
    mb__make_cells(&c, ctx->plan, r);
    cut_cells(c.per_cpu, l->per_cpu_on ? (size_t)l->per_cpu : 0);
    char bar[BAR_WIDTH * 4 + 1] = "";
    if (l->bar > 0)
        mb_report_bar(bar, sizeof bar, r->gflops, top, l->bar);
    const int pad = l->bar - (int)mb_report_cells(bar);
    const char *vc = !fancy || !ctx->plan->verify ? "" : r->verified ? GREEN : RED;
    const char *sc = fancy && mb__noisy(r) ? YELLOW : "";
    snprintf(buf, cap,
             "%-*s %7zu %7d %10s %s%7s%s %9s %s%s%s%s%*s%8s %10s%s%s%*s %9s %10s  %s%s%s\n",
             l->name, r->kernel->name, r->n, r->threads, c.time, sc, c.spread, *sc ? RESET : "",
             c.gflops, l->bar > 0 ? " " : "", l->bar > 0 ? CYAN : "", bar, l->bar > 0 ? RESET : "",
             pad > 0 ? pad : 0, "", c.peak, c.busy, l->per_cpu_on ? "  " : "",
             l->per_cpu_on ? c.per_cpu : "",
             l->per_cpu_on ? l->per_cpu - (int)mb_report_cells(c.per_cpu) : 0, "", c.speedup, c.eff,
             vc, c.ver, *vc ? RESET : "");
}

/* The widest line of the table under layout l, in display cells. */
static size_t widest_line(const struct layout *l, const struct mb_report_ctx *ctx, double top)
{
    char line[2048];
    format_title(line, sizeof line, l);
    size_t widest = mb_report_cells(line) - 1; /* not the newline */
    for (size_t i = 0; i < ctx->results->count; i++) {
        format_row(line, sizeof line, l, ctx, &ctx->results->items[i], top);
        const size_t w = mb_report_cells(line) - 1;
        widest = w > widest ? w : widest;
    }
    return widest;
}

/* Fits a fancy table to ctx->columns: first the bar narrows (down to none),
 * then the per-CPU column loses figures from its end (its title shortened
 * to "CPU %" when the full one does not fit), down to none. */
static void fit_columns(struct layout *l, const struct mb_report_ctx *ctx, double top)
{
    const struct layout bare = {l->name, 0, 0, 0, false, NULL};
    const size_t fixed = widest_line(&bare, ctx, top);
    const long columns = ctx->columns;
    const long room = columns - (long)fixed - (l->per_cpu + 2); /* for the bar and its space */
    if (room >= BAR_WIDTH + 1)
        return;
    l->bar = room >= 2 ? (int)room - 1 : 0;
    if (l->bar > 0)
        return;
    const long cpu = columns - (long)fixed - 2;
    l->title = cpu >= (long)strlen(per_cpu_title)   ? per_cpu_title
               : cpu >= (long)strlen(per_cpu_short) ? per_cpu_short
                                                    : NULL;
    l->per_cpu_on = l->title != NULL;
    l->per_cpu = l->per_cpu_on ? (int)fmax(strlen(l->title), fmin(l->figures, cpu)) : 0;
}

/* The layout of ctx's table: names and per-CPU figures at their widest,
 * the bar when fancy, all fitted to ctx->columns when that is known. */
static struct layout table_layout(const struct mb_report_ctx *ctx, double *top)
{
    const struct mb_results *rs = ctx->results;
    struct layout l = {8, ctx->fancy ? BAR_WIDTH : 0, 0, 0, true, per_cpu_title};
    *top = 0;
    for (size_t i = 0; i < rs->count; i++) {
        struct mb__cells c;
        mb__make_cells(&c, ctx->plan, &rs->items[i]);
        *top = fmax(*top, rs->items[i].gflops);
        l.figures = (int)fmax(l.figures, (double)mb_report_cells(c.per_cpu));
        l.name = (int)fmax(l.name, (double)strlen(rs->items[i].kernel->name));
    }
    l.per_cpu = (int)fmax(strlen(per_cpu_title), l.figures);
    if (ctx->fancy && ctx->columns > 0)
        fit_columns(&l, ctx, *top);
    return l;
}

/* The results as an aligned table (with GFLOP/s bars and colour when
 * ctx->fancy, no wider than ctx->columns when that is not 0), then the
 * notes and the lesson. */
enum mb_status mb_report_table(FILE *out, const struct mb_report_ctx *ctx, struct mb_diag *d)
{
    (void)d;
    const struct mb_results *rs = ctx->results;
    double top;
    const struct layout l = table_layout(ctx, &top);
    char line[2048];
    format_title(line, sizeof line, &l);
    fputs(line, out);
    for (size_t i = 0; i < rs->count; i++) {
        format_row(line, sizeof line, &l, ctx, &rs->items[i], top);
        fputs(line, out);
    }
    fputc('\n', out);
    mb__noisy_note(out, rs);
    mb__pids_note(out, rs);
    mb__ladder_table(out, rs, false);
    mb_report_lesson(out, ctx);
    return MB_OK;
}
