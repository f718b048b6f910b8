/* status: the one mapping from status to exit code, the diagnostic that
 * carries a message up to the front end, and a name and message for every
 * status. */
#include <criterion/criterion.h>
#include <string.h>

#include "matbench/status.h"

/* Every status of MB_STATUS_MAP, so a new one is covered without editing. */
static const enum mb_status all_statuses[] = {
#define STATUS_ROW(name, msg, code) MB_##name,
    MB_STATUS_MAP(STATUS_ROW)
#undef STATUS_ROW
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

Test(status, exit_codes_follow_the_documented_table)
{
    static const struct {
        enum mb_status st;
        int code;
    } table[] = {
        {MB_OK, 0},     {MB_HELP, 0}, {MB_VERSION, 0}, {MB_USAGE, 2},         {MB_NOMEM, 1},
        {MB_VERIFY, 1}, {MB_IO, 1},   {MB_RUNTIME, 1}, {MB_INTERRUPTED, 130},
    };
    for (size_t i = 0; i < COUNT(table); i++)
        cr_assert_eq(mb_exit_code(table[i].st), table[i].code, "%s exits %d, want %d",
                     mb_status_name(table[i].st), mb_exit_code(table[i].st), table[i].code);
    cr_assert_eq(COUNT(table), COUNT(all_statuses), "the table covers every status");
}

Test(status, diag_set_returns_the_status_and_formats_the_message)
{
    struct mb_diag d = {0};
    cr_assert_eq(mb_diag_set(&d, MB_USAGE, "threads: '%s' is not allowed (1..%d)", "0", 256),
                 MB_USAGE);
    cr_assert_str_eq(d.msg, "threads: '0' is not allowed (1..256)");
    cr_assert_eq(mb_diag_set(&d, MB_VERIFY, "C[%zu][%zu]", (size_t)3, (size_t)4), MB_VERIFY);
    cr_assert_str_eq(d.msg, "C[3][4]", "a second call replaces the message");
}

Test(status, diag_set_accepts_no_diag)
{
    cr_assert_eq(mb_diag_set(NULL, MB_IO, "cannot write '%s'", "x"), MB_IO);
}

Test(status, long_messages_are_truncated_not_overflowed)
{
    struct mb_diag d;
    char big[2 * sizeof d.msg];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cr_assert_eq(mb_diag_set(&d, MB_USAGE, "%s", big), MB_USAGE);
    cr_assert_eq(strlen(d.msg), sizeof d.msg - 1);
}

Test(status, every_status_has_a_name_and_a_message)
{
    for (size_t i = 0; i < COUNT(all_statuses); i++) {
        const char *name = mb_status_name(all_statuses[i]);
        const char *msg = mb_status_msg(all_statuses[i]);
        cr_assert(name != NULL && name[0] != '\0', "status %zu has a name", i);
        cr_assert(msg != NULL && msg[0] != '\0', "status %s has a message", name);
    }
    cr_assert_str_eq(mb_status_name(MB_OK), "OK");
    cr_assert_str_eq(mb_status_name(MB_VERIFY), "VERIFY");
    cr_assert_str_eq(mb_status_name(MB_INTERRUPTED), "INTERRUPTED");
}

Test(status, printable_keeps_messages_on_one_line)
{
    char buf[16];
    cr_assert_str_eq(mb_printable("a\nb", buf, sizeof buf), "a?b");
    cr_assert_str_eq(mb_printable("tab\there", buf, sizeof buf), "tab?here");
    cr_assert_str_eq(mb_printable("0123456789abcdefghij", buf, sizeof buf), "0123456789ab...");
    cr_assert_str_eq(mb_printable("", buf, sizeof buf), "");
}
