/* The output formats of a run: which reporter writes each. */
#include "matbench/report.h"

/* The reporter of format f, or NULL when f is not a format. */
mb_report_fn *mb_report_for(enum mb_format f)
{
    static mb_report_fn *const reporters[] = {
        [MB_FORMAT_TABLE] = mb_report_table,
        [MB_FORMAT_CSV] = mb_report_csv,
        [MB_FORMAT_JSON] = mb_report_json,
        [MB_FORMAT_MARKDOWN] = mb_report_markdown,
    };
    return (size_t)f < sizeof reporters / sizeof reporters[0] ? reporters[f] : NULL;
}
