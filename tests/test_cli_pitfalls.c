/* matbench pitfalls from the command line: its refusals (exit 2, nothing
 * written), the JSON shape, the other formats, and a scenario skipped
 * where it cannot run (one usable core, under taskset). Sizes are tiny and
 * the time limit short: what is asserted is the shape and the protocol,
 * never a speed or that a trap is slower. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mb_test.h"

#define QUICK "--min-time 0 --quiet --time-limit 3"

Test(cli_pitfalls, refuses_bad_input_before_anything_runs)
{
    char out[] = "/tmp/mb_pitfalls_outXXXXXX";
    cr_assert_not_null(mkdtemp(out));
    char args[5][256];
    snprintf(args[0], sizeof args[0], "pitfalls --only nosuch --output %s/r.json", out);
    snprintf(args[1], sizeof args[1], "pitfalls --only coretype, --output %s/r.json", out);
    snprintf(args[2], sizeof args[2], "pitfalls --time-limit -1 --output %s/r.json", out);
    snprintf(args[3], sizeof args[3], "pitfalls 0 --output %s/r.json", out);
    snprintf(args[4], sizeof args[4], "100 --only coretype --output %s/r.json", out);
    const char *says[] = {"only: 'nosuch' is not a scenario", "only: 'coretype,'", "time-limit",
                          "N: '0'", "--only is an option of matbench pitfalls"};
    for (size_t i = 0; i < 5; i++) {
        struct run r;
        run_matbench(&r, "", args[i]);
        cr_assert_eq(r.code, 2, "%s: exit %d: %s", args[i], r.code, r.err);
        cr_assert(strstr(r.err, says[i]) != NULL, "%s: %s", args[i], r.err);
        cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "one line: %s", r.err);
        cr_assert_str_eq(r.out, "");
    }
    cr_assert_eq(mb_scratch_entries(out), 0, "nothing written");
    mb_scratch_remove(out);
}

/* The run's JSON entry named id, checked for the shape every entry has. */
static json_t *entry(json_t *list, const char *id)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *e = json_array_get(list, i);
        if (strcmp(json_string_value(json_object_get(e, "id")), id) != 0)
            continue;
        cr_assert(json_is_string(json_object_get(e, "what")), "%s: what", id);
        const char *status = json_string_value(json_object_get(e, "status"));
        const char *allowed[] = {"shown", "not shown", "skipped", "failed"};
        bool known = false;
        for (size_t k = 0; k < 4; k++)
            known = known || (status != NULL && strcmp(status, allowed[k]) == 0);
        cr_assert(known, "%s: status %s", id, status);
        json_t *gain = json_object_get(e, "gain");
        cr_assert(json_is_number(gain) || json_is_null(gain), "%s: gain", id);
        for (size_t k = 0; k < 2; k++) {
            json_t *side = json_object_get(e, k == 0 ? "trap" : "fix");
            cr_assert(json_is_object(side), "%s: side %zu", id, k);
            cr_assert(json_is_string(json_object_get(side, "how")));
            cr_assert(json_is_array(json_object_get(side, "runs")));
        }
        return e;
    }
    cr_assert_fail("no entry %s", id);
    return NULL;
}

static json_t *runs(json_t *e, const char *side)
{
    return json_object_get(json_object_get(e, side), "runs");
}

Test(cli_pitfalls, json_has_each_scenario_with_its_trap_fix_gain_and_status)
{
    struct run r;
    run_matbench(&r, "", "pitfalls 64 --only env-at-load,fork-after-init --format json " QUICK);
    cr_assert_eq(r.code, 0, "exit %d: %s", r.code, r.err);
    json_error_t err;
    json_t *doc = json_loads(r.out, 0, &err);
    cr_assert_not_null(doc, "%s: %s", err.text, r.out);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "command")), "pitfalls");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(doc, "settings"), "n")), 64);
    json_t *list = json_object_get(doc, "pitfalls");
    cr_assert_eq(json_array_size(list), 2, "the two asked for, in the table's order");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "id")),
                     "env-at-load");
    json_int_t cores =
        json_integer_value(json_object_get(json_object_get(doc, "machine"), "usable_cores"));

    json_t *env = entry(list, "env-at-load");
    const char *status = json_string_value(json_object_get(env, "status"));
    if (cores < 2) {
        cr_assert_str_eq(status, "skipped");
        cr_assert(strstr(json_string_value(json_object_get(env, "reason")), "1 core") != NULL);
    } else {
        cr_assert(strcmp(status, "shown") == 0 || strcmp(status, "not shown") == 0, "%s", status);
        cr_assert_eq(json_array_size(runs(env, "trap")), 1);
        cr_assert_eq(json_array_size(runs(env, "fix")), 2);
        for (size_t i = 0; i < 2; i++) {
            json_t *x = json_array_get(runs(env, "fix"), i);
            cr_assert(json_is_true(json_object_get(x, "verified")), "fix %zu verified", i);
            cr_assert_eq(json_integer_value(json_object_get(x, "threads_reported")), 1,
                         "fix %zu: the thread count asked for", i);
        }
    }

    /* fork-after-init runs on one core too: the child's threads exist
     * whatever the CPUs. A trap may hang (the OpenMP build), be killed at
     * the limit and say so; each fix runs. */
    json_t *fork = entry(list, "fork-after-init");
    cr_assert_geq(json_array_size(runs(fork, "trap")), 1);
    cr_assert_eq(json_array_size(runs(fork, "trap")), json_array_size(runs(fork, "fix")));
    for (size_t i = 0; i < json_array_size(runs(fork, "trap")); i++) {
        json_t *t = json_array_get(runs(fork, "trap"), i),
               *f = json_array_get(runs(fork, "fix"), i);
        const char *outcome = json_string_value(json_object_get(t, "outcome"));
        cr_assert(strcmp(outcome, "ok") == 0 || strcmp(outcome, "hung") == 0, "trap %zu: %s: %s", i,
                  outcome, json_string_value(json_object_get(t, "error")));
        if (strcmp(outcome, "hung") == 0)
            cr_assert(strstr(json_string_value(json_object_get(t, "error")), "3 s") != NULL,
                      "killed at the limit");
        cr_assert(json_is_true(json_object_get(f, "verified")), "fix %zu", i);
    }
    json_decref(doc);
}

Test(cli_pitfalls, every_format_has_the_sections_and_the_summary)
{
    struct run r;
    run_matbench(&r, "", "pitfalls 64 --only env-at-load " QUICK);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "1. env-at-load: ") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "What people do: a program sets OPENBLAS_NUM_THREADS") != NULL, "%s",
              r.out);
    cr_assert(strstr(r.out, "\nSummary\n") != NULL, "%s", r.out);

    run_matbench(&r, "", "pitfalls 64 --only env-at-load --format markdown " QUICK);
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "# matbench pitfalls") == r.out, "%s", r.out);
    cr_assert(strstr(r.out, "## 1. `env-at-load`") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "| scenario | status | trap | fix | gain |") != NULL, "%s", r.out);

    run_matbench(&r, "", "pitfalls 64 --only env-at-load --format csv " QUICK);
    cr_assert_eq(r.code, 0, "%s", r.err);
    const char *header = "id,status,side,n,callers,threads_asked,threads_default,"
                         "threads_reported,threads_seen,cpus,threading,core,gflops,cores_busy,"
                         "wall_s,calls,outcome,gain,what,error\n";
    cr_assert(strncmp(r.out, header, strlen(header)) == 0, "%s", r.out);
    size_t lines = 0;
    for (const char *p = r.out; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    cr_assert(lines == 2 || lines == 4, "a row for the skip, or one per run: %s", r.out);
    cr_assert(strstr(r.out + strlen(header), "env-at-load,") == r.out + strlen(header));
}

Test(cli_pitfalls, a_scenario_that_cannot_run_here_is_skipped_with_the_reason)
{
    if (access("/usr/bin/taskset", X_OK) != 0)
        cr_skip_test("no taskset");
    struct run r;
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             MB_TEST_CLEAN_ENV " taskset -c 0 '%s' pitfalls 64 --only "
                               "oversubscription,cpu-limit --format json " QUICK,
             MB_BINARY);
    run_shell(&r, cmd);
    cr_assert_eq(r.code, 0, "%s", r.err);
    json_t *doc = json_loads(r.out, 0, NULL);
    cr_assert_not_null(doc, "%s", r.out);
    json_t *list = json_object_get(doc, "pitfalls");
    const char *ids[] = {"oversubscription", "cpu-limit"};
    for (size_t i = 0; i < 2; i++) {
        json_t *e = entry(list, ids[i]);
        cr_assert_str_eq(json_string_value(json_object_get(e, "status")), "skipped", "%s", ids[i]);
        cr_assert(strstr(json_string_value(json_object_get(e, "reason")), "1 core") != NULL);
        cr_assert_eq(json_array_size(runs(e, "trap")), 0, "nothing measured, nothing faked");
    }
    json_decref(doc);
}
