/* The parts of matbench pitfalls that every scenario shares: one
 * measurement in a child with a time limit and its answer read, the trap
 * compared with its fix, and why a scenario cannot run here. */
#include "matbench/pitfalls.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mb_internal.h"

/* A child's answer is a few kilobytes; more than this is not the child. */
#define ANSWER_MAX (256 * 1024)

static const char *const status_names[] = {"shown", "not shown", "skipped", "failed",
                                           "interrupted"};
static const char *const outcome_names[] = {"ok", "wrong", "hung", "failed", "not run"};

const char *mb_pitfall_status_name(enum mb_pitfall_status s)
{
    return (size_t)s < MB__ARRAY_SIZE(status_names) ? status_names[s] : "?";
}

const char *mb_pitfall_outcome_name(enum mb_pitfall_outcome o)
{
    return (size_t)o < MB__ARRAY_SIZE(outcome_names) ? outcome_names[o] : "?";
}

enum mb_status mb_pitfall_parse_only(const char *list, bool *chosen, struct mb_diag *d)
{
    size_t count = mb_pitfall_count();
    for (size_t i = 0; i < count; i++)
        chosen[i] = list == NULL;
    if (list == NULL)
        return MB_OK;
    char ids[512] = "";
    for (size_t i = 0, len = 0; i < count && len < sizeof ids; i++)
        len += (size_t)snprintf(ids + len, sizeof ids - len, "%s%s", i ? ", " : "",
                                mb_pitfall_at(i)->id);
    const char *s = list;
    for (;;) {
        size_t len = strcspn(s, ",");
        char word[64];
        if (len == 0 || len >= sizeof word)
            return mb_diag_set(d, MB_USAGE, "only: '%s' is not a list of scenarios (%s)",
                               SHOWN(list), ids);
        memcpy(word, s, len);
        word[len] = '\0';
        const struct mb_pitfall *p = mb_pitfall_find(word);
        if (p == NULL)
            return mb_diag_set(d, MB_USAGE, "only: '%s' is not a scenario (%s)", SHOWN(word), ids);
        chosen[p - mb_pitfall_at(0)] = true;
        if (s[len] == '\0')
            return MB_OK;
        s += len + 1;
    }
}

bool mb_pitfall_skip(const struct mb_pitfall *p, const struct mb_pitfall_machine *m, char *why,
                     size_t cap)
{
    if ((p->needs & MB_PITFALL_NEEDS_CORES) && m->usable_cpus < 2) {
        snprintf(why, cap,
                 "this process may use %d core: with one, the BLAS runs one thread whatever is "
                 "set, so there is no trap to show (run it where two cores or more are usable)",
                 m->usable_cpus);
        return true;
    }
    if ((p->needs & MB_PITFALL_NEEDS_OPENMP) && !m->openmp) {
        snprintf(why, cap,
                 "OpenBLAS's OpenMP build is not installed (no %s; apt-get install "
                 "libopenblas0-openmp)",
                 m->omp_at != NULL ? m->omp_at : "openblas-openmp/libopenblas.so.0");
        return true;
    }
    why[0] = '\0';
    return false;
}

const char *mb_pitfall_answer(const char *out, const char *key, char *buf, size_t cap)
{
    size_t klen = strlen(key);
    for (const char *line = out; line != NULL && *line != '\0';) {
        const char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
        if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
            snprintf(buf, cap, "%.*s", (int)(len - klen - 1), line + klen + 1);
            return buf;
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    return NULL;
}

char **mb_pitfall_environment(char *const *add, size_t nadd)
{
    static const char *const drop[] = {
        "OPENBLAS_NUM_THREADS=", "GOTO_NUM_THREADS=", "OMP_NUM_THREADS=", "LD_LIBRARY_PATH="};
    return mb_child_environment(drop, MB__ARRAY_SIZE(drop), add, nadd);
}

void mb_pitfall_run_init(struct mb_pitfall_run *run, const char *label, size_t n, int callers,
                         int threads_asked)
{
    *run = (struct mb_pitfall_run){.outcome = MB_PITFALL_RUN_NOT_RUN,
                                   .n = n,
                                   .callers = callers,
                                   .threads_asked = threads_asked,
                                   .threads_default = -1,
                                   .threads_reported = -1,
                                   .threads_seen = -1,
                                   .cpus = -1,
                                   .gflops = NAN,
                                   .wall_s = NAN,
                                   .cpu_s = NAN,
                                   .busy = NAN,
                                   .calls = -1,
                                   .child_s = NAN};
    snprintf(run->label, sizeof run->label, "%s", label);
}

void mb_pitfall_result_init(struct mb_pitfall_result *r, const struct mb_pitfall *p)
{
    memset(r, 0, sizeof *r);
    r->p = p;
    r->status = MB_PITFALL_NOT_SHOWN;
    r->gain = NAN;
    r->best = -1;
    r->crossover_n = NAN;
}

/* The answer's key (after prefix) as a number; NAN when absent or not one. */
static double number(const char *out, const char *prefix, const char *key)
{
    char full[96], buf[64], *end;
    snprintf(full, sizeof full, "%s%s", prefix, key);
    if (mb_pitfall_answer(out, full, buf, sizeof buf) == NULL || buf[0] == '\0')
        return NAN;
    double v = strtod(buf, &end);
    return *end == '\0' && isfinite(v) ? v : NAN;
}

static int whole(const char *out, const char *prefix, const char *key)
{
    double v = number(out, prefix, key);
    return isnan(v) || v < -1 || v > 1e6 ? -1 : (int)v;
}

static void text(const char *out, const char *prefix, const char *key, char *buf, size_t cap)
{
    char full[96], raw[512];
    snprintf(full, sizeof full, "%s%s", prefix, key);
    if (mb_pitfall_answer(out, full, raw, sizeof raw) == NULL)
        raw[0] = '\0';
    mb_printable(raw, buf, cap);
}

/* Reads the figures of the answer (the keys after prefix) into r and
 * judges it: FAILED unless the answer ends and names its gflops, WRONG
 * when verified=0. */
static void read_answer(const struct mb_child_result *c, const char *prefix,
                        struct mb_pitfall_run *r)
{
    const char *out = c->out;
    text(out, prefix, "core", r->core, sizeof r->core);
    text(out, prefix, "threading", r->threading, sizeof r->threading);
    r->threads_default = whole(out, prefix, "threads_default");
    r->threads_reported = whole(out, prefix, "threads_reported");
    r->threads_seen = whole(out, prefix, "threads_seen");
    r->cpus = whole(out, prefix, "cpus");
    r->wall_s = number(out, prefix, "wall_s");
    r->cpu_s = number(out, prefix, "cpu_s");
    double calls = number(out, prefix, "calls");
    r->calls = isnan(calls) ? -1 : (long)calls;
    if (r->wall_s > 0 && !isnan(r->cpu_s))
        r->busy = r->cpu_s / r->wall_s;
    if (*prefix != '\0')
        r->child_s = number(out, "", "child_s");
    double gflops = number(out, prefix, "gflops");
    double verified = number(out, prefix, "verified");
    char error[200];
    text(out, prefix, "error", error, sizeof error);
    if (error[0] != '\0') {
        r->outcome = MB_PITFALL_RUN_FAILED;
        snprintf(r->error, sizeof r->error, "%s", error);
    } else if (isnan(gflops) || isnan(verified) || isnan(number(out, prefix, "end"))) {
        r->outcome = MB_PITFALL_RUN_FAILED;
        char how[160];
        mb_child_describe(c, how, sizeof how);
        snprintf(r->error, sizeof r->error, "no whole answer (%s)", how);
    } else if (verified != 1) {
        r->outcome = MB_PITFALL_RUN_WRONG;
        snprintf(r->error, sizeof r->error, "a product failed verification");
    } else {
        r->outcome = MB_PITFALL_RUN_OK;
        r->gflops = gflops;
    }
}

enum mb_status mb_pitfall_measure(const struct mb_pitfall_spawn *s, const char *prefix,
                                  struct mb_pitfall_run *r, struct mb_diag *d)
{
    struct mb_child_spec spec = {.exe = s->exe,
                                 .argv = s->argv,
                                 .envp = s->envp,
                                 .pass_fd = -1,
                                 .time_limit_s = s->time_limit_s,
                                 .stop = s->stop,
                                 .out_cap = ANSWER_MAX};
    struct mb_child_result c;
    r->outcome = MB_PITFALL_RUN_NOT_RUN;
    enum mb_status st = mb_child_run(&spec, &c, d);
    if (st != MB_OK) {
        snprintf(r->error, sizeof r->error, "%.255s", st == MB_INTERRUPTED ? "stopped" : d->msg);
        mb_child_free(&c);
        return st;
    }
    char end[64];
    if (c.timed_out) {
        r->outcome = MB_PITFALL_RUN_HUNG;
        snprintf(r->error, sizeof r->error, "no answer in %g s: killed", s->time_limit_s);
    } else if (c.overflow) {
        r->outcome = MB_PITFALL_RUN_FAILED;
        snprintf(r->error, sizeof r->error, "more than %d bytes of answer", ANSWER_MAX);
    } else if (*prefix != '\0' && mb_pitfall_answer(c.out, "child_end", end, sizeof end) != NULL &&
               strcmp(end, "hung") == 0) {
        read_answer(&c, prefix, r);
        r->outcome = MB_PITFALL_RUN_HUNG;
        r->gflops = NAN;
        snprintf(r->error, sizeof r->error, "the forked child hung: no answer in %g s, killed",
                 number(c.out, "", "child_limit_s"));
    } else {
        read_answer(&c, prefix, r);
        if (r->outcome == MB_PITFALL_RUN_OK &&
            !(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0)) {
            char how[160];
            mb_child_describe(&c, how, sizeof how);
            r->outcome = MB_PITFALL_RUN_FAILED;
            r->gflops = NAN;
            snprintf(r->error, sizeof r->error, "%s", how);
        }
    }
    mb_child_free(&c);
    return MB_OK;
}

void mb_pitfall_judge(struct mb_pitfall_result *r)
{
    r->gain = NAN;
    r->best = -1;
    r->gain_text[0] = '\0';
    for (size_t i = 0; i < r->nfix; i++)
        if (r->fix[i].outcome != MB_PITFALL_RUN_OK) {
            r->status = MB_PITFALL_FAILED;
            snprintf(r->reason, sizeof r->reason, "the fix '%.100s' did not run: %.120s",
                     r->fix[i].label, r->fix[i].error);
            return;
        }
    bool broke = false;
    for (size_t i = 0; i < r->ntrap; i++) {
        const struct mb_pitfall_run *t = &r->trap[i], *f = &r->fix[i];
        if (t->outcome != MB_PITFALL_RUN_OK) {
            if (!broke || r->best < 0) {
                r->best = (int)i;
                snprintf(r->gain_text, sizeof r->gain_text, "%s -> %.1f GFLOP/s",
                         t->outcome == MB_PITFALL_RUN_HUNG    ? "hang"
                         : t->outcome == MB_PITFALL_RUN_WRONG ? "wrong"
                                                              : "failure",
                         f->gflops);
            }
            broke = true;
            continue;
        }
        double g = f->gflops / t->gflops;
        if (!broke && (isnan(r->gain) || g > r->gain)) {
            r->gain = g;
            r->best = (int)i;
            snprintf(r->gain_text, sizeof r->gain_text, "%.2fx", g);
        }
    }
    if (broke)
        r->gain = NAN;
    r->status = broke || r->gain >= MB_PITFALL_SHOWN_GAIN ? MB_PITFALL_SHOWN : MB_PITFALL_NOT_SHOWN;
}
