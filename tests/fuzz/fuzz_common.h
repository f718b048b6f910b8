/* What the fuzz harnesses share: the libFuzzer entry point, a check that
 * aborts (a crash libFuzzer keeps) instead of exiting, the one-line message
 * rule, and a file made once per process for the inputs that must be a path.
 * The harnesses are built by libFuzzer (-DMATBENCH_FUZZ=ON with clang) or,
 * in a plain build, by replay_main.c, which feeds each corpus file once. */
#ifndef MATBENCH_FUZZ_COMMON_H
#define MATBENCH_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "matbench/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of the code under test: say which, and abort so that
 * libFuzzer (or the replay driver) reports a crash with the input. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A refusal comes with one line that says why: not empty, no control
 * characters (values are quoted through mb_printable), NUL-terminated. */
static inline void fuzz_check_message(enum mb_status st, const struct mb_diag *d)
{
    if (st == MB_OK || st == MB_HELP || st == MB_VERSION)
        return;
    size_t len = strnlen(d->msg, sizeof d->msg);
    FUZZ_CHECK(len < sizeof d->msg, "status %s: message not terminated", mb_status_name(st));
    FUZZ_CHECK(len > 0, "status %s without a message", mb_status_name(st));
    for (size_t i = 0; i < len; i++)
        FUZZ_CHECK((unsigned char)d->msg[i] >= 0x20 && d->msg[i] != 0x7f,
                   "control character 0x%02x at %zu in the message: %s", (unsigned char)d->msg[i],
                   i, d->msg);
}

/* A copy of data[0..size) as a C string in a buffer of exactly size + 1
 * bytes, so AddressSanitizer sees a read past its end. NULL: no memory. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s != NULL) {
        if (size > 0)
            memcpy(s, data, size);
        s[size] = '\0';
    }
    return s;
}

/* A file in memory, made once per process, that holds the last bytes
 * written with fuzz_file_write; its path is /proc/self/fd/N. Returns the
 * path, or NULL when the file cannot be made or written (the input is then
 * skipped). */
static inline const char *fuzz_file_write(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("matbench-fuzz", MFD_CLOEXEC);
        if (fd < 0)
            return NULL;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0)
        return NULL;
    for (size_t done = 0; done < size;) {
        ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
        if (n <= 0)
            return NULL;
        done += (size_t)n;
    }
    return path;
}

#endif /* MATBENCH_FUZZ_COMMON_H */
