/* This file is private to the matbench front end (src/cli): what its source
 * files share and nothing outside them may use. Names start with mb__. */
#ifndef MATBENCH_CLI_INTERNAL_H
#define MATBENCH_CLI_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "matbench/cli.h"
#include "matbench/monitor.h"
#include "matbench/peak.h"
#include "matbench/progress.h"
#include "matbench/runner.h"
#include "matbench/status.h"
#include "mb_internal.h"

/* options.c: every option once. A row sets a typed field (at offset
 * field of struct mb_options, within min..max) or calls parse; a HEADING
 * row is a line of --help alone. */
enum mb__option_kind { MB__HEADING, MB__UINT, MB__SECONDS, MB__U64, MB__FLAG, MB__NOFLAG, MB__FN };
typedef enum mb_status mb__option_fn(const char *arg, bool from_config, struct mb_options *o,
                                     struct mb_diag *d);
/* The i-th value an option takes, from the table that holds them (kernels,
 * formats, core types); NULL past the last. */
typedef const char *mb__value_fn(size_t i);
struct mb__option {
    const char *name;    /* the long option, also its key in a config file */
    const char *section; /* its INI section; NULL: command line only */
    const char *metavar; /* its value in --help; NULL: a flag */
    const char *help;    /* the lines --help prints beside it */
    enum mb__option_kind kind;
    size_t field;
    double min, max;
    mb__option_fn *parse;
    int short_name;       /* 'h', 'V'; 0: none */
    bool early;           /* applied in the first pass (--config, --help, --version) */
    mb__value_fn *values; /* the values it takes, for completion; NULL: free text */
    bool values_in_help;  /* --help and the man page list them after the help text */
};
#define MB__MAX_OPTIONS 64 /* rows of mb__options, headings too */
extern const struct mb__option mb__options[];
extern const size_t mb__noptions;

/* help.c */
void mb__cli_help(FILE *out);
void mb__option_label(const struct mb__option *r, char *buf, size_t cap);
const char *mb__option_values(const struct mb__option *r, char *buf, size_t cap);

/* commands.c */
typedef enum mb_status mb__command_fn(const struct mb_options *o, struct mb_diag *d);
typedef enum mb_status mb__report_fn(const struct mb_options *o, FILE *out, struct mb_diag *d);
struct mb__command {
    const char *word;
    enum mb_command command;
    bool takes_size;
    const char *formats;   /* the formats it writes, "table, json"; NULL: all */
    mb__command_fn *run;   /* runs it whole, or else */
    mb__report_fn *report; /* writes its report to the --output file */
    const char *synopsis;  /* after "matbench " in --help */
    const char *help;      /* its lines in --help */
};
extern const struct mb__command mb__commands[];
extern const size_t mb__ncommands;
const struct mb__command *mb__command_of(enum mb_command c);
enum mb_status mb__measure_peak(const struct mb_options *o, enum mb_isa isa, bool tell,
                                struct mb_peak *pk, struct mb_diag *d);

/* run.c */
enum mb_status mb__cli_run_plan(const struct mb_options *o, struct mb_diag *d);

/* blas.c */
enum mb_status mb__cli_blas(const struct mb_options *o, struct mb_diag *d);

/* compare.c */
enum mb_status mb__cli_compare(const struct mb_options *o, struct mb_diag *d);

/* pitfalls.c */
enum mb_status mb__cli_pitfalls(const struct mb_options *o, struct mb_diag *d);

/* getparam.c: --time-limit's value, or dflt when it was not given. */
double mb__time_limit_s(const struct mb_options *o, double dflt);

/* run.c: the FMA peak for the "of peak" figures, or false (said on stderr) */
bool mb__optional_peak(const struct mb_options *o, struct mb_peak *peak);

/* terminal.c: progress on stderr when it is a terminal, a status line
 * rewritten in place (at most ten times a second) and a line per finished
 * configuration. With the live view, the status line is the last line of
 * the view's block, which the monitor's thread redraws at each sample; the
 * mutex keeps the two threads' writes apart. */
struct mb__progress {
    bool tty;
    bool live;
    double last_s;
    struct mb_progress state;
    pthread_mutex_t mu;
    int live_lines; /* lines of the live block now on the screen */
    char status[256];
};
void mb__progress_on_event(const struct mb_event *ev, void *user);
int mb__terminal_columns(int fd);
void mb__progress_on_sample(const struct mb_monitor_sample *s, void *user);
void mb__progress_clear(struct mb__progress *pr);

#endif /* MATBENCH_CLI_INTERNAL_H */
