/* The man page and the bash completion that the build generates from the
 * command and option tables: every row is in them. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_internal.h"
#include "matbench/format.h"
#include "matbench/kernels.h"

/* The whole file at path, malloc'd and NUL-terminated. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    static char buf[1 << 20];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    return strdup(buf);
}

/* Whether word is in text as a whole word (between blanks or quotes). */
static bool has_word(const char *text, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = text; (p = strstr(p, word)) != NULL; p++) {
        bool starts = p == text || strchr(" \"(", p[-1]) != NULL;
        if (starts && strchr(" \")\n", p[len]) != NULL)
            return true;
    }
    return false;
}

/* name as roff spells it in the man page: each '-' as "\-". */
static void roff_name(const char *name, char *buf, size_t cap)
{
    size_t k = 0;
    for (const char *c = name; *c != '\0' && k + 3 < cap; c++) {
        if (*c == '-')
            buf[k++] = '\\';
        buf[k++] = *c;
    }
    buf[k] = '\0';
}

Test(cli_docs, man_page_is_roff_section_1)
{
    char *man = slurp(MB_MAN_PAGE);
    cr_assert(strncmp(man, ".TH MATBENCH 1", 14) == 0, "starts: %.40s", man);
    const char *sections[] = {".SH NAME",        ".SH SYNOPSIS",         ".SH DESCRIPTION",
                              ".SH COMMANDS",    ".SH OPTIONS",          ".SH EXIT STATUS",
                              ".SH ENVIRONMENT", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE",
                              "NO_COLOR"};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        cr_expect(strstr(man, sections[i]) != NULL, "no %s", sections[i]);
    free(man);
}

Test(cli_docs, man_page_names_every_option_and_command)
{
    char *man = slurp(MB_MAN_PAGE);
    char want[96];
    for (size_t i = 0; i < mb__noptions; i++) {
        if (mb__options[i].kind == MB__HEADING)
            continue;
        char roff[64];
        roff_name(mb__options[i].name, roff, sizeof roff);
        snprintf(want, sizeof want, "\\-\\-%s", roff);
        cr_expect(has_word(man, want), "no --%s (%s)", mb__options[i].name, want);
    }
    for (size_t i = 1; i < mb__ncommands; i++) {
        snprintf(want, sizeof want, ".B matbench %s", mb__commands[i].word);
        cr_expect(strstr(man, want) != NULL, "no command %s", mb__commands[i].word);
    }
    free(man);
}

Test(cli_docs, completion_holds_every_option_command_and_kernel)
{
    char *comp = slurp(MB_COMPLETION);
    char want[96];
    for (size_t i = 0; i < mb__noptions; i++) {
        if (mb__options[i].kind == MB__HEADING)
            continue;
        snprintf(want, sizeof want, " --%s ", mb__options[i].name);
        cr_expect(strstr(comp, want) != NULL, "no --%s", mb__options[i].name);
    }
    for (size_t i = 1; i < mb__ncommands; i++) {
        snprintf(want, sizeof want, "%s ", mb__commands[i].word);
        cr_expect(strstr(comp, want) != NULL, "no command %s", mb__commands[i].word);
    }
    for (size_t i = 0; i < mb_kernel_count(); i++) {
        cr_expect(has_word(comp, mb_kernel_at(i)->name), "no kernel %s", mb_kernel_at(i)->name);
    }
    cr_expect(strstr(comp, "table csv json markdown") != NULL);
    cr_expect(strstr(comp, "complete -F _matbench matbench") != NULL);
    free(comp);
}

/* --help, the man page and the completion list the values of --kernels and
 * --format from their tables: a kernel or format added to its table is in
 * all three without a word of help written for it. */
Test(cli_docs, help_man_and_completion_list_every_kernel_group_and_format)
{
    char *help = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&help, &len);
    cr_assert_not_null(out);
    mb__cli_help(out);
    fclose(out);
    char *man = slurp(MB_MAN_PAGE), *comp = slurp(MB_COMPLETION);
    const char *words[64];
    size_t n = 0;
    for (size_t i = 0; i < mb_kernel_count(); i++)
        words[n++] = mb_kernel_at(i)->name;
    for (size_t g = 0; g < mb_kernel_group_count(); g++)
        words[n++] = mb_kernel_group_name(g, NULL);
    const struct mb_format_row *f;
    for (size_t i = 0; (f = mb_format_row((enum mb_format)i)) != NULL; i++)
        words[n++] = f->name;
    for (size_t i = 0; i < n; i++) {
        char roff[64];
        roff_name(words[i], roff, sizeof roff);
        cr_expect(strstr(help, words[i]) != NULL, "--help does not list %s", words[i]);
        cr_expect(strstr(man, roff) != NULL, "the man page does not list %s", words[i]);
        cr_expect(has_word(comp, words[i]), "the completion does not list %s", words[i]);
    }
    free(help), free(man), free(comp);
}
