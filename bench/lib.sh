# shellcheck shell=bash
# Shared by the bench/ sweep scripts (sourced, not run): finding matbench,
# reading the machine's facts from `matbench info --format json`, picking
# CSV columns by name, and plotting when gnuplot is there.

# matbench writes numbers with a decimal point whatever the locale; awk,
# printf and gnuplot must read and write them the same way (under a comma
# locale mawk reads "36.45" as 36).
export LC_ALL=C

# The matbench binary: $MATBENCH, else matbench in PATH, else build/matbench
# of this checkout.
mb_binary() {
    if [ -n "${MATBENCH:-}" ]; then
        echo "$MATBENCH"
    elif command -v matbench >/dev/null 2>&1; then
        command -v matbench
    else
        echo "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/matbench"
    fi
}

# A string or number field of `matbench info --format json` (first match;
# pretty-printed or not).
mb_info_field() { # binary field
    "$1" info --format json 2>/dev/null |
        grep -o "\"$2\": *\(\"[^\"]*\"\|[0-9][0-9]*\)" | head -n 1 |
        sed 's/^[^:]*: *//; s/^"//; s/"$//'
}

# The cores this process may use (machine.usable_cores: affinity, cgroup
# cpuset and quota), else the physical core count (builds before it), else
# the "N physical cores" line of plain `matbench info`, else nproc.
mb_cores() { # binary
    local c
    c=$(mb_info_field "$1" usable_cores 2>/dev/null || true)
    case "$c" in '' | 0 | *[!0-9]*)
        c=$(mb_info_field "$1" physical_cores 2>/dev/null || true) ;;
    esac
    case "$c" in '' | 0 | *[!0-9]*)
        c=$("$1" info 2>/dev/null | grep -o '[0-9][0-9]* physical cores' | head -n 1 | cut -d' ' -f1 || true) ;;
    esac
    case "$c" in '' | 0 | *[!0-9]*) c=$(nproc) ;; esac
    echo "$c"
}

# Prints the named columns of a CSV on stdin, space-separated, one line per
# row (the header is dropped).
csv_columns() { # name...
    awk -F, -v names="$*" 'NR == 1 {
            n = split(names, want, " ")
            for (i = 1; i <= NF; i++) col[$i] = i
            for (k = 1; k <= n; k++) if (!(want[k] in col)) { print "no column " want[k] > "/dev/stderr"; exit 1 }
            next
        }
        { line = ""; for (k = 1; k <= n; k++) line = line (k > 1 ? " " : "") $(col[want[k]]); print line }'
}

# Runs gnuplot on the script given on stdin, or says how to get it. Returns
# 0 either way: the CSV is the result, the plot a view of it.
plot_or_explain() { # what
    if ! command -v gnuplot >/dev/null 2>&1; then
        echo "$SCRIPT: gnuplot not found, so no $1 plots (the CSV is complete); install it with: apt-get install gnuplot-nox" >&2
        cat >/dev/null
        return 0
    fi
    gnuplot
}

# The arguments N [OUTDIR] of a sweep script (its usage function prints
# --help): sets n, outdir (default bench-out) and mb (the matbench binary),
# or exits 2 naming the bad argument, or 1 when matbench is not there.
n_outdir_args() { # "$@"
    case "${1:-}" in
    -h | --help) usage; exit 0 ;;
    esac
    [ $# -ge 1 ] || usage_error "N, the matrix size, is missing (see --help)"
    [ $# -le 2 ] || usage_error "unexpected argument '$3' (usage: N [OUTDIR]; see --help)"
    n=$1
    outdir=${2:-bench-out}
    [[ "$n" =~ ^[1-9][0-9]{0,9}$ ]] || usage_error "N: '$n' is not a positive integer"
    case "$outdir" in -*) usage_error "OUTDIR: '$outdir' looks like an option (see --help)" ;; esac
    mb=$(mb_binary)
    [ -x "$mb" ] || { echo "$SCRIPT: matbench not found at '$mb' (build it, or set MATBENCH)" >&2; exit 1; }
}

usage_error() { # message
    echo "$SCRIPT: $1" >&2
    exit 2
}
