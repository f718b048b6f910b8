/* The figures of one result as text (time, spread, GFLOP/s, per-CPU load,
 * ratios, verification), shared by the table and Markdown, and the bar. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mb_internal.h"
#include "report_internal.h"

/* A duration in a unit that keeps three or four significant digits. */
static void format_time(char *buf, size_t cap, double s, bool estimated)
{
    const char *mark = estimated ? "~" : "";
    static const struct {
        double scale;
        const char *unit;
    } units[] = {{1, "s"}, {1e3, "ms"}, {1e6, "us"}, {1e9, "ns"}};
    size_t u = 0;
    while (u + 1 < MB__ARRAY_SIZE(units) && s * units[u].scale < 1)
        u++;
    double x = s * units[u].scale;
    snprintf(buf, cap, "%s%.*f %s", mark, x >= 100 ? 0 : x >= 10 ? 1 : 2, x, units[u].unit);
}

/* x with decimals decimals and suffix, or "-" when x is unknown (NAN). */
void mb__format_ratio(char *buf, size_t cap, double x, int decimals, const char *suffix)
{
    if (isnan(x))
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%.*f%s", decimals, x, suffix);
}

/* The verified cell: skipped, FAILED, yes, the rows checked of a
 * time-boxed run, or a LAPACK kernel's scaled residual. */
static void format_verified(char *buf, size_t cap, const struct mb_plan *p,
                            const struct mb_result *r)
{
    if (!p->verify)
        snprintf(buf, cap, "skipped");
    else if (r->kernel->traits & MB_LAPACK)
        snprintf(buf, cap, "%s (resid %.2g)", r->verified ? "yes" : "FAILED", r->residual);
    else if (!r->verified)
        snprintf(buf, cap, "FAILED");
    else if (r->rows_done < r->n)
        snprintf(buf, cap, "yes (%zu of %zu rows)", r->rows_done, r->n);
    else
        snprintf(buf, cap, "yes");
}

/* Whether r's repetitions spread more than MB_NOISY_SPREAD (max / min). */
bool mb__noisy(const struct mb_result *r)
{
    return r->time_s.count > 1 && r->time_s.max > MB_NOISY_SPREAD * r->time_s.min;
}

/* Display cells of UTF-8 text whose characters are each one cell wide
 * (digits, block glyphs): its characters, not its bytes; the escape
 * sequences of colours (ESC [ ... m) take none. */
size_t mb_report_cells(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++) {
        if (s[0] == '\033' && s[1] == '[') {
            s += 2; /* to the final byte of the sequence, 0x40..0x7E */
            while (*s != '\0' && !(*s >= 0x40 && *s <= 0x7E))
                s++;
            if (*s == '\0')
                break;
            continue;
        }
        n += ((unsigned char)*s & 0xC0) != 0x80;
    }
    return n;
}

/* Each logical CPU's busy share during the timed region, compactly; "-"
 * when the monitor did not run or the region was too short to tell. */
void mb__format_per_cpu(char *buf, size_t cap, const struct mb_result *r)
{
    static const char *const levels[] = {"▁", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    size_t len = 0;
    buf[0] = '\0';
    if (isnan(mb_busy_sum(r->per_core_busy, r->ncpus))) {
        snprintf(buf, cap, "-");
        return;
    }
    for (size_t i = 0; i < r->ncpus && len + 8 < cap; i++) {
        double b = r->per_core_busy[i];
        if (r->ncpus <= MB_PER_CPU_NUMBERS)
            len += (size_t)(isnan(b)
                                ? snprintf(buf + len, cap - len, "%s?", i ? " " : "")
                                : snprintf(buf + len, cap - len, "%s%.0f", i ? " " : "", b * 100));
        else
            len += (size_t)snprintf(buf + len, cap - len, "%s",
                                    isnan(b) ? "?" : levels[(int)lround(b * 8)]);
    }
}

/* Fills c with r's figures as the table and Markdown show them. */
void mb__make_cells(struct mb__cells *c, const struct mb_plan *p, const struct mb_result *r)
{
    format_time(c->time, sizeof c->time, r->time_s.median, r->estimated);
    if (r->time_s.count > 1 && r->time_s.min > 0)
        snprintf(c->spread, sizeof c->spread, "%s%.0f%%", mb__noisy(r) ? "!" : "",
                 (r->time_s.max / r->time_s.min - 1) * 100);
    else
        snprintf(c->spread, sizeof c->spread, "-");
    snprintf(c->gflops, sizeof c->gflops, "%.*f", r->gflops < 10 ? 2 : 1, r->gflops);
    mb__format_ratio(c->speedup, sizeof c->speedup, r->speedup_vs_naive, 1, "x");
    mb__format_ratio(c->eff, sizeof c->eff, r->efficiency * 100, 0, "%");
    mb__format_ratio(c->busy, sizeof c->busy, r->cores_busy, 2, "");
    mb__format_ratio(c->peak, sizeof c->peak, r->peak_fraction * 100, 0, "%");
    mb__format_per_cpu(c->per_cpu, sizeof c->per_cpu, r);
    format_verified(c->ver, sizeof c->ver, p, r);
}

/* The bar for value out of max in width cells of Unicode blocks, eighths
 * of a cell at the end, so small differences stay visible. */
void mb_report_bar(char *buf, size_t cap, double value, double max, int width)
{
    static const char *const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    size_t len = 0;
    buf[0] = '\0';
    if (!(max > 0) || !(value > 0) || width <= 0)
        return;
    long units = lround(fmin(value / max, 1.0) * width * 8);
    for (long i = 0; i < units / 8 && len + 4 < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "█");
    if (units % 8 != 0 && len + 4 < cap)
        snprintf(buf + len, cap - len, "%s", eighths[units % 8]);
}

/* A CSV field: as is when it needs no quotes, else in double quotes with
 * its quotes doubled (RFC 4180). */
void mb__csv_text_end(FILE *out, const char *s, char end)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, out);
    } else {
        fputc('"', out);
        for (; *s != '\0'; s++) {
            if (*s == '"')
                fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    }
    fputc(end, out);
}

void mb__csv_text(FILE *out, const char *s)
{
    mb__csv_text_end(out, s, ',');
}

void mb__csv_num(FILE *out, double x)
{
    if (!isnan(x))
        fprintf(out, "%.9g", x);
    fputc(',', out);
}

/* A count, empty when unknown (below 0). */
void mb__csv_int(FILE *out, int x)
{
    if (x >= 0)
        fprintf(out, "%d", x);
    fputc(',', out);
}
