/* matbench: what a multi-threaded BLAS does with a machine's cores. */
#include "matbench/cli.h"
#include "matbench/sink.h"

int main(int argc, char **argv)
{
    struct mb_options opts;
    struct mb_diag diag = {0};
    enum mb_status st = mb_sink_std_fds_guard(&diag); /* before anything opens a file */
    if (st == MB_OK)
        st = mb_cli_parse(argc, argv, &opts, &diag);
    if (st == MB_OK)
        st = mb_cli_run(&opts, &diag);
    return mb_cli_finish(st, &diag);
}
