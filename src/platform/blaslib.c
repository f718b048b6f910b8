/* Every BLAS library on the machine: the Debian folders and the
 * libblas.so.3 alternative, the --blas list, and one measurement of one
 * library in a child (matbench-blas-probe, src/probe) on matrices made and
 * verified here. The probe's protocol is in src/probe/protocol.h. */
#define _GNU_SOURCE /* memfd_create */
#include "matbench/blaslib.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "matbench/child.h"
#include "matbench/lapack.h"
#include "matbench/matrix.h"
#include "matbench/proc.h"
#include "matbench/verify.h"
#include "mb_internal.h"
#include "probe/protocol.h"

/* The probe's program name, beside matbench in the build tree, and where
 * `make install` puts it relative to the bin directory. */
#define PROBE_NAME "matbench-blas-probe"

/* Bytes of a probe's answer kept: a line per sample, and --duration may
 * ask for many samples. */
#define ANSWER_MAX ((size_t)8 << 20)

/* A check (dlopen and dlsym, no measurement) has this long. */
#define CHECK_LIMIT_S 60.0

/* The folder of the reference LAPACK (liblapack3), which runs dgetrf on
 * any libblas.so.3 loaded before it. */
#define REFERENCE_LAPACK "lapack/liblapack.so.3"

/* src into dst, cut to cap - 1 bytes. */
static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strnlen(src, cap - 1) : 0;
    memcpy(dst, src != NULL ? src : "", n);
    dst[n] = '\0';
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The directory the Debian folders are looked for in: MATBENCH_BLAS_DIR
 * when it is set and not empty, else the multiarch library directory. */
const char *mb_blaslib_dir(void)
{
    const char *env = getenv("MATBENCH_BLAS_DIR");
    return env != NULL && env[0] != '\0' ? env : MB_BLASLIB_DEFAULT_DIR;
}

/* Where dgetrf comes from for the library in folder (of dir): the
 * liblapack.so.3 beside it, else the reference LAPACK on top of it. */
static void find_lapack(const char *dir, const char *folder, struct mb_blaslib *lib)
{
    char path[MB_BLASLIB_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/liblapack.so.3", dir, folder);
    if (is_file(path)) {
        copy_str(lib->lapack, sizeof lib->lapack, path);
        copy_str(lib->lapack_why, sizeof lib->lapack_why, "the liblapack.so.3 beside it");
        return;
    }
    snprintf(path, sizeof path, "%s/%s", dir, REFERENCE_LAPACK);
    if (is_file(path)) {
        copy_str(lib->lapack, sizeof lib->lapack, path);
        copy_str(lib->lapack_why, sizeof lib->lapack_why,
                 "the reference LAPACK (liblapack3) over it: its folder has no liblapack.so.3");
        return;
    }
    copy_str(lib->lapack_why, sizeof lib->lapack_why,
             "no liblapack.so.3 in its folder and no reference LAPACK (liblapack3): dgetrf_ "
             "only if the library has it");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct mb_blaslib *)a)->name, ((const struct mb_blaslib *)b)->name);
}

/* The libblas.so.3 alternative of dir: the name of the link
 * dir/libblas.so.3 points to (update-alternatives' "libblas.so.3-<arch>",
 * when that link lives in an alternatives directory) and the file it
 * resolves to now. Both "" when dir has no such link. */
static void find_alternative(const char *dir, struct mb_blaslib_set *out)
{
    char link[MB_BLASLIB_PATH_MAX], to[MB_BLASLIB_PATH_MAX], real[PATH_MAX];
    snprintf(link, sizeof link, "%s/libblas.so.3", dir);
    ssize_t k = readlink(link, to, sizeof to - 1);
    if (k <= 0 || realpath(link, real) == NULL)
        return;
    to[k] = '\0';
    const char *base = strrchr(to, '/');
    if (base != NULL && strstr(to, "alternatives/") != NULL)
        copy_str(out->alt_name, sizeof out->alt_name, base + 1);
    copy_str(out->alt_target, sizeof out->alt_target, real);
}

/* Whether path resolves to the file the alternative points to now. */
static bool is_alternative(const struct mb_blaslib_set *set, const char *path)
{
    char real[PATH_MAX];
    return set->alt_target[0] != '\0' && realpath(path, real) != NULL &&
           strcmp(real, set->alt_target) == 0;
}

/* Finds the BLAS libraries installed the Debian way in dir (each folder of
 * dir that holds a libblas.so.3: openblas-pthread, blis-openmp, blas,
 * atlas, ...), in name order, with the LAPACK each one's dgetrf uses and
 * the one the libblas.so.3 alternative points to now. A dir that does not
 * exist or holds none gives out->n = 0 and MB_OK; the caller says where it
 * looked. MB_USAGE when there are more than MB_BLASLIB_MAX. */
enum mb_status mb_blaslib_scan(const char *dir, struct mb_blaslib_set *out, struct mb_diag *d)
{
    memset(out, 0, sizeof *out);
    copy_str(out->dir, sizeof out->dir, dir);
    find_alternative(dir, out);
    DIR *dp = opendir(dir);
    if (dp == NULL)
        return MB_OK;
    enum mb_status st = MB_OK;
    for (struct dirent *e; (e = readdir(dp)) != NULL;) {
        char path[MB_BLASLIB_PATH_MAX];
        if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof out->v[0].name)
            continue;
        int len = snprintf(path, sizeof path, "%s/%s/libblas.so.3", dir, e->d_name);
        if (len < 0 || (size_t)len >= sizeof path || !is_file(path))
            continue;
        if (out->n == MB_BLASLIB_MAX) {
            st = mb_diag_set(d, MB_USAGE, "more than %d BLAS folders in %s: pick some with --blas",
                             MB_BLASLIB_MAX, dir);
            break;
        }
        struct mb_blaslib *lib = &out->v[out->n++];
        copy_str(lib->name, sizeof lib->name, e->d_name);
        copy_str(lib->path, sizeof lib->path, path);
        lib->found = true;
        find_lapack(dir, e->d_name, lib);
    }
    closedir(dp);
    qsort(out->v, out->n, sizeof out->v[0], by_name);
    for (size_t i = 0; i < out->n; i++)
        out->v[i].alternative = is_alternative(out, out->v[i].path);
    return st;
}

/* The found library whose file is path's (the same file once resolved),
 * or NULL. */
static const struct mb_blaslib *found_as(const struct mb_blaslib_set *found, const char *path)
{
    char a[PATH_MAX], b[PATH_MAX];
    if (realpath(path, a) == NULL)
        return NULL;
    for (size_t i = 0; i < found->n; i++)
        if (realpath(found->v[i].path, b) != NULL && strcmp(a, b) == 0)
            return &found->v[i];
    return NULL;
}

/* The names of the found libraries, "a, b, c", for a message. */
static const char *found_names(const struct mb_blaslib_set *found, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0, len = 0; i < found->n && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", found->v[i].name);
    if (found->n == 0)
        snprintf(buf, cap, "none");
    return buf;
}

/* One --blas item given by path: it must exist and be a file; a file that
 * is one of the found libraries is that library. Its dgetrf uses the
 * liblapack.so.3 beside it when there is one, else its own dgetrf_. */
static enum mb_status add_path(const struct mb_blaslib_set *found, const char *item,
                               struct mb_blaslib *lib, struct mb_diag *d)
{
    struct stat st;
    if (strlen(item) >= sizeof lib->path)
        return mb_diag_set(d, MB_USAGE, "blas: '%s' is too long a path", SHOWN(item));
    if (stat(item, &st) != 0)
        return mb_diag_set(d, MB_USAGE, "blas: '%s' does not exist (%s)", SHOWN(item),
                           strerror(errno));
    if (!S_ISREG(st.st_mode))
        return mb_diag_set(d, MB_USAGE, "blas: '%s' is not a file (a shared library is)",
                           SHOWN(item));
    const struct mb_blaslib *same = found_as(found, item);
    if (same != NULL) {
        *lib = *same;
        return MB_OK;
    }
    memset(lib, 0, sizeof *lib);
    copy_str(lib->path, sizeof lib->path, item);
    const char *slash = strrchr(item, '/');
    copy_str(lib->name, sizeof lib->name, slash != NULL ? slash + 1 : item);
    char lapack[MB_BLASLIB_PATH_MAX + 16];
    snprintf(lapack, sizeof lapack, "%.*s/liblapack.so.3", slash != NULL ? (int)(slash - item) : 1,
             slash != NULL ? item : ".");
    if (is_file(lapack) && found_as(found, lapack) == NULL) {
        copy_str(lib->lapack, sizeof lib->lapack, lapack);
        copy_str(lib->lapack_why, sizeof lib->lapack_why, "the liblapack.so.3 beside it");
    } else {
        copy_str(lib->lapack_why, sizeof lib->lapack_why,
                 "its own dgetrf_ (no liblapack.so.3 beside it)");
    }
    lib->alternative = is_alternative(found, item);
    return MB_OK;
}

/* The libraries a --blas LIST names, in its order: names of found ones
 * (a subset) and paths (any word with a '/'), separated by commas. NULL
 * or "" takes every found library. Returns MB_USAGE naming the first bad
 * item: not found, a path that does not exist or is not a file, twice
 * the same, an empty item, too many. */
enum mb_status mb_blaslib_select(const struct mb_blaslib_set *found, const char *list,
                                 struct mb_blaslib_set *out, struct mb_diag *d)
{
    *out = *found;
    if (list == NULL || list[0] == '\0')
        return MB_OK;
    out->n = 0;
    for (const char *s = list;;) {
        size_t len = strcspn(s, ",");
        char item[MB_BLASLIB_PATH_MAX];
        if (len >= sizeof item)
            return mb_diag_set(d, MB_USAGE, "blas: an item of '%s' is too long", SHOWN(list));
        memcpy(item, s, len);
        item[len] = '\0';
        if (len == 0)
            return mb_diag_set(d, MB_USAGE,
                               "blas: '%s' has an empty item (names or paths, comma-separated)",
                               SHOWN(list));
        if (out->n == MB_BLASLIB_MAX)
            return mb_diag_set(d, MB_USAGE, "blas: '%s' names more than %d libraries", SHOWN(list),
                               MB_BLASLIB_MAX);
        struct mb_blaslib *lib = &out->v[out->n];
        if (strchr(item, '/') != NULL) {
            enum mb_status st = add_path(found, item, lib, d);
            if (st != MB_OK)
                return st;
        } else {
            size_t i = 0;
            while (i < found->n && strcmp(found->v[i].name, item) != 0)
                i++;
            if (i == found->n) {
                char names[512];
                return mb_diag_set(d, MB_USAGE,
                                   "blas: '%s' is neither a BLAS found in %s (%s) nor a path "
                                   "(a path has a '/': ./libfoo.so)",
                                   SHOWN(item), found->dir,
                                   found_names(found, names, sizeof names));
            }
            *lib = found->v[i];
        }
        for (size_t j = 0; j < out->n; j++)
            if (strcmp(out->v[j].path, lib->path) == 0)
                return mb_diag_set(d, MB_USAGE, "blas: '%s' is given twice", SHOWN(item));
        out->n++;
        if (s[len] == '\0')
            break;
        s += len + 1;
    }
    return MB_OK;
}

/* Finds matbench-blas-probe (mb_proc_helper_path). */
enum mb_status mb_blaslib_probe_path(char *buf, size_t cap, struct mb_diag *d)
{
    return mb_proc_helper_path(PROBE_NAME, buf, cap, d);
}

/* ---- the probe's answer ---------------------------------------------- */

enum answer_key {
#define KEY_ENUM(id, text) KEY_##id,
    MB__PROBE_KEYS(KEY_ENUM)
#undef KEY_ENUM
        KEY_COUNT
};

static const char *const key_names[] = {
#define KEY_NAME(id, text) text,
    MB__PROBE_KEYS(KEY_NAME)
#undef KEY_NAME
};

/* The key of "key=value" line, its value in *value; KEY_COUNT for an
 * unknown key (ignored: a newer probe may say more). */
static enum answer_key key_of(const char *line, size_t len, const char **value)
{
    const char *eq = memchr(line, '=', len);
    if (eq == NULL)
        return KEY_COUNT;
    *value = eq + 1;
    for (size_t k = 0; k < KEY_COUNT; k++)
        if (strlen(key_names[k]) == (size_t)(eq - line) &&
            memcmp(key_names[k], line, (size_t)(eq - line)) == 0)
            return (enum answer_key)k;
    return KEY_COUNT;
}

/* value (up to the end of its line, len bytes) as a finite number or an
 * integer within lo..hi; false when it is not one. */
static bool number_of(const char *value, size_t len, double lo, double hi, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, value, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double x = strtod(buf, &end);
    if (*end != '\0' || errno != 0 || !isfinite(x) || x < lo || x > hi)
        return false;
    *out = x;
    return true;
}

/* Copies value (len bytes) into one of the identification's strings. */
static void text_of(char *dst, size_t cap, const char *value, size_t len)
{
    snprintf(dst, cap, "%.*s", (int)(len < cap ? len : cap - 1), value);
}

/* Stores a counted value of key k into row (NULL: none kept). */
static bool store_number(enum answer_key k, double x, struct mb_blaslib_id *id,
                         struct mb_blaslib_row *row, double *cpu_s, double *wall_s)
{
    switch (k) {
    case KEY_THREADS_REPORTED:
        id->threads_reported = (int)x;
        return true;
    case KEY_CPU_S:
        *cpu_s = x;
        return true;
    case KEY_WALL_S:
        *wall_s = x;
        return true;
    default:
        break;
    }
    if (row == NULL)
        return true;
    switch (k) {
    case KEY_WARMUP:
        row->warmup = (unsigned)x;
        break;
    case KEY_CALLS_PER_SAMPLE:
        row->calls_per_sample = (unsigned)x;
        break;
    case KEY_THREADS_SEEN:
        row->threads_seen = (int)x;
        break;
    case KEY_THREADS_WORKING:
        row->threads_working = (int)x;
        break;
    case KEY_THREADS_SHARING:
        row->threads_sharing = (int)x;
        break;
    case KEY_INFO:
        row->info = (int)x;
        break;
    default:
        break;
    }
    return true;
}

/* The string field of the identification that key k fills, or NULL. */
static char *text_field(enum answer_key k, struct mb_blaslib_id *id, size_t *cap)
{
    struct {
        enum answer_key k;
        char *field;
        size_t cap;
    } const rows[] = {
        {KEY_NAME, id->impl, sizeof id->impl},
        {KEY_VERSION, id->version, sizeof id->version},
        {KEY_VERSION_FROM, id->version_from, sizeof id->version_from},
        {KEY_THREADING, id->threading, sizeof id->threading},
        {KEY_CORE, id->core, sizeof id->core},
        {KEY_CONFIG, id->config, sizeof id->config},
        {KEY_CONTROL, id->control, sizeof id->control},
        {KEY_INTERFACE, id->interface, sizeof id->interface},
        {KEY_LOADED, id->loaded, sizeof id->loaded},
        {KEY_LAPACK_LOADED, id->lapack_loaded, sizeof id->lapack_loaded},
        {KEY_LAPACK_BLAS, id->lapack_blas, sizeof id->lapack_blas},
    };
    for (size_t i = 0; i < MB__ARRAY_SIZE(rows); i++)
        if (rows[i].k == k) {
            *cap = rows[i].cap;
            return rows[i].field;
        }
    return NULL;
}

/* Reads a probe's answer (protocol.h): the identification into id, each
 * sample into samples (cap of them; *nsamples counts them), and with row
 * (may be NULL) the counts and cores busy (cpu_s / wall_s). Returns
 * MB_OK for a whole answer (its last line end=1); MB_RUNTIME with the
 * probe's own error= line, or naming the first unreadable line, or when
 * the answer stops before end=1 or holds more samples than cap. */
enum mb_status mb_blaslib_parse_answer(const char *text, struct mb_blaslib_id *id, double *samples,
                                       size_t cap, struct mb_blaslib_row *row, size_t *nsamples,
                                       struct mb_diag *d)
{
    memset(id, 0, sizeof *id);
    id->threads_reported = -1;
    *nsamples = 0;
    double cpu_s = NAN, wall_s = NAN;
    bool end = false;
    for (const char *line = text; *line != '\0' && !end;) {
        size_t len = strcspn(line, "\n");
        const char *value = NULL;
        enum answer_key k = key_of(line, len, &value);
        size_t vlen = value != NULL ? len - (size_t)(value - line) : 0;
        size_t fcap = 0;
        char *field = k != KEY_COUNT ? text_field(k, id, &fcap) : NULL;
        double x = 0;
        if (k == KEY_ERROR)
            return mb_diag_set(d, MB_RUNTIME, "%.*s", (int)(vlen < 200 ? vlen : 200), value);
        if (field != NULL) {
            text_of(field, fcap, value, vlen);
        } else if (k == KEY_END) {
            end = true;
        } else if (k == KEY_SAMPLE) {
            if (!number_of(value, vlen, 0, 1e9, &x))
                goto unreadable;
            if (*nsamples == cap)
                return mb_diag_set(d, MB_RUNTIME, "the probe's answer holds more than %zu samples",
                                   cap);
            samples[(*nsamples)++] = x;
        } else if (k != KEY_COUNT) {
            if (!number_of(value, vlen, -1, 1e12, &x) ||
                !store_number(k, x, id, row, &cpu_s, &wall_s))
                goto unreadable;
        }
        line += len + (line[len] == '\n');
        continue;
    unreadable:
        return mb_diag_set(d, MB_RUNTIME, "unreadable answer from the probe: '%.*s'",
                           (int)(len < 120 ? len : 120), line);
    }
    if (!end)
        return mb_diag_set(d, MB_RUNTIME, "the probe's answer stops before its end");
    if (row != NULL)
        row->cores_busy = wall_s > 0 && !isnan(cpu_s) ? cpu_s / wall_s : NAN;
    return MB_OK;
}

/* ---- running the probe ----------------------------------------------- */

/* Runs the probe on lib with the other arguments of protocol.h, shared
 * memory fd (-1: none) handed down; the child's result in *r (free it with
 * mb_child_free). */
static enum mb_status run_probe(const char *probe, const struct mb_blaslib *lib, const char *kernel,
                                size_t n, int threads, const struct mb_blaslib_settings *s, int fd,
                                double limit_s, struct mb_child_result *r, struct mb_diag *d)
{
    char n_arg[24], t_arg[16], w_arg[16], r_arg[16], min_arg[32], max_arg[32];
    snprintf(n_arg, sizeof n_arg, "%zu", n);
    snprintf(t_arg, sizeof t_arg, "%d", threads);
    snprintf(w_arg, sizeof w_arg, "%u", s != NULL ? s->warmup : 0);
    snprintf(r_arg, sizeof r_arg, "%u", s != NULL ? s->repeat : 1);
    snprintf(min_arg, sizeof min_arg, "%.17g", s != NULL ? s->min_s : 0.0);
    snprintf(max_arg, sizeof max_arg, "%.17g", s != NULL ? s->max_s : 0.0);
    char *argv[] = {(char *)probe,
                    (char *)lib->path,
                    lib->lapack[0] != '\0' ? (char *)lib->lapack : "-",
                    (char *)kernel,
                    n_arg,
                    t_arg,
                    w_arg,
                    r_arg,
                    min_arg,
                    max_arg,
                    NULL};
    struct mb_child_spec spec = {.exe = probe,
                                 .argv = argv,
                                 .envp = NULL,
                                 .pass_fd = fd,
                                 .time_limit_s = limit_s,
                                 .stop = s != NULL ? s->stop : NULL,
                                 .out_cap = ANSWER_MAX};
    return mb_child_run(&spec, r, d);
}

/* The probe's error= line, or else the last line of its stderr, into buf. */
static const char *probe_error(const struct mb_child_result *r, char *buf, size_t cap)
{
    const char *e = r->out != NULL ? strstr(r->out, "error=") : NULL;
    if (e != NULL && (e == r->out || e[-1] == '\n')) {
        e += strlen("error=");
        snprintf(buf, cap, "%.*s", (int)strcspn(e, "\n"), e);
        return buf;
    }
    return mb_child_last_line(r, buf, cap);
}

/* Asks the probe whether lib can be loaded and defines cblas_dgemm or
 * dgemm_, and how it identifies itself (into id). MB_OK; MB_USAGE naming
 * the library and what is missing when it cannot be used (not a shared
 * library, no such symbol); MB_RUNTIME when the check itself went wrong
 * (the probe crashed or did not answer: the measurement will say more);
 * MB_INTERRUPTED. */
enum mb_status mb_blaslib_check(const struct mb_blaslib *lib, const char *probe,
                                struct mb_blaslib_id *id, struct mb_diag *d)
{
    struct mb_child_result r;
    enum mb_status st = run_probe(probe, lib, "check", 0, 1, NULL, -1, CHECK_LIMIT_S, &r, d);
    if (st != MB_OK)
        return st;
    char why[256];
    if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == MB__PROBE_EXIT_UNUSABLE)
        st = mb_diag_set(d, MB_USAGE, "blas: '%s': %s", SHOWN(lib->path),
                         probe_error(&r, why, sizeof why));
    else if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
        mb_child_describe(&r, why, sizeof why);
        st = mb_diag_set(d, MB_RUNTIME, "blas: checking '%s': %s", SHOWN(lib->path), why);
    } else {
        size_t none;
        st = mb_blaslib_parse_answer(r.out, id, NULL, 0, NULL, &none, d);
    }
    mb_child_free(&r);
    return st;
}

/* Bytes one measurement of k at n holds at its largest, this process and
 * the probe together: the shared matrices, the probe's own copies, and
 * here the pristine input and the work matrix of the LU check. 0 when k is
 * neither dgemm nor dgetrf or the size overflows. */
uint64_t mb_blaslib_memory(const struct mb_kernel *k, size_t n)
{
    uint64_t shared = mb__probe_shared_bytes(k->name, n);
    if (shared == 0)
        return 0;
    uint64_t mat = (uint64_t)n * n * sizeof(double);
    bool lu = strcmp(k->name, "dgetrf") == 0;
    /* dgemm: the probe's A, B, C; dgetrf: its pristine A and work, and
     * here A's copy and W */
    return shared + (lu ? 4 * mat : 3 * mat);
}

/* Fills row with what became of a child that ran to its end but gave no
 * measurement: killed by the time limit, by a signal, or failed. Returns
 * whether it did (false: it exited 0, the answer is to be read). */
static bool judge_child(const struct mb_child_result *r, const char *kernel,
                        const struct mb_blaslib_settings *s, struct mb_blaslib_row *row)
{
    char why[256];
    if (r->timed_out) {
        row->outcome = MB_BLASLIB_TIMEOUT;
        snprintf(row->error, sizeof row->error, "no answer in %g s", s->time_limit_s);
    } else if (WIFSIGNALED(r->status)) {
        const char *name = strsignal(WTERMSIG(r->status));
        row->outcome = MB_BLASLIB_CRASHED;
        mb_child_last_line(r, why, sizeof why);
        snprintf(row->error, sizeof row->error, "crashed (signal %d, %s)%s%s", WTERMSIG(r->status),
                 name != NULL ? name : "unknown", why[0] ? ": " : "", why);
    } else if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == MB__PROBE_EXIT_UNUSABLE &&
               strcmp(kernel, "dgetrf") == 0) {
        row->outcome = MB_BLASLIB_SKIPPED;
        snprintf(row->error, sizeof row->error, "no dgetrf: %s", probe_error(r, why, sizeof why));
    } else if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0) {
        row->outcome = MB_BLASLIB_FAILED;
        snprintf(row->error, sizeof row->error, "failed: %s", probe_error(r, why, sizeof why));
    } else {
        return false;
    }
    return true;
}

/* Verifies the probe's product C = A*B (row-major, in the shared memory)
 * with matbench's own check (verify.h) into row. */
static enum mb_status verify_gemm(size_t n, const double *shared, uint64_t seed,
                                  struct mb_blaslib_row *row, struct mb_diag *d)
{
    const size_t nn = n * n;
    struct mb_verify v;
    struct mb_diag vd = {0};
    enum mb_status st = mb_verify_gemm(n, shared, shared + nn, shared + 2 * nn, seed, &v, &vd);
    if (st != MB_OK && st != MB_VERIFY)
        return mb_diag_set(d, st, "%s", vd.msg);
    row->residual = v.residual;
    row->limit = v.limit;
    if (!v.ok) {
        row->outcome = MB_BLASLIB_WRONG;
        copy_str(row->worst, sizeof row->worst, vd.msg);
        snprintf(row->error, sizeof row->error, "failed verification: %s", vd.msg);
    }
    return MB_OK;
}

/* Verifies the probe's LU factors (column-major, pivots after them) of
 * the pristine A0 by LAPACK's check |P*A - L*U|_1 / (|A|_1 n eps) < 16. */
static enum mb_status verify_lu(size_t n, const double *A0, const double *shared,
                                struct mb_blaslib_row *row, struct mb_diag *d)
{
    const int *ipiv = (const int *)(shared + n * n);
    if (row->info != 0) {
        row->outcome = MB_BLASLIB_WRONG;
        snprintf(row->error, sizeof row->error,
                 "failed verification: dgetrf says INFO = %d for a random matrix", row->info);
        return MB_OK;
    }
    double *W = mb_matrix_alloc(n, n);
    if (W == NULL)
        return mb_diag_set(d, MB_NOMEM, "cannot allocate the LU check's %zu x %zu matrix", n, n);
    double r = NAN;
    enum mb_status st = mb_residual_lu(false, n, A0, shared, ipiv, W, &r, d);
    mb_matrix_free(W);
    if (st != MB_OK)
        return st;
    row->residual = r;
    row->limit = MB_LAPACK_THRESHOLD;
    if (!(r < MB_LAPACK_THRESHOLD)) {
        row->outcome = MB_BLASLIB_WRONG;
        snprintf(row->worst, sizeof row->worst, "|P*A - L*U|_1 / (|A|_1*n*eps) = %.3g", r);
        snprintf(row->error, sizeof row->error,
                 "failed verification: scaled residual %.3g, not below %g", r, MB_LAPACK_THRESHOLD);
    }
    return MB_OK;
}

/* The figures of a whole answer: the statistics, GFLOP/s from the median,
 * the threads used (what the library reports, else those the work was
 * spread over). */
static void derive(const struct mb_kernel *k, size_t n, const double *samples, size_t count,
                   struct mb_blaslib_row *row)
{
    mb_stats_compute(samples, count, &row->time_s);
    row->nsamples = count < MB_BLASLIB_SAMPLES_MAX ? count : MB_BLASLIB_SAMPLES_MAX;
    memcpy(row->samples, samples, row->nsamples * sizeof *samples);
    row->repeat = (unsigned)count;
    row->gflops = row->time_s.median > 0 ? k->flops(n, 1) / row->time_s.median * 1e-9 : NAN;
    row->threads_used_reported = row->id.threads_reported > 0;
    row->threads_used =
        row->threads_used_reported ? row->id.threads_reported : row->threads_sharing;
}

/* Starts row afresh: nothing measured yet. */
static void row_init(struct mb_blaslib_row *row, const struct mb_blaslib *lib,
                     const struct mb_kernel *k, size_t n, int threads)
{
    *row = (struct mb_blaslib_row){.lib = lib,
                                   .kernel = k,
                                   .n = n,
                                   .threads = threads,
                                   .outcome = MB_BLASLIB_OK,
                                   .gflops = NAN,
                                   .cores_busy = NAN,
                                   .peak_fraction = NAN,
                                   .threads_used = -1,
                                   .threads_seen = -1,
                                   .threads_working = -1,
                                   .threads_sharing = -1,
                                   .residual = NAN,
                                   .limit = NAN};
    row->id.threads_reported = -1;
}

/* The shared memory of one measurement: a memfd of bytes, mapped. */
struct shared {
    int fd;
    double *m;
    size_t bytes;
};

static enum mb_status shared_open(struct shared *sh, uint64_t bytes, struct mb_diag *d)
{
    sh->fd = -1;
    sh->m = NULL;
    sh->bytes = (size_t)bytes;
    if (bytes == 0 || bytes > SIZE_MAX)
        return mb_diag_set(d, MB_USAGE, "n: too large for this machine's address space");
    sh->fd = memfd_create("matbench-blas", MFD_CLOEXEC);
    if (sh->fd < 0 || ftruncate(sh->fd, (off_t)bytes) != 0)
        return mb_diag_set(d, MB_NOMEM, "cannot make %zu bytes of shared memory: %s", sh->bytes,
                           strerror(errno));
    void *m = mmap(NULL, sh->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, sh->fd, 0);
    if (m == MAP_FAILED)
        return mb_diag_set(d, MB_NOMEM, "cannot map %zu bytes of shared memory: %s", sh->bytes,
                           strerror(errno));
    sh->m = m;
    return MB_OK;
}

static void shared_close(struct shared *sh)
{
    if (sh->m != NULL)
        munmap(sh->m, sh->bytes);
    if (sh->fd >= 0)
        close(sh->fd);
    sh->m = NULL;
    sh->fd = -1;
}

/* Reads a whole answer into row and verifies what the probe left in the
 * shared memory. */
static enum mb_status read_answer(const struct mb_child_result *r, const struct mb_kernel *k,
                                  size_t n, const struct mb_blaslib_settings *s,
                                  const struct shared *sh, const double *A0,
                                  struct mb_blaslib_row *row, struct mb_diag *d)
{
    size_t cap = r->out_len / 8 + 1, count = 0; /* "sample=x\n" is 9 bytes at least */
    double *samples = malloc(cap * sizeof *samples);
    if (samples == NULL)
        return mb_diag_set(d, MB_NOMEM, "cannot allocate %zu samples", cap);
    struct mb_diag pd = {0};
    if (r->overflow ||
        mb_blaslib_parse_answer(r->out, &row->id, samples, cap, row, &count, &pd) != MB_OK ||
        count == 0) {
        row->outcome = MB_BLASLIB_FAILED;
        snprintf(row->error, sizeof row->error, "failed: %s",
                 r->overflow                       ? "the probe's answer is too long"
                 : count == 0 && pd.msg[0] == '\0' ? "the probe timed nothing"
                                                   : pd.msg);
        free(samples);
        return MB_OK;
    }
    derive(k, n, samples, count, row);
    free(samples);
    if (!s->verify) {
        row->outcome = MB_BLASLIB_NOT_CHECKED;
        return MB_OK;
    }
    return strcmp(k->name, "dgemm") == 0 ? verify_gemm(n, sh->m, s->seed, row, d)
                                         : verify_lu(n, A0, sh->m, row, d);
}

/* Measures kernel k (dgemm or dgetrf) of lib at order n on threads
 * threads: the matrices are made here (the run's seed) in shared memory,
 * the probe times the library on them in a child with the time limit,
 * and its result is verified here. What became of it is in row: measured
 * (verified or not), crashed, no answer, failed, skipped; the return is
 * then MB_OK. Returns MB_USAGE for a kernel other than dgemm or dgetrf,
 * MB_NOMEM or MB_RUNTIME when the measurement cannot be set up (memory,
 * the probe cannot be started), MB_INTERRUPTED when s->stop was raised
 * (the child is killed; row holds nothing). */
enum mb_status mb_blaslib_measure(const struct mb_blaslib *lib, const struct mb_kernel *k, size_t n,
                                  int threads, const struct mb_blaslib_settings *s,
                                  struct mb_blaslib_row *row, struct mb_diag *d)
{
    row_init(row, lib, k, n, threads);
    bool lu = strcmp(k->name, "dgetrf") == 0;
    if (!lu && strcmp(k->name, "dgemm") != 0)
        return mb_diag_set(d, MB_USAGE,
                           "kernels: '%s' is not one matbench blas runs (dgemm, "
                           "dgetrf)",
                           k->name);
    if (threads < 1 || n == 0)
        return mb_diag_set(d, MB_USAGE, "matbench blas: n %zu and threads %d must be 1 or more", n,
                           threads);
    struct shared sh;
    enum mb_status st = shared_open(&sh, mb__probe_shared_bytes(k->name, n), d);
    double *A0 = NULL;
    if (st == MB_OK) {
        unsigned ft = mb_fill_threads();
        mb_matrix_fill(sh.m, n, n, s->seed, MB_STREAM_A, ft);
        if (!lu)
            mb_matrix_fill(sh.m + n * n, n, n, s->seed, MB_STREAM_B, ft);
        else if ((A0 = mb_matrix_alloc(n, n)) == NULL)
            st = mb_diag_set(d, MB_NOMEM, "cannot allocate a copy of A (%zu x %zu)", n, n);
        else
            memcpy(A0, sh.m, n * n * sizeof *A0);
    }
    struct mb_child_result r = {0};
    bool ran = false;
    if (st == MB_OK) {
        st = run_probe(s->probe, lib, k->name, n, threads, s, sh.fd, s->time_limit_s, &r, d);
        ran = st == MB_OK || st == MB_INTERRUPTED;
    }
    if (st == MB_OK && !judge_child(&r, k->name, s, row))
        st = read_answer(&r, k, n, s, &sh, A0, row, d);
    if (ran)
        mb_child_free(&r);
    mb_matrix_free(A0);
    shared_close(&sh);
    return st;
}

/* The outcome as JSON and CSV write it. */
const char *mb_blaslib_outcome_name(enum mb_blaslib_outcome o)
{
    static const char *const names[] = {
        "ok", "failed verification", "crashed", "no answer", "failed", "skipped", "not checked"};
    return (size_t)o < MB__ARRAY_SIZE(names) ? names[o] : "unknown";
}
