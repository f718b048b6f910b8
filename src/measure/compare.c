/* matbench compare's reading and matching: the JSON reports of each side
 * loaded (jansson), their results keyed and their samples merged, the two
 * sides matched, each pair's figures computed (compare_stats.c), and the
 * environment fields that differ. */
#include "matbench/compare.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "matbench/stats.h"
#include "mb_internal.h"

static const char *const verdict_names[] = {"same", "faster", "slower"};

const char *mb_compare_verdict_name(enum mb_verdict v)
{
    return (size_t)v < MB__ARRAY_SIZE(verdict_names) ? verdict_names[v] : "?";
}

/* One side's result: its key and its samples (merged over the files). */
struct entry {
    char key[512], label[192];
    char kernel[48];
    size_t n;
    int threads, ranks;
    char blas[64], grid[32];
    double *samples;
    size_t count, cap;
    size_t file; /* the last file that added samples (its index on the side) */
};

struct side {
    const char *arg;
    json_t *first; /* the first file's document, for the environment */
    struct entry *v;
    size_t n, cap;
    size_t files;
    size_t skipped;    /* results not timed, or whose fields are not matbench's */
    size_t duplicates; /* results that met another of the same key in one file */
};

static void side_free(struct side *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].samples);
    free(s->v);
    json_decref(s->first);
    memset(s, 0, sizeof *s);
}

/* The integer at key of o, or dflt when it is not an integer. */
static long long int_at(json_t *o, const char *key, long long dflt)
{
    json_t *x = json_object_get(o, key);
    return json_is_integer(x) ? json_integer_value(x) : dflt;
}

/* A result's key and label from its fields: kernel, n, threads (or
 * threads_per_rank), the BLAS's name, ranks and grid. false when it has no
 * kernel name or no n. */
static bool describe(json_t *r, unsigned match, struct entry *e)
{
    const char *kernel = json_string_value(json_object_get(r, "kernel"));
    const char *blas = json_string_value(json_object_get(json_object_get(r, "blas"), "name"));
    const char *grid = json_string_value(json_object_get(r, "grid"));
    long long n = int_at(r, "n", -1);
    long long threads = int_at(r, "threads", int_at(r, "threads_per_rank", -1));
    long long ranks = int_at(r, "ranks", -1);
    /* names matbench writes are short: a longer one would be cut, and two
     * different results could then meet under one key */
    if (kernel == NULL || strlen(kernel) >= sizeof e->kernel || n < 1 || n > INT32_MAX ||
        threads < -1 || threads > INT32_MAX || ranks < -1 || ranks > INT32_MAX ||
        (blas != NULL && strlen(blas) >= sizeof e->blas) ||
        (grid != NULL && strlen(grid) >= sizeof e->grid))
        return false;
    /* as text goes to a terminal: no control character */
    mb_printable(kernel, e->kernel, sizeof e->kernel);
    mb_printable(blas != NULL ? blas : "", e->blas, sizeof e->blas);
    mb_printable(grid != NULL ? grid : "", e->grid, sizeof e->grid);
    e->n = (size_t)n;
    e->threads = (int)threads;
    e->ranks = (int)ranks;
    int len = snprintf(e->label, sizeof e->label, "%s n=%zu", e->kernel, e->n);
    if (e->threads >= 0 && len > 0 && (size_t)len < sizeof e->label)
        len += snprintf(e->label + len, sizeof e->label - (size_t)len, " threads=%d", e->threads);
    if (e->blas[0] != '\0' && len > 0 && (size_t)len < sizeof e->label)
        len += snprintf(e->label + len, sizeof e->label - (size_t)len, " blas=%s", e->blas);
    if (e->ranks >= 0 && len > 0 && (size_t)len < sizeof e->label)
        len += snprintf(e->label + len, sizeof e->label - (size_t)len, " ranks=%d", e->ranks);
    if (e->grid[0] != '\0' && len > 0 && (size_t)len < sizeof e->label)
        snprintf(e->label + len, sizeof e->label - (size_t)len, " grid=%s", e->grid);
    /* the key from the names as written (the printable copies may meet),
     * the fields not matched left out */
    snprintf(e->key, sizeof e->key, "%s|%zu|%d|%s|%d|%s", kernel, e->n,
             match & MB_COMPARE_MATCH_THREADS ? e->threads : -2,
             match & MB_COMPARE_MATCH_BLAS ? (blas != NULL ? blas : "") : "*",
             match & MB_COMPARE_MATCH_RANKS ? e->ranks : -2,
             match & MB_COMPARE_MATCH_GRID ? (grid != NULL ? grid : "") : "*");
    return true;
}

static struct entry *find(struct side *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].key, key) == 0)
            return &s->v[i];
    return NULL;
}

/* Appends the samples of time_s.samples (positive numbers only) to e. */
static enum mb_status add_samples(struct entry *e, json_t *samples, const char *file,
                                  struct mb_diag *d)
{
    size_t k = json_array_size(samples);
    if (e->count + k > e->cap) {
        size_t cap = e->count + k + 16;
        double *v = realloc(e->samples, cap * sizeof *v);
        if (v == NULL)
            return mb_diag_set(d, MB_NOMEM, "compare: '%s': cannot store %zu samples", file, cap);
        e->samples = v;
        e->cap = cap;
    }
    for (size_t i = 0; i < k; i++) {
        json_t *x = json_array_get(samples, i);
        double t = json_is_number(x) ? json_number_value(x) : NAN;
        if (!(t > 0 && t <= MB_COMPARE_SAMPLE_MAX_S))
            return mb_diag_set(d, MB_USAGE,
                               "compare: '%s': %s has a sample that is not a time (seconds, "
                               "above 0 and at most %g)",
                               SHOWN(file), e->label, MB_COMPARE_SAMPLE_MAX_S);
        e->samples[e->count++] = t;
    }
    return MB_OK;
}

/* Reads one matbench JSON report into side s: each result that was timed
 * (time_s not null) adds its samples to its key's entry. */
static enum mb_status load_file(const char *file, unsigned match, struct side *s, struct mb_diag *d)
{
    /* opened without blocking, so that a FIFO nobody writes to is refused,
     * not waited for */
    int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return mb_diag_set(d, MB_USAGE, "compare: '%s': cannot read it: %s", SHOWN(file),
                           strerror(e));
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size > MB_COMPARE_FILE_MAX) {
        close(fd);
        return mb_diag_set(d, MB_USAGE, "compare: '%s' is %s", SHOWN(file),
                           S_ISREG(sb.st_mode) ? "larger than a matbench report can be (1 GiB)"
                                               : "not a regular file (a matbench JSON report)");
    }
    FILE *f = fdopen(fd, "r");
    if (f == NULL) {
        close(fd);
        return mb_diag_set(d, MB_NOMEM, "compare: '%s': %s", SHOWN(file), strerror(errno));
    }
    json_error_t err;
    json_t *doc = json_loadf(f, JSON_REJECT_DUPLICATES, &err);
    fclose(f);
    if (doc == NULL)
        return mb_diag_set(d, MB_USAGE, "compare: '%s' is not JSON (line %d: %.120s)", SHOWN(file),
                           err.line, err.text);
    json_t *results = json_object_get(doc, "results");
    if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "matbench")) ||
        !json_is_array(results)) {
        json_decref(doc);
        return mb_diag_set(d, MB_USAGE,
                           "compare: '%s' is not a matbench report (no \"matbench\" version and "
                           "\"results\" list; write one with --format json)",
                           SHOWN(file));
    }
    enum mb_status st = MB_OK;
    for (size_t i = 0; i < json_array_size(results) && st == MB_OK; i++) {
        json_t *r = json_array_get(results, i);
        struct entry e = {0};
        json_t *time = json_object_get(r, "time_s");
        if (!json_is_object(r) || !describe(r, match, &e) || !json_is_object(time)) {
            s->skipped++; /* not timed (a library that crashed), or not matbench's */
            continue;
        }
        struct entry *at = find(s, e.key);
        if (at != NULL && at->file == s->files)
            s->duplicates++;
        if (at == NULL) {
            if (s->n == s->cap) {
                size_t cap = s->cap ? 2 * s->cap : 16;
                struct entry *v = realloc(s->v, cap * sizeof *v);
                if (v == NULL) {
                    st = mb_diag_set(d, MB_NOMEM, "compare: cannot store %zu results", cap);
                    break;
                }
                s->v = v;
                s->cap = cap;
            }
            at = &s->v[s->n++];
            *at = e;
        }
        at->file = s->files;
        json_t *samples = json_object_get(time, "samples");
        if (json_is_array(samples))
            st = add_samples(at, samples, file, d);
    }
    if (st == MB_OK && s->first == NULL)
        s->first = doc;
    else
        json_decref(doc);
    s->files++;
    return st;
}

/* Loads every file of a comma-separated list into s. */
static enum mb_status load_side(const char *list, unsigned match, struct side *s, struct mb_diag *d)
{
    s->arg = list;
    if (list == NULL || list[0] == '\0')
        return mb_diag_set(d, MB_USAGE, "compare: '' names no file");
    for (const char *p = list;;) {
        size_t len = strcspn(p, ",");
        char file[4096];
        if (len == 0 || len >= sizeof file)
            return mb_diag_set(d, MB_USAGE, "compare: '%s' is not a file or a list of files",
                               SHOWN(list));
        if (s->files == MB_COMPARE_FILES_MAX)
            return mb_diag_set(d, MB_USAGE, "compare: '%s': more than %d files on one side",
                               SHOWN(list), MB_COMPARE_FILES_MAX);
        memcpy(file, p, len);
        file[len] = '\0';
        enum mb_status st = load_file(file, match, s, d);
        if (st != MB_OK)
            return st;
        if (p[len] == '\0')
            return MB_OK;
        p += len + 1;
    }
}

/* ---- the environment -------------------------------------------------- */

/* The value at a dotted path of doc as text ("" when absent): a string as
 * is, anything else as compact JSON. */
static void value_at(json_t *doc, const char *path, char *buf, size_t cap)
{
    json_t *x = doc;
    char part[64];
    for (const char *p = path; x != NULL && *p != '\0';) {
        size_t len = strcspn(p, ".");
        snprintf(part, sizeof part, "%.*s", (int)len, p);
        x = json_object_get(x, part);
        p += len + (p[len] == '.');
    }
    buf[0] = '\0';
    if (x == NULL || json_is_null(x))
        return;
    if (json_is_string(x)) {
        mb_printable(json_string_value(x), buf, cap);
        return;
    }
    char *text = json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT);
    mb_printable(text != NULL ? text : "", buf, cap);
    free(text);
}

/* What a faster or slower result may be owed to, beside the change asked
 * about: the machine, the BLAS, how the threads were set, what was run. */
static const char *const env_fields[] = {"matbench",
                                         "command",
                                         "machine.cpu",
                                         "machine.usable_cores",
                                         "machine.usable_cpu_list",
                                         "blas.name",
                                         "blas.version",
                                         "blas.core",
                                         "blas.threading",
                                         "settings.threads_source",
                                         "settings.coretype",
                                         "settings.seed",
                                         "settings.verify",
                                         "settings.layout"};

static void compare_env(struct side *o, struct side *n, struct mb_compare *c)
{
    for (size_t i = 0; i < MB__ARRAY_SIZE(env_fields) && c->nenv < MB_COMPARE_ENV_MAX; i++) {
        struct mb_compare_env *e = &c->env[c->nenv];
        value_at(o->first, env_fields[i], e->old_value, sizeof e->old_value);
        value_at(n->first, env_fields[i], e->new_value, sizeof e->new_value);
        if (strcmp(e->old_value, e->new_value) == 0)
            continue;
        snprintf(e->field, sizeof e->field, "%s", env_fields[i]);
        c->nenv++;
    }
}

/* ---- the rows ----------------------------------------------------------- */

static char *dup_text(const char *s)
{
    size_t len = strlen(s) + 1;
    char *t = malloc(len);
    if (t != NULL)
        memcpy(t, s, len);
    return t;
}

/* The labels of s's entries that other has not, into *out (*count). */
static enum mb_status only_in(const struct side *s, struct side *other, char ***out, size_t *count,
                              struct mb_diag *d)
{
    *out = calloc(s->n ? s->n : 1, sizeof **out);
    if (*out == NULL)
        return mb_diag_set(d, MB_NOMEM, "compare: out of memory");
    for (size_t i = 0; i < s->n; i++)
        if (find(other, s->v[i].key) == NULL) {
            if (((*out)[*count] = dup_text(s->v[i].label)) == NULL)
                return mb_diag_set(d, MB_NOMEM, "compare: out of memory");
            (*count)++;
        }
    return MB_OK;
}

/* Keeps MB_COMPARE_SAMPLES_USED of *count samples, evenly spaced in the
 * order measured, when there are more; true when it did. */
static bool thin(double *v, size_t *count)
{
    if (*count <= MB_COMPARE_SAMPLES_USED)
        return false;
    for (size_t i = 0; i < MB_COMPARE_SAMPLES_USED; i++)
        v[i] = v[(size_t)((double)i * (double)*count / MB_COMPARE_SAMPLES_USED)];
    *count = MB_COMPARE_SAMPLES_USED;
    return true;
}

static double median_of(const double *x, size_t n)
{
    struct mb_stats st;
    mb_stats_compute(x, n, &st);
    return st.median;
}

/* The figures of one matched pair; takes the samples over from both. */
static enum mb_status pair(struct entry *o, struct entry *n, const struct mb_compare *c,
                           struct mb_compare_row *r, struct mb_diag *d)
{
    memset(r, 0, sizeof *r);
    if (strcmp(o->label, n->label) == 0)
        snprintf(r->label, sizeof r->label, "%s", o->label);
    else
        snprintf(r->label, sizeof r->label, "%s vs %s", o->label, n->label);
    snprintf(r->kernel, sizeof r->kernel, "%s", o->kernel);
    snprintf(r->blas, sizeof r->blas, "%s", o->blas);
    snprintf(r->grid, sizeof r->grid, "%s", o->grid);
    r->n = o->n;
    r->threads = o->threads;
    r->ranks = o->ranks;
    r->old_samples = o->samples, r->old_count = o->count;
    r->new_samples = n->samples, r->new_count = n->count;
    o->samples = n->samples = NULL;
    o->count = n->count = 0;
    r->thinned = thin(r->old_samples, &r->old_count);
    r->thinned = thin(r->new_samples, &r->new_count) || r->thinned;
    r->old_median_s = median_of(r->old_samples, r->old_count);
    r->new_median_s = median_of(r->new_samples, r->new_count);
    r->ratio = r->new_median_s / r->old_median_s;
    r->few = r->old_count < MB_COMPARE_FEW || r->new_count < MB_COMPARE_FEW;
    enum mb_status st =
        mb_mann_whitney(r->old_samples, r->old_count, r->new_samples, r->new_count, &r->u);
    if (st == MB_OK)
        st = mb_bootstrap_ratio_ci(r->old_samples, r->old_count, r->new_samples, r->new_count,
                                   c->resamples, c->level, c->seed, &r->lo, &r->hi);
    if (st != MB_OK)
        return mb_diag_set(d, st, "compare: %s: cannot compute its statistics", r->label);
    r->verdict = mb_compare_verdict(r->ratio, r->lo, r->hi, c->threshold);
    /* the gate is its own: slower by more than its PCT with p < 0.05,
     * whatever --threshold makes of the verdict */
    r->fail =
        !isnan(c->fail_if_slower) && r->ratio > 1 + c->fail_if_slower && r->u.p < MB_COMPARE_ALPHA;
    return MB_OK;
}

static enum mb_status match_sides(struct side *o, struct side *n, struct mb_compare *c,
                                  struct mb_diag *d)
{
    c->rows = calloc(o->n ? o->n : 1, sizeof *c->rows);
    c->no_samples = calloc(o->n ? o->n : 1, sizeof *c->no_samples);
    if (c->rows == NULL || c->no_samples == NULL)
        return mb_diag_set(d, MB_NOMEM, "compare: out of memory");
    for (size_t i = 0; i < o->n; i++) {
        struct entry *e = find(n, o->v[i].key);
        if (e == NULL)
            continue;
        if (o->v[i].count == 0 || e->count == 0) {
            if ((c->no_samples[c->nno_samples] = dup_text(o->v[i].label)) == NULL)
                return mb_diag_set(d, MB_NOMEM, "compare: out of memory");
            c->nno_samples++;
            continue;
        }
        enum mb_status st = pair(&o->v[i], e, c, &c->rows[c->count], d);
        c->failed += c->rows[c->count].fail;
        c->count++; /* counted either way: its samples are freed with the rows */
        if (st != MB_OK)
            return st;
    }
    return MB_OK;
}

static const struct {
    const char *name;
    unsigned bit; /* 0: always matched */
} match_fields[] = {{"kernel", 0},
                    {"n", 0},
                    {"threads", MB_COMPARE_MATCH_THREADS},
                    {"blas", MB_COMPARE_MATCH_BLAS},
                    {"ranks", MB_COMPARE_MATCH_RANKS},
                    {"grid", MB_COMPARE_MATCH_GRID}};

enum mb_status mb_compare_parse_match(const char *list, unsigned *match, struct mb_diag *d)
{
    unsigned got = 0, seen = 0;
    for (const char *p = list;;) {
        size_t len = strcspn(p, ","), i = 0;
        while (i < MB__ARRAY_SIZE(match_fields) &&
               !(strlen(match_fields[i].name) == len && strncmp(p, match_fields[i].name, len) == 0))
            i++;
        if (i == MB__ARRAY_SIZE(match_fields))
            return mb_diag_set(d, MB_USAGE,
                               "match: '%s' is not a list of kernel, n, threads, blas, ranks, grid",
                               SHOWN(list));
        seen |= 1u << i;
        got |= match_fields[i].bit;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    if ((seen & 3u) != 3u)
        return mb_diag_set(d, MB_USAGE,
                           "match: '%s' leaves out kernel or n (both are always matched)",
                           SHOWN(list));
    *match = got;
    return MB_OK;
}

enum mb_status mb_compare_files(const char *old_list, const char *new_list, double threshold,
                                double fail_if_slower, struct mb_compare *out, struct mb_diag *d)
{
    return mb_compare_files_ex(old_list, new_list, threshold, fail_if_slower, MB_COMPARE_MATCH_ALL,
                               out, d);
}

enum mb_status mb_compare_files_ex(const char *old_list, const char *new_list, double threshold,
                                   double fail_if_slower, unsigned match, struct mb_compare *out,
                                   struct mb_diag *d)
{
    memset(out, 0, sizeof *out);
    *out = (struct mb_compare){.old_arg = old_list,
                               .match = match,
                               .new_arg = new_list,
                               .geomean = NAN,
                               .threshold = threshold,
                               .fail_if_slower = fail_if_slower,
                               .resamples = MB_COMPARE_RESAMPLES,
                               .seed = MB_COMPARE_SEED,
                               .level = MB_COMPARE_LEVEL};
    struct side o = {0}, n = {0};
    enum mb_status st = load_side(old_list, match, &o, d);
    if (st == MB_OK)
        st = load_side(new_list, match, &n, d);
    out->old_files = o.files;
    out->new_files = n.files;
    out->old_skipped = o.skipped, out->new_skipped = n.skipped;
    out->old_duplicates = o.duplicates, out->new_duplicates = n.duplicates;
    if (st == MB_OK)
        st = match_sides(&o, &n, out, d);
    if (st == MB_OK && out->count == 0 && out->nno_samples == 0)
        st = mb_diag_set(d, MB_USAGE,
                         "compare: '%s' and '%s' have no result in common (matched by kernel, "
                         "n%s; %zu and %zu results skipped: not timed, or not matbench's "
                         "fields)",
                         SHOWN(old_list), SHOWN(new_list),
                         match & MB_COMPARE_MATCH_THREADS ? ", threads: --match kernel,n lets "
                                                            "them differ"
                                                          : "",
                         o.skipped, n.skipped);
    if (st == MB_OK && out->count == 0)
        st = mb_diag_set(d, MB_USAGE,
                         "compare: '%s' and '%s': no result in common has samples on both sides "
                         "(time_s.samples: reports of matbench before it kept them)",
                         SHOWN(old_list), SHOWN(new_list));
    if (st == MB_OK)
        st = only_in(&o, &n, &out->only_old, &out->nonly_old, d);
    if (st == MB_OK)
        st = only_in(&n, &o, &out->only_new, &out->nonly_new, d);
    if (st == MB_OK) {
        compare_env(&o, &n, out);
        double *ratios = malloc(out->count * sizeof *ratios);
        if (ratios == NULL)
            st = mb_diag_set(d, MB_NOMEM, "compare: out of memory");
        for (size_t i = 0; ratios != NULL && i < out->count; i++)
            ratios[i] = out->rows[i].ratio;
        if (ratios != NULL)
            out->geomean = mb_geomean(ratios, out->count);
        free(ratios);
    }
    side_free(&o);
    side_free(&n);
    if (st != MB_OK)
        mb_compare_free(out);
    return st;
}

static void free_labels(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

void mb_compare_free(struct mb_compare *c)
{
    for (size_t i = 0; c->rows != NULL && i < c->count; i++) {
        free(c->rows[i].old_samples);
        free(c->rows[i].new_samples);
    }
    free(c->rows);
    free_labels(c->only_old, c->nonly_old);
    free_labels(c->only_new, c->nonly_new);
    free_labels(c->no_samples, c->nno_samples);
    c->rows = NULL;
    c->only_old = c->only_new = c->no_samples = NULL;
    c->count = c->nonly_old = c->nonly_new = c->nno_samples = 0;
}
