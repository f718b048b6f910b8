/* libFuzzer harness for the value and list parsers of plan.h. The first
 * byte picks the parser, the next three its limits (where it has any), the
 * rest is the text. Besides memory errors, it checks each parser's promise:
 * an accepted value is in range and is what the text says; a refused one
 * comes with a one-line message and leaves the output alone (a list's count
 * at 0). */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>

#include "fuzz_common.h"
#include "matbench/kernels.h"
#include "matbench/plan.h"

enum parser {
    P_SIZE,
    P_SIZES,
    P_THREADS,
    P_KERNELS,
    P_UINT,
    P_U64,
    P_SECONDS,
    P_FORMAT,
    P_LAYOUT,
    P_DEFAULT_THREADS,
    P_COUNT
};

/* The value of s if it is plain decimal digits no larger than max, the way
 * the parsers document it; false otherwise. Written apart from plan.c's
 * parse_decimal so that the two can disagree. */
static bool reference_decimal(const char *s, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;
    if (s[0] == '\0')
        return false;
    for (const char *c = s; *c != '\0'; c++) {
        if (*c < '0' || *c > '9')
            return false;
        if (__builtin_mul_overflow(v, 10ULL, &v) ||
            __builtin_add_overflow(v, (unsigned long long)(*c - '0'), &v))
            return false;
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

static const unsigned uint_limits[] = {0, 1, 2, 3, 8, 9, 10, 99, 100, 1000, 1000000, UINT_MAX};
#define NLIMITS (sizeof uint_limits / sizeof uint_limits[0])

#define CAP(list) (sizeof(list)->v / sizeof(list)->v[0])

/* Each list is allocated on its own, so that a write past its entries is
 * a write past the allocation (ASan). */
static void fuzz_sizes(const char *s)
{
    struct mb_size_list *out = malloc(sizeof *out);
    struct mb_diag d = {0};
    FUZZ_CHECK(out != NULL, "out of memory");
    out->n = 99;
    enum mb_status st = mb_parse_sizes(s, out, &d);
    fuzz_check_message(st, &d);
    if (st == MB_OK) {
        FUZZ_CHECK(out->n >= 1 && out->n <= CAP(out), "'%s': %zu sizes", s, out->n);
        for (size_t i = 0; i < out->n; i++)
            FUZZ_CHECK(out->v[i] >= 1 && out->v[i] <= MB_N_MAX, "'%s': size %zu", s, out->v[i]);
        unsigned long long v;
        if (reference_decimal(s, MB_N_MAX, &v))
            FUZZ_CHECK(out->n == 1 && out->v[0] == v, "'%s' read as %zu", s, out->v[0]);
    } else {
        FUZZ_CHECK(st == MB_USAGE && out->n == 0, "'%s': status %d, count %zu", s, st, out->n);
    }
    free(out);
}

static void fuzz_threads(const char *s, int max, int cores, bool from_env)
{
    struct mb_thread_list *out = malloc(sizeof *out);
    enum mb_threads_source source = MB_THREADS_FLAG;
    struct mb_diag d = {0};
    FUZZ_CHECK(out != NULL, "out of memory");
    out->n = 99;
    enum mb_status st = from_env ? mb_plan_default_threads(s, max, cores, out, &source, &d)
                                 : mb_parse_threads(s, max, cores, out, &d);
    fuzz_check_message(st, &d);
    if (st == MB_OK) {
        FUZZ_CHECK(out->n >= 1 && out->n <= CAP(out), "'%s': %zu thread counts", s, out->n);
        for (size_t i = 0; i < out->n; i++)
            FUZZ_CHECK(out->v[i] >= 1 && out->v[i] <= max,
                       "'%s': thread count %d (max %d, cores %d)", s, out->v[i], max, cores);
        unsigned long long v;
        if (s[0] != '\0' && reference_decimal(s, (unsigned long long)max, &v) && v >= 1)
            FUZZ_CHECK(out->n == 1 && out->v[0] == (int)v, "'%s' read as %d", s, out->v[0]);
        if (from_env)
            FUZZ_CHECK(source == (s[0] != '\0' ? MB_THREADS_ENV : MB_THREADS_DEFAULT),
                       "'%s': source %d", s, source);
    } else {
        FUZZ_CHECK(st == MB_USAGE && (from_env || out->n == 0), "'%s': status %d, count %zu", s, st,
                   out->n);
    }
    free(out);
}

static void fuzz_kernels(const char *s)
{
    struct mb_kernel_list *out = malloc(sizeof *out);
    struct mb_diag d = {0};
    FUZZ_CHECK(out != NULL, "out of memory");
    out->n = 99;
    enum mb_status st = mb_parse_kernels(s, out, &d);
    fuzz_check_message(st, &d);
    if (st == MB_OK) {
        FUZZ_CHECK(out->n >= 1 && out->n <= CAP(out), "'%s': %zu kernels", s, out->n);
        for (size_t i = 0; i < out->n; i++) {
            FUZZ_CHECK(out->v[i] != NULL && mb_kernel_find(out->v[i]->name) == out->v[i],
                       "'%s': kernel %zu is not registered", s, i);
            for (size_t j = 0; j < i; j++)
                FUZZ_CHECK(out->v[j] != out->v[i], "'%s': %s twice", s, out->v[i]->name);
        }
    } else {
        FUZZ_CHECK(st == MB_USAGE && out->n == 0, "'%s': status %d, count %zu", s, st, out->n);
    }
    free(out);
}

static void fuzz_scalar(enum parser which, const char *s, uint8_t b1, uint8_t b2)
{
    struct mb_diag d = {0};
    enum mb_status st = MB_OK;
    unsigned long long v;
    switch (which) {
    case P_SIZE: {
        size_t n = 7;
        st = mb_parse_size(s, &n, &d);
        if (st == MB_OK)
            FUZZ_CHECK(reference_decimal(s, MB_N_MAX, &v) && v >= 1 && n == v, "'%s' read as %zu",
                       s, n);
        else
            FUZZ_CHECK(n == 7, "'%s' refused but written", s);
        break;
    }
    case P_UINT: {
        unsigned min = uint_limits[b1 % NLIMITS], max = uint_limits[b2 % NLIMITS], u = 7;
        st = mb_parse_uint("what", s, min, max, &u, &d);
        if (st == MB_OK)
            FUZZ_CHECK(u >= min && u <= max && reference_decimal(s, max, &v) && u == v,
                       "'%s' read as %u (%u..%u)", s, u, min, max);
        else
            FUZZ_CHECK(u == 7, "'%s' refused but written", s);
        break;
    }
    case P_U64: {
        uint64_t u = 7;
        st = mb_parse_u64("seed", s, &u, &d);
        if (st == MB_OK)
            FUZZ_CHECK(reference_decimal(s, UINT64_MAX, &v) && u == v, "'%s' read as %llu", s,
                       (unsigned long long)u);
        else
            FUZZ_CHECK(u == 7, "'%s' refused but written", s);
        break;
    }
    case P_SECONDS: {
        double max = b1 % 2 ? MB_BUDGET_MAX_S : (double)b2, sec = -7;
        st = mb_parse_seconds("duration", s, max, &sec, &d);
        if (st == MB_OK)
            FUZZ_CHECK(isfinite(sec) && sec >= 0 && sec <= max &&
                           (isdigit((unsigned char)s[0]) || s[0] == '.') &&
                           strspn(s, "0123456789.eE+-") == strlen(s),
                       "'%s' read as %g (max %g)", s, sec, max);
        else
            FUZZ_CHECK(sec == -7, "'%s' refused but written", s);
        break;
    }
    case P_FORMAT: {
        enum mb_format f = (enum mb_format)77;
        st = mb_parse_format(s, &f, &d);
        if (st == MB_OK)
            FUZZ_CHECK(strcmp(mb_format_name(f), s) == 0, "'%s' read as %s", s, mb_format_name(f));
        else
            FUZZ_CHECK(f == (enum mb_format)77, "'%s' refused but written", s);
        break;
    }
    case P_LAYOUT: {
        enum mb_layout l = (enum mb_layout)77;
        st = mb_parse_layout(s, &l, &d);
        if (st == MB_OK)
            FUZZ_CHECK(strcmp(mb_layout_name(l), s) == 0, "'%s' read as %s", s, mb_layout_name(l));
        else
            FUZZ_CHECK(l == (enum mb_layout)77, "'%s' refused but written", s);
        break;
    }
    default:
        return;
    }
    fuzz_check_message(st, &d);
    FUZZ_CHECK(st == MB_OK || st == MB_USAGE, "'%s': status %d", s, st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    enum parser which = (enum parser)(data[0] % P_COUNT);
    uint8_t b1 = data[1], b2 = data[2]; /* data[3] is spare: the corpus keeps its layout */
    char *s = fuzz_strndup(data + 4, size - 4);
    if (s == NULL)
        return 0;
    int max = 1 + b1;         /* OpenBLAS's MAX_THREADS: 1..256 */
    int cores = 1 + b2 % 128; /* physical cores from hwloc */
    switch (which) {
    case P_SIZES:
        fuzz_sizes(s);
        break;
    case P_THREADS:
        fuzz_threads(s, max, cores, false);
        break;
    case P_DEFAULT_THREADS:
        fuzz_threads(s, max, cores, true);
        break;
    case P_KERNELS:
        fuzz_kernels(s);
        break;
    default:
        fuzz_scalar(which, s, b1, b2);
    }
    free(s);
    return 0;
}
