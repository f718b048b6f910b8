#!/usr/bin/env bash
# Thread sweep through the environment variable: for t = 1 ... 2 x usable
# cores, a fresh `OPENBLAS_NUM_THREADS=t matbench N --kernels dgemm` (OpenBLAS
# reads the variable when it loads), one CSV of all rows, and a plot of
# GFLOP/s, speed-up (each with its min-max as error bars), efficiency and the
# Karp-Flatt serial fraction against threads, the usable cores marked.
set -euo pipefail
SCRIPT=sweep-threads.sh
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<USAGE
usage: bench/sweep-threads.sh N [OUTDIR]

Runs OPENBLAS_NUM_THREADS=t matbench N --kernels dgemm --format csv for
t = 1 ... 2 x usable cores (a fresh process each time) and writes
  OUTDIR/threads.csv   every result (matbench's CSV columns)
  OUTDIR/threads.png   GFLOP/s, speed-up, efficiency and Karp-Flatt e(p)
                       against threads (gnuplot)
  OUTDIR/threads.svg   the same as SVG
OUTDIR defaults to bench-out. matbench is \$MATBENCH, else matbench in PATH,
else build/matbench. Extra matbench options can go in \$MATBENCH_ARGS
(e.g. "--repeat 5").
USAGE
}

n_outdir_args "$@" # n, outdir and mb, or the usage (exit 0) or an error (exit 2)
cores=$(mb_cores "$mb")
top=$((2 * cores))
mkdir -p "$outdir"
tmp=$(mktemp "$outdir/.threads.csv.XXXXXX")
trap 'rm -f "$tmp" "$tmp.dat"' EXIT

for t in $(seq 1 "$top"); do
    echo "$SCRIPT: OPENBLAS_NUM_THREADS=$t matbench $n --kernels dgemm" >&2
    # shellcheck disable=SC2086 # MATBENCH_ARGS is a list of words
    out=$(OPENBLAS_NUM_THREADS=$t "$mb" "$n" --kernels dgemm --format csv --quiet ${MATBENCH_ARGS:-}) || {
        rc=$?
        echo "$SCRIPT: matbench failed at OPENBLAS_NUM_THREADS=$t (exit $rc); no CSV written" >&2
        exit "$rc"
    }
    case "$out" in *$'\n'*) ;; *)
        echo "$SCRIPT: matbench printed no result row at OPENBLAS_NUM_THREADS=$t; no CSV written" >&2
        exit 1 ;;
    esac
    if [ "$t" -eq 1 ]; then
        printf '%s\n' "$out" >"$tmp"
    else
        printf '%s\n' "$out" | tail -n +2 >>"$tmp"
    fi
done
chmod +rw "$tmp" # mktemp makes it 0600; a CSV is for sharing (umask applies)
mv "$tmp" "$outdir/threads.csv"
echo "$SCRIPT: wrote $outdir/threads.csv ($top rows)"

# threads, GFLOP/s (from the median) with its range from the fastest and
# slowest sample, the speed-up over the 1-thread median with its range,
# the efficiency S/p and the Karp-Flatt serial fraction e = (1/S - 1/p) /
# (1 - 1/p) ("?" at p = 1, where it is not defined)
csv_columns threads gflops time_median_s time_min_s time_max_s <"$outdir/threads.csv" |
    awk '$1 == 1 { t1 = $3 }
        { p = $1; s = t1 / $3
          e = p > 1 ? (1 / s - 1 / p) / (1 - 1 / p) : "?"
          print p, $2, $2 * $3 / $5, $2 * $3 / $4, s, t1 / $5, t1 / $4, s / p, e }' >"$tmp.dat"
cpu=$(mb_info_field "$mb" cpu || true)
blas="OpenBLAS $(mb_info_field "$mb" version || true) ($(mb_info_field "$mb" core || true))"
body=$(cat <<GP
set datafile separator whitespace
set multiplot layout 1,3 title "cblas_dgemm, n = $n, OPENBLAS_NUM_THREADS = 1 ... $top\n$cpu, $blas" noenhanced
set grid
set key bottom right
set xlabel "threads"
set xrange [0.5:$top + 0.5]
set xtics 1
set arrow 1 from $cores, graph 0 to $cores, graph 1 nohead dashtype 2 linewidth 2 linecolor rgb "#cc0000"
set label 1 "$cores usable cores" at first $cores - 0.12, graph 0.04 left rotate by 90 textcolor rgb "#cc0000"
set ylabel "GFLOP/s"
set yrange [0:*]
plot "$tmp.dat" using 1:2:3:4 with yerrorlines pointtype 7 linewidth 2 title "dgemm GFLOP/s (bars: min-max)"
set ylabel "speed-up over 1 thread"
set yrange [0:$top + 0.5]
# the speed-up stays near or under the ideal line, which crosses x = cores
# halfway up: the label goes above it, right of the dashed line, and the key
# bottom right, under the curves
set key bottom right
set label 1 "$cores usable cores" at first $cores + 0.12, graph 0.96 right rotate by 90 textcolor rgb "#cc0000"
plot "$tmp.dat" using 1:5:6:7 with yerrorlines pointtype 7 linewidth 2 title "measured speed-up", \
     x with lines dashtype 3 linewidth 2 linecolor rgb "#555555" title "ideal (= threads)"
set ylabel "efficiency S/p, Karp-Flatt e(p)"
set yrange [*:*]
set key center right
set datafile missing "?"
set label 1 "$cores usable cores" at first $cores + 0.12, graph 0.96 right rotate by 90 textcolor rgb "#cc0000"
plot "$tmp.dat" using 1:8 with linespoints pointtype 7 linewidth 2 title "efficiency S/p", \
     "$tmp.dat" using 1:9 with linespoints pointtype 5 linewidth 2 title "Karp-Flatt e (grows: overhead)"
unset multiplot
GP
)
plot_or_explain threads <<GP
set terminal pngcairo size 1600,500 font ",11"
set output "$outdir/threads.png"
$body
set terminal svg size 1600,500 dynamic
set output "$outdir/threads.svg"
$body
GP
if [ -s "$outdir/threads.png" ]; then
    echo "$SCRIPT: wrote $outdir/threads.png and $outdir/threads.svg"
fi
