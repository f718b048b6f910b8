/* coretype: the table of OpenBLAS core types and the features each needs,
 * the safety check against fake CPUs, and the child-process probe, run
 * against small shell scripts that stand in for matbench (a valid report, a
 * SIGILL, an error exit, garbage, an unverified result). Never timings. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "matbench/blas.h"
#include "matbench/coretype.h"
#include "mb_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the table ----------------------------------------------------------- */

Test(coretype, every_flag_of_every_entry_is_a_real_cpu_check)
{
    cr_assert_geq(mb_coretype_count(), 1);
    for (size_t i = 0; i < mb_coretype_count(); i++) {
        const struct mb_coretype *ct = mb_coretype_at(i);
        cr_assert_not_null(ct);
        cr_assert_not_null(ct->flags[0], "%s needs at least one feature", ct->name);
        for (const char *const *f = ct->flags; *f != NULL; f++)
            cr_assert(mb_cpu_flag_known(*f), "%s: '%s' maps to a __builtin_cpu_supports call",
                      ct->name, *f);
        cr_assert_geq(mb_isa_rank(ct->isa), 0, "%s: isa '%s'", ct->name, ct->isa);
    }
    cr_assert_null(mb_coretype_at(mb_coretype_count()), "past the end");
}

Test(coretype, names_are_unique_without_regard_to_case)
{
    for (size_t i = 0; i < mb_coretype_count(); i++)
        for (size_t j = i + 1; j < mb_coretype_count(); j++)
            cr_assert(strcasecmp(mb_coretype_at(i)->name, mb_coretype_at(j)->name) != 0, "%s twice",
                      mb_coretype_at(i)->name);
}

Test(coretype, covers_the_core_types_of_a_modern_x86_64)
{
    static const char *const want[] = {
        "Prescott", "Core2",      "Penryn",    "Nehalem",    "Sandybridge", "Haswell",   "Zen",
        "SkylakeX", "Cooperlake", "Bulldozer", "Piledriver", "Steamroller", "Excavator",
    };
    for (size_t i = 0; i < COUNT(want); i++) {
        const struct mb_coretype *ct = mb_coretype_find(want[i]);
        cr_assert_not_null(ct, "%s is in the table", want[i]);
        cr_assert_str_eq(ct->name, want[i], "spelled as OPENBLAS_CORETYPE spells it");
    }
}

Test(coretype, find_ignores_case_and_knows_no_other_names)
{
    static const struct {
        const char *query, *name;
    } found[] = {{"skylakex", "SkylakeX"},
                 {"HASWELL", "Haswell"},
                 {"zen", "Zen"},
                 {"cooperLAKE", "Cooperlake"},
                 {"opteron_sse3", "Opteron_SSE3"}};
    for (size_t i = 0; i < COUNT(found); i++) {
        const struct mb_coretype *ct = mb_coretype_find(found[i].query);
        cr_assert_not_null(ct, "%s", found[i].query);
        cr_assert_str_eq(ct->name, found[i].name);
    }
    /* SapphireRapids is not a core type of OpenBLAS 0.3.21; Katmai is a
     * 32-bit one that a 64-bit OpenBLAS runs as Prescott */
    static const char *const unknown[] = {"Bogus",   "SapphireRapids", "Katmai",
                                          "Skylake", "Haswell ",       ""};
    for (size_t i = 0; i < COUNT(unknown); i++)
        cr_assert_null(mb_coretype_find(unknown[i]), "'%s' is unknown", unknown[i]);
    cr_assert_null(mb_coretype_find(NULL));
}

Test(coretype, isa_ranks_run_from_sse2_to_avx512)
{
    static const char *const order[] = {"sse2", "sse3", "avx", "avx2", "avx512"};
    for (size_t i = 0; i < COUNT(order); i++)
        cr_assert_eq(mb_isa_rank(order[i]), (int)i, "%s", order[i]);
    static const char *const unknown[] = {"", "AVX2", "avx512f", "neon", "sse4.1"};
    for (size_t i = 0; i < COUNT(unknown); i++)
        cr_assert_eq(mb_isa_rank(unknown[i]), -1, "'%s'", unknown[i]);
    cr_assert_eq(mb_isa_rank(NULL), -1);
}

/* ---- fake CPUs ----------------------------------------------------------- */

/* The features of the fake CPU in use, NULL-terminated. */
static const char *const *fake_flags;

static bool fake_has(const char *flag)
{
    for (const char *const *f = fake_flags; *f != NULL; f++)
        if (strcmp(*f, flag) == 0)
            return true;
    return false;
}

static const char *const no_flags[] = {NULL};
static const char *const nehalem_cpu[] = {"sse2", "sse3", "ssse3", "sse4.1", "sse4.2", NULL};
static const char *const sandybridge_cpu[] = {"sse2",   "sse3", "ssse3", "sse4.1",
                                              "sse4.2", "avx",  NULL};
static const char *const haswell_cpu[] = {"sse2",   "sse3", "ssse3", "sse4.1", "sse4.2",
                                          "avx",    "avx2", "fma",   "bmi",    "bmi2",
                                          "popcnt", "f16c", NULL};
static const char *const bulldozer_cpu[] = {"sse2",  "sse3", "ssse3", "sse4.1", "sse4.2",
                                            "sse4a", "avx",  "fma4",  "xop",    NULL};
static const char *const skylakex_cpu[] = {
    "sse2", "sse3", "ssse3",   "sse4.1",   "sse4.2",   "avx",      "avx2",     "fma",
    "bmi",  "bmi2", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", NULL};
/* this machine: an AMD Zen 5 with AVX-512 and BF16, and no FMA4, XOP or 3DNow! */
static const char *const zen5_cpu[] = {
    "sse2",     "sse3",     "ssse3",      "sse4.1",     "sse4.2",  "sse4a",    "avx",
    "avx2",     "fma",      "bmi",        "bmi2",       "avx512f", "avx512cd", "avx512bw",
    "avx512dq", "avx512vl", "avx512bf16", "avx512vnni", NULL};

/* The first feature ct needs that the fake CPU cpu lacks, or NULL. */
static const char *missing_on(const char *const *cpu, const char *name)
{
    fake_flags = cpu;
    const struct mb_coretype *ct = mb_coretype_find(name);
    cr_assert_not_null(ct, "%s", name);
    return mb_coretype_missing(ct, fake_has);
}

static const struct {
    const char *cpu_name;
    const char *const *cpu;
    const char *coretype;
    const char *missing; /* NULL: safe */
} safety[] = {
    {"Haswell", haswell_cpu, "Haswell", NULL},
    {"Haswell", haswell_cpu, "Zen", NULL},
    {"Haswell", haswell_cpu, "Sandybridge", NULL},
    {"Haswell", haswell_cpu, "Nehalem", NULL},
    {"Haswell", haswell_cpu, "Prescott", NULL},
    {"Haswell", haswell_cpu, "SkylakeX", "avx512f"},
    {"Haswell", haswell_cpu, "Cooperlake", "avx512f"},
    {"Haswell", haswell_cpu, "Bulldozer", "fma4"},
    {"Haswell", haswell_cpu, "Excavator", "fma4"},
    {"Haswell", haswell_cpu, "Opteron", "3dnow"},
    {"SkylakeX", skylakex_cpu, "SkylakeX", NULL},
    {"SkylakeX", skylakex_cpu, "Cooperlake", "avx512bf16"},
    {"Zen 5", zen5_cpu, "Cooperlake", NULL},
    {"Zen 5", zen5_cpu, "SkylakeX", NULL},
    {"Zen 5", zen5_cpu, "Bulldozer", "fma4"},
    {"Zen 5", zen5_cpu, "Piledriver", "fma4"},
    {"Zen 5", zen5_cpu, "Steamroller", "fma4"},
    {"Zen 5", zen5_cpu, "Opteron_SSE3", "3dnow"},
    {"Bulldozer", bulldozer_cpu, "Bulldozer", NULL},
    {"Bulldozer", bulldozer_cpu, "Piledriver", "fma"},
    {"Bulldozer", bulldozer_cpu, "Haswell", "avx2"},
    {"Sandy Bridge", sandybridge_cpu, "Sandybridge", NULL},
    {"Sandy Bridge", sandybridge_cpu, "Haswell", "avx2"},
    {"Nehalem", nehalem_cpu, "Nehalem", NULL},
    {"Nehalem", nehalem_cpu, "Sandybridge", "avx"},
    {"SSE2-only", no_flags, "Prescott", "sse3"},
};

Test(coretype, missing_names_the_first_feature_a_fake_cpu_lacks)
{
    for (size_t i = 0; i < COUNT(safety); i++) {
        const char *got = missing_on(safety[i].cpu, safety[i].coretype);
        if (safety[i].missing == NULL)
            cr_assert_null(got, "%s on a %s CPU is safe, not missing %s", safety[i].coretype,
                           safety[i].cpu_name, got);
        else
            cr_assert(got != NULL && strcmp(got, safety[i].missing) == 0,
                      "%s on a %s CPU misses %s, got %s", safety[i].coretype, safety[i].cpu_name,
                      safety[i].missing, got ? got : "(safe)");
    }
}

Test(coretype, a_cpu_without_extensions_can_run_no_entry)
{
    fake_flags = no_flags;
    for (size_t i = 0; i < mb_coretype_count(); i++)
        cr_assert_not_null(mb_coretype_missing(mb_coretype_at(i), fake_has), "%s",
                           mb_coretype_at(i)->name);
}

Test(coretype, an_entry_never_claims_more_isa_than_its_flags_demand)
{
    /* a CPU with exactly an entry's flags has at least the entry's isa */
    for (size_t i = 0; i < mb_coretype_count(); i++) {
        const struct mb_coretype *ct = mb_coretype_at(i);
        fake_flags = ct->flags;
        cr_assert_null(mb_coretype_missing(ct, fake_has), "%s on its own flags", ct->name);
        cr_assert_geq(mb_isa_rank(mb_cpu_widest_isa(fake_has)), mb_isa_rank(ct->isa),
                      "%s: isa %s, but its flags make only %s", ct->name, ct->isa,
                      mb_cpu_widest_isa(fake_has));
    }
}

Test(coretype, widest_isa_of_fake_cpus)
{
    static const struct {
        const char *const *cpu;
        const char *isa;
    } table[] = {{no_flags, "sse2"},     {nehalem_cpu, "sse3"}, {sandybridge_cpu, "avx"},
                 {bulldozer_cpu, "avx"}, {haswell_cpu, "avx2"}, {skylakex_cpu, "avx512"},
                 {zen5_cpu, "avx512"}};
    for (size_t i = 0; i < COUNT(table); i++) {
        fake_flags = table[i].cpu;
        cr_assert_str_eq(mb_cpu_widest_isa(fake_has), table[i].isa, "row %zu", i);
    }
}

/* ---- the real CPU -------------------------------------------------------- */

Test(coretype, the_real_cpu_answers_known_names_and_refuses_unknown_ones)
{
    cr_assert(mb_cpu_has("sse2"), "every x86-64 CPU has SSE2");
    static const char *const unknown[] = {"sse4_1", "avx1024", "", "AVX2"};
    for (size_t i = 0; i < COUNT(unknown); i++) {
        cr_assert_not(mb_cpu_flag_known(unknown[i]), "'%s'", unknown[i]);
        cr_assert_not(mb_cpu_has(unknown[i]), "'%s' is false", unknown[i]);
    }
    cr_assert_not(mb_cpu_has(NULL));
    cr_assert_geq(mb_isa_rank(mb_cpu_widest_isa(NULL)), 0, "NULL asks the real CPU");
}

/* The features coretype.c reads from CPUID itself (clang 14 does not know
 * their names) answer as gcc's __builtin_cpu_supports does on this CPU. */
Test(coretype, features_read_from_cpuid_agree_with_the_compiler)
{
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
    __builtin_cpu_init();
    cr_assert(mb_cpu_flag_known("3dnow") && mb_cpu_flag_known("amx-bf16"));
    cr_assert_eq(mb_cpu_has("3dnow"), __builtin_cpu_supports("3dnow") != 0);
    cr_assert_eq(mb_cpu_has("f16c"), __builtin_cpu_supports("f16c") != 0);
    cr_assert_eq(mb_cpu_has("avx512fp16"), __builtin_cpu_supports("avx512fp16") != 0);
    cr_assert_eq(mb_cpu_has("amx-tile"), __builtin_cpu_supports("amx-tile") != 0);
    cr_assert_eq(mb_cpu_has("amx-bf16"), __builtin_cpu_supports("amx-bf16") != 0);
#else
    cr_skip_test("needs gcc 12's __builtin_cpu_supports names to compare with");
#endif
}

Test(coretype, what_the_real_cpu_can_run_fits_its_widest_isa)
{
    int widest = mb_isa_rank(mb_cpu_widest_isa(mb_cpu_has));
    for (size_t i = 0; i < mb_coretype_count(); i++) {
        const struct mb_coretype *ct = mb_coretype_at(i);
        if (mb_coretype_missing(ct, NULL) == NULL)
            cr_assert_leq(mb_isa_rank(ct->isa), widest, "%s is safe here", ct->name);
    }
}

/* ---- the probe, against fake children ------------------------------------ */

static char fake_dir[64];

/* Writes an executable shell script named name into fake_dir; path (cap
 * bytes) receives its path. */
static void write_script(char *path, size_t cap, const char *name, const char *body)
{
    snprintf(path, cap, "%s/%s", fake_dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fprintf(f, "#!/bin/sh\n%s", body);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(chmod(path, 0755), 0, "%s", path);
}

static void make_fake_dir(void)
{
    snprintf(fake_dir, sizeof fake_dir, "/tmp/mb_coretype_XXXXXX");
    cr_assert_not_null(mkdtemp(fake_dir));
}

static void remove_fake_dir(void)
{
    DIR *dir = opendir(fake_dir);
    if (dir == NULL)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(dir)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof path, "%s/%s", fake_dir, e->d_name);
            unlink(path);
        }
    closedir(dir);
    rmdir(fake_dir);
}

TestSuite(probe, .init = make_fake_dir, .fini = remove_fake_dir, .timeout = 60);

#define STR_(x) #x
#define STR(x) STR_(x)

/* A matbench stand-in that insists on the probe's exact command line for
 * n = 64 and 3 threads, an environment without OPENBLAS_NUM_THREADS, and
 * stdin at end of file, then reports $OPENBLAS_CORETYPE as blas.core, with
 * a figure per core type. */
static const char good_child[] =
    "want='64 --kernels dgemm --threads 3 --format json --quiet --no-peak --repeat " STR(
        MB_CORETYPE_PROBE_REPEAT) "'\n"
                                  "[ \"$*\" = \"$want\" ] || { echo \"fake: argv is '$*', want "
                                  "'$want'\" >&2; exit 2; }\n"
                                  "[ -z \"${OPENBLAS_NUM_THREADS+set}\" ] || { echo 'fake: "
                                  "OPENBLAS_NUM_THREADS is set' >&2; "
                                  "exit 2; }\n"
                                  "if read -r line; then echo 'fake: stdin is not empty' >&2; exit "
                                  "2; fi\n"
                                  "case \"$OPENBLAS_CORETYPE\" in\n"
                                  "  Haswell) gf=51.25 ;; SkylakeX) gf=80.5 ;; Zen) gf=52 ;; *) "
                                  "gf=20 ;;\n"
                                  "esac\n"
                                  "echo 'OpenBLAS would say nothing here' >&2\n"
                                  "printf '{\"matbench\": \"0\", \"blas\": {\"name\": "
                                  "\"OpenBLAS\", \"core\": \"%s\"},\\n'"
                                  " \"$OPENBLAS_CORETYPE\"\n"
                                  "printf ' \"results\": [{\"kernel\": \"dgemm\", \"n\": %s, "
                                  "\"gflops\": %s, "
                                  "\"verified\": true}]}\\n' \"$1\" \"$gf\"\n";

/* Probes the script body under coretype at n = 64 and 3 threads. */
static enum mb_status probe_script(const char *body, const char *coretype,
                                   struct mb_coretype_probe *p, struct mb_diag *d)
{
    char path[128];
    write_script(path, sizeof path, "matbench", body);
    return mb_coretype_probe(path, coretype, 64, 3, p, d);
}

Test(probe, a_good_child_reports_its_core_and_gflops)
{
    cr_assert_eq(setenv("OPENBLAS_NUM_THREADS", "7", 1), 0, "the probe must take it out");
    cr_assert_eq(setenv("OPENBLAS_CORETYPE", "Stale", 1), 0, "and replace this one");
    struct mb_coretype_probe p;
    struct mb_diag d = {0};
    cr_assert_eq(probe_script(good_child, "SkylakeX", &p, &d), MB_OK, "%s", d.msg);
    cr_assert(p.ok, "ok: %s", p.error);
    cr_assert_str_eq(p.requested, "SkylakeX");
    cr_assert_str_eq(p.core, "SkylakeX");
    cr_assert_float_eq(p.gflops, 80.5, 1e-12);
    cr_assert_str_eq(p.error, "");
    cr_assert_str_eq(getenv("OPENBLAS_NUM_THREADS"), "7", "the caller's environment is kept");
    cr_assert_str_eq(getenv("OPENBLAS_CORETYPE"), "Stale");
}

Test(probe, a_child_killed_by_sigill_is_a_failed_probe_not_an_error)
{
    struct mb_coretype_probe p;
    struct mb_diag d = {0};
    cr_assert_eq(probe_script("kill -ILL $$\necho unreachable\n", "Bulldozer", &p, &d), MB_OK);
    cr_assert_not(p.ok);
    cr_assert_str_eq(p.error, "killed by signal 4 (Illegal instruction)");
    cr_assert_str_eq(p.core, "");
    cr_assert(isnan(p.gflops));
    cr_assert_str_eq(p.requested, "Bulldozer");
    cr_assert_str_eq(d.msg, "", "a finding, not an error: d is left alone");
}

Test(probe, a_non_zero_exit_carries_the_last_stderr_line)
{
    struct mb_coretype_probe p;
    cr_assert_eq(probe_script("echo 'first line' >&2\necho 'matbench: out of memory' >&2\n"
                              "echo >&2\nexit 1\n",
                              "Haswell", &p, NULL),
                 MB_OK);
    cr_assert_not(p.ok);
    cr_assert_str_eq(p.error, "exit 1: matbench: out of memory", "blank lines skipped");
    cr_assert(isnan(p.gflops));
}

Test(probe, a_silent_non_zero_exit_says_so)
{
    struct mb_coretype_probe p;
    cr_assert_eq(probe_script("exit 3\n", "Haswell", &p, NULL), MB_OK);
    cr_assert_not(p.ok);
    cr_assert_str_eq(p.error, "exit 3 (nothing on stderr)");
}

Test(probe, a_chatty_child_neither_blocks_nor_loses_its_last_line)
{
    /* about 90 KB on stderr, more than a pipe holds, before the end */
    struct mb_coretype_probe p;
    cr_assert_eq(probe_script("i=0; while [ $i -lt 6000 ]; do echo \"noise line $i\" >&2; "
                              "i=$((i+1)); done\nexit 1\n",
                              "Haswell", &p, NULL),
                 MB_OK);
    cr_assert_str_eq(p.error, "exit 1: noise line 5999");
}

Test(probe, garbage_on_stdout_is_unreadable_output)
{
    struct mb_coretype_probe p;
    cr_assert_eq(probe_script("echo 'this is not JSON'\n", "Haswell", &p, NULL), MB_OK);
    cr_assert_not(p.ok);
    cr_assert(strncmp(p.error, "unreadable output: ", 19) == 0, "%s", p.error);
    cr_assert(isnan(p.gflops));
    cr_assert_str_eq(p.core, "");
}

Test(probe, an_incomplete_report_is_unreadable_output)
{
    static const struct {
        const char *body, *error;
    } table[] = {
        {"true\n", "unreadable output: nothing on stdout"},
        {"echo '{\"results\": []}'\n", "unreadable output: no blas.core"},
        {"echo '{\"blas\": {\"core\": \"Zen\"}, \"results\": []}'\n",
         "unreadable output: no results[0]"},
        {"echo '{\"blas\": {\"core\": \"Zen\"}, \"results\": [{\"gflops\": null, "
         "\"verified\": true}]}'\n",
         "unreadable output: results[0].gflops is not a number"},
        {"echo '{\"blas\": {\"core\": \"Zen\"}, \"results\": [{\"gflops\": 3}]}'\n",
         "unreadable output: results[0].verified is not true or false"},
    };
    for (size_t i = 0; i < COUNT(table); i++) {
        struct mb_coretype_probe p;
        cr_assert_eq(probe_script(table[i].body, "Zen", &p, NULL), MB_OK);
        cr_assert_not(p.ok, "row %zu", i);
        cr_assert_str_eq(p.error, table[i].error, "row %zu", i);
    }
}

Test(probe, an_unverified_result_fails_but_names_the_core)
{
    struct mb_coretype_probe p;
    cr_assert_eq(probe_script("echo '{\"blas\": {\"core\": \"Cooperlake\"}, \"results\": "
                              "[{\"gflops\": 99.5, \"verified\": false}]}'\n",
                              "SapphireRapids", &p, NULL),
                 MB_OK);
    cr_assert_not(p.ok);
    cr_assert_str_eq(p.error, "dgemm result failed verification");
    cr_assert_str_eq(p.core, "Cooperlake", "what ran, though it was not what was asked for");
    cr_assert(isnan(p.gflops), "no figure for a wrong result");
}

Test(probe, a_missing_program_cannot_be_started)
{
    struct mb_coretype_probe p;
    struct mb_diag d = {0};
    cr_assert_eq(mb_coretype_probe("/nonexistent/matbench", "Haswell", 64, 1, &p, &d), MB_RUNTIME);
    cr_assert_str_eq(d.msg, "cannot start '/nonexistent/matbench': No such file or directory");
    cr_assert_not(p.ok);
    cr_assert_str_eq(p.error, d.msg, "the probe carries the message too");
    cr_assert(isnan(p.gflops));
}

Test(probe, a_file_that_is_not_executable_cannot_be_started)
{
    char path[128];
    write_script(path, sizeof path, "plain", "exit 0\n");
    cr_assert_eq(chmod(path, 0644), 0);
    struct mb_coretype_probe p;
    struct mb_diag d = {0};
    cr_assert_eq(mb_coretype_probe(path, "Haswell", 64, 1, &p, &d), MB_RUNTIME);
    cr_assert(strstr(d.msg, path) != NULL && strstr(d.msg, "Permission denied") != NULL, "%s",
              d.msg);
}

Test(probe, bad_arguments_are_refused_before_anything_runs)
{
    static const struct {
        const char *exe, *coretype;
        size_t n;
        int threads;
        const char *fragment;
    } table[] = {
        {"/bin/true", "Haswell", 0, 1, "n: '0'"},
        {"/bin/true", "Haswell", 64, 0, "threads: '0'"},
        {"/bin/true", "", 64, 1, "coretype: ''"},
        {"/bin/true", "ThisNameIsFarTooLongForOpenBLAS_X", 64, 1, "coretype: 'ThisName"},
        {NULL, "Haswell", 64, 1, "exe:"},
    };
    for (size_t i = 0; i < COUNT(table); i++) {
        struct mb_coretype_probe p;
        struct mb_diag d = {0};
        cr_assert_eq(mb_coretype_probe(table[i].exe, table[i].coretype, table[i].n,
                                       table[i].threads, &p, &d),
                     MB_USAGE, "row %zu", i);
        cr_assert(strstr(d.msg, table[i].fragment) != NULL, "row %zu: %s", i, d.msg);
        cr_assert_not(p.ok);
    }
}

/* The number of open file descriptors of this process. */
static int open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    cr_assert_not_null(dir);
    int n = 0;
    while (readdir(dir) != NULL)
        n++;
    closedir(dir);
    return n;
}

Test(probe, leaves_no_descriptor_open_and_no_child_unwaited)
{
    char path[128];
    write_script(path, sizeof path, "ill", "kill -ILL $$\n");
    int before = open_fds();
    for (int round = 0; round < 3; round++) {
        struct mb_coretype_probe p;
        cr_assert_eq(probe_script(good_child, "Haswell", &p, NULL), MB_OK);
        cr_assert(p.ok, "%s", p.error);
        cr_assert_eq(mb_coretype_probe(path, "Bulldozer", 64, 1, &p, NULL), MB_OK);
        cr_assert_eq(mb_coretype_probe("/nonexistent", "Haswell", 64, 1, &p, NULL), MB_RUNTIME);
    }
    cr_assert_eq(open_fds(), before, "descriptors before and after");
    errno = 0;
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "no child left, not even a zombie");
    cr_assert_eq(errno, ECHILD);
}

Test(probe, the_fastest_of_several_fake_probes_wins)
{
    static const char *const cores[] = {"Haswell", "Bulldozer", "SkylakeX", "Zen"};
    char ill[128];
    write_script(ill, sizeof ill, "ill", "kill -ILL $$\n");
    struct mb_coretype_probe p[COUNT(cores)];
    for (size_t i = 0; i < COUNT(cores); i++) {
        cr_assert_eq(i == 1 ? mb_coretype_probe(ill, cores[i], 64, 3, &p[i], NULL)
                            : probe_script(good_child, cores[i], &p[i], NULL),
                     MB_OK);
    }
    cr_assert_eq(mb_coretype_best(p, COUNT(cores)), 2, "SkylakeX, at 80.5");
    cr_assert_not(p[1].ok);
}

/* ---- choosing the best --------------------------------------------------- */

static struct mb_coretype_probe made(bool ok, double gflops)
{
    struct mb_coretype_probe p = {.ok = ok, .gflops = ok ? gflops : NAN};
    return p;
}

Test(coretype, best_is_the_fastest_ok_probe)
{
    struct mb_coretype_probe p[] = {made(true, 50), made(false, 0), made(true, 80),
                                    made(true, 79.9)};
    cr_assert_eq(mb_coretype_best(p, COUNT(p)), 2);
}

Test(coretype, best_ignores_failed_probes_whatever_their_figure)
{
    struct mb_coretype_probe p[] = {made(true, 10), made(false, 0), made(true, 5)};
    p[1].gflops = 1000; /* a failed probe's figure never counts */
    cr_assert_eq(mb_coretype_best(p, COUNT(p)), 0);
}

Test(coretype, best_keeps_the_first_of_equals)
{
    struct mb_coretype_probe p[] = {made(false, 0), made(true, 42), made(true, 42)};
    cr_assert_eq(mb_coretype_best(p, COUNT(p)), 1);
}

Test(coretype, best_is_minus_one_when_nothing_ran)
{
    struct mb_coretype_probe p[] = {made(false, 0), made(false, 0)};
    cr_assert_eq(mb_coretype_best(p, COUNT(p)), -1);
    cr_assert_eq(mb_coretype_best(p, 0), -1);
    cr_assert_eq(mb_coretype_best(NULL, 3), -1);
}

/* ---- the real binary ----------------------------------------------------- */

Test(probe, the_real_binary_runs_the_detected_core_type)
{
    struct run r;
    run_shell(&r, "'" MB_BINARY "' 8 --no-peak --kernels dgemm --format json --quiet");
    if (r.code != 0)
        cr_skip_test("matbench does not accept --no-peak yet (exit %d: %s); the probe of the "
                     "real binary waits for it",
                     r.code, r.err);
    struct mb_blas_info b;
    mb_blas_info(&b);
    struct mb_coretype_probe p;
    struct mb_diag d = {0};
    cr_assert_eq(mb_coretype_probe(MB_BINARY, b.core, 64, 1, &p, &d), MB_OK, "%s", d.msg);
    cr_assert(p.ok, "%s: %s", b.core, p.error);
    cr_assert_gt(p.gflops, 0);
    if (mb_coretype_find(b.core) != NULL)
        cr_assert(strcasecmp(p.core, b.core) == 0, "asked for %s, ran %s", b.core, p.core);
}
