/* The stop signals (SIGINT, SIGTERM, SIGHUP): caught while a run or
 * matbench coretypes works, so that the results so far are written and
 * matbench exits 128 + the signal. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

#include "cli/cli_internal.h"

/* The signals that stop a run or matbench coretypes early, and the first of
 * them that arrived since mb_cli_signals_catch (0: none yet). The number is
 * the stop flag the runner and the child processes' waits watch, and gives
 * the exit code (128 + it) once the results are written. */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSTOP_SIGNALS (MB__ARRAY_SIZE(stop_signals))
static volatile sig_atomic_t caught_signal;
static struct sigaction saved_actions[NSTOP_SIGNALS];
static bool catching;

/* The handler: records the first stop signal only. */
static void on_stop_signal(int sig)
{
    if (caught_signal == 0)
        caught_signal = sig;
}

/* Catches SIGINT, SIGTERM and SIGHUP from now until mb_cli_signals_release
 * (a second call changes nothing): the first one to arrive is recorded and
 * raises the returned flag; later ones change nothing. The handler stays
 * installed (no SA_RESETHAND), so a second Ctrl-C while the report is
 * written cannot kill matbench half-way through it. SA_RESTART keeps a
 * signal from failing a write to a pipe or terminal with EINTR; the waits
 * that must end early poll with a timeout, as a signal may be delivered to
 * any thread (OpenBLAS's, the monitor's). A SIGHUP ignored when matbench
 * started (nohup) stays ignored; SIGINT and SIGTERM are caught even then (a
 * shell without job control starts `matbench &` with SIGINT ignored, and
 * kill -INT still stops it, as it always did). */
const volatile sig_atomic_t *mb_cli_signals_catch(void)
{
    if (catching)
        return &caught_signal;
    struct sigaction sa = {.sa_handler = on_stop_signal, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NSTOP_SIGNALS; i++)
        sigaddset(&sa.sa_mask, stop_signals[i]);
    caught_signal = 0;
    for (size_t i = 0; i < NSTOP_SIGNALS; i++) {
        sigaction(stop_signals[i], NULL, &saved_actions[i]);
        if (stop_signals[i] != SIGHUP || saved_actions[i].sa_handler != SIG_IGN)
            sigaction(stop_signals[i], &sa, NULL);
    }
    catching = true;
    return &caught_signal;
}

/* Blocks (hold) or unblocks the stop signals in the calling thread: around
 * writing a report and closing its file, so that no signal interrupts the
 * write; one that arrives meanwhile is handled (recorded) when unblocked,
 * or at once by another thread. */
void mb_cli_signals_hold(bool hold)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < NSTOP_SIGNALS; i++)
        sigaddset(&set, stop_signals[i]);
    pthread_sigmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/* Unblocks the stop signals (one held meanwhile is recorded, not lost),
 * puts back the actions they had before mb_cli_signals_catch, and returns
 * the first signal caught (0: none), which mb_cli_finish turns into the
 * exit code. */
int mb_cli_signals_release(void)
{
    if (catching) {
        mb_cli_signals_hold(false);
        for (size_t i = 0; i < NSTOP_SIGNALS; i++)
            sigaction(stop_signals[i], &saved_actions[i], NULL);
        catching = false;
    }
    return caught_signal;
}

/* "SIGINT", "SIGTERM", "SIGHUP", or "signal N". */
static const char *signal_name(int sig, char *buf, size_t cap)
{
    static const char *const names[] = {
        [SIGINT] = "SIGINT", [SIGTERM] = "SIGTERM", [SIGHUP] = "SIGHUP"};
    if (sig > 0 && (size_t)sig < MB__ARRAY_SIZE(names) && names[sig] != NULL)
        return names[sig];
    snprintf(buf, cap, "signal %d", sig);
    return buf;
}

/* The status of a command that stop signal sig (0: none) may have cut
 * short: for st MB_OK or MB_INTERRUPTED and a signal, MB_INTERRUPTED with a
 * message naming the signal and what was still written (`what`, e.g. "3
 * results"); a signal that came when the work was done still counts, so the
 * exit code shows it. Any other st (a failure) is returned unchanged. */
enum mb_status mb_cli_interrupted(enum mb_status st, int sig, const char *what, struct mb_diag *d)
{
    char buf[32];
    if (sig == 0 || (st != MB_OK && st != MB_INTERRUPTED))
        return st;
    return mb_diag_set(d, MB_INTERRUPTED, "interrupted by %s; %s written",
                       signal_name(sig, buf, sizeof buf), what);
}
