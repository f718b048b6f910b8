#!/usr/bin/env bash
# Size sweep: GFLOP/s against n for the naive loop and for dgemm at 1 thread
# and at all physical cores, in one `matbench --sizes` call, with a plot
# (log-scale n) that shows where BLAS threading stops paying at small n.
set -euo pipefail
SCRIPT=sweep-sizes.sh
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<USAGE
usage: bench/sweep-sizes.sh [OUTDIR]

Runs matbench --sizes "\$SIZES" --kernels naive,dgemm --threads 1,CORES
(the naive loop with a 1 s budget per size, its full time estimated from the
rows it computed) and writes
  OUTDIR/sizes.csv   every result (matbench's CSV columns)
  OUTDIR/sizes.png   GFLOP/s against n (log scales), and the gain from
                     CORES threads over 1 against n (gnuplot)
  OUTDIR/sizes.svg   the same as SVG
OUTDIR defaults to bench-out; SIZES to "32,64,128,256,512,1024,2048" (any
matbench --sizes list, e.g. "64:1024:64"). matbench is \$MATBENCH, else
matbench in PATH, else build/matbench. Extra matbench options can go in
\$MATBENCH_ARGS.
USAGE
}

case "${1:-}" in
-h | --help) usage; exit 0 ;;
esac
[ $# -le 1 ] || usage_error "unexpected argument '$2' (usage: [OUTDIR]; see --help)"
outdir=${1:-bench-out}
case "$outdir" in -*) usage_error "OUTDIR: '$outdir' looks like an option (see --help)" ;; esac
sizes=${SIZES:-32,64,128,256,512,1024,2048}
mb=$(mb_binary)
[ -x "$mb" ] || { echo "$SCRIPT: matbench not found at '$mb' (build it, or set MATBENCH)" >&2; exit 1; }
cores=$(mb_cores "$mb")
threads=1
[ "$cores" -eq 1 ] || threads="1,$cores"
mkdir -p "$outdir"
tmp=$(mktemp "$outdir/.sizes.csv.XXXXXX")
trap 'rm -f "$tmp" "$tmp".*' EXIT

echo "$SCRIPT: matbench --sizes $sizes --kernels naive,dgemm --threads $threads" >&2
# shellcheck disable=SC2086 # MATBENCH_ARGS is a list of words
"$mb" --sizes "$sizes" --kernels naive,dgemm --threads "$threads" --naive-budget 1 \
    --format csv --quiet ${MATBENCH_ARGS:-} >"$tmp" || {
    rc=$?
    echo "$SCRIPT: matbench failed (exit $rc); no CSV written" >&2
    exit "$rc"
}
chmod +rw "$tmp" # mktemp makes it 0600; a CSV is for sharing (umask applies)
mv "$tmp" "$outdir/sizes.csv"
echo "$SCRIPT: wrote $outdir/sizes.csv ($(($(wc -l <"$outdir/sizes.csv") - 1)) rows)"

# one data file per series: n, GFLOP/s (from the median) and its range
# from the slowest and fastest sample; and n, all-cores / 1-thread GFLOP/s
csv_columns kernel threads n gflops time_median_s time_min_s time_max_s <"$outdir/sizes.csv" |
    awk '{ print $1, $2, $3, $4, $4 * $5 / $7, $4 * $5 / $6 }' >"$tmp.all"
awk '$1 == "naive" { print $3, $4, $5, $6 }' "$tmp.all" >"$tmp.naive"
awk '$1 == "dgemm" && $2 == 1 { print $3, $4, $5, $6 }' "$tmp.all" >"$tmp.one"
awk -v c="$cores" '$1 == "dgemm" && $2 == c { print $3, $4, $5, $6 }' "$tmp.all" >"$tmp.all_cores"
awk -v c="$cores" '$1 == "dgemm" && $2 == 1 { g1[$3] = $4 }
    $1 == "dgemm" && $2 == c && g1[$3] > 0 { print $3, $4 / g1[$3] }' "$tmp.all" | sort -n >"$tmp.gain"
# the crossover: the first n where the threads gain 10 %, interpolated
# between it and the size before (matbench's lesson and JSON give the same)
crossover=$(awk '$2 >= 1.1 { if (NR == 1) print $1; else print n0 + (1.1 - g0) / ($2 - g0) * ($1 - n0); found = 1; exit }
    { n0 = $1; g0 = $2 }' "$tmp.gain")
if [ -n "$crossover" ]; then
    echo "$SCRIPT: $cores threads first gain 10 % over 1 at n = $(printf '%.0f' "$crossover")"
    mark="set arrow 2 from $crossover, graph 0 to $crossover, graph 1 nohead dashtype 4 linewidth 2 linecolor rgb \"#2e8b57\"
set label 2 sprintf(\"crossover n = %.0f\", $crossover) at first $crossover, graph 0.55 left offset 0.5,0 textcolor rgb \"#2e8b57\""
else
    echo "$SCRIPT: $cores threads never gain 10 % over 1 at these sizes"
    mark=""
fi
cpu=$(mb_info_field "$mb" cpu || true)
blas="OpenBLAS $(mb_info_field "$mb" version || true) ($(mb_info_field "$mb" core || true))"
rate=$(cat <<GP
set grid
set logscale x 2
set logscale y 10
set xlabel "n (matrices n x n)"
set ylabel "GFLOP/s (log scale)"
set key center right
plot "$tmp.all_cores" using 1:2:3:4 with yerrorlines pointtype 7 linewidth 2 title "dgemm, $cores threads", \\
     "$tmp.one" using 1:2:3:4 with yerrorlines pointtype 5 linewidth 2 title "dgemm, 1 thread", \\
     "$tmp.naive" using 1:2:3:4 with yerrorlines pointtype 9 linewidth 2 title "naive loop, 1 thread"
GP
)
if [ "$cores" -eq 1 ]; then
    body="set title \"GFLOP/s against n\\n$cpu, $blas\" noenhanced
$rate"
    width=900
else
    # Right panel: what the extra threads buy at each n. Below the 1 line
    # they cost more (start-up, synchronisation) than they bring.
    body=$(cat <<GP
set multiplot layout 1,2 title "GFLOP/s against n; dgemm at 1 and $cores threads\n$cpu, $blas" noenhanced
$rate
unset logscale y
set ylabel "GFLOP/s at $cores threads / at 1 thread"
set yrange [0:$cores + 0.5]
set key top left
$mark
plot "$tmp.gain" using 1:2 with linespoints pointtype 7 linewidth 2 linecolor rgb "#9400d3" title "gain from $cores threads", \\
     1 with lines dashtype 2 linewidth 2 linecolor rgb "#cc0000" title "1 = threads do not pay", \\
     $cores with lines dashtype 3 linewidth 2 linecolor rgb "#555555" title "ideal ($cores)"
unset multiplot
GP
)
    width=1200
fi
plot_or_explain sizes <<GP
set terminal pngcairo size $width,550 font ",11"
set output "$outdir/sizes.png"
$body
set terminal svg size $width,550 dynamic
set output "$outdir/sizes.svg"
$body
GP
if [ -s "$outdir/sizes.png" ]; then
    echo "$SCRIPT: wrote $outdir/sizes.png and $outdir/sizes.svg"
fi
