/* matbench --help: fixed text around the options, which come from the
 * rows of options.c (as curl's tool_listhelp.c). */
#include <stdio.h>
#include <string.h>

#include "cli/cli_internal.h"

/* The text between the commands and the options, and after the options;
 * commands and options come from their rows (commands.c, options.c). */
static const char usage_size[] =
    "\n"
    "N is the matrix size (default 2000): C = A*B with n x n doubles.\n"
    "\n";

static const char usage_tail[] =
    "\n"
    "Exit codes: 0 ok, 1 a run failed (memory, verification, output), 2 bad input,\n"
    "130, 143, 129 interrupted by SIGINT, SIGTERM, SIGHUP (the results completed so\n"
    "far are still written).\n";

/* Writes lines of text, the first after what is on the line already and
 * the others indented by indent columns. */
static void print_lines(FILE *out, const char *text, int indent)
{
    for (const char *line = text, *nl;; line = nl + 1) {
        nl = strchr(line, '\n');
        fprintf(out, "%.*s\n", nl != NULL ? (int)(nl - line) : (int)strlen(line), line);
        if (nl == NULL)
            break;
        fprintf(out, "%*s", indent, "");
    }
}

/* Writes the label of row r ("-h, --help", "--sizes LIST") into buf. */
void mb__option_label(const struct mb__option *r, char *buf, size_t cap)
{
    char letter[8] = "";
    if (r->short_name != 0)
        snprintf(letter, sizeof letter, "-%c, ", r->short_name);
    snprintf(buf, cap, "%s--%s%s%s", letter, r->name, r->metavar != NULL ? " " : "",
             r->metavar != NULL ? r->metavar : "");
}

/* The values row r takes ("table, csv, json, markdown") into buf, in the
 * order of their table; "" when it takes free text. Returns buf. */
const char *mb__option_values(const struct mb__option *r, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    const char *v;
    for (size_t i = 0; r->values != NULL && (v = r->values(i)) != NULL && len < cap; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", v);
        len += w > 0 ? (size_t)w : 0;
    }
    return buf;
}

/* Writes "one of: " and the values of row r at indent, as words wrapped
 * to lines of at most 80 columns. */
static void print_values(FILE *out, const struct mb__option *r, int indent)
{
    char values[1024];
    mb__option_values(r, values, sizeof values);
    int col = fprintf(out, "%*sone of:", indent, "");
    for (const char *w = values; *w != '\0';) {
        int len = (int)strcspn(w, " ");
        if (col + 1 + len > 80) {
            col = fprintf(out, "\n%*s", indent, "") - 1;
        } else {
            fputc(' ', out);
            col++;
        }
        col += fprintf(out, "%.*s", len, w);
        w += len + (w[len] == ' ');
    }
    fputc('\n', out);
}

/* Writes the options part of --help: each heading row alone, each option
 * as its label in a column of 21 and its help lines beside it, then the
 * values it takes when its row lists them. */
static void print_options(FILE *out)
{
    for (size_t i = 0; i < mb__noptions; i++) {
        const struct mb__option *r = &mb__options[i];
        if (r->kind == MB__HEADING) {
            fprintf(out, "%s\n", r->help);
            continue;
        }
        char label[64];
        mb__option_label(r, label, sizeof label);
        fprintf(out, "  %-20s ", label);
        print_lines(out, r->help, 23);
        if (r->values_in_help)
            print_values(out, r, 23);
    }
}

/* Writes the usage lines, one command row each. */
static void print_commands(FILE *out)
{
    for (size_t i = 0; i < mb__ncommands; i++) {
        const struct mb__command *c = &mb__commands[i];
        fprintf(out, "%s%s   ", i == 0 ? "Usage: matbench " : "       matbench ", c->synopsis);
        print_lines(out, c->help, 23);
    }
}

/* Writes the usage text (matbench --help) to out. */
void mb__cli_help(FILE *out)
{
    print_commands(out);
    fputs(usage_size, out);
    print_options(out);
    fputs(usage_tail, out);
}
