/* Golden tests: what users and scripts read, byte for byte (help, the
 * kernel list, the table, markdown and CSV headers) or key for key (the
 * JSON contract), so that a change of the code's shape cannot change what
 * matbench shows. Run with MB_GOLDEN_UPDATE=1 to rewrite tests/golden/
 * after a change that means to alter the output, and review the diff. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "mb_test.h"

#define GOLDEN_DIR MB_SOURCE_DIR "/tests/golden/"

/* Compares text with the golden file name (or rewrites it under
 * MB_GOLDEN_UPDATE). */
static void assert_golden(const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, GOLDEN_DIR "%s", name);
    if (getenv("MB_GOLDEN_UPDATE") != NULL) {
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f, "%s", path);
        fputs(text, f);
        cr_assert_eq(fclose(f), 0);
        return;
    }
    static char want[65536];
    slurp(path, want, sizeof want);
    cr_assert_str_eq(text, want, "%s changed; if that is meant, rerun with MB_GOLDEN_UPDATE=1",
                     name);
}

/* The first line of text that starts with prefix, with its newline. */
static void line_starting(const char *text, const char *prefix, char *out, size_t cap)
{
    for (const char *l = text; l != NULL && *l != '\0';
         l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, prefix, strlen(prefix)) == 0) {
            size_t len = strcspn(l, "\n");
            snprintf(out, cap, "%.*s\n", (int)len, l);
            return;
        }
    cr_assert_fail("no line starts with '%s' in:\n%s", prefix, text);
}

/* Appends every key path under v to buf, one per line ("a.b", "a[].c"
 * for the objects in an array), in the order the document has them; the
 * cache levels are the machine's, so machine.caches is one key. */
static void key_paths(json_t *v, const char *prefix, char *buf, size_t cap)
{
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach(v, key, child)
        {
            char path[512];
            snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
            size_t len = strlen(buf);
            snprintf(buf + len, cap - len, "%s\n", path);
            if (strcmp(path, "machine.caches") != 0) /* the levels this CPU has */
                key_paths(child, path, buf, cap);
        }
    } else if (json_is_array(v) && json_array_size(v) > 0 && json_is_object(json_array_get(v, 0))) {
        char path[512];
        snprintf(path, sizeof path, "%s[]", prefix);
        key_paths(json_array_get(v, 0), path, buf, cap);
    }
}

static void assert_json_keys(const char *name, const char *text)
{
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    cr_assert_not_null(root, "not JSON (%s):\n%s", err.text, text);
    static char keys[65536];
    keys[0] = '\0';
    key_paths(root, "", keys, sizeof keys);
    json_decref(root);
    assert_golden(name, keys);
}

#define RUN_ARGS "64 --kernels naive,dgemm --threads 1 --repeat 1 --warmup 0"

Test(golden, help)
{
    static struct run r;
    run_matbench(&r, "", "--help");
    cr_assert_eq(r.code, 0);
    assert_golden("help.txt", r.out);
}

Test(golden, kernels_text)
{
    static struct run r;
    run_matbench(&r, "", "kernels");
    cr_assert_eq(r.code, 0);
    assert_golden("kernels.txt", r.out);
}

Test(golden, kernels_json)
{
    static struct run r;
    run_matbench(&r, "", "kernels --format json");
    cr_assert_eq(r.code, 0);
    assert_golden("kernels.json", r.out);
}

Test(golden, table_header)
{
    static struct run r;
    static char line[4096];
    run_matbench(&r, "", RUN_ARGS " --no-peak");
    cr_assert_eq(r.code, 0, "%s", r.err);
    line_starting(r.out, "kernel ", line, sizeof line);
    assert_golden("table_header.txt", line);
}

Test(golden, markdown_header)
{
    static struct run r;
    static char line[4096];
    run_matbench(&r, "", RUN_ARGS " --no-peak --format markdown");
    cr_assert_eq(r.code, 0, "%s", r.err);
    line_starting(r.out, "| kernel ", line, sizeof line);
    assert_golden("markdown_header.txt", line);
}

Test(golden, csv_header)
{
    static struct run r;
    static char line[4096];
    run_matbench(&r, "", RUN_ARGS " --no-peak --format csv");
    cr_assert_eq(r.code, 0, "%s", r.err);
    line_starting(r.out, "kernel,", line, sizeof line);
    assert_golden("csv_header.txt", line);
}

Test(golden, run_json_keys)
{
    static struct run r;
    run_matbench(&r, "", RUN_ARGS " --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    assert_json_keys("run_json_keys.txt", r.out);
}

Test(golden, info_json_keys)
{
    static struct run r;
    run_matbench(&r, "", "info --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    assert_json_keys("info_json_keys.txt", r.out);
}

Test(golden, peak_json_keys)
{
    static struct run r;
    run_matbench(&r, "", "peak --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    assert_json_keys("peak_json_keys.txt", r.out);
}
