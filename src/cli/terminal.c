/* The terminal during a run: the progress line on stderr rewritten in
 * place, the lines that stay, and the live block the monitor redraws. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "matbench/clock.h"
#include "matbench/live.h"

/* Removes the live block from the screen (the cursor ends where it began).
 * Call with pr->mu held. */
static void live_clear(struct mb__progress *pr)
{
    if (pr->live_lines > 0)
        fprintf(stderr, "\033[%dA\033[J", pr->live_lines);
    pr->live_lines = 0;
}

/* The bytes of the first cells display cells of UTF-8 text of len bytes. */
static int bytes_for_cells(const char *s, int len, int cells)
{
    int i = 0;
    for (int seen = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && seen++ == cells)
            break;
    }
    return i;
}

/* The width of the terminal on fd in columns, or 0 when fd is not a
 * terminal (or does not say). */
int mb__terminal_columns(int fd)
{
    struct winsize ws;
    return ioctl(fd, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
}

/* A sample from the monitor's thread: redraws the live block, each line cut
 * to the terminal's width so that none wraps (a wrapped line would throw
 * the count of lines to move back up). */
void mb__progress_on_sample(const struct mb_monitor_sample *s, void *user)
{
    struct mb__progress *pr = user;
    char block[8192];
    int cols = mb__terminal_columns(STDERR_FILENO);
    cols = cols > 1 ? cols : 80;
    pthread_mutex_lock(&pr->mu);
    int lines = mb_live_render(s, pr->status, block, sizeof block);
    if (pr->live_lines > 0)
        fprintf(stderr, "\033[%dA", pr->live_lines);
    for (char *line = block, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1)
        fprintf(stderr, "\r\033[K%.*s\n", bytes_for_cells(line, (int)(nl - line), cols - 1), line);
    pr->live_lines = lines;
    fflush(stderr);
    pthread_mutex_unlock(&pr->mu);
}

/* A line that stays: above the live block, or over the status line. */
static void print_line(struct mb__progress *pr, const char *line)
{
    pthread_mutex_lock(&pr->mu);
    live_clear(pr);
    fprintf(stderr, "\r\033[K%s\n", line);
    pthread_mutex_unlock(&pr->mu);
}

/* The runner's event hook: updates the progress state and, on a terminal,
 * the status line or the live block's last line. */
void mb__progress_on_event(const struct mb_event *ev, void *user)
{
    struct mb__progress *pr = user;
    mb_progress_update(&pr->state, ev);
    if (!pr->tty)
        return;
    double now = mb_clock_now_s();
    char line[256];
    switch (ev->kind) {
    case MB_EVENT_FILL:
        snprintf(line, sizeof line, "filled A and B for n=%zu (%.3g M doubles) in %.3g s", ev->n,
                 2.0 * (double)ev->n * (double)ev->n / 1e6, ev->value);
        print_line(pr, line);
        break;
    case MB_EVENT_RUN_START:
    case MB_EVENT_REP_DONE:
    case MB_EVENT_ROWS:
        if (ev->kind != MB_EVENT_RUN_START && now - pr->last_s < 0.1)
            break; /* passes of microseconds would flood the terminal */
        pr->last_s = now;
        mb_progress_line(&pr->state, ev, now, line, sizeof line);
        pthread_mutex_lock(&pr->mu);
        if (pr->live)
            snprintf(pr->status, sizeof pr->status, "%s", line);
        else
            fprintf(stderr, "\r\033[K%s", line);
        pthread_mutex_unlock(&pr->mu);
        break;
    case MB_EVENT_RUN_DONE:
        snprintf(line, sizeof line,
                 "[%zu/%zu] %s n=%zu threads=%d: %s%.3g s, %.3g GFLOP/s, %.2f cores busy",
                 ev->index, ev->total, ev->kernel->name, ev->n, ev->threads,
                 ev->result->estimated ? "~" : "", ev->result->time_s.median, ev->result->gflops,
                 ev->result->cores_busy);
        print_line(pr, line);
        break;
    }
}

/* Removes the live block, if any, taking the mutex. */
void mb__progress_clear(struct mb__progress *pr)
{
    pthread_mutex_lock(&pr->mu);
    live_clear(pr);
    pthread_mutex_unlock(&pr->mu);
}
