/* The build-time generator of matbench.1 (roff) and of the bash completion
 * script, both from the command and option rows that --help prints, so
 * that neither can fall behind the program. Not installed.
 * Usage: gen_docs man FILE | gen_docs completion FILE */
#include <stdio.h>
#include <string.h>

#include "cli/cli_internal.h"
#include "matbench/version.h"

/* Writes text as roff body text: a line may not start with '.' or '\'', and
 * each backslash and hyphen is escaped (a "-" alone is a hyphen in roff,
 * "\-" the minus an option is spelt with). */
static void roff_text(FILE *out, const char *text)
{
    bool line_start = true;
    for (const char *c = text; *c != '\0'; c++) {
        if (line_start && (*c == '.' || *c == '\''))
            fputs("\\&", out);
        if (*c == '\\')
            fputs("\\e", out);
        else if (*c == '-')
            fputs("\\-", out);
        else if (*c == '\n')
            fputc(' ', out); /* one paragraph: roff fills the lines itself */
        else
            fputc(*c, out);
        line_start = *c == '\n';
    }
    fputc('\n', out);
}

/* The COMMANDS and OPTIONS sections, one .TP paragraph per row. */
static void man_rows(FILE *out)
{
    fputs(".SH COMMANDS\n", out);
    for (size_t i = 0; i < mb__ncommands; i++) {
        fputs(".TP\n.B matbench ", out);
        roff_text(out, mb__commands[i].synopsis);
        roff_text(out, mb__commands[i].help);
    }
    fputs(".SH OPTIONS\n", out);
    for (size_t i = 0; i < mb__noptions; i++) {
        const struct mb__option *r = &mb__options[i];
        if (r->kind == MB__HEADING) {
            fputs(".SS ", out);
            roff_text(out, r->help);
            continue;
        }
        char label[64];
        mb__option_label(r, label, sizeof label);
        fputs(".TP\n.B ", out);
        roff_text(out, label);
        roff_text(out, r->help);
        char values[1024];
        if (r->values_in_help) {
            fputs("One of: ", out);
            roff_text(out, mb__option_values(r, values, sizeof values));
        }
        if (r->section != NULL)
            fprintf(out, "In a config file: key \\fB%s\\fR in section [%s].\n", r->name,
                    r->section);
    }
}

/* Writes the man page matbench.1. */
static void write_man(FILE *out)
{
    fprintf(out, ".TH MATBENCH 1 \"\" \"matbench %s\" \"User Commands\"\n", MB_VERSION_STRING);
    fputs(".SH NAME\nmatbench \\- what a multi\\-threaded BLAS does with a machine's cores\n"
          ".SH SYNOPSIS\n",
          out);
    for (size_t i = 0; i < mb__ncommands; i++) {
        fputs(".B matbench\n", out);
        roff_text(out, mb__commands[i].synopsis);
        fputs(".br\n", out);
    }
    fputs(".SH DESCRIPTION\nmatbench times matrix kernels (a naive loop, hand-written steps up "
          "to OpenBLAS's dgemm, and LAPACK factorizations) at matrix sizes N (C = A*B with n x n "
          "doubles, default 2000) and BLAS thread counts, checks each result, and reports "
          "GFLOP/s, the share of the FMA peak and how busy each CPU was.\n",
          out);
    man_rows(out);
    fputs(".SH EXIT STATUS\n0 ok; 1 a run failed (memory, verification, output); 2 bad input; "
          "130, 143, 129 interrupted by SIGINT, SIGTERM, SIGHUP (the results completed so far "
          "are still written).\n"
          ".SH FILES\n.TP\n.I " MB_CONFIG_INSTALL_DIR "/NAME.ini\n"
          "the configs that \\fB\\-\\-config NAME\\fR finds by name (a value without a '/' "
          "that is not a file).\n"
          ".SH ENVIRONMENT\n"
          ".TP\n.B OPENBLAS_NUM_THREADS\nthe default thread list when \\fB\\-\\-threads\\fR is "
          "not given.\n"
          ".TP\n.B OPENBLAS_CORETYPE\nthe OpenBLAS kernels to use; a core type this CPU cannot "
          "run is refused.\n"
          ".TP\n.B NO_COLOR\nset to anything but the empty string: no bars or colour in the "
          "table.\n"
          ".TP\n.B MATBENCH_CONFIG_DIR\nwhere \\fB\\-\\-config NAME\\fR looks for NAME.ini "
          "instead of " MB_CONFIG_INSTALL_DIR ".\n",
          out);
}

/* Writes the completion of one option that takes the values of a table:
 * the names alone, or after the last comma of a LIST. */
static void complete_values(FILE *out, const struct mb__option *r)
{
    bool list = r->metavar != NULL && strcmp(r->metavar, "LIST") == 0;
    fprintf(out, "        --%s)\n", r->name);
    if (list)
        fputs("            local last=${cur##*,}\n"
              "            COMPREPLY=($(compgen -P \"${cur%\"$last\"}\" -W \"",
              out);
    else
        fputs("            COMPREPLY=($(compgen -W \"", out);
    const char *v;
    for (size_t i = 0; (v = r->values(i)) != NULL; i++)
        fprintf(out, "%s%s", i ? " " : "", v);
    fprintf(out, "\" -- \"%s\")); return;;\n", list ? "$last" : "$cur");
}

/* Writes the bash completion script: commands and options as words, the
 * values of every option whose row has them, and file names for FILE. */
static void write_completion(FILE *out)
{
    fputs("# bash completion for matbench; generated by gen_docs from its tables\n"
          "_matbench()\n{\n    local cur prev\n    cur=${COMP_WORDS[COMP_CWORD]}\n"
          "    prev=${COMP_WORDS[COMP_CWORD-1]}\n    case $prev in\n",
          out);
    for (size_t i = 0; i < mb__noptions; i++) {
        const struct mb__option *r = &mb__options[i];
        if (r->values != NULL)
            complete_values(out, r);
        else if (r->metavar != NULL && strcmp(r->metavar, "FILE") == 0)
            fprintf(out,
                    "        --%s)\n            COMPREPLY=($(compgen -f -- \"$cur\")); "
                    "return;;\n",
                    r->name);
    }
    fputs("    esac\n    COMPREPLY=($(compgen -W \"", out);
    for (size_t i = 1; i < mb__ncommands; i++)
        fprintf(out, "%s ", mb__commands[i].word);
    for (size_t i = 0; i < mb__noptions; i++)
        if (mb__options[i].kind != MB__HEADING)
            fprintf(out, "--%s ", mb__options[i].name);
    fputs("\" -- \"$cur\"))\n}\ncomplete -F _matbench matbench\n", out);
}

/* Writes the man page or the completion script to the file named. */
int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "man") != 0 && strcmp(argv[1], "completion") != 0)) {
        fprintf(stderr, "usage: gen_docs man|completion FILE\n");
        return 2;
    }
    FILE *out = fopen(argv[2], "w");
    if (out == NULL) {
        perror(argv[2]);
        return 1;
    }
    if (strcmp(argv[1], "man") == 0)
        write_man(out);
    else
        write_completion(out);
    if (fclose(out) != 0) {
        perror(argv[2]);
        return 1;
    }
    return 0;
}
