/* matbench pitfalls: the classic BLAS threading traps, each reproduced in
 * child processes (matbench-pitfall-child, src/probe), measured, then run
 * with its fix and measured again. This module holds what does not depend
 * on which scenario runs: one measurement in a child (its time limit, its
 * answer read into a run), the comparison of a trap with its fix, the
 * reasons a scenario cannot run here, and the scenario table's lookups
 * (the table itself, with the code of each scenario, is the front end's:
 * src/cli/pitfalls.c). */
#ifndef MATBENCH_PITFALLS_H
#define MATBENCH_PITFALLS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "matbench/child.h"
#include "matbench/status.h"

#define MB_PITFALL_RUNS 16      /* measurements on one side of a scenario, at most */
#define MB_PITFALL_N_MAX 100000 /* matrix order, at most (the child's bound) */

/* A child with no answer after this long is killed and said to hang, when
 * --time-limit is not given: 30 s is a hundred dgemm calls of n = 2000 on
 * one core of this decade. */
#define MB_PITFALL_DEFAULT_LIMIT_S 30.0

/* A fix this much faster than its trap shows the trap (the machine's noise
 * between two runs in a row stays well below 10 %). */
#define MB_PITFALL_SHOWN_GAIN 1.10

/* What became of one measurement. */
enum mb_pitfall_outcome {
    MB_PITFALL_RUN_OK,     /* ran and every product verified */
    MB_PITFALL_RUN_WRONG,  /* ran, but a product failed verification */
    MB_PITFALL_RUN_HUNG,   /* no answer within the time limit: killed */
    MB_PITFALL_RUN_FAILED, /* crashed, exited non-zero, or said nothing readable */
    MB_PITFALL_RUN_NOT_RUN /* stopped before it ran */
};

/* One measurement: a child's answer. */
struct mb_pitfall_run {
    char label[128]; /* what ran, in words */
    enum mb_pitfall_outcome outcome;
    char error[256];      /* when not ok: why */
    size_t n;             /* matrix order */
    int callers;          /* the program's own threads calling dgemm */
    int threads_asked;    /* BLAS threads asked for (0: none asked) */
    int threads_default;  /* what the BLAS chose when it loaded; -1: unknown */
    int threads_reported; /* what it says after being asked; -1: unknown */
    int threads_seen;     /* the process's threads once every caller had called; -1 */
    int cpus;             /* the CPUs the child could use; -1 */
    char threading[16];   /* "pthreads", "openmp" */
    char core[64];        /* the kernels' core type */
    double gflops;        /* every caller together; NAN unless ok */
    double wall_s, cpu_s; /* of the timed calls */
    double busy;          /* cpu_s / wall_s: cores kept busy; NAN */
    long calls;           /* dgemm calls timed; -1: unknown (coretype's probe does not say) */
    double child_s;       /* fork-after-init: how long the forked child took; NAN */
};

/* What a scenario found. */
enum mb_pitfall_status {
    MB_PITFALL_SHOWN,       /* the trap measured worse than its fix, or broke */
    MB_PITFALL_NOT_SHOWN,   /* measured, and the trap did no harm here */
    MB_PITFALL_SKIPPED,     /* cannot run on this machine: reason says why */
    MB_PITFALL_FAILED,      /* a measurement failed (not the trap's doing) */
    MB_PITFALL_INTERRUPTED, /* a stop signal came first */
    MB_PITFALL_STATUS_COUNT
};

/* What a scenario needs of the machine. */
enum {
    MB_PITFALL_NEEDS_CORES = 1u << 0, /* two usable CPUs or more */
    MB_PITFALL_NEEDS_OPENMP = 1u << 1 /* OpenBLAS's OpenMP build installed */
};

struct mb_pitfall_ctx; /* the front end's: what the scenario functions share */
struct mb_pitfall_result;
typedef enum mb_status mb_pitfall_fn(struct mb_pitfall_ctx *c, struct mb_pitfall_result *r,
                                     struct mb_diag *d);

/* One scenario: a row of the table. */
struct mb_pitfall {
    const char *id;    /* "oversubscription": --only's word */
    const char *title; /* a line */
    const char *what;  /* what people do */
    const char *why;   /* why it happens */
    const char *fix;   /* the fix, in words */
    unsigned needs;    /* MB_PITFALL_NEEDS_* */
    mb_pitfall_fn *run;
};

/* A scenario's result. trap[i] and fix[i] for i < ntrap are pairs (the
 * same work, the trap's way and the fix's); fix[i] for i >= ntrap are
 * further fixes on their own. */
struct mb_pitfall_result {
    const struct mb_pitfall *p;
    enum mb_pitfall_status status;
    char reason[256]; /* skipped or failed: why */
    char found[1024]; /* what it showed here, in sentences with the figures */
    struct mb_pitfall_run trap[MB_PITFALL_RUNS], fix[MB_PITFALL_RUNS];
    size_t ntrap, nfix;
    double gain;        /* fix over trap, GFLOP/s, of the pair that gained most; NAN */
    int best;           /* that pair; -1 */
    char gain_text[64]; /* "2.02x", "hang -> 85.1 GFLOP/s", "setting ignored -> honoured" */
    double crossover_n; /* small-matrices: from where all cores win; NAN */
};

/* The table (src/cli/pitfalls.c). */
size_t mb_pitfall_count(void);
const struct mb_pitfall *mb_pitfall_at(size_t i);
const struct mb_pitfall *mb_pitfall_find(const char *id);

/* --only: comma-separated scenario ids into chosen[] (mb_pitfall_count()
 * flags), every one when list is NULL. MB_USAGE naming the bad id and the
 * ids allowed. */
enum mb_status mb_pitfall_parse_only(const char *list, bool *chosen, struct mb_diag *d);

/* What the machine has, for the skip rules. */
struct mb_pitfall_machine {
    int usable_cpus;    /* cores this process may use (mb_machine_usable_cores) */
    bool openmp;        /* OpenBLAS's OpenMP build is installed */
    const char *omp_at; /* where it was looked for */
};
bool mb_pitfall_skip(const struct mb_pitfall *p, const struct mb_pitfall_machine *m, char *why,
                     size_t cap);

/* One child: exe with argv and envp (NULL: this environment), killed after
 * time_limit_s (0: none) or once *stop is raised. */
struct mb_pitfall_spawn {
    const char *exe;
    char *const *argv;
    char *const *envp;
    double time_limit_s;
    const volatile sig_atomic_t *stop;
};

/* Runs the child and reads its answer into r (r->label, n, callers and
 * threads_asked are the caller's and kept), with prefix before every key
 * ("" or "child."): a child killed at the limit is HUNG ("no answer in S
 * s"), one that crashed, exited non-zero with no verified answer, or said
 * nothing readable is FAILED (what it said or its end), verified=0 is
 * WRONG; a prefixed answer whose child_end says hung is HUNG too. Returns
 * MB_OK whatever the child did (that is r's finding), MB_INTERRUPTED when
 * stop was raised (r NOT_RUN), MB_RUNTIME or MB_NOMEM when no child could
 * be started. */
enum mb_status mb_pitfall_measure(const struct mb_pitfall_spawn *s, const char *prefix,
                                  struct mb_pitfall_run *r, struct mb_diag *d);

/* The value of key in a child's answer (lines key=value) into buf; NULL
 * when the key is not there. */
const char *mb_pitfall_answer(const char *out, const char *key, char *buf, size_t cap);

/* This environment without the variables that set BLAS threads
 * (OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS, OMP_NUM_THREADS) or where
 * libraries load from (LD_LIBRARY_PATH), then add[0..nadd) ("NAME=value",
 * borrowed). A malloc'd array of borrowed strings, NULL-terminated; NULL
 * when memory runs out. */
char **mb_pitfall_environment(char *const *add, size_t nadd);

/* Starts r for scenario p (every figure unknown, status NOT_SHOWN). */
void mb_pitfall_result_init(struct mb_pitfall_result *r, const struct mb_pitfall *p);
/* A run with every figure unknown, labelled. */
void mb_pitfall_run_init(struct mb_pitfall_run *run, const char *label, size_t n, int callers,
                         int threads_asked);

/* Compares each pair: the gain (fix over trap GFLOP/s) and gain_text of
 * the pair that gained most, or of a pair whose trap hung, failed or was
 * wrong while its fix ran ("hang -> ..."); the status: FAILED when a fix
 * did not run ok (reason says which), SHOWN when a trap broke or a gain
 * reached MB_PITFALL_SHOWN_GAIN, else NOT_SHOWN. */
void mb_pitfall_judge(struct mb_pitfall_result *r);

const char *mb_pitfall_status_name(enum mb_pitfall_status s);
const char *mb_pitfall_outcome_name(enum mb_pitfall_outcome o);

#endif /* MATBENCH_PITFALLS_H */
