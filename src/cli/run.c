/* The run command: the plan through the runner with progress on stderr,
 * then the report where --output says. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "matbench/blas.h"
#include "matbench/clock.h"
#include "matbench/report.h"
#include "matbench/sink.h"
#include "mb_internal.h"

/* The FMA peak for the "of peak" figures, measured on the widest
 * instruction set; a failure only costs those figures (said on stderr
 * unless --quiet). Returns whether *peak holds one. */
bool mb__optional_peak(const struct mb_options *o, struct mb_peak *peak)
{
    const struct mb_front *f = &o->front;
    struct mb_diag pd = {0};
    bool have = mb__measure_peak(o, mb_isa_widest(), !f->quiet && isatty(STDERR_FILENO), peak,
                                 &pd) == MB_OK;
    if (!have && !f->quiet)
        fprintf(stderr, "matbench: no peak figures: %s\n", pd.msg);
    return have;
}

/* Runs the plan into results (ctx->results) with progress on stderr (and the live
 * view), the monitor sampling meanwhile (its figures into ctx->monitor),
 * stopping early when *stop is raised. Returns the runner's status. */
static enum mb_status measure(const struct mb_options *o, struct mb_report_ctx *ctx,
                              struct mb_results *results, const volatile sig_atomic_t *stop,
                              struct mb_diag *d)
{
    const struct mb_plan *p = &o->plan;
    const struct mb_front *f = &o->front;
    struct mb__progress pr = {.tty = !f->quiet && isatty(STDERR_FILENO)};
    pr.live = pr.tty && f->live && f->monitor;
    pthread_mutex_init(&pr.mu, NULL);
    mb_progress_init(&pr.state, p, mb_clock_now_s());
    struct mb_runner_hooks hooks = {mb__progress_on_event, &pr, stop, NULL, ctx->peak};
    if (f->monitor) {
        struct mb_diag md = {0};
        if (mb_monitor_start(MB_MONITOR_INTERVAL_S, pr.live ? mb__progress_on_sample : NULL, &pr,
                             &hooks.monitor, &md) != MB_OK &&
            !f->quiet)
            fprintf(stderr, "matbench: no per-CPU figures: %s\n", md.msg);
    }
    enum mb_status st;
    double run_start = mb_clock_now_s();
    st = mb_runner_run(p, &hooks, results, d);
    ctx->monitor.wall_s = mb_clock_now_s() - run_start;
    ctx->monitor.on = hooks.monitor != NULL;
    mb_monitor_stop(hooks.monitor, &ctx->monitor.samples, &ctx->monitor.cpu_s);
    mb__progress_clear(&pr);
    pthread_mutex_destroy(&pr.mu);
    return st;
}

/* Runs the parsed command: the header first (on stdout for a table on
 * stdout, else on stderr), the plan through the runner, then the report.
 * Results completed before a failure or an interruption are still written. */
enum mb_status mb__cli_run_plan(const struct mb_options *o, struct mb_diag *d)
{
    /* from here on a stop signal is caught (until mb_cli_finish): the
     * results so far are written and no temporary file is left */
    const volatile sig_atomic_t *stop = mb_cli_signals_catch();
    enum mb_status st = mb__cli_coretype_exec(o, o->argv, d);
    if (st != MB_OK)
        return mb_cli_interrupted(st, *stop, "no results", d);
    const struct mb_plan *p = &o->plan;
    const struct mb_front *f = &o->front;
    struct mb_blas_info b;
    mb_blas_info(&b);
    char coretype_note[256], hint[256];
    mb__coretype_note(&b, coretype_note, sizeof coretype_note);
    mb__coretype_hint(&b, mb_plan_largest_size(p), hint, sizeof hint);
    /* --output is checked (the temporary file made, the device opened)
     * before the peak takes its half a second */
    struct mb_sink out;
    st = mb_sink_open(&out, f->output, d);
    if (st != MB_OK)
        return st;
    struct mb_peak peak;
    bool have_peak = f->peak && mb__optional_peak(o, &peak);
    struct mb_results results = {0};
    struct mb_report_ctx ctx = {.machine = &o->machine,
                                .blas = &b,
                                .plan = p,
                                .front = f,
                                .results = &results,
                                .pid = (long)getpid(),
                                .peak = have_peak ? &peak : NULL,
                                .coretype_note = coretype_note,
                                .hint = hint,
                                .monitor = {.interval_s = MB_MONITOR_INTERVAL_S}};

    const unsigned traits = mb_format_row(f->format)->traits;
    bool header_first = traits & MB_FORMAT_HEADER_ON_STDOUT;
    bool table_on_stdout = header_first && out.f == stdout;
    ctx.fancy = out.f == stdout && mb_cli_fancy(isatty(STDOUT_FILENO), getenv("NO_COLOR"));
    ctx.columns = ctx.fancy ? mb__terminal_columns(STDOUT_FILENO) : 0;
    if (!f->quiet) {
        mb_report_header(table_on_stdout ? stdout : stderr, &ctx);
        fflush(table_on_stdout ? stdout : stderr);
    }

    st = measure(o, &ctx, &results, stop, d);
    ctx.interrupted = st == MB_INTERRUPTED;
    mb_cli_signals_hold(true); /* a signal now waits until the report is whole */

    if (header_first && out.f != stdout)
        mb_report_header(out.f, &ctx);
    struct mb_diag wd = {0};
    enum mb_status wst = mb_format_row(f->format)->write(out.f, &ctx, &wd);
    if (hint[0] != '\0' && !f->quiet && !(traits & MB_FORMAT_SHOWS_HINT))
        fprintf(stderr, "%s\n", hint);
    bool complete = results.count > 0;
    enum mb_status cst = mb_sink_close(&out, complete, &wd);
    if (wst == MB_OK)
        wst = cst;
    mb_cli_signals_hold(false);
    char kept[64];
    if (results.count == 0)
        snprintf(kept, sizeof kept, "no results");
    else
        snprintf(kept, sizeof kept, "%zu result%s", results.count, results.count == 1 ? "" : "s");
    mb_results_free(&results);
    if (st == MB_OK && wst != MB_OK) {
        *d = wd;
        st = wst;
    }
    return mb_cli_interrupted(st, *stop, kept, d);
}
