/* A main() for the fuzz harnesses in a build without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on each file named on the command line, or on
 * each file of a directory named there (the seed corpus, the kept crashes),
 * so every build of the suite replays them. Exit 0 when all ran; a harness
 * check that fails aborts. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

/* Reads the file at path and runs the harness on it. Returns 0, or -1 when
 * it cannot be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, size = 0;
    uint8_t *buf = malloc(cap);
    for (size_t n; buf != NULL && (n = fread(buf + size, 1, cap - size, f)) > 0;) {
        size += n;
        if (size == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (bigger == NULL)
                free(buf);
            buf = bigger;
            cap *= 2;
        }
    }
    int bad = ferror(f) || buf == NULL;
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        return -1;
    }
    LLVMFuzzerTestOneInput(buf, size);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            failed++;
            continue;
        }
        if (!S_ISDIR(sb.st_mode)) {
            failed += replay_file(argv[i]) != 0;
            files++;
            continue;
        }
        struct dirent **names;
        int n = scandir(argv[i], &names, NULL, alphasort);
        if (n < 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            failed++;
            continue;
        }
        for (int k = 0; k < n; k++) {
            char path[4096];
            if (names[k]->d_name[0] != '.' &&
                (size_t)snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name) <
                    sizeof path &&
                stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
                failed += replay_file(path) != 0;
                files++;
            }
            free(names[k]);
        }
        free(names);
    }
    printf("replayed %d inputs, %d unreadable\n", files, failed);
    return failed == 0 ? 0 : 1;
}
