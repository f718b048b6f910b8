#!/usr/bin/env bash
# Interleaved runs of one matbench kernel and its bare program (bare_dgemm:
# cblas_dgemm; bare_dgetrf: LAPACKE_dgetrf) on the same matrices, at all
# physical cores; prints each pair, both medians and matbench's figure as a
# percentage of the bare one.
set -euo pipefail
SCRIPT=compare-bare.sh
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    echo "usage: bench/compare-bare.sh [N=5000] [ROUNDS=5] [BUILD_DIR=build] [KERNEL=dgemm]"
    echo "KERNEL is dgemm (against bare_dgemm) or dgetrf (against bare_dgetrf)."
    exit 0
fi
n=${1:-5000}
rounds=${2:-5}
build=${3:-build}
kernel=${4:-dgemm}
[[ "$n" =~ ^[1-9][0-9]{0,9}$ ]] || usage_error "N: '$n' is not a positive integer"
[[ "$rounds" =~ ^[1-9][0-9]{0,5}$ ]] || usage_error "ROUNDS: '$rounds' is not a positive integer"
case "$kernel" in dgemm | dgetrf) ;; *)
    usage_error "KERNEL: '$kernel' has no bare program (dgemm or dgetrf)" ;;
esac
[ $# -le 4 ] || usage_error "unexpected argument '$5' (usage: [N] [ROUNDS] [BUILD_DIR] [KERNEL]; see --help)"
for prog in matbench "bare_$kernel"; do
    [ -x "$build/$prog" ] || {
        echo "$SCRIPT: '$build/$prog' not found (cmake --build $build, or name the build directory)" >&2
        exit 1
    }
done
cores=$(mb_cores "$build/matbench")

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mb_all=() bare_all=()
for r in $(seq 1 "$rounds"); do
    mb=$("$build/matbench" "$n" --kernels "$kernel" --threads "$cores" --format csv --quiet --no-peak |
        csv_columns gflops) || {
        rc=$?
        echo "$SCRIPT: matbench $n --kernels $kernel failed in round $r (exit $rc)" >&2
        exit "$rc"
    }
    bare=$("$build/bare_$kernel" "$n" "$cores") || {
        rc=$?
        echo "$SCRIPT: bare_$kernel $n $cores failed in round $r (exit $rc)" >&2
        exit "$rc"
    }
    bare=${bare##*gflops=}
    echo "round $r: matbench $mb GFLOP/s, bare $bare GFLOP/s"
    mb_all+=("$mb") bare_all+=("$bare")
done
mb_med=$(printf '%s\n' "${mb_all[@]}" | median)
bare_med=$(printf '%s\n' "${bare_all[@]}" | median)
# dgemm keeps the summary line it always had; another kernel is named first
label=""
[ "$kernel" = dgemm ] || label="$kernel "
awk -v k="$label" -v m="$mb_med" -v b="$bare_med" -v n="$n" -v t="$cores" 'BEGIN {
    printf "%sn=%d threads=%d: matbench median %.2f GFLOP/s, bare median %.2f GFLOP/s, matbench/bare %.1f%%\n", k, n, t, m, b, 100 * m / b }'
