/* What a plan resolves from the machine and the environment once the
 * options are read: the default thread list (OPENBLAS_NUM_THREADS or the
 * usable cores) and the ladder's one-and-all-cores comparison. */
#include "matbench/plan.h"

#include <string.h>

#include "mb_internal.h"
#include "plan/plan_internal.h"

/* The thread list when none is given: the value of OPENBLAS_NUM_THREADS
 * (env) when it is set and not empty, else 1, 2, 4, ... below the core
 * count given (the CLI passes the usable cores, mb_machine_usable_cores),
 * then that count. */
enum mb_status mb_plan_default_threads(const char *env, int max_threads, int physical_cores,
                                       struct mb_thread_list *out, enum mb_threads_source *source,
                                       struct mb_diag *d)
{
    out->n = 0;
    if (env != NULL && env[0] != '\0') {
        unsigned long long v;
        if (mb__parse_decimal(env, strlen(env), (unsigned long long)max_threads, &v) != 0 || v < 1)
            return mb_diag_set(d, MB_USAGE,
                               "OPENBLAS_NUM_THREADS: '%s' is not allowed (1..%d); unset it or "
                               "give --threads",
                               SHOWN(env), max_threads);
        out->v[out->n++] = (int)v;
        *source = MB_THREADS_ENV;
        return MB_OK;
    }
    int top = physical_cores < 1 ? 1 : physical_cores;
    if (top > max_threads)
        top = max_threads;
    for (int t = 1; t < top && out->n + 1 < MB__ARRAY_SIZE(out->v); t *= 2)
        out->v[out->n++] = t;
    out->v[out->n++] = top;
    *source = MB_THREADS_DEFAULT;
    return MB_OK;
}

/* Resolves the thread list of p when no --threads gave one: the default
 * of mb_plan_default_threads (env is OPENBLAS_NUM_THREADS, usable_cores
 * the cores this process may use); and when that default (not the
 * environment) applies to a plan that runs the whole ladder, its steps
 * run at one thread and at all usable cores: one comparison per step, not
 * a sweep. A plan with a thread list is left as it is. */
enum mb_status mb_plan_resolve_threads(struct mb_plan *p, const char *env, int max_threads,
                                       int usable_cores, struct mb_diag *d)
{
    if (p->threads.n > 0)
        return MB_OK;
    enum mb_status st =
        mb_plan_default_threads(env, max_threads, usable_cores, &p->threads, &p->threads_source, d);
    if (st != MB_OK)
        return st;
    if (p->threads_source == MB_THREADS_DEFAULT && mb_plan_has_group(p, "ladder")) {
        p->threads.v[1] = p->threads.v[p->threads.n - 1];
        p->threads.n = p->threads.v[1] > 1 ? 2 : 1;
        p->threads_source = MB_THREADS_LADDER;
    }
    return MB_OK;
}
