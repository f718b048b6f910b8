/* The command line: argv to a plan, the run with its progress and output
 * file, and the messages. The only module that reads argv or writes stderr. */
#ifndef MATBENCH_CLI_H
#define MATBENCH_CLI_H

#include <signal.h>
#include <stdbool.h>

#include "matbench/front.h"
#include "matbench/machine.h"
#include "matbench/plan.h"
#include "matbench/status.h"

enum mb_command {
    MB_CMD_RUN,
    MB_CMD_INFO,
    MB_CMD_PEAK,
    MB_CMD_CORETYPES,
    MB_CMD_KERNELS,
    MB_CMD_BLAS,
    MB_CMD_PITFALLS,
    MB_CMD_COMPARE
};

struct mb_options {
    enum mb_command command;
    struct mb_plan plan;
    struct mb_front front;     /* how it is shown and measured around, where options came from */
    struct mb_machine machine; /* probed once, by mb_cli_parse */
    char output_path[4096];    /* --output's value when it came from a config file */
    char coretype[32];         /* --coretype's value */
    char config_path[4096];    /* the file --config names (a path, or a name's file) */
    char **argv;               /* the command line, for --coretype to run it again */
    bool kernels_given;        /* --kernels was given (matbench blas has its own default) */
    const char *blas;          /* matbench blas --blas: names and paths; NULL: every one found */
    char blas_list[4096];      /* --blas's value when it came from a config file */
    double time_limit_s;       /* --time-limit of matbench blas and pitfalls; NAN: not given */
    const char *only;          /* matbench pitfalls --only: scenario ids; NULL: every one */
    char only_list[512];       /* --only's value when it came from a config file */
    const char *compare[2];    /* matbench compare OLD NEW: the files (lists of files) */
    double threshold;          /* matbench compare --threshold, a fraction; NAN: not given */
    double fail_if_slower;     /* matbench compare --fail-if-slower, a fraction; NAN: not given */
    unsigned match;            /* matbench compare --match: MB_COMPARE_MATCH_*; 0: not given */
};

enum mb_status mb_cli_parse(int argc, char **argv, struct mb_options *o, struct mb_diag *d);
enum mb_status mb_cli_run(const struct mb_options *o, struct mb_diag *d);
int mb_cli_finish(enum mb_status st, const struct mb_diag *d);

/* SIGINT, SIGTERM and SIGHUP stop a run or matbench coretypes: the results
 * so far are written and matbench exits 128 + the signal. */
const volatile sig_atomic_t *mb_cli_signals_catch(void);
void mb_cli_signals_hold(bool hold);
int mb_cli_signals_release(void);
enum mb_status mb_cli_interrupted(enum mb_status st, int sig, const char *what, struct mb_diag *d);
bool mb_cli_fancy(bool is_tty, const char *no_color);

#endif /* MATBENCH_CLI_H */
