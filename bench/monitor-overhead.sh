#!/usr/bin/env bash
# What the monitor costs: dgemm on all physical cores with the monitor (the
# default) and without it (--no-monitor), interleaved round by round so that
# the machine's drift hits both alike. Prints each round, both medians, the
# ratio, and the monitor's own CPU time from the JSON's "monitor" object.
set -euo pipefail
SCRIPT=monitor-overhead.sh
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    echo "usage: bench/monitor-overhead.sh [N=3000] [ROUNDS=7]"
    exit 0
fi
n=${1:-3000}
rounds=${2:-7}
case "$n" in '' | *[!0-9]* | 0) usage_error "N '$n' is not allowed (a positive integer)" ;; esac
case "$rounds" in '' | *[!0-9]* | 0) usage_error "ROUNDS '$rounds' is not allowed (a positive integer)" ;; esac
[ $# -le 2 ] || usage_error "unexpected argument '$3' (usage: bench/monitor-overhead.sh [N] [ROUNDS])"
mb=$(mb_binary)
cores=$(mb_cores "$mb")

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
gflops() { "$mb" "$n" --kernels dgemm --threads "$cores" --no-peak --format csv --quiet "$@" | csv_columns gflops; }
with=() without=()
for r in $(seq 1 "$rounds"); do
    # alternate which goes first, so neither always runs on a warmer machine
    if [ $((r % 2)) -eq 1 ]; then
        a=$(gflops) b=$(gflops --no-monitor)
    else
        b=$(gflops --no-monitor) a=$(gflops)
    fi
    echo "round $r: with the monitor $a GFLOP/s, without $b GFLOP/s"
    with+=("$a") without+=("$b")
done
w=$(printf '%s\n' "${with[@]}" | median)
wo=$(printf '%s\n' "${without[@]}" | median)
awk -v w="$w" -v wo="$wo" -v n="$n" -v t="$cores" 'BEGIN {
    printf "n=%d threads=%d: median with the monitor %.2f GFLOP/s, without %.2f GFLOP/s, with/without %.2f%%\n", n, t, w, wo, 100 * w / wo }'
"$mb" "$n" --kernels dgemm --threads "$cores" --no-peak --format json --quiet |
    tr -d ' \n' | grep -o '"monitor":{[^}]*}' | sed 's/^/monitor of one run: /'
