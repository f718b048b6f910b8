#!/bin/bash
# matbench-mpi's pdgesv beside HPL (Debian's hpcc, which runs HPL) on the same
# problem: the same N, NB and P x Q grid, one BLAS thread per rank, run in
# turn ROUNDS times so that both see the same machine; prints each round's
# GFLOP/s and the medians with their ratio.
#
#   bench/hpl-compare.sh N NB P Q [ROUNDS] [OUTDIR]
#   bench/hpl-compare.sh 6000 192 1 2
#
# Needs hpcc (apt-get install hpcc) and matbench-mpi (MATBENCH_MPI, else
# build/matbench-mpi). hpcc runs its other tests (PTRANS, STREAM, FFT, ...)
# after HPL; only its HPL figure (HPL_Tflops) is read. As root, Open MPI
# needs OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1.
# HPL_DEPTH=0 turns HPL's look-ahead off (default 1, as hpcc's example),
# HPL_NBMIN=NB its recursive panel factorisation (default 4: recursion
# down to 4 columns): ScaLAPACK's pdgetrf has neither (its panel is
# factored column by column, pdgetf2), so the figures show what each is
# worth.
set -euo pipefail
export LC_ALL=C
if [ $# -lt 4 ]; then
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
n=$1 nb=$2 p=$3 q=$4 rounds=${5:-3} depth=${HPL_DEPTH:-1} nbmin=${HPL_NBMIN:-4}
out=${6:-$(mktemp -d)}
case $depth in '' | *[!0-9]*) echo "hpl-compare: HPL_DEPTH '$depth' is not 0, 1, 2, ..." >&2; exit 2 ;; esac
case $nbmin in '' | *[!0-9]* | 0) echo "hpl-compare: HPL_NBMIN '$nbmin' is not 1, 2, ..." >&2; exit 2 ;; esac
for v in "$n" "$nb" "$p" "$q" "$rounds"; do
    case $v in '' | *[!0-9]* | 0) echo "hpl-compare: '$v' is not a positive integer" >&2; exit 2 ;; esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
mpi=${MATBENCH_MPI:-$here/build/matbench-mpi}
[ -x "$mpi" ] || { echo "hpl-compare: no matbench-mpi at $mpi (build it, or set MATBENCH_MPI)" >&2; exit 2; }
command -v hpcc >/dev/null || { echo "hpl-compare: no hpcc (apt-get install hpcc)" >&2; exit 2; }
ranks=$((p * q))
mkdir -p "$out"

# HPL's input: one N, one NB, one grid, row-major process mapping as
# matbench-mpi's BLACS grid; the rest is hpcc's example (its defaults).
cat >"$out/hpccinf.txt" <<INF
HPLinpack benchmark input file
matbench bench/hpl-compare.sh
HPL.out      output file name (if any)
8            device out (6=stdout,7=stderr,file)
1            # of problems sizes (N)
$n           Ns
1            # of NBs
$nb          NBs
0            PMAP process mapping (0=Row-,1=Column-major)
1            # of process grids (P x Q)
$p           Ps
$q           Qs
16.0         threshold
1            # of panel fact
2            PFACTs (0=left, 1=Crout, 2=Right)
1            # of recursive stopping criterium
$nbmin            NBMINs (>= 1)
1            # of panels in recursion
2            NDIVs
1            # of recursive panel fact.
1            RFACTs (0=left, 1=Crout, 2=Right)
1            # of broadcast
1            BCASTs (0=1rg,1=1rM,2=2rg,3=2rM,4=Lng,5=LnM)
1            # of lookahead depth
$depth            DEPTHs (>=0)
2            SWAP (0=bin-exch,1=long,2=mix)
64           swapping threshold
0            L1 in (0=transposed,1=no-transposed) form
0            U  in (0=transposed,1=no-transposed) form
1            Equilibration (0=no,1=yes)
8            memory alignment in double (> 0)
##### This line (no. 32) is ignored (it serves as a separator). ######
0                      		Number of additional problem sizes for PTRANS
1200 10000 30000        	values of N
0                       	number of additional blocking sizes for PTRANS
40 9 8 13 13 20 16 32 64       	values of NB
INF

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
: >"$out/hpl.txt"
: >"$out/matbench.txt"
echo "round  HPL GFLOP/s  matbench-mpi pdgesv GFLOP/s"
for r in $(seq 1 "$rounds"); do
    (cd "$out" && rm -f hpccoutf.txt &&
        OPENBLAS_NUM_THREADS=1 mpirun -np "$ranks" --oversubscribe --quiet hpcc >/dev/null 2>&1) ||
        { echo "hpl-compare: hpcc failed (see $out/hpccoutf.txt)" >&2; exit 1; }
    hpl=$(sed -n 's/^HPL_Tflops=//p' "$out/hpccoutf.txt" | awk '{printf "%.2f", $1 * 1000}')
    mb=$(OPENBLAS_NUM_THREADS=1 mpirun -np "$ranks" --oversubscribe --quiet "$mpi" "$n" --nb "$nb" \
        --grid "${p}x$q" --threads 1 --kernels pdgesv --repeat 1 --warmup 1 --no-one-process --no-peak --quiet --format csv |
        awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
                 {if ($c["verified"] != "true") exit 1; printf "%.2f", $c["gflops"]}') ||
        { echo "hpl-compare: matbench-mpi failed or did not verify" >&2; exit 1; }
    echo "$hpl" >>"$out/hpl.txt"
    echo "$mb" >>"$out/matbench.txt"
    printf '%5d  %11s  %s\n' "$r" "$hpl" "$mb"
done
h=$(median <"$out/hpl.txt") m=$(median <"$out/matbench.txt")
printf 'median %11s  %s   matbench-mpi / HPL = %s (N %s, NB %s, %sx%s, 1 thread per rank, HPL look-ahead depth %s, NBMIN %s)\n' \
    "$h" "$m" "$(awk -v a="$m" -v b="$h" 'BEGIN {printf "%.3f", a / b}')" "$n" "$nb" "$p" "$q" "$depth" "$nbmin"
echo "files: $out"
