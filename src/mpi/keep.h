/* The report rank 0 keeps for a stop signal (SIGINT, SIGTERM, SIGHUP):
 * the rows finished so far, written by the handler. Private to src/mpi. */
#ifndef MATBENCH_MPI_KEEP_H
#define MATBENCH_MPI_KEEP_H

#include <stddef.h>

#include "matbench/dist.h"

void mb_keep_start(const char *path, enum mb_format f);
void mb_keep_rows(const struct mb_dist_header *h, const struct mb_dist_result *rows, size_t count);
void mb_keep_final(void);
int mb_keep_pending(void);
void mb_keep_end(void);

#endif /* MATBENCH_MPI_KEEP_H */
