#!/bin/bash
# matbench-mpi as users run it, under mpirun: bad input ends every rank
# with exit 2 and one message from rank 0; the JSON carries the fields of
# DESIGN.md; a run started without mpirun is a singleton and says so.
# Usage: test_mpi_cli.sh MPIEXEC MATBENCH_MPI
set -u
mpiexec=$1 bin=$2
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { # what, then a command that must succeed
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what"; fi
}
run() { # np, args...: stdout, stderr and the exit code into $tmp
    local np=$1; shift
    timeout 120 "$mpiexec" -np "$np" --oversubscribe --quiet "$bin" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    echo $? >"$tmp/rc"
}
rc() { [ "$(cat "$tmp/rc")" = "$1" ]; }
says_once() { [ "$(grep -c "^matbench-mpi: .*$1" "$tmp/err")" = 1 ]; }
nothing_out() { [ ! -s "$tmp/out" ]; }

while IFS='|' read -r np args want; do
    # shellcheck disable=SC2086 # the arguments are words
    run "$np" $args
    check "'$args' on $np ranks exits 2" rc 2
    check "'$args' on $np ranks says '$want' once" says_once "$want"
    check "'$args' on $np ranks writes no report" nothing_out
done <<'CASES'
4|--grid 3x3 100|grid: '3x3' needs 9 ranks but 4 run
2|--grid 2 100|grid: '2' is not allowed
2|--grid 0x2 100|grid: '0x2' is not allowed
2|--nb 0 100|nb: '0' is not allowed
2|--nb 101 100|nb: '101' is not allowed at n = 100
2|abc|N: 'abc' is not a positive decimal integer
2|--kernels pdgemm,foo 100|kernels: 'pdgemm,foo' is not allowed
2|--threads x 100|threads: 'x' is not allowed
2|2000000|n = 2000000 on a 1x2 grid needs
2|--output /nonexistent/dir/r.json 100|output: '/nonexistent/dir/r.json' cannot be written
2|--output /tmp 100|output: '/tmp' is a folder
2|--format yaml 100|format: 'yaml' is not a format
CASES

run 4 130 --nb 32 --repeat 1 --warmup 0 --format json
check "a 4-rank run exits 0" rc 0
for key in '"ranks": 4' '"grid": "2x2"' '"nb": 32' '"threads_per_rank": 1' '"hosts": 1' \
    '"kernel": "pdgemm"' '"kernel": "pdgesv"' '"kernel": "pdpotrf"' '"verified": true' \
    '"singleton": false' '"gflops"' '"imbalance"' '"residual"' '"median"'; do
    check "the JSON has $key" grep -q "$key" "$tmp/out"
done
check "every row is verified" [ "$(grep -c '"verified": true' "$tmp/out")" = 3 ]
check "every row has the one-rank rate (one host)" \
    [ "$(grep -c '"one_rank_gflops": [0-9]' "$tmp/out")" = 3 ]
check "and the efficiency against it" [ "$(grep -c '"efficiency": [0-9]' "$tmp/out")" = 3 ]
# the one rank has the run's 4 threads, or the CPUs the ranks may use if fewer
cpus=$(nproc) && [ "$cpus" -gt 4 ] && cpus=4
check "one rank ran with the run's cores ($cpus)" \
    [ "$(grep -c "\"one_rank_threads\": $cpus\b" "$tmp/out")" = 3 ]
check "every row has the one-process (LAPACK) rate" \
    [ "$(grep -c '"one_process_gflops": [0-9]' "$tmp/out")" = 3 ]
check "and the ratio to it" [ "$(grep -c '"vs_one_process": [0-9]' "$tmp/out")" = 3 ]
check "the header has the aggregate peak" grep -q '"peak_gflops": [0-9]' "$tmp/out"
check "every row its share of it" [ "$(grep -c '"peak_fraction": [0-9]' "$tmp/out")" = 3 ]

run 2 100 --repeat 1 --warmup 0 --kernels pdgemm --no-peak --format json
check "--no-peak measures no peak" grep -q '"peak_gflops": null' "$tmp/out"

run 2 100 --repeat 1 --warmup 0 --kernels pdgemm --no-one-process
check "--no-one-process runs" rc 0
check "and the table says so" grep -q 'pdgemm .* -  yes' "$tmp/out"


run 2 40 --repeat 1 --warmup 0 --kernels pdgemm --format json --output "$tmp/r.json"
check "--output writes the report there" grep -q '"kernel": "pdgemm"' "$tmp/r.json"
check "and nothing on stdout" nothing_out

run 2 65 --grid 2x1 --nb 7 --repeat 1 --warmup 0 --format csv --kernels pdgesv
check "a CSV run exits 0" rc 0
check "the CSV has its header" grep -q '^kernel,n,ranks,grid,nb,threads_per_rank,hosts,' "$tmp/out"
check "the CSV row is pdgesv on 2x1, verified" grep -q '^pdgesv,65,2,2x1,7,.*,true,false$' "$tmp/out"
check "the CSV header has as many columns as the row" \
    [ "$(head -1 "$tmp/out" | tr -cd , | wc -c)" = "$(sed -n 2p "$tmp/out" | tr -cd , | wc -c)" ]

run 2 65 --nb 16 --repeat 1 --warmup 0 --format csv --kernels pdgetrf --no-peak
check "pdgetrf (the LU alone) runs when asked and is verified" \
    grep -q '^pdgetrf,65,2,1x2,16,.*,true,false$' "$tmp/out"
run 2 40 --repeat 1 --warmup 0 --no-peak --no-one-process --format csv
check "the default kernels are pdgemm, pdgesv, pdpotrf" \
    [ "$(cut -d, -f1 "$tmp/out" | tail -n +2 | tr '\n' ' ')" = "pdgemm pdgesv pdpotrf " ]

# two ranks with different OpenBLAS kernels (as two kinds of host would
# have): the header names both
timeout 120 "$mpiexec" --oversubscribe --quiet -np 1 -x OPENBLAS_CORETYPE=Prescott "$bin" 40 \
    --repeat 1 --warmup 0 --kernels pdgemm --no-peak --no-one-process : -np 1 \
    -x OPENBLAS_CORETYPE=Nehalem "$bin" 40 --repeat 1 --warmup 0 --kernels pdgemm --no-peak \
    --no-one-process </dev/null >"$tmp/out" 2>"$tmp/err"
check "the header names each rank's BLAS when they differ" \
    grep -q '^BLAS: .*core Prescott.*; .*core Nehalem' "$tmp/out"

timeout 60 "$bin" 40 --repeat 1 --warmup 0 --kernels pdgemm >"$tmp/out" 2>"$tmp/err"
check "without mpirun it runs as one rank" [ $? = 0 ]
check "and says it is a singleton" grep -q 'MPI singleton' "$tmp/out"

# ---- stop signals: what had finished is written, nothing outlives the run
# Each waits for what it needs to see (a progress line, a child process)
# with a generous deadline, never a fixed sleep.
wait_for() { # a command, polled every 0.1 s for up to 120 s
    for _ in $(seq 1200); do "$@" && return 0; sleep 0.1; done
    return 1
}
soon() { # a command, polled every 0.1 s for up to 5 s
    for _ in $(seq 50); do "$@" && return 0; sleep 0.1; done
    return 1
}
alive() { pgrep -f "$1" >/dev/null; }
gone() { ! alive "$1"; } # a pattern like 'seed 77700[1]' does not match the check's own command

# Ctrl-C on mpirun: it passes SIGTERM on to the ranks; rank 0 writes the
# finished row (n = 60) of a run whose second size would take minutes.
# Not under timeout(1), which would pass the signal to mpirun's process
# group as well: mpirun takes a second SIGINT as "kill everything now".
"$mpiexec" -np 2 --oversubscribe --quiet "$bin" --sizes 60,2500 --kernels pdgemm \
    --repeat 400 --no-peak --seed 777001 --format json --output "$tmp/int.json" \
    </dev/null >"$tmp/out" 2>"$tmp/err" &
launcher=$!
check "the first row is done (progress on stderr)" wait_for grep -q '\[1/2\] pdgemm n = 60' "$tmp/err"
kill -INT "$launcher"
wait "$launcher"
check "an interrupted run does not exit 0" [ $? != 0 ]
check "rank 0 says it was interrupted" grep -q 'interrupted by SIGTERM; the rows finished' "$tmp/err"
check "the JSON says interrupted" grep -q '"interrupted": true' "$tmp/int.json"
check "and holds the finished row" grep -q '"n": 60' "$tmp/int.json"
check "and not the unfinished one" sh -c "! grep -q '\"n\": 2500' '$tmp/int.json'"
check "no rank outlives mpirun" wait_for gone 'seed 77700[1]'

# SIGINT to a singleton alone (not its process group) while its
# one-process child (single-node matbench) runs: the report of the
# finished row on stdout, exit 130, and the child gone with it, within
# seconds (the kernel kills it as its parent dies) where its own 2000
# passes would take as long as the singleton's did
"$bin" 700 --kernels pdgemm --repeat 2000 --warmup 0 --no-peak --seed 777002 \
    </dev/null >"$tmp/out" 2>"$tmp/err" &
single=$!
check "the one-process child starts" wait_for alive 'kernels dgemm .*seed 77700[2]'
kill -INT "$single"
wait "$single"
check "a singleton stopped by SIGINT exits 130" [ $? = 130 ]
check "its report holds the finished row" grep -q '^pdgemm .* 700 .*yes' "$tmp/out"
check "and says it was interrupted" grep -q '^Interrupted by a signal' "$tmp/out"
check "the child does not outlive it" soon gone 'seed 77700[2]'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
