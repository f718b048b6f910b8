/* libFuzzer harness for the INI loader, mb_config_load: the input is the
 * file (one in memory, made once per process). The first byte says which
 * key the callback refuses (0: none), so both the accepted and the refused
 * paths run. Checks that every key reaches the callback as C strings, in
 * file order, and that a failure reads `FILE:...` on one line. */
#include <stdbool.h>

#include "fuzz_common.h"
#include "matbench/config.h"

struct seen {
    unsigned keys;   /* handed to the callback so far */
    unsigned refuse; /* refuse this key (1-based); 0: none */
    size_t bytes;    /* an upper bound on what the strings can hold */
};

static enum mb_status on_key(const char *section, const char *key, const char *value, void *user,
                             struct mb_diag *d)
{
    struct seen *s = user;
    FUZZ_CHECK(section != NULL && key != NULL && value != NULL, "a NULL string");
    /* strlen reads every byte: AddressSanitizer sees a missing terminator */
    size_t len = strlen(section) + strlen(key) + strlen(value);
    FUZZ_CHECK(len <= s->bytes, "%zu bytes of strings from a %zu-byte file", len, s->bytes);
    if (++s->keys == s->refuse)
        return mb_diag_set(d, MB_USAGE, "refused key %u '%s'", s->keys,
                           mb_printable(key, (char[64]){0}, 64));
    return MB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *path = fuzz_file_write(data + 1, size - 1);
    if (path == NULL)
        return 0;
    struct seen seen = {.refuse = data[0] % 8, .bytes = size};
    struct mb_diag d = {0};
    enum mb_status st = mb_config_load(path, on_key, &seen, &d);
    fuzz_check_message(st, &d);
    FUZZ_CHECK(st == MB_OK || st == MB_USAGE || st == MB_NOMEM, "status %d", st);
    if (st == MB_OK)
        FUZZ_CHECK(seen.refuse == 0 || seen.keys < seen.refuse, "key %u refused, yet MB_OK",
                   seen.refuse);
    else
        FUZZ_CHECK(strncmp(d.msg, path, strlen(path)) == 0 && d.msg[strlen(path)] == ':',
                   "the message does not start with the file: %s", d.msg);
    return 0;
}
