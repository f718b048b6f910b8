/* What only the front end decides, apart from the plan (what to run), as
 * curl keeps its GlobalConfig apart from each OperationConfig: how a run is
 * shown and where (format, output, quiet, the live view), what it measures
 * around the plan (the per-CPU monitor, the FMA peak), and where its
 * options came from (a config file, --coretype). The reporters read it to
 * name these settings in the header and the JSON report. */
#ifndef MATBENCH_FRONT_H
#define MATBENCH_FRONT_H

#include <stdbool.h>

#include "matbench/format.h"

struct mb_front {
    enum mb_format format;
    const char *output;   /* NULL = stdout */
    bool quiet;           /* no header or progress on stderr */
    bool live;            /* draw the live core view on a terminal */
    bool monitor;         /* per-CPU busy and thread counts for every run (--no-monitor: off) */
    bool peak;            /* measure the FMA peak first (--no-peak: off) */
    const char *config;   /* the INI file the options were read from, or NULL */
    const char *coretype; /* --coretype: an OpenBLAS core type or "best"; NULL = as detected */
};

void mb_front_defaults(struct mb_front *f);

#endif /* MATBENCH_FRONT_H */
