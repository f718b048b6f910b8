/* The live core view as text: bars of Unicode blocks per logical CPU, a few
 * CPUs to a line when there are many, then a line with the process's
 * threads and the configuration running. */
#include "matbench/live.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "matbench/report.h"

/* Total bar cells on one line, shared by the CPUs on it. */
#define LINE_CELLS 48

/* Appends printf-style text to buf at *len, never past cap. */
static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    if (*len >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    *len = w < 0 ? cap : *len + (size_t)w < cap ? *len + (size_t)w : cap - 1;
}

/* Renders the view into buf (cap bytes, NUL-terminated), each line ending
 * in a newline: the CPUs, one to a line up to 8 of them, 2 up to 32, then
 * 4, each "cpuN [bar] PCT%" ("?" for a CPU with no figure yet); then
 * "threads T · status" (T is the process's thread count, matbench's
 * monitor thread among them). Returns the number of lines. */
int mb_live_render(const struct mb_monitor_sample *s, const char *status, char *buf, size_t cap)
{
    size_t len = 0;
    int lines = 0;
    buf[0] = '\0';
    const size_t per_line = s->ncpus <= 8 ? 1 : s->ncpus <= 32 ? 2 : 4;
    const int width = LINE_CELLS / (int)per_line;
    int id_width = s->ncpus > 100 ? 3 : s->ncpus > 10 ? 2 : 1;
    for (size_t i = 0; i < s->ncpus; i++) {
        char bar[LINE_CELLS * 4 + 1];
        double b = s->busy[i];
        mb_report_bar(bar, sizeof bar, isnan(b) ? 0 : b, 1.0, width);
        put(buf, cap, &len, "%scpu%-*zu [%s%*s] ", i % per_line ? "  " : "", id_width, i, bar,
            width - (int)mb_report_cells(bar), "");
        if (isnan(b))
            put(buf, cap, &len, "   ?");
        else
            put(buf, cap, &len, "%3.0f%%", b * 100);
        if ((i + 1) % per_line == 0 || i + 1 == s->ncpus) {
            put(buf, cap, &len, "\n");
            lines++;
        }
    }
    if (s->threads > 0)
        put(buf, cap, &len, "threads %d (matbench's monitor is one)", s->threads);
    else
        put(buf, cap, &len, "threads ?");
    put(buf, cap, &len, "%s%s\n", status != NULL && status[0] ? " · " : "", status ? status : "");
    return lines + 1;
}
