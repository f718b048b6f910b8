/* The live core view: one bar per logical CPU with its busy percentage,
 * the process's thread count and what is running, as text lines that the
 * command line redraws in place on a terminal. */
#ifndef MATBENCH_LIVE_H
#define MATBENCH_LIVE_H

#include <stddef.h>

#include "matbench/monitor.h"

int mb_live_render(const struct mb_monitor_sample *s, const char *status, char *buf, size_t cap);

#endif /* MATBENCH_LIVE_H */
