/* The BLAS libraries of the machine (blaslib.h): finding the Debian
 * folders and the alternative, the --blas list, the probe's answer, and
 * real measurements of every implementation installed and of fake ones
 * that answer wrong, crash, hang or define nothing. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "matbench/blaslib.h"
#include "matbench/kernels.h"
#include "matbench/lapack.h"
#include "matbench/plan.h"
#include "mb_test.h"

static char dir[64];

static void touch(const char *rel)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "%s", p);
    fclose(f);
}

static void mkdir_in(const char *rel)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    cr_assert_eq(mkdir(p, 0700), 0, "%s", p);
}

/* A Debian-like tree: two BLAS folders (one with its LAPACK), the
 * reference LAPACK, a folder without a BLAS, and the alternative's links
 * dir/libblas.so.3 -> dir/alternatives/libblas.so.3-test -> dir/b/... */
static void make_tree(void)
{
    snprintf(dir, sizeof dir, "/tmp/mb_blaslibXXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    const char *dirs[] = {"a", "b", "lapack", "c", "alternatives"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        mkdir_in(dirs[i]);
    touch("a/libblas.so.3");
    touch("b/libblas.so.3");
    touch("b/liblapack.so.3");
    touch("lapack/liblapack.so.3");
    touch("c/libother.so");
    char from[PATH_MAX], to[PATH_MAX];
    snprintf(to, sizeof to, "%s/b/libblas.so.3", dir);
    snprintf(from, sizeof from, "%s/alternatives/libblas.so.3-test", dir);
    cr_assert_eq(symlink(to, from), 0);
    snprintf(to, sizeof to, "%s/libblas.so.3", dir);
    cr_assert_eq(symlink(from, to), 0);
}

static void remove_tree(void)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(blaslib_find, .init = make_tree, .fini = remove_tree);

Test(blaslib_find, finds_each_folder_with_a_libblas_in_name_order)
{
    static struct mb_blaslib_set s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_blaslib_scan(dir, &s, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(s.n, 2);
    cr_assert_str_eq(s.v[0].name, "a");
    cr_assert_str_eq(s.v[1].name, "b");
    cr_assert(s.v[0].found && s.v[1].found);
    char want[PATH_MAX];
    snprintf(want, sizeof want, "%s/a/libblas.so.3", dir);
    cr_assert_str_eq(s.v[0].path, want);
}

Test(blaslib_find, marks_the_alternative_and_names_it)
{
    static struct mb_blaslib_set s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_blaslib_scan(dir, &s, &d), MB_OK);
    cr_assert_str_eq(s.alt_name, "libblas.so.3-test");
    cr_assert(!s.v[0].alternative);
    cr_assert(s.v[1].alternative);
    cr_assert(strstr(s.alt_target, "/b/libblas.so.3") != NULL, "%s", s.alt_target);
}

Test(blaslib_find, takes_the_lapack_beside_else_the_reference_lapack)
{
    static struct mb_blaslib_set s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_blaslib_scan(dir, &s, &d), MB_OK);
    char want[PATH_MAX];
    snprintf(want, sizeof want, "%s/lapack/liblapack.so.3", dir);
    cr_assert_str_eq(s.v[0].lapack, want);
    cr_assert(strstr(s.v[0].lapack_why, "reference LAPACK") != NULL);
    snprintf(want, sizeof want, "%s/b/liblapack.so.3", dir);
    cr_assert_str_eq(s.v[1].lapack, want);
}

Test(blaslib_find, a_missing_directory_holds_none)
{
    static struct mb_blaslib_set s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_blaslib_scan("/nonexistent/matbench", &s, &d), MB_OK);
    cr_assert_eq(s.n, 0);
    cr_assert_str_eq(s.dir, "/nonexistent/matbench");
}

Test(blaslib_find, selects_names_and_paths_in_the_order_given)
{
    static struct mb_blaslib_set found, s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_blaslib_scan(dir, &found, &d), MB_OK);
    char list[PATH_MAX * 2];
    snprintf(list, sizeof list, "b,%s/c/libother.so", dir);
    cr_assert_eq(mb_blaslib_select(&found, list, &s, &d), MB_OK, "%s", d.msg);
    cr_assert_eq(s.n, 2);
    cr_assert_str_eq(s.v[0].name, "b");
    cr_assert_str_eq(s.v[1].name, "libother.so");
    cr_assert(!s.v[1].found);
    cr_assert_str_eq(s.v[1].lapack, "", "no liblapack.so.3 beside it: its own dgetrf_");
    cr_assert_eq(mb_blaslib_select(&found, NULL, &s, &d), MB_OK);
    cr_assert_eq(s.n, 2, "no list: every one found");
}

Test(blaslib_find, a_path_to_a_found_library_is_that_library)
{
    static struct mb_blaslib_set found, s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_blaslib_scan(dir, &found, &d), MB_OK);
    char list[PATH_MAX];
    snprintf(list, sizeof list, "%s/libblas.so.3", dir); /* the alternative's link */
    cr_assert_eq(mb_blaslib_select(&found, list, &s, &d), MB_OK, "%s", d.msg);
    cr_assert_str_eq(s.v[0].name, "b");
    cr_assert(s.v[0].found && s.v[0].alternative);
}

Test(blaslib_find, refuses_a_bad_list_naming_the_item)
{
    static struct mb_blaslib_set found, s;
    struct mb_diag d = {0};
    cr_assert_eq(mb_blaslib_scan(dir, &found, &d), MB_OK);
    char sub[PATH_MAX];
    snprintf(sub, sizeof sub, "%s/c", dir);
    const struct {
        const char *list, *quoted, *says;
    } cases[] = {
        {"zzz", "zzz", "neither a BLAS found"},
        {"a,a", "a", "given twice"},
        {"a,,b", "a,,b", "empty item"},
        {"/nonexistent/libblas.so.3", "/nonexistent/libblas.so.3", "does not exist"},
        {sub, sub, "not a file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&d, 0, sizeof d);
        cr_assert_eq(mb_blaslib_select(&found, cases[i].list, &s, &d), MB_USAGE, "%s",
                     cases[i].list);
        cr_assert(strstr(d.msg, cases[i].says) != NULL, "%s: %s", cases[i].list, d.msg);
        char q[PATH_MAX + 8];
        snprintf(q, sizeof q, "'%s'", cases[i].quoted);
        cr_assert(strstr(d.msg, q) != NULL, "%s quotes %s: %s", cases[i].list, q, d.msg);
    }
    memset(&d, 0, sizeof d);
    mb_blaslib_select(&found, "zzz", &s, &d);
    cr_assert(strstr(d.msg, "a, b") != NULL, "lists what was found: %s", d.msg);
}

/* ---- the probe's answer ------------------------------------------------ */

Test(blaslib_answer, reads_every_field)
{
    const char *text = "name=OpenBLAS\nversion=0.3.21\nversion_from=library\nthreading=pthreads\n"
                       "core=Haswell\ncontrol=openblas_set_num_threads\nthreads_reported=2\n"
                       "interface=cblas_dgemm\nloaded=/x/libopenblas.so.0\nwarmup=1\n"
                       "calls_per_sample=4\nsample=0.5\nsample=0.25\nsample=1\ncpu_s=3\n"
                       "wall_s=1.5\nthreads_seen=3\nthreads_working=2\nthreads_sharing=2\nnew_key="
                       "ignored\nend=1\n";
    struct mb_blaslib_id id;
    struct mb_blaslib_row row = {0};
    double samples[8];
    size_t n;
    struct mb_diag d = {0};
    cr_assert_eq(mb_blaslib_parse_answer(text, &id, samples, 8, &row, &n, &d), MB_OK, "%s", d.msg);
    cr_assert_str_eq(id.impl, "OpenBLAS");
    cr_assert_str_eq(id.version, "0.3.21");
    cr_assert_str_eq(id.threading, "pthreads");
    cr_assert_str_eq(id.core, "Haswell");
    cr_assert_str_eq(id.control, "openblas_set_num_threads");
    cr_assert_str_eq(id.loaded, "/x/libopenblas.so.0");
    cr_assert_eq(id.threads_reported, 2);
    cr_assert_eq(n, 3);
    cr_assert_float_eq(samples[1], 0.25, 1e-15);
    cr_assert_eq(row.warmup, 1);
    cr_assert_eq(row.calls_per_sample, 4);
    cr_assert_eq(row.threads_seen, 3);
    cr_assert_eq(row.threads_working, 2);
    cr_assert_eq(row.threads_sharing, 2);
    cr_assert_float_eq(row.cores_busy, 2.0, 1e-12);
}

Test(blaslib_answer, refuses_an_answer_that_is_not_whole)
{
    const struct {
        const char *text, *says;
    } cases[] = {
        {"name=x\nsample=0.1\n", "before its end"},
        {"name=x\nerror=cannot load /x: invalid ELF header\n", "invalid ELF header"},
        {"sample=abc\nend=1\n", "unreadable"},
        {"sample=-1\nend=1\n", "unreadable"},
        {"threads_seen=1e999\nend=1\n", "unreadable"},
        {"sample=1\nsample=1\nsample=1\nend=1\n", "more than 2 samples"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mb_blaslib_id id;
        struct mb_blaslib_row row = {0};
        double samples[2];
        size_t n;
        struct mb_diag d = {0};
        cr_assert_eq(mb_blaslib_parse_answer(cases[i].text, &id, samples, 2, &row, &n, &d),
                     MB_RUNTIME, "%s", cases[i].text);
        cr_assert(strstr(d.msg, cases[i].says) != NULL, "%s: %s", cases[i].text, d.msg);
    }
}

/* ---- real libraries and fake ones --------------------------------------- */

static struct mb_blaslib_settings settings(void)
{
    return (struct mb_blaslib_settings){.probe = MB_PROBE,
                                        .warmup = 1,
                                        .repeat = 2,
                                        .min_s = 0,
                                        .max_s = MB_BLASLIB_MAX_SAMPLING_S,
                                        .time_limit_s = 120,
                                        .seed = MB_DEFAULT_SEED,
                                        .verify = true};
}

/* The libraries installed here (README's test command installs every
 * Debian one; libopenblas0-pthread is there whatever, matbench needs it). */
static void installed(struct mb_blaslib_set *s)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_blaslib_scan(mb_blaslib_dir(), s, &d), MB_OK, "%s", d.msg);
    cr_assert_geq(s->n, 1, "no BLAS folder in %s", s->dir);
}

static const struct mb_blaslib *installed_named(const struct mb_blaslib_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].name, name) == 0)
            return &s->v[i];
    return NULL;
}

static void fake(struct mb_blaslib *lib, const char *path)
{
    memset(lib, 0, sizeof *lib);
    snprintf(lib->path, sizeof lib->path, "%s", path);
    const char *slash = strrchr(path, '/');
    snprintf(lib->name, sizeof lib->name, "%s", slash != NULL ? slash + 1 : path);
}

static void measure_repeat(const struct mb_blaslib *lib, const char *kernel, size_t n, int threads,
                           unsigned repeat, struct mb_blaslib_row *row)
{
    struct mb_blaslib_settings s = settings();
    s.repeat = repeat;
    struct mb_diag d = {0};
    enum mb_status st = mb_blaslib_measure(lib, mb_kernel_find(kernel), n, threads, &s, row, &d);
    cr_assert_eq(st, MB_OK, "%s %s n=%zu: %s", lib->name, kernel, n, d.msg);
}

static void measure(const struct mb_blaslib *lib, const char *kernel, size_t n, int threads,
                    struct mb_blaslib_row *row)
{
    measure_repeat(lib, kernel, n, threads, 2, row);
}

/* threads_sharing is the most of any sample; several samples make sure
 * one is undisturbed by the tests running beside (waiting threads spin). */
enum { SHARING_SAMPLES = 10 };

Test(blaslib_real, every_installed_blas_multiplies_right, .timeout = 240)
{
    static struct mb_blaslib_set s;
    installed(&s);
    static const size_t sizes[] = {1, 7, 65, 200};
    for (size_t i = 0; i < s.n; i++)
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            struct mb_blaslib_row row;
            measure(&s.v[i], "dgemm", sizes[k], 1, &row);
            cr_assert_eq(row.outcome, MB_BLASLIB_OK, "%s dgemm n=%zu: %s", s.v[i].name, sizes[k],
                         row.error);
            cr_assert(row.residual < row.limit, "%s n=%zu", s.v[i].name, sizes[k]);
            cr_assert(row.gflops > 0 && row.repeat >= 2, "%s n=%zu", s.v[i].name, sizes[k]);
        }
}

Test(blaslib_real, every_installed_blas_factors_right, .timeout = 240)
{
    static struct mb_blaslib_set s;
    installed(&s);
    for (size_t i = 0; i < s.n; i++) {
        struct mb_blaslib_row row;
        measure(&s.v[i], "dgetrf", 200, 1, &row);
        cr_assert_eq(row.outcome, MB_BLASLIB_OK, "%s dgetrf: %s (LAPACK %s)", s.v[i].name,
                     row.error, s.v[i].lapack);
        cr_assert(row.residual < MB_LAPACK_THRESHOLD, "%s: %g", s.v[i].name, row.residual);
        cr_assert_str_neq(row.id.lapack_loaded, "", "%s", s.v[i].name);
    }
}

/* What Debian's folder name says each library is. */
Test(blaslib_real, each_installed_blas_identifies_itself)
{
    static struct mb_blaslib_set s;
    installed(&s);
    static const struct {
        const char *folder, *impl, *threading;
    } want[] = {
        {"openblas-pthread", "OpenBLAS", "pthreads"},
        {"openblas-openmp", "OpenBLAS", "openmp"},
        {"openblas-serial", "OpenBLAS", "serial"},
        {"blis-pthread", "BLIS", "pthreads"},
        {"blis-openmp", "BLIS", "openmp"},
        {"blis-serial", "BLIS", "serial"},
        {"blas", "reference BLAS (netlib)", "serial"},
        {"atlas", "ATLAS", "serial"},
    };
    size_t seen = 0;
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        const struct mb_blaslib *lib = installed_named(&s, want[w].folder);
        if (lib == NULL)
            continue;
        struct mb_blaslib_id id;
        struct mb_diag d = {0};
        cr_assert_eq(mb_blaslib_check(lib, MB_PROBE, &id, &d), MB_OK, "%s: %s", lib->name, d.msg);
        cr_assert_str_eq(id.impl, want[w].impl, "%s", lib->name);
        cr_assert_str_eq(id.threading, want[w].threading, "%s", lib->name);
        cr_assert_str_neq(id.version, "", "%s has a version", lib->name);
        cr_assert_str_neq(id.loaded, "", "%s names the file loaded", lib->name);
        seen++;
    }
    cr_assert_geq(seen, 1, "openblas-pthread at least is installed");
}

Test(blaslib_real, openblas_pthreads_takes_two_threads, .timeout = 120)
{
    static struct mb_blaslib_set s;
    installed(&s);
    const struct mb_blaslib *lib = installed_named(&s, "openblas-pthread");
    cr_assert_not_null(lib, "libopenblas0-pthread is what matbench links");
    struct mb_blaslib_row row;
    measure_repeat(lib, "dgemm", 600, 2, SHARING_SAMPLES, &row);
    cr_assert_eq(row.outcome, MB_BLASLIB_OK, "%s", row.error);
    cr_assert_str_eq(row.id.control, "openblas_set_num_threads");
    cr_assert_eq(row.id.threads_reported, 2);
    cr_assert_eq(row.threads_used, 2);
    /* the work was split between two threads, each doing about half */
    cr_assert_eq(row.threads_sharing, 2, "threads sharing: %d", row.threads_sharing);
    /* how many worked in the same moment is the scheduler's to say */
    cr_assert(row.threads_working >= 1 && row.threads_working <= 2, "threads working: %d",
              row.threads_working);
}

Test(blaslib_real, a_serial_build_says_it_runs_one_thread, .timeout = 120)
{
    static struct mb_blaslib_set s;
    installed(&s);
    const struct mb_blaslib *lib = installed_named(&s, "openblas-serial");
    if (lib == NULL)
        cr_skip_test("libopenblas0-serial is not installed");
    struct mb_blaslib_row row;
    measure_repeat(lib, "dgemm", 200, 2, SHARING_SAMPLES, &row);
    cr_assert_eq(row.outcome, MB_BLASLIB_OK, "%s", row.error);
    cr_assert_eq(row.id.threads_reported, 1);
    cr_assert_eq(row.threads_used, 1);
    cr_assert(row.threads_used_reported);
    cr_assert_eq(row.threads_sharing, 1, "threads sharing: %d", row.threads_sharing);
}

Test(blaslib_real, blis_takes_its_threads_from_blis_num_threads, .timeout = 120)
{
    static struct mb_blaslib_set s;
    installed(&s);
    const struct mb_blaslib *lib = installed_named(&s, "blis-pthread");
    if (lib == NULL)
        cr_skip_test("libblis4-pthread is not installed");
    struct mb_blaslib_row row;
    measure_repeat(lib, "dgemm", 600, 2, SHARING_SAMPLES, &row);
    cr_assert_eq(row.outcome, MB_BLASLIB_OK, "%s", row.error);
    cr_assert_str_eq(row.id.control, "BLIS_NUM_THREADS");
    cr_assert(!row.threads_used_reported);
    cr_assert_eq(row.threads_sharing, 2, "threads sharing: %d", row.threads_sharing);
    cr_assert_eq(row.threads_used, 2);
    /* how many worked in the same moment is the scheduler's to say */
    cr_assert(row.threads_working >= 1 && row.threads_working <= 2, "threads working: %d",
              row.threads_working);
}

Test(blaslib_fake, a_wrong_product_fails_verification)
{
    struct mb_blaslib lib;
    fake(&lib, MB_FAKE_WRONG);
    struct mb_blaslib_row row;
    measure(&lib, "dgemm", 65, 1, &row);
    cr_assert_eq(row.outcome, MB_BLASLIB_WRONG);
    cr_assert(strstr(row.error, "failed verification") != NULL, "%s", row.error);
    cr_assert(row.residual > row.limit);
}

Test(blaslib_fake, a_crash_is_its_row_and_the_next_library_still_runs, .timeout = 120)
{
    struct mb_blaslib lib;
    fake(&lib, MB_FAKE_SEGV);
    struct mb_blaslib_row row;
    measure(&lib, "dgemm", 65, 1, &row);
    cr_assert_eq(row.outcome, MB_BLASLIB_CRASHED);
    cr_assert(strstr(row.error, "crashed (signal 11") != NULL, "%s", row.error);
    static struct mb_blaslib_set s;
    installed(&s);
    measure(&s.v[0], "dgemm", 65, 1, &row);
    cr_assert_eq(row.outcome, MB_BLASLIB_OK, "%s: %s", s.v[0].name, row.error);
}

Test(blaslib_fake, a_hang_is_killed_at_the_time_limit, .timeout = 60)
{
    struct mb_blaslib lib;
    fake(&lib, MB_FAKE_HANG);
    struct mb_blaslib_settings s = settings();
    s.time_limit_s = 1;
    struct mb_blaslib_row row;
    struct mb_diag d = {0};
    cr_assert_eq(mb_blaslib_measure(&lib, mb_kernel_find("dgemm"), 65, 1, &s, &row, &d), MB_OK,
                 "%s", d.msg);
    cr_assert_eq(row.outcome, MB_BLASLIB_TIMEOUT);
    cr_assert_str_eq(row.error, "no answer in 1 s");
}

Test(blaslib_fake, a_library_without_the_symbols_is_refused)
{
    struct mb_blaslib lib;
    fake(&lib, MB_FAKE_NOSYM);
    struct mb_blaslib_id id;
    struct mb_diag d = {0};
    cr_assert_eq(mb_blaslib_check(&lib, MB_PROBE, &id, &d), MB_USAGE);
    cr_assert(strstr(d.msg, "neither cblas_dgemm nor dgemm_") != NULL, "%s", d.msg);
    cr_assert(strstr(d.msg, MB_FAKE_NOSYM) != NULL || strstr(d.msg, "fakeblas_nosym") != NULL,
              "names the library: %s", d.msg);
}

Test(blaslib_fake, a_file_that_is_no_library_is_refused)
{
    char path[] = "/tmp/mb_notalibXXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "not ELF\n", 8), 8);
    close(fd);
    struct mb_blaslib lib;
    fake(&lib, path);
    struct mb_blaslib_id id;
    struct mb_diag d = {0};
    enum mb_status st = mb_blaslib_check(&lib, MB_PROBE, &id, &d);
    unlink(path);
    cr_assert_eq(st, MB_USAGE, "%s", d.msg);
    cr_assert(strstr(d.msg, "cannot load") != NULL, "%s", d.msg);
}

Test(blaslib_fake, dgetrf_without_a_lapack_is_skipped)
{
    struct mb_blaslib lib;
    fake(&lib, MB_FAKE_WRONG); /* defines cblas_dgemm only */
    struct mb_blaslib_row row;
    measure(&lib, "dgetrf", 65, 1, &row);
    cr_assert_eq(row.outcome, MB_BLASLIB_SKIPPED, "%s", row.error);
    cr_assert(strstr(row.error, "dgetrf") != NULL, "%s", row.error);
}
