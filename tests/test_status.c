/* status: exit codes and messages. */
#include <criterion/criterion.h>
#include <string.h>

#include "matbench/status.h"

Test(status, exit_codes)
{
    cr_assert_eq(mb_exit_code(MB_OK), 0);
    cr_assert_eq(mb_exit_code(MB_HELP), 0);
    cr_assert_eq(mb_exit_code(MB_VERSION), 0);
    cr_assert_eq(mb_exit_code(MB_USAGE), 2);
    cr_assert_eq(mb_exit_code(MB_NOMEM), 1);
    cr_assert_eq(mb_exit_code(MB_VERIFY), 1);
    cr_assert_eq(mb_exit_code(MB_IO), 1);
    cr_assert_eq(mb_exit_code(MB_RUNTIME), 1);
    cr_assert_eq(mb_exit_code(MB_INTERRUPTED), 130);
}

Test(status, diag_set_formats_and_returns_the_status)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_diag_set(&d, MB_USAGE, "threads: '%s' is not allowed", "0"), MB_USAGE);
    cr_assert_str_eq(d.msg, "threads: '0' is not allowed");
    cr_assert_eq(mb_diag_set(NULL, MB_IO, "x"), MB_IO);
    cr_assert_str_eq(mb_status_name(MB_VERIFY), "VERIFY");
    cr_assert(strlen(mb_status_msg(MB_NOMEM)) > 0);
}

Test(status, printable_keeps_messages_on_one_line)
{
    char buf[16];
    cr_assert_str_eq(mb_printable("a\nb", buf, sizeof buf), "a?b");
    cr_assert_str_eq(mb_printable("0123456789abcdefghij", buf, sizeof buf), "0123456789ab...");
}
