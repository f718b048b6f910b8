/* The output formats of a run, one row each: --format's name, the reporter
 * that writes it and what it does beyond the results (its traits). */
#include "matbench/format.h"

#include <string.h>

#include "matbench/report.h"
#include "mb_internal.h"

static const struct mb_format_row formats[] = {
    [MB_FORMAT_TABLE] = {"table", mb_report_table,
                         MB_FORMAT_HEADER_ON_STDOUT | MB_FORMAT_SHOWS_HINT |
                             MB_FORMAT_FOR_COMMANDS},
    [MB_FORMAT_CSV] = {"csv", mb_report_csv, 0},
    [MB_FORMAT_JSON] = {"json", mb_report_json, MB_FORMAT_FOR_COMMANDS | MB_FORMAT_DOCUMENT},
    [MB_FORMAT_MARKDOWN] = {"markdown", mb_report_markdown, MB_FORMAT_SHOWS_HINT},
};

#define FORMAT_COUNT (MB__ARRAY_SIZE(formats))

/* The row of format f, or NULL when f is not a format. */
const struct mb_format_row *mb_format_row(enum mb_format f)
{
    return (size_t)f < FORMAT_COUNT ? &formats[f] : NULL;
}

/* The names of the formats that have every trait of traits (0: all), in
 * table order and separated by ", ", into buf ("table, json"). Returns buf. */
const char *mb_format_names(unsigned traits, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < FORMAT_COUNT; i++) {
        if ((formats[i].traits & traits) != traits || len >= cap)
            continue;
        int w = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", formats[i].name);
        len += w > 0 ? (size_t)w : 0;
    }
    return buf;
}

/* The name of format f as --format takes it; "?" when f is not a format. */
const char *mb_format_name(enum mb_format f)
{
    const struct mb_format_row *row = mb_format_row(f);
    return row != NULL ? row->name : "?";
}

/* Reads a format's name into *out. Returns MB_USAGE, with a message that
 * lists the formats, when s names none; *out is then unchanged. */
enum mb_status mb_parse_format(const char *s, enum mb_format *out, struct mb_diag *d)
{
    for (size_t i = 0; i < FORMAT_COUNT; i++)
        if (strcmp(s, formats[i].name) == 0) {
            *out = (enum mb_format)i;
            return MB_OK;
        }
    char names[128];
    return mb_diag_set(d, MB_USAGE, "format: '%s' is not a format (%s)", SHOWN(s),
                       mb_format_names(0, names, sizeof names));
}

/* The reporter of format f, or NULL when f is not a format. */
mb_report_fn *mb_report_for(enum mb_format f)
{
    const struct mb_format_row *row = mb_format_row(f);
    return row != NULL ? row->write : NULL;
}
