/* matbench compare OLD.json NEW.json: the reports read and matched
 * (src/measure/compare.c), the comparison written where --output says,
 * and the exit code a CI pipeline reads: 1 when --fail-if-slower PCT finds
 * a result slower by more than PCT with p < 0.05, 2 for a file that is not
 * a matbench report or reports with nothing in common. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_internal.h"
#include "matbench/compare.h"
#include "matbench/report.h"
#include "matbench/sink.h"
#include "mb_internal.h"

enum mb_status mb__cli_compare(const struct mb_options *o, struct mb_diag *d)
{
    struct mb_compare c;
    double threshold = isnan(o->threshold) ? MB_COMPARE_THRESHOLD : o->threshold;
    unsigned match = o->match != 0 ? o->match - 1 : MB_COMPARE_MATCH_ALL;
    enum mb_status st = mb_compare_files_ex(o->compare[0], o->compare[1], threshold,
                                            o->fail_if_slower, match, &c, d);
    if (st != MB_OK)
        return st;
    struct mb_sink out;
    st = mb_sink_open(&out, o->front.output, d);
    if (st != MB_OK) {
        mb_compare_free(&c);
        return st;
    }
    struct mb_diag wd = {0};
    enum mb_status wst = mb_report_compare(out.f, o->front.format, &c, &wd);
    enum mb_status cst = mb_sink_close(&out, wst == MB_OK, &wd);
    if (wst == MB_OK)
        wst = cst;
    if (wst != MB_OK) {
        *d = wd;
        st = wst;
    } else if (c.failed > 0) {
        const char *first = "";
        for (size_t i = 0; i < c.count; i++)
            if (c.rows[i].fail) {
                first = c.rows[i].label;
                break;
            }
        st = mb_diag_set(d, MB_RUNTIME,
                         "compare: %zu result%s slower by more than %g %% with p < %g (the "
                         "first: %s)",
                         c.failed, c.failed == 1 ? "" : "s", c.fail_if_slower * 100,
                         MB_COMPARE_ALPHA, first);
    }
    mb_compare_free(&c);
    return st;
}
