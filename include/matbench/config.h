/* INI configuration files (parsed by inih): each `key = value` line, with
 * its section, handed to a callback that applies it. Errors read
 * `FILE:LINE: ...`. */
#ifndef MATBENCH_CONFIG_H
#define MATBENCH_CONFIG_H

#include <stdbool.h>

#include "matbench/status.h"

/* The largest config file read (1 MiB): far beyond any real one, and a
 * bound for /dev/zero, /dev/urandom or an endless pipe given by mistake. */
#define MB_CONFIG_MAX_BYTES (1024 * 1024)

/* Applies one key of section; returns MB_OK or a status with the message
 * (without the FILE:LINE prefix, which mb_config_load adds) in d. */
typedef enum mb_status mb_config_key_fn(const char *section, const char *key, const char *value,
                                        void *user, struct mb_diag *d);

enum mb_status mb_config_load(const char *path, mb_config_key_fn *fn, void *user,
                              struct mb_diag *d);
enum mb_status mb_config_parse_bool(const char *key, const char *value, bool *out,
                                    struct mb_diag *d);

#endif /* MATBENCH_CONFIG_H */
