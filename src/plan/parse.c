/* The parsers for every value a user can give. Each accepts exactly the
 * documented form and otherwise fills a one-line message that quotes the
 * value and says what is allowed. */
#include "matbench/plan.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb_internal.h"
#include "plan/plan_internal.h"

/* Parses s[0..len) as a plain decimal number (digits only, no sign, no
 * spaces) no larger than max. Returns 0 on success, -1 when it is not plain
 * decimal, 1 when it is larger than max. */
int mb__parse_decimal(const char *s, size_t len, unsigned long long max, unsigned long long *out)
{
    if (len == 0)
        return -1;
    unsigned long long v = 0;
    int over = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (!over && (d > max || v > (max - d) / 10)) /* max - d must not wrap (max < 9) */
            over = 1;
        if (!over)
            v = v * 10 + d;
    }
    if (over)
        return 1;
    *out = v;
    return 0;
}

/* The matrix size: a plain positive decimal integer no larger than the BLAS
 * integer range (blasint is a 32-bit int in Debian's OpenBLAS). */
enum mb_status mb_parse_size(const char *s, size_t *n, struct mb_diag *d)
{
    unsigned long long v = 0;
    int r = mb__parse_decimal(s, strlen(s), MB_N_MAX, &v);
    if (r < 0)
        return mb_diag_set(d, MB_USAGE, "N: '%s' is not a positive decimal integer (1..%llu)",
                           SHOWN(s), MB_N_MAX);
    if (r > 0)
        return mb_diag_set(d, MB_USAGE, "N: '%s' is above the BLAS integer range (1..%llu)",
                           SHOWN(s), MB_N_MAX);
    if (v == 0)
        return mb_diag_set(d, MB_USAGE, "N: '%s' is not allowed (1..%llu)", SHOWN(s), MB_N_MAX);
    *n = (size_t)v;
    return MB_OK;
}

static enum mb_status bad_threads(const char *s, int max, struct mb_diag *d)
{
    return mb_diag_set(d, MB_USAGE,
                       "threads: '%s' is not allowed (a list like 1,2,4, a range 1-8, max or "
                       "cores for the usable cores, 2*cores; each 1..%d)",
                       SHOWN(s), max);
}

/* One thread count in s[0..len): a decimal, "cores" or "max" (the core
 * count given: the cores this process may use), or "K*cores" (K times
 * it). 0 on success, -1 otherwise. */
static int parse_thread_count(const char *s, size_t len, int max, int cores,
                              unsigned long long *out)
{
    unsigned long long k = 1;
    const char *star = memchr(s, '*', len);
    if (star != NULL) {
        if (mb__parse_decimal(s, (size_t)(star - s), (unsigned long long)max, &k) != 0)
            return -1;
        len -= (size_t)(star - s) + 1;
        s = star + 1;
        if (len != 5 || memcmp(s, "cores", 5) != 0)
            return -1;
    }
    if ((len == 5 && memcmp(s, "cores", 5) == 0) ||
        (star == NULL && len == 3 && !memcmp(s, "max", 3)))
        *out = k * (unsigned long long)(cores < 1 ? 1 : cores);
    else if (mb__parse_decimal(s, len, (unsigned long long)max, out) != 0)
        return -1;
    return *out >= 1 && *out <= (unsigned long long)max ? 0 : -1;
}

/* Parses one item of a thread list, "a" or "a-b" with 1 <= a <= b <= max,
 * appending to out. */
static enum mb_status parse_thread_item(const char *item, size_t len, const char *whole, int max,
                                        int cores, struct mb_thread_list *out, struct mb_diag *d)
{
    const char *dash = memchr(item, '-', len);
    unsigned long long lo, hi;
    if (dash == NULL) {
        if (parse_thread_count(item, len, max, cores, &lo) != 0)
            return bad_threads(whole, max, d);
        hi = lo;
    } else if (parse_thread_count(item, (size_t)(dash - item), max, cores, &lo) != 0 ||
               parse_thread_count(dash + 1, len - (size_t)(dash - item) - 1, max, cores, &hi) !=
                   0 ||
               hi < lo) {
        return bad_threads(whole, max, d);
    }
    for (unsigned long long t = lo; t <= hi; t++) {
        if (out->n >= MB__ARRAY_SIZE(out->v))
            return mb_diag_set(d, MB_USAGE, "threads: '%s' has more than %zu entries", SHOWN(whole),
                               MB__ARRAY_SIZE(out->v));
        out->v[out->n++] = (int)t;
    }
    return MB_OK;
}

/* A thread list: comma-separated items, each a count or an inclusive range
 * "a-b", every count in 1..max_threads. A count may be written in terms of
 * the cores given (physical_cores: the CLI passes the cores this process
 * may use, mb_machine_usable_cores): "max" or "cores", or "2*cores" (so
 * "1-2*cores" sweeps into oversubscription on any machine). Empty items
 * ("1,,2", "1,") are errors. */
enum mb_status mb_parse_threads(const char *s, int max_threads, int physical_cores,
                                struct mb_thread_list *out, struct mb_diag *d)
{
    out->n = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        enum mb_status st = parse_thread_item(p, len, s, max_threads, physical_cores, out, d);
        if (st != MB_OK) {
            out->n = 0;
            return st;
        }
        if (comma == NULL)
            return MB_OK;
        p = comma + 1;
    }
}

static enum mb_status bad_sizes(const char *s, struct mb_diag *d)
{
    return mb_diag_set(d, MB_USAGE,
                       "sizes: '%s' is not allowed (a list like 1000,2000 or a range "
                       "first:last:step like 1000:5000:1000; each 1..%llu)",
                       SHOWN(s), MB_N_MAX);
}

/* Parses one unsigned field of a size item, 1..MB_N_MAX. */
static int parse_size_field(const char *s, size_t len, unsigned long long *out)
{
    return mb__parse_decimal(s, len, MB_N_MAX, out) == 0 && *out >= 1 ? 0 : -1;
}

/* A size list: comma-separated items, each a size or a range
 * "first:last:step" (first <= last, step >= 1) that runs first,
 * first + step, ... up to last. Sizes run in the order given. */
enum mb_status mb_parse_sizes(const char *s, struct mb_size_list *out, struct mb_diag *d)
{
    out->n = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        const char *c1 = memchr(p, ':', len);
        const char *c2 = c1 != NULL ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - p)) : NULL;
        unsigned long long lo, hi, step = 1;
        int bad;
        if (c1 == NULL) {
            bad = parse_size_field(p, len, &lo);
            hi = lo;
        } else {
            bad = c2 == NULL || parse_size_field(p, (size_t)(c1 - p), &lo) != 0 ||
                  parse_size_field(c1 + 1, (size_t)(c2 - c1 - 1), &hi) != 0 ||
                  parse_size_field(c2 + 1, len - (size_t)(c2 + 1 - p), &step) != 0 || hi < lo;
        }
        if (bad) {
            out->n = 0;
            return bad_sizes(s, d);
        }
        for (unsigned long long n = lo; n <= hi; n += step) {
            if (out->n >= MB__ARRAY_SIZE(out->v)) {
                out->n = 0;
                return mb_diag_set(d, MB_USAGE, "sizes: '%s' has more than %zu sizes", SHOWN(s),
                                   MB__ARRAY_SIZE(out->v));
            }
            out->v[out->n++] = (size_t)n;
        }
        if (comma == NULL)
            return MB_OK;
        p = comma + 1;
    }
}

/* The bit of the group called name (ladder, lapack), or 0. */
unsigned mb__plan_group_bit(const char *name)
{
    unsigned bit;
    for (size_t g = 0; g < mb_kernel_group_count(); g++)
        if (strcmp(mb_kernel_group_name(g, &bit), name) == 0)
            return bit;
    return 0;
}

/* "naive, dgemm, ...; lapack = dgetrf,dpotrf,..." for messages. */
static void list_kernels(char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < mb_kernel_count() && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", mb_kernel_at(i)->name);
    unsigned bit;
    const char *group;
    for (size_t g = 0; (group = mb_kernel_group_name(g, &bit)) != NULL && len < cap; g++) {
        len += (size_t)snprintf(buf + len, cap - len, "; %s =", group);
        for (size_t i = 0, shown = 0; i < mb_kernel_count() && len < cap; i++)
            if (mb_kernel_at(i)->groups & bit)
                len += (size_t)snprintf(buf + len, cap - len, "%s%s", shown++ ? "," : " ",
                                        mb_kernel_at(i)->name);
    }
}

/* Appends k to out unless it is there already. Returns false when out is
 * full. */
static bool add_kernel(const struct mb_kernel *k, struct mb_kernel_list *out)
{
    for (size_t i = 0; i < out->n; i++)
        if (out->v[i] == k)
            return true;
    if (out->n >= MB__ARRAY_SIZE(out->v))
        return false;
    out->v[out->n++] = k;
    return true;
}

/* Adds the kernel or group called name. Returns false for an unknown name
 * or a full list. */
static bool add_kernel_word(const char *name, struct mb_kernel_list *out)
{
    const struct mb_kernel *k = mb_kernel_find(name);
    if (k != NULL)
        return add_kernel(k, out);
    unsigned bit = mb__plan_group_bit(name);
    for (size_t i = 0; i < mb_kernel_count(); i++)
        if ((mb_kernel_at(i)->groups & bit) && !add_kernel(mb_kernel_at(i), out))
            return false;
    return bit != 0;
}

/* A comma-separated list of registered kernel names and group names
 * (lapack), in the order given; a kernel named twice runs once. */
enum mb_status mb_parse_kernels(const char *s, struct mb_kernel_list *out, struct mb_diag *d)
{
    char known[256], name[64];
    out->n = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        bool ok = len < sizeof name;
        if (ok) {
            memcpy(name, p, len);
            name[len] = '\0';
            ok = add_kernel_word(name, out);
        }
        if (!ok) {
            list_kernels(known, sizeof known);
            out->n = 0;
            char bad[64];
            snprintf(bad, sizeof bad, "%.*s", (int)(len < sizeof bad ? len : sizeof bad - 1), p);
            if (strcmp(bad, s) == 0)
                return mb_diag_set(d, MB_USAGE, "kernels: '%s' is not a known kernel (%s)",
                                   SHOWN(s), known);
            return mb_diag_set(d, MB_USAGE, "kernels: '%s' in '%s' is not a known kernel (%s)",
                               SHOWN(bad), SHOWN(s), known);
        }
        if (comma == NULL)
            return MB_OK;
        p = comma + 1;
    }
}

/* An unsigned decimal in min..max, for the option called what. */
enum mb_status mb_parse_uint(const char *what, const char *s, unsigned min, unsigned max,
                             unsigned *out, struct mb_diag *d)
{
    unsigned long long v;
    if (mb__parse_decimal(s, strlen(s), max, &v) != 0 || v < min)
        return mb_diag_set(d, MB_USAGE, "%s: '%s' is not allowed (an integer, %u..%u)", what,
                           SHOWN(s), min, max);
    *out = (unsigned)v;
    return MB_OK;
}

/* An unsigned 64-bit decimal (the seed). */
enum mb_status mb_parse_u64(const char *what, const char *s, uint64_t *out, struct mb_diag *d)
{
    unsigned long long v;
    if (mb__parse_decimal(s, strlen(s), UINT64_MAX, &v) != 0)
        return mb_diag_set(d, MB_USAGE, "%s: '%s' is not allowed (an integer, 0..%llu)", what,
                           SHOWN(s), (unsigned long long)UINT64_MAX);
    *out = v;
    return MB_OK;
}

/* The length of the decimal number at the start of s: digits with an
 * optional fraction ("10", "2.5", ".5", "5.") and an optional exponent
 * ("1e1", "2.5E-3"); 0 when s does not start with one. strtod alone would
 * also take hex ("0x10", "0x1p3"), "inf" and "nan", and read "," as the
 * point in some locales. */
static size_t decimal_length(const char *s)
{
    size_t i = 0, digits = 0;
    for (; isdigit((unsigned char)s[i]); i++)
        digits++;
    if (s[i] == '.')
        for (i++; isdigit((unsigned char)s[i]); i++)
            digits++;
    if (digits == 0)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1 + (s[i + 1] == '+' || s[i + 1] == '-');
        if (!isdigit((unsigned char)s[j]))
            return 0;
        while (isdigit((unsigned char)s[j]))
            j++;
        i = j;
    }
    return i;
}

/* A finite, non-negative number no larger than max, written as a decimal
 * number ("10", "2.5", ".5", "1e1"; not "0x10", "inf" or "nan"), into
 * *out; MB_USAGE naming what and the unit otherwise. */
static enum mb_status parse_decimal(const char *what, const char *s, double max, const char *unit,
                                    double *out, struct mb_diag *d)
{
    char *end;
    errno = 0;
    size_t len = decimal_length(s);
    double v = len > 0 ? strtod(s, &end) : NAN;
    if (len == 0 || s[len] != '\0' || end != s + len || errno != 0 || !isfinite(v) || v < 0 ||
        v > max)
        return mb_diag_set(d, MB_USAGE, "%s: '%s' is not allowed (%s, a decimal number 0..%g)",
                           what, SHOWN(s), unit, max);
    *out = v;
    return MB_OK;
}

/* A number of seconds, 0..max (parse_decimal). */
enum mb_status mb_parse_seconds(const char *what, const char *s, double max, double *out,
                                struct mb_diag *d)
{
    return parse_decimal(what, s, max, "seconds", out, d);
}

/* A percentage: a decimal number 0..max, as a fraction (2 -> 0.02). */
enum mb_status mb_parse_percent(const char *what, const char *s, double max, double *out,
                                struct mb_diag *d)
{
    double v;
    enum mb_status st = parse_decimal(what, s, max, "a percentage", &v, d);
    if (st == MB_OK)
        *out = v / 100;
    return st;
}

static const char *const layout_names[] = {
    [MB_LAYOUT_COL] = "col",
    [MB_LAYOUT_ROW] = "row",
};

const char *mb_layout_name(enum mb_layout l)
{
    return (size_t)l < MB__ARRAY_SIZE(layout_names) ? layout_names[l] : "?";
}

/* --layout: how the LAPACK kernels hand their matrices to LAPACKE. */
enum mb_status mb_parse_layout(const char *s, enum mb_layout *out, struct mb_diag *d)
{
    for (size_t i = 0; i < MB__ARRAY_SIZE(layout_names); i++)
        if (strcmp(s, layout_names[i]) == 0) {
            *out = (enum mb_layout)i;
            return MB_OK;
        }
    return mb_diag_set(d, MB_USAGE,
                       "layout: '%s' is not a layout (col: column-major, as LAPACK stores "
                       "matrices; row: row-major, which LAPACKE transposes)",
                       SHOWN(s));
}
