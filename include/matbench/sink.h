/* Where a report goes: standard output; a device, FIFO or socket, written
 * directly; or a regular file, written to a temporary file beside it and
 * renamed into place at the end, so that a failed or stopped run never
 * leaves a truncated report where an earlier one was. */
#ifndef MATBENCH_SINK_H
#define MATBENCH_SINK_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "matbench/status.h"

/* The temporary file's name in the target's directory (mkstemp fills the
 * X's): short, so that a target name of NAME_MAX bytes still fits. */
#define MB_SINK_TEMP_NAME ".matbench-XXXXXX"

struct mb_sink {
    FILE *f;               /* stdout, the device, or the temporary file */
    const char *path;      /* as given; NULL for standard output */
    char target[PATH_MAX]; /* the file the temporary one replaces ("" when written directly) */
    char tmp[PATH_MAX];    /* the temporary file beside target ("" when none) */
    mode_t new_mode;       /* a new report's mode: 0666 & ~umask */
};

enum mb_status mb_sink_std_fds_guard(struct mb_diag *d);
enum mb_status mb_sink_open(struct mb_sink *s, const char *path, struct mb_diag *d);
enum mb_status mb_sink_close(struct mb_sink *s, bool commit, struct mb_diag *d);

#endif /* MATBENCH_SINK_H */
