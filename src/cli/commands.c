/* The commands: their table, the small ones (info, peak, kernels) and the
 * end of every command (help, version, the message and the exit code). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "matbench/blas.h"
#include "matbench/machine.h"
#include "matbench/report.h"
#include "matbench/runner.h"
#include "matbench/sink.h"
#include "matbench/version.h"
#include "mb_internal.h"

/* matbench info: the machine and the BLAS build, as a table or JSON. */
static enum mb_status run_info(const struct mb_options *o, FILE *out, struct mb_diag *d)
{
    struct mb_blas_info b;
    mb_blas_info(&b);
    if (mb_format_row(o->front.format)->traits & MB_FORMAT_DOCUMENT)
        return mb_report_info_json(out, &o->machine, &b, d);
    mb_report_info(out, &o->machine, &b);
    return MB_OK;
}

/* Measures the FMA peak for isa on every usable core
 * (mb_peak_measure_settled), saying so on a terminal first (it takes about
 * half a second). */
enum mb_status mb__measure_peak(const struct mb_options *o, enum mb_isa isa, bool tell,
                                struct mb_peak *pk, struct mb_diag *d)
{
    int cores = mb_machine_usable_cores(&o->machine);
    if (tell)
        fprintf(stderr, "\r\033[Kmeasuring the %s FMA peak on 1 and %d cores...", mb_isa_name(isa),
                cores);
    enum mb_status st = mb_peak_measure_settled(isa, cores, MB_PEAK_DEFAULT_PHASE_S, pk, d);
    if (tell)
        fprintf(stderr, "\r\033[K");
    return st;
}

/* matbench peak: every instruction set the CPU has, widest first. */
static enum mb_status run_peak(const struct mb_options *o, FILE *out, struct mb_diag *d)
{
    static const enum mb_isa isas[] = {MB_ISA_AVX512, MB_ISA_AVX2, MB_ISA_SSE2};
    struct mb_peak pk[MB__ARRAY_SIZE(isas)];
    size_t count = 0;
    bool tell = !o->front.quiet && isatty(STDERR_FILENO);
    for (size_t i = 0; i < MB__ARRAY_SIZE(isas); i++) {
        if (!mb_isa_supported(isas[i]))
            continue;
        enum mb_status st = mb__measure_peak(o, isas[i], tell, &pk[count], d);
        if (st != MB_OK)
            return st;
        count++;
    }
    if (mb_format_row(o->front.format)->traits & MB_FORMAT_DOCUMENT)
        return mb_report_peak_json(out, &o->machine, pk, count, d);
    mb_report_peak(out, &o->machine, pk, count);
    return MB_OK;
}

/* matbench kernels: the kernel table. */
static enum mb_status run_kernels(const struct mb_options *o, FILE *out, struct mb_diag *d)
{
    if (mb_format_row(o->front.format)->traits & MB_FORMAT_DOCUMENT)
        return mb_report_kernels_json(out, d);
    mb_report_kernels(out);
    return MB_OK;
}

/* matbench info, peak, kernels and coretypes: the report that fn writes
 * goes where --output says, opened (so checked) before anything is
 * measured, and replaces an earlier one only when it is whole (or,
 * interrupted, holds what was done). A stop signal is caught meanwhile, so
 * that no temporary file is left behind. */
static enum mb_status run_report(const struct mb_options *o, mb__report_fn *fn, struct mb_diag *d)
{
    const volatile sig_atomic_t *stop = mb_cli_signals_catch();
    struct mb_sink out;
    enum mb_status st = mb_sink_open(&out, o->front.output, d);
    if (st != MB_OK)
        return st;
    st = fn(o, out.f, d);
    struct mb_diag wd = {0};
    enum mb_status cst = mb_sink_close(&out, st == MB_OK || st == MB_INTERRUPTED, &wd);
    if (st == MB_OK && cst != MB_OK) {
        *d = wd;
        st = cst;
    }
    return st == MB_OK ? mb_cli_interrupted(st, *stop, "the report", d) : st;
}

/* Every command, one row each: its word, whether it takes a size N, the
 * formats it writes (NULL: every one), and what runs it: the run itself,
 * or a report written through run_report. The first row is the command
 * without a word; synopsis and help are its lines in --help and the man
 * page. */
const struct mb__command mb__commands[] = {
    {"run", MB_CMD_RUN, true, NULL, mb__cli_run_plan, NULL, "[N] [options]",
     "naive loop + cblas_dgemm thread sweep at size N"},
    {"info", MB_CMD_INFO, false, "table, json", NULL, run_info, "info [--format json]",
     "machine, BLAS build and thread settings"},
    {"peak", MB_CMD_PEAK, false, "table, json", NULL, run_peak, "peak [--format json]",
     "measured FMA peak, one core and all cores"},
    {"coretypes", MB_CMD_CORETYPES, true, "table, json", NULL, mb__cli_coretypes,
     "coretypes [N] [--format json]",
     "dgemm under each OpenBLAS core\ntype this CPU can run (one child process each)"},
    {"kernels", MB_CMD_KERNELS, false, "table, json", NULL, run_kernels, "kernels [--format json]",
     "every kernel: what it runs on, its\nflop count and its lesson"},
    {"blas", MB_CMD_BLAS, true, NULL, mb__cli_blas, NULL, "blas [N] [--blas LIST]",
     "every BLAS installed, and any given by\npath, side by side (one child process each)"},
    {"pitfalls", MB_CMD_PITFALLS, true, NULL, mb__cli_pitfalls, NULL, "pitfalls [N] [--only LIST]",
     "the classic BLAS threading traps, each\nmeasured with its fix (child processes)"},
    {"compare", MB_CMD_COMPARE, false, NULL, mb__cli_compare, NULL, "compare OLD NEW",
     "is NEW.json faster than OLD.json? per\nresult: new/old, its 95 % interval, a U test"},
};
const size_t mb__ncommands = MB__ARRAY_SIZE(mb__commands);

/* The row of command c (the first row when none has it). */
const struct mb__command *mb__command_of(enum mb_command c)
{
    for (size_t i = 0; i < mb__ncommands; i++)
        if (mb__commands[i].command == c)
            return &mb__commands[i];
    return &mb__commands[0];
}

/* Bars and colour in the table: only on a terminal, and never when NO_COLOR
 * is set to anything but the empty string (https://no-color.org). */
bool mb_cli_fancy(bool is_tty, const char *no_color)
{
    return is_tty && (no_color == NULL || no_color[0] == '\0');
}

/* Runs the parsed command, as its row says. */
enum mb_status mb_cli_run(const struct mb_options *o, struct mb_diag *d)
{
    const struct mb__command *c = mb__command_of(o->command);
    return c->run != NULL ? c->run(o, d) : run_report(o, c->report, d);
}

/* Prints what the status calls for (help, version, or the one-line message)
 * and returns the exit code: 128 + the first stop signal caught when it
 * interrupted the command (mb_exit_code_signal), else mb_exit_code. */
int mb_cli_finish(enum mb_status st, const struct mb_diag *d)
{
    switch (st) {
    case MB_OK:
        break;
    case MB_HELP:
        mb__cli_help(stdout);
        break;
    case MB_VERSION: {
        struct mb_blas_info b;
        mb_blas_info(&b);
        printf("matbench %s (%s %s)\n", MB_VERSION_STRING, b.name, b.version);
        break;
    }
    default:
        fprintf(stderr, "matbench: %s\n", d->msg[0] != '\0' ? d->msg : mb_status_msg(st));
    }
    errno = 0;
    if ((st == MB_HELP || st == MB_VERSION) && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "matbench: cannot write to standard output: %s\n",
                strerror(errno != 0 ? errno : EIO));
        return mb_exit_code(MB_IO);
    }
    return mb_exit_code_signal(st, mb_cli_signals_release());
}
