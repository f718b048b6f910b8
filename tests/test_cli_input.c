/* cli, hostile input: the words getopt refuses named as typed, seconds in
 * decimal only, and an OPENBLAS_CORETYPE this CPU cannot run refused
 * before any BLAS call. The real binary, as a user runs it; exit codes and
 * messages, never timings. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "matbench/coretype.h"
#include "mb_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Exit 2, exactly this one line on stderr, nothing on stdout. */
static void assert_refused(const struct run *r, const char *args, const char *line)
{
    char want[512];
    snprintf(want, sizeof want, "matbench: %s\n", line);
    cr_assert_eq(r->code, 2, "matbench %s exits %d: %s", args, r->code, r->err);
    cr_assert_str_eq(r->err, want, "matbench %s", args);
    cr_assert_str_eq(r->out, "", "matbench %s: nothing on stdout", args);
}

/* ---- the word to blame -------------------------------------------------- */

static const struct {
    const char *args; /* shell text */
    const char *line; /* the message after "matbench: " */
} words[] = {
    /* getopt reads "-10" and "-xy" as bundles of letters; the refused
     * letter is not the last, so optind still points at the word */
    {"-10", "N: '-10' is not a positive decimal integer (1..2147483647)"},
    {"-1", "N: '-1' is not a positive decimal integer (1..2147483647)"},
    {"-xy", "unknown option '-xy' (see matbench --help)"},
    {"-x", "unknown option '-x' (see matbench --help)"},
    {"100 -xy", "unknown option '-xy' (see matbench --help)"},
    {"-x -xy", "unknown option '-x' (see matbench --help)"},
    {"--output -x -xy", "unknown option '-xy' (see matbench --help)"},
    {"--bogus", "unknown option '--bogus' (see matbench --help)"},
    {"--bogus=1", "unknown option '--bogus=1' (see matbench --help)"},
    /* a flag given a value */
    {"--quiet=yes", "option '--quiet' takes no value (given '--quiet=yes')"},
    {"--qu=yes", "option '--quiet' takes no value (given '--qu=yes')"},
    {"--no-peak=", "option '--no-peak' takes no value (given '--no-peak=')"},
    {"--help=1", "option '--help' takes no value (given '--help=1')"},
    /* an abbreviation of several options */
    {"--no", "option '--no' is ambiguous (--no-verify, --no-monitor, --no-peak)"},
    {"--no=1", "option '--no' is ambiguous (--no-verify, --no-monitor, --no-peak)"},
    {"--no-", "option '--no-' is ambiguous (--no-verify, --no-monitor, --no-peak)"},
    {"--n", "option '--n' is ambiguous (--nrhs, --naive-budget, --no-verify, --no-monitor, "
            "--no-peak)"},
    /* a value missing */
    {"--threads", "option '--threads' needs a value (see matbench --help)"},
    /* after "--" every word is an argument: '--threads' is the size, and
     * it is the first word wrong */
    {"-- --threads 1", "N: '--threads' is not a positive decimal integer (1..2147483647)"},
    {"-- --threads", "N: '--threads' is not a positive decimal integer (1..2147483647)"},
    {"-- 100 200", "unexpected argument '200' (see matbench --help)"},
    {"abc 200", "N: 'abc' is not a positive decimal integer (1..2147483647)"},
    {"100 200", "unexpected argument '200' (see matbench --help)"},
};

Test(cli_input, each_refused_word_is_named_as_typed)
{
    for (size_t i = 0; i < COUNT(words); i++) {
        struct run r;
        run_matbench(&r, "", words[i].args);
        assert_refused(&r, words[i].args, words[i].line);
    }
}

Test(cli_input, an_unambiguous_abbreviation_still_works)
{
    struct run r;
    run_matbench(&r, "", "--vers");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strncmp(r.out, "matbench ", 9) == 0, "%s", r.out);
    run_matbench(&r, "", "--no-p --he");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "Usage: matbench") == r.out, "%s", r.out);
}

/* ---- seconds: decimal only ----------------------------------------------- */

static const char *const bad_seconds[] = {
    "0x10", "0X1", "0x1p3", "inf", "nan", "infinity", "1e", "1e+",  "e3",  ".",
    "1..2", "1,5", "+1",    "-0",  " 1",  "1 ",       "''", "1.5s", "2e7",
};

Test(cli_input, seconds_refuse_hex_and_every_non_decimal_form)
{
    static const char *const options[] = {"duration", "naive-budget"};
    for (size_t o = 0; o < COUNT(options); o++)
        for (size_t i = 0; i < COUNT(bad_seconds); i++) {
            char args[96], line[160];
            snprintf(args, sizeof args, "--%s '%s'", options[o], bad_seconds[i]);
            const char *shown = strcmp(bad_seconds[i], "''") == 0 ? "" : bad_seconds[i];
            snprintf(line, sizeof line,
                     "%s: '%s' is not allowed (seconds, a decimal number 0..1e+06)", options[o],
                     shown);
            struct run r;
            run_matbench(&r, "", args);
            assert_refused(&r, args, line);
        }
}

Test(cli_input, seconds_take_decimals_with_a_fraction_or_an_exponent)
{
    /* accepted: the run then stops on the bad N that follows, so nothing
     * runs; the message is N's, not the seconds' */
    static const char *const good[] = {"0", "10", "2.5", ".5", "5.", "1e1", "2.5E-3", "1e+2"};
    for (size_t i = 0; i < COUNT(good); i++) {
        char args[96];
        snprintf(args, sizeof args, "--duration %s --naive-budget %s 0", good[i], good[i]);
        struct run r;
        run_matbench(&r, "", args);
        assert_refused(&r, args, "N: '0' is not allowed (1..2147483647)");
    }
}

/* ---- OPENBLAS_CORETYPE from the environment -------------------------------- */

/* A core type of the table this CPU cannot run, or NULL. */
static const struct mb_coretype *unrunnable(void)
{
    static const char *const names[] = {"Opteron", "Bulldozer", "Cooperlake", "SkylakeX"};
    for (size_t i = 0; i < COUNT(names); i++) {
        const struct mb_coretype *ct = mb_coretype_find(names[i]);
        if (ct != NULL && mb_coretype_missing(ct, NULL) != NULL)
            return ct;
    }
    return NULL;
}

Test(cli_input, a_core_type_this_cpu_cannot_run_is_refused_before_any_blas_call)
{
    const struct mb_coretype *ct = unrunnable();
    if (ct == NULL)
        cr_skip_test("this CPU can run Opteron, Bulldozer and Cooperlake kernels");
    char env[64], line[256];
    snprintf(env, sizeof env, "OPENBLAS_CORETYPE=%s", ct->name);
    snprintf(line, sizeof line,
             "OPENBLAS_CORETYPE: '%s' needs %s, which this CPU does not have; its kernels would "
             "die of SIGILL (unset it, or pick one of matbench coretypes)",
             ct->name, mb_coretype_missing(ct, NULL));
    struct run r;
    /* without the check, OpenBLAS loads these kernels and the first dgemm
     * dies of SIGILL (exit 132 through the shell) */
    run_matbench(&r, env, "16 --kernels dgemm --threads 1 --no-peak --quiet");
    assert_refused(&r, "16 under an unrunnable core type", line);
    run_matbench(&r, env, "16 --kernels naive --threads 1 --no-peak --quiet");
    assert_refused(&r, "16 --kernels naive", line);
}

Test(cli_input, commands_that_call_no_blas_kernel_still_run_under_it)
{
    const struct mb_coretype *ct = unrunnable();
    if (ct == NULL)
        cr_skip_test("this CPU can run Opteron, Bulldozer and Cooperlake kernels");
    char env[64];
    snprintf(env, sizeof env, "OPENBLAS_CORETYPE=%s", ct->name);
    /* info says which core type OpenBLAS took; kernels lists; neither
     * calls a BLAS kernel */
    struct run r;
    run_matbench(&r, env, "info --format json");
    cr_assert_eq(r.code, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\"core\"") != NULL, "%s", r.out);
    run_matbench(&r, env, "kernels");
    cr_assert_eq(r.code, 0, "%s", r.err);
}

Test(cli_input, an_unknown_core_type_is_left_to_openblas)
{
    /* OpenBLAS 0.3.21 ignores a name it does not know and uses the kernels
     * it detects itself: safe, so the run goes ahead */
    struct run r;
    run_matbench(&r, "OPENBLAS_CORETYPE=NoSuchCore",
                 "8 --kernels dgemm --threads 1 --no-peak --quiet --repeat 1 --format csv");
    cr_assert_eq(r.code, 0, "%s", r.err);
    struct csv c;
    parse_csv(&c, r.out);
    cr_assert_eq(c.lines, 2, "%s", r.out);
    cr_assert_str_eq(cell(&c, 1, "verified"), "true");
}
