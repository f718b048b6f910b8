#!/usr/bin/env bash
# Interleaved runs of matbench's dgemm and the bare cblas_dgemm program on the
# same matrices, at all physical cores; prints each pair, both medians and
# matbench's figure as a percentage of the bare one.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    echo "usage: bench/compare-bare.sh [N=5000] [ROUNDS=5] [BUILD_DIR=build]"
    exit 0
fi
n=${1:-5000}
rounds=${2:-5}
build=${3:-build}
cores=$(lscpu -p=CORE 2>/dev/null | grep -v '^#' | sort -u | wc -l)
[ "$cores" -ge 1 ] || cores=$(nproc)

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mb_all=() bare_all=()
for r in $(seq 1 "$rounds"); do
    mb=$("$build/matbench" "$n" --kernels dgemm --threads "$cores" --format csv --quiet |
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "gflops") c = i; next } { print $c }')
    bare=$("$build/bare_dgemm" "$n" "$cores" | sed 's/.*gflops=//')
    echo "round $r: matbench $mb GFLOP/s, bare $bare GFLOP/s"
    mb_all+=("$mb") bare_all+=("$bare")
done
mb_med=$(printf '%s\n' "${mb_all[@]}" | median)
bare_med=$(printf '%s\n' "${bare_all[@]}" | median)
awk -v m="$mb_med" -v b="$bare_med" -v n="$n" -v t="$cores" 'BEGIN {
    printf "n=%d threads=%d: matbench median %.2f GFLOP/s, bare median %.2f GFLOP/s, matbench/bare %.1f%%\n", n, t, m, b, 100 * m / b }'
