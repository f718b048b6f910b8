/* The live core view's text: a bar and a percentage per logical CPU, a few
 * to a line when there are many, then the thread count and the status. */
#include <math.h>

#include "matbench/live.h"
#include "matbench/report.h"
#include "mb_test.h"

static int render(const double *busy, size_t ncpus, int threads, const char *status, char *buf,
                  size_t cap)
{
    struct mb_monitor_sample s = {ncpus, busy, threads};
    return mb_live_render(&s, status, buf, cap);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

Test(live, one_line_per_cpu_then_the_threads_and_status)
{
    const double busy[] = {0.995, 0.03};
    char buf[4096];
    int lines = render(busy, 2, 3, "[2/3] dgemm n=5000 threads=1: pass 2", buf, sizeof buf);
    cr_assert_eq(lines, 3);
    cr_assert_eq(count_lines(buf), 3, "%s", buf);
    cr_assert(strstr(buf, "cpu0 [") == buf, "%s", buf);
    cr_assert(strstr(buf, "] 100%\n") != NULL, "%s", buf);
    cr_assert(strstr(buf, "\ncpu1 [") != NULL && strstr(buf, "]   3%\n") != NULL, "%s", buf);
    cr_assert(strstr(buf, "threads 3 (matbench's monitor is one) · [2/3] dgemm n=5000 threads=1: "
                          "pass 2\n") != NULL,
              "%s", buf);
}

Test(live, bars_are_as_wide_whatever_the_load)
{
    const double busy[] = {1.0, 0.0, 0.5};
    char buf[4096];
    render(busy, 3, 2, "", buf, sizeof buf);
    /* every CPU line has the same number of display cells */
    size_t widths[3], k = 0;
    for (char *line = buf, *nl; k < 3 && (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        *nl = '\0';
        widths[k++] = mb_report_cells(line);
    }
    cr_assert_eq(k, 3);
    cr_assert_eq(widths[0], widths[1]);
    cr_assert_eq(widths[1], widths[2]);
}

Test(live, unknown_figures_show_a_question_mark)
{
    const double busy[] = {NAN};
    char buf[1024];
    render(busy, 1, -1, NULL, buf, sizeof buf);
    cr_assert(strstr(buf, "]    ?\n") != NULL, "%s", buf);
    cr_assert(strstr(buf, "threads ?\n") != NULL, "%s", buf);
}

Test(live, many_cpus_share_lines)
{
    double busy[64];
    for (size_t i = 0; i < 64; i++)
        busy[i] = (double)i / 63;
    char buf[16384];
    cr_assert_eq(render(busy, 12, 5, "x", buf, sizeof buf), 6 + 1, "12 CPUs, 2 a line:\n%s", buf);
    cr_assert(strstr(buf, "cpu0  [") == buf && strstr(buf, "  cpu1  [") != NULL, "%s", buf);
    cr_assert_eq(render(busy, 64, 5, "x", buf, sizeof buf), 16 + 1, "64 CPUs, 4 a line:\n%s", buf);
    cr_assert(strstr(buf, "cpu63 [") != NULL, "%s", buf);
}

Test(live, a_small_buffer_is_cut_not_overrun)
{
    const double busy[] = {0.5, 0.5, 0.5, 0.5};
    char buf[40];
    render(busy, 4, 2, "status", buf, sizeof buf);
    cr_assert_lt(strlen(buf), sizeof buf);
}
