/* The parts of matbench pitfalls that every scenario shares (pitfalls.h):
 * the child protocol on stand-in children (a shell that hangs, fails,
 * crashes, answers wrong, half or whole), the answer read into a run, the
 * comparison of a trap with its fix on synthetic runs, the skip reasons,
 * --only, and the children's environment. No timing is asserted. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matbench/pitfalls.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Runs /bin/sh -c script as a scenario's child, its answer read after
 * prefix, with a time limit. */
static enum mb_status shell(const char *script, const char *prefix, double limit_s,
                            struct mb_pitfall_run *r)
{
    char *argv[] = {"sh", "-c", (char *)script, NULL};
    struct mb_pitfall_spawn s = {.exe = "/bin/sh", .argv = argv, .time_limit_s = limit_s};
    mb_pitfall_run_init(r, "stand-in", 100, 1, 2);
    struct mb_diag d = {0};
    return mb_pitfall_measure(&s, prefix, r, &d);
}

#define ANSWER                                                                                     \
    "echo core=Haswell; echo threading=pthreads; echo threads_default=2; "                         \
    "echo threads_reported=1; echo cpus=2; echo calls=10; echo wall_s=0.5; echo cpu_s=1.0; "       \
    "echo threads_seen=3; echo gflops=42.5; "

Test(child_protocol, a_whole_answer_is_read_into_the_run)
{
    struct mb_pitfall_run r;
    cr_assert_eq(shell(ANSWER "echo verified=1; echo end=1", "", 10, &r), MB_OK);
    cr_assert_eq(r.outcome, MB_PITFALL_RUN_OK, "%s", r.error);
    cr_assert_float_eq(r.gflops, 42.5, 1e-12);
    cr_assert_float_eq(r.busy, 2.0, 1e-12, "cpu_s over wall_s");
    cr_assert_eq(r.calls, 10);
    cr_assert_eq(r.threads_default, 2);
    cr_assert_eq(r.threads_reported, 1);
    cr_assert_eq(r.threads_seen, 3);
    cr_assert_eq(r.cpus, 2);
    cr_assert_str_eq(r.core, "Haswell");
    cr_assert_str_eq(r.threading, "pthreads");
    cr_assert_str_eq(r.label, "stand-in", "the caller's label is kept");
    cr_assert_eq(r.n, 100);
}

Test(child_protocol, a_child_that_hangs_is_killed_at_the_limit_and_reported)
{
    struct mb_pitfall_run r;
    cr_assert_eq(shell("echo core=Haswell; exec sleep 60", "", 0.3, &r), MB_OK);
    cr_assert_eq(r.outcome, MB_PITFALL_RUN_HUNG);
    cr_assert(strstr(r.error, "no answer in 0.3 s") != NULL, "%s", r.error);
    cr_assert(isnan(r.gflops));
}

Test(child_protocol, a_forked_child_that_hung_is_a_hang)
{
    struct mb_pitfall_run r;
    cr_assert_eq(shell("echo parent.gflops=80; echo child_end=hung; echo child_limit_s=7; "
                       "echo end=1",
                       "child.", 10, &r),
                 MB_OK);
    cr_assert_eq(r.outcome, MB_PITFALL_RUN_HUNG);
    cr_assert(strstr(r.error, "forked child hung") != NULL, "%s", r.error);
    cr_assert(strstr(r.error, "7 s") != NULL, "%s", r.error);
}

Test(child_protocol, a_prefixed_answer_is_the_childs)
{
    struct mb_pitfall_run r;
    cr_assert_eq(shell("echo parent.gflops=80; echo parent.verified=1; echo child.gflops=12.5; "
                       "echo child.verified=1; echo child.end=1; echo child_end=exit 0; "
                       "echo child_s=0.25; echo end=1",
                       "child.", 10, &r),
                 MB_OK);
    cr_assert_eq(r.outcome, MB_PITFALL_RUN_OK, "%s", r.error);
    cr_assert_float_eq(r.gflops, 12.5, 1e-12, "the child's, not the parent's");
    cr_assert_float_eq(r.child_s, 0.25, 1e-12);
}

Test(child_protocol, a_failure_is_reported_with_what_the_child_said)
{
    struct mb_pitfall_run r;
    cr_assert_eq(shell("echo error=cannot allocate 3 matrices; exit 1", "", 10, &r), MB_OK);
    cr_assert_eq(r.outcome, MB_PITFALL_RUN_FAILED);
    cr_assert_str_eq(r.error, "cannot allocate 3 matrices");
}

Test(child_protocol, a_crash_is_reported_with_its_signal)
{
    struct mb_pitfall_run r;
    cr_assert_eq(shell("echo core=Haswell; kill -SEGV $$", "", 10, &r), MB_OK);
    cr_assert_eq(r.outcome, MB_PITFALL_RUN_FAILED);
    cr_assert(strstr(r.error, "no whole answer") != NULL, "%s", r.error);
    cr_assert(strstr(r.error, "signal 11") != NULL, "%s", r.error);
}

Test(child_protocol, a_whole_answer_with_a_bad_exit_is_a_failure)
{
    struct mb_pitfall_run r;
    cr_assert_eq(shell(ANSWER "echo verified=1; echo end=1; exit 3", "", 10, &r), MB_OK);
    cr_assert_eq(r.outcome, MB_PITFALL_RUN_FAILED);
    cr_assert(strstr(r.error, "3") != NULL, "%s", r.error);
    cr_assert(isnan(r.gflops), "no figure from a failed child");
}

Test(child_protocol, a_wrong_product_is_wrong)
{
    struct mb_pitfall_run r;
    cr_assert_eq(shell(ANSWER "echo verified=0; echo end=1; exit 1", "", 10, &r), MB_OK);
    cr_assert_eq(r.outcome, MB_PITFALL_RUN_WRONG);
    cr_assert(isnan(r.gflops), "a wrong product's speed is not a result");
}

Test(child_protocol, half_an_answer_or_none_is_a_failure)
{
    const char *scripts[] = {"echo gflops=10; echo verified=1", "true",
                             "echo gflops=ten; "
                             "echo verified=1; echo "
                             "end=1"};
    for (size_t i = 0; i < COUNT(scripts); i++) {
        struct mb_pitfall_run r;
        cr_assert_eq(shell(scripts[i], "", 10, &r), MB_OK);
        cr_assert_eq(r.outcome, MB_PITFALL_RUN_FAILED, "%s", scripts[i]);
        cr_assert(strstr(r.error, "no whole answer") != NULL, "%s: %s", scripts[i], r.error);
    }
}

Test(child_protocol, no_program_is_a_runtime_error_not_a_finding)
{
    char *argv[] = {"nowhere", NULL};
    struct mb_pitfall_spawn s = {.exe = "/nonexistent/matbench-pitfall-child", .argv = argv};
    struct mb_pitfall_run r;
    mb_pitfall_run_init(&r, "x", 1, 1, 1);
    struct mb_diag d = {0};
    cr_assert_eq(mb_pitfall_measure(&s, "", &r, &d), MB_RUNTIME);
    cr_assert(strstr(d.msg, "/nonexistent/matbench-pitfall-child") != NULL, "%s", d.msg);
}

Test(child_protocol, a_raised_stop_starts_nothing)
{
    volatile sig_atomic_t stop = 1;
    char *argv[] = {"sh", "-c", "exit 0", NULL};
    struct mb_pitfall_spawn s = {.exe = "/bin/sh", .argv = argv, .stop = &stop};
    struct mb_pitfall_run r;
    mb_pitfall_run_init(&r, "x", 1, 1, 1);
    struct mb_diag d = {0};
    cr_assert_eq(mb_pitfall_measure(&s, "", &r, &d), MB_INTERRUPTED);
    cr_assert_eq(r.outcome, MB_PITFALL_RUN_NOT_RUN);
}

Test(answer, finds_whole_keys_only)
{
    const char *out = "gflops=1.5\ngflops_x=9\nchild.gflops=2\nend=1\n";
    char buf[32];
    cr_assert_str_eq(mb_pitfall_answer(out, "gflops", buf, sizeof buf), "1.5");
    cr_assert_str_eq(mb_pitfall_answer(out, "child.gflops", buf, sizeof buf), "2");
    cr_assert_null(mb_pitfall_answer(out, "gflop", buf, sizeof buf));
    cr_assert_null(mb_pitfall_answer(out, "verified", buf, sizeof buf));
    cr_assert_null(mb_pitfall_answer("", "end", buf, sizeof buf));
}

/* A synthetic result: pairs of GFLOP/s, NAN for a trap that hung. */
static void synthetic(struct mb_pitfall_result *r, const double *trap, const double *fix,
                      size_t pairs, size_t extra)
{
    mb_pitfall_result_init(r, mb_pitfall_at(0));
    for (size_t i = 0; i < pairs + extra; i++) {
        mb_pitfall_run_init(&r->fix[i], "fix", 100, 1, 1);
        r->fix[i].outcome = MB_PITFALL_RUN_OK;
        r->fix[i].gflops = fix[i];
    }
    for (size_t i = 0; i < pairs; i++) {
        mb_pitfall_run_init(&r->trap[i], "trap", 100, 1, 2);
        r->trap[i].outcome = isnan(trap[i]) ? MB_PITFALL_RUN_HUNG : MB_PITFALL_RUN_OK;
        r->trap[i].gflops = trap[i];
    }
    r->ntrap = pairs;
    r->nfix = pairs + extra;
}

Test(judge, the_pair_that_gains_most_decides)
{
    struct mb_pitfall_result r;
    const double trap[] = {50, 40, 60}, fix[] = {55, 80, 60, 90};
    synthetic(&r, trap, fix, 3, 1);
    mb_pitfall_judge(&r);
    cr_assert_eq(r.status, MB_PITFALL_SHOWN);
    cr_assert_eq(r.best, 1);
    cr_assert_float_eq(r.gain, 2.0, 1e-12, "80 over 40; the extra fix is in no pair");
    cr_assert_str_eq(r.gain_text, "2.00x");
}

Test(judge, a_gain_below_the_threshold_does_not_show_the_trap)
{
    struct mb_pitfall_result r;
    const double trap[] = {50}, fix[] = {50 * (MB_PITFALL_SHOWN_GAIN - 0.01)};
    synthetic(&r, trap, fix, 1, 0);
    mb_pitfall_judge(&r);
    cr_assert_eq(r.status, MB_PITFALL_NOT_SHOWN);
    const double slower[] = {45};
    synthetic(&r, trap, slower, 1, 0);
    mb_pitfall_judge(&r);
    cr_assert_eq(r.status, MB_PITFALL_NOT_SHOWN, "a fix that is slower shows nothing");
    cr_assert_float_eq(r.gain, 0.9, 1e-12, "and says so");
}

Test(judge, a_trap_that_hangs_shows_it_whatever_the_gains)
{
    struct mb_pitfall_result r;
    const double trap[] = {50, NAN}, fix[] = {51, 80};
    synthetic(&r, trap, fix, 2, 0);
    mb_pitfall_judge(&r);
    cr_assert_eq(r.status, MB_PITFALL_SHOWN);
    cr_assert_eq(r.best, 1);
    cr_assert(isnan(r.gain), "no ratio against a hang");
    cr_assert_str_eq(r.gain_text, "hang -> 80.0 GFLOP/s");
}

Test(judge, a_fix_that_did_not_run_fails_the_scenario)
{
    struct mb_pitfall_result r;
    const double trap[] = {50}, fix[] = {80, 90};
    synthetic(&r, trap, fix, 1, 1);
    r.fix[1].outcome = MB_PITFALL_RUN_FAILED;
    snprintf(r.fix[1].error, sizeof r.fix[1].error, "exit 1: boom");
    mb_pitfall_judge(&r);
    cr_assert_eq(r.status, MB_PITFALL_FAILED);
    cr_assert(strstr(r.reason, "boom") != NULL, "%s", r.reason);
}

Test(skip, one_core_or_no_openmp_build_skip_with_the_reason)
{
    const struct mb_pitfall *over = mb_pitfall_find("oversubscription");
    const struct mb_pitfall *omp = mb_pitfall_find("openmp-set-threads");
    const struct mb_pitfall *fork = mb_pitfall_find("fork-after-init");
    cr_assert(over != NULL && omp != NULL && fork != NULL);
    char why[256];
    struct mb_pitfall_machine one = {.usable_cpus = 1, .openmp = true};
    cr_assert(mb_pitfall_skip(over, &one, why, sizeof why));
    cr_assert(strstr(why, "1 core") != NULL, "%s", why);
    cr_assert_not(mb_pitfall_skip(fork, &one, why, sizeof why), "fork needs no second core");
    cr_assert_str_eq(why, "");
    struct mb_pitfall_machine no_omp = {.usable_cpus = 4, .openmp = false, .omp_at = "/x/so.0"};
    cr_assert(mb_pitfall_skip(omp, &no_omp, why, sizeof why));
    cr_assert(strstr(why, "/x/so.0") != NULL && strstr(why, "libopenblas0-openmp") != NULL, "%s",
              why);
    cr_assert_not(mb_pitfall_skip(over, &no_omp, why, sizeof why));
}

Test(table, every_scenario_the_issue_names_is_there_with_its_texts)
{
    const char *ids[] = {"oversubscription",  "small-matrices", "env-at-load",
                         "fork-after-init",   "cpu-limit",      "coretype",
                         "openmp-set-threads"};
    cr_assert_eq(mb_pitfall_count(), COUNT(ids));
    for (size_t i = 0; i < COUNT(ids); i++) {
        const struct mb_pitfall *p = mb_pitfall_at(i);
        cr_assert_str_eq(p->id, ids[i]);
        cr_assert_eq(mb_pitfall_find(ids[i]), p);
        cr_assert(p->title[0] && p->what[0] && p->why[0] && p->fix[0] && p->run != NULL, "%s",
                  ids[i]);
    }
    cr_assert_null(mb_pitfall_at(COUNT(ids)));
    cr_assert_null(mb_pitfall_find("nosuch"));
}

Test(only, picks_the_scenarios_named)
{
    bool chosen[16];
    struct mb_diag d = {0};
    cr_assert_eq(mb_pitfall_parse_only(NULL, chosen, &d), MB_OK);
    for (size_t i = 0; i < mb_pitfall_count(); i++)
        cr_assert(chosen[i], "every one by default");
    cr_assert_eq(mb_pitfall_parse_only("coretype,oversubscription", chosen, &d), MB_OK);
    for (size_t i = 0; i < mb_pitfall_count(); i++) {
        const char *id = mb_pitfall_at(i)->id;
        bool want = strcmp(id, "coretype") == 0 || strcmp(id, "oversubscription") == 0;
        cr_assert_eq(chosen[i], want, "%s", id);
    }
}

Test(only, refuses_what_is_not_a_scenario)
{
    const char *bad[] = {"nosuch", "coretype,", ",coretype", "", "coretype,,cpu-limit"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        bool chosen[16];
        struct mb_diag d = {0};
        cr_assert_eq(mb_pitfall_parse_only(bad[i], chosen, &d), MB_USAGE, "'%s'", bad[i]);
        cr_assert(strstr(d.msg, "only:") == d.msg, "%s", d.msg);
        cr_assert(strstr(d.msg, "oversubscription") != NULL, "lists the ids: %s", d.msg);
    }
    bool chosen[16];
    struct mb_diag d = {0};
    mb_pitfall_parse_only("coretype,nosuch", chosen, &d);
    cr_assert(strstr(d.msg, "'nosuch'") != NULL, "names the bad id: %s", d.msg);
}

Test(environment, drops_the_thread_settings_and_adds_the_scenarios)
{
    setenv("OPENBLAS_NUM_THREADS", "3", 1);
    setenv("OMP_NUM_THREADS", "3", 1);
    setenv("GOTO_NUM_THREADS", "3", 1);
    setenv("LD_LIBRARY_PATH", "/somewhere", 1);
    setenv("MB_TEST_KEPT", "yes", 1);
    char add[] = "LD_LIBRARY_PATH=/omp";
    char *adds[] = {add};
    char **envp = mb_pitfall_environment(adds, 1);
    cr_assert_not_null(envp);
    bool kept = false, added = false;
    for (char **e = envp; *e != NULL; e++) {
        cr_assert(strncmp(*e, "OPENBLAS_NUM_THREADS=", 21) != 0, "%s", *e);
        cr_assert(strncmp(*e, "OMP_NUM_THREADS=", 16) != 0, "%s", *e);
        cr_assert(strncmp(*e, "GOTO_NUM_THREADS=", 17) != 0, "%s", *e);
        cr_assert(strcmp(*e, "LD_LIBRARY_PATH=/somewhere") != 0, "%s", *e);
        kept = kept || strcmp(*e, "MB_TEST_KEPT=yes") == 0;
        added = added || strcmp(*e, "LD_LIBRARY_PATH=/omp") == 0;
    }
    cr_assert(kept && added);
    free(envp);
}
