#!/usr/bin/env bash
# Every BLAS on the machine against threads: one `matbench blas N` over
# 1 ... usable cores (each library in its own child process, interleaved),
# its CSV, and a plot of GFLOP/s against threads with one line per library.
set -euo pipefail
SCRIPT=sweep-blas.sh
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<USAGE
usage: bench/sweep-blas.sh N [OUTDIR]

Runs matbench blas N --threads 1-CORES --format csv (every BLAS installed
the Debian way, each in its own process; 1,2 on a single usable core, to
show what a second thread does there) and writes
  OUTDIR/blas.csv   every row (matbench blas's CSV columns)
  OUTDIR/blas.png   GFLOP/s against threads, one line per library (gnuplot)
  OUTDIR/blas.svg   the same as SVG
OUTDIR defaults to bench-out. matbench is \$MATBENCH, else matbench in PATH,
else build/matbench. Extra matbench blas options can go in \$MATBENCH_ARGS
(e.g. "--blas openblas-pthread,blis-pthread --kernels dgetrf").
USAGE
}

n_outdir_args "$@" # n, outdir and mb, or the usage (exit 0) or an error (exit 2)
cores=$(mb_cores "$mb")
if [ "$cores" -gt 1 ]; then threads="1-$cores"; else threads="1,2"; fi
mkdir -p "$outdir"
tmp=$(mktemp "$outdir/.blas.csv.XXXXXX")
trap 'rm -f "$tmp" "$tmp.dat"' EXIT

echo "$SCRIPT: matbench blas $n --threads $threads ${MATBENCH_ARGS:-}" >&2
rc=0
# shellcheck disable=SC2086 # MATBENCH_ARGS is a list of words
"$mb" blas "$n" --threads "$threads" --format csv --quiet ${MATBENCH_ARGS:-} >"$tmp" || rc=$?
# exit 1 is a wrong product in some row: the CSV says which, and is kept
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    echo "$SCRIPT: matbench blas failed (exit $rc); no CSV written" >&2
    exit "$rc"
fi
[ "$(wc -l <"$tmp")" -ge 2 ] || { echo "$SCRIPT: matbench blas printed no row; no CSV written" >&2; exit 1; }
chmod +rw "$tmp" # mktemp makes it 0600; a CSV is for sharing (umask applies)
mv "$tmp" "$outdir/blas.csv"
echo "$SCRIPT: wrote $outdir/blas.csv ($(($(wc -l <"$outdir/blas.csv") - 1)) rows)"
[ "$rc" -eq 0 ] || echo "$SCRIPT: a library failed verification (its rows say 'failed verification')" >&2

# one gnuplot data block per library (first kernel and size only): threads
# and GFLOP/s of the rows measured; libraries in the CSV's order
first=$(csv_columns kernel n <"$outdir/blas.csv" | head -n 1)
csv_columns kernel n library threads gflops status <"$outdir/blas.csv" |
    awk -v first="$first" '$1 " " $2 != first { next }
        { if (!($3 in seen)) { seen[$3] = ++count; names[count] = $3 }
          if ($6 == "ok" || $6 == "not checked") data[seen[$3]] = data[seen[$3]] $4 " " $5 "\n" }
        END { for (i = 1; i <= count; i++) printf "# %s\n%s\n\n", names[i], data[i] }' >"$tmp.dat"
libs=$(grep -c '^# ' "$tmp.dat" || true)
plots=""
i=0
while read -r _ name; do
    plots="$plots${plots:+, }\"$tmp.dat\" index $i using 1:2 with linespoints pointtype 7 linewidth 2 title \"$name\""
    i=$((i + 1))
done < <(grep '^# ' "$tmp.dat")
top=${threads##*[-,]}
cpu=$(mb_info_field "$mb" cpu || true)
body=$(cat <<GP
set datafile separator whitespace
set title "matbench blas: ${first% *}, n = $n, $libs libraries, each with its own thread control\n$cpu" noenhanced
set grid
set key outside right top noenhanced
set xlabel "threads asked for"
set xrange [0.5:$top + 0.5]
set xtics 1
set ylabel "GFLOP/s"
set yrange [0:*]
set arrow 1 from $cores, graph 0 to $cores, graph 1 nohead dashtype 2 linewidth 2 linecolor rgb "#cc0000"
plot $plots
GP
)
plot_or_explain blas <<GP
set terminal pngcairo size 1100,550 font ",11"
set output "$outdir/blas.png"
$body
set terminal svg size 1100,550 dynamic
set output "$outdir/blas.svg"
$body
GP
if [ -s "$outdir/blas.png" ]; then
    echo "$SCRIPT: wrote $outdir/blas.png and $outdir/blas.svg"
fi
