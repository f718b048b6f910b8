#!/usr/bin/env bash
# Is B really faster than A? Runs two matbench commands interleaved ROUNDS
# times (A B, then B A, ...: the machine's drift and noise fall on both),
# each round's report kept as JSON, and compares the two sides with every
# round's samples merged (matbench compare A-1.json,A-2.json,...
# B-1.json,...): the ratio of medians per result with its 95 % interval,
# the U test, the verdict.
#
#   bench/compare.sh "CMD A" "CMD B" [ROUNDS] [OUTDIR]
#   bench/compare.sh "matbench 3000 --kernels dgemm --threads 2" \
#                    "matbench 3000 --kernels dgemm --threads 2 --coretype SkylakeX" 5
#
# Each command is matbench's arguments, with or without a leading word
# that names matbench itself (matbench, ./build/matbench); --format and
# --output are this script's. ROUNDS defaults to 5. OUTDIR (default a new
# temporary directory) receives old-K.json, new-K.json, compare.txt and
# compare.json. Extra arguments for compare (--threshold PCT,
# --fail-if-slower PCT) go in COMPARE_ARGS; the script exits as compare
# does (1 when --fail-if-slower fails).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

case "${1:-}" in -h | --help)
    echo "usage: bench/compare.sh \"CMD A\" \"CMD B\" [ROUNDS] [OUTDIR]"
    exit 0 ;;
esac
if [ $# -lt 2 ]; then
    echo "compare.sh: CMD B: missing (usage: bench/compare.sh \"CMD A\" \"CMD B\" [ROUNDS] [OUTDIR])" >&2
    exit 2
fi
if [ $# -gt 4 ]; then
    echo "compare.sh: '$5': unexpected argument (usage: bench/compare.sh \"CMD A\" \"CMD B\" [ROUNDS] [OUTDIR])" >&2
    exit 2
fi
rounds=${3:-5}
case "$rounds" in '' | 0 | *[!0-9]*)
    echo "compare.sh: ROUNDS: '$rounds' is not allowed (a whole number, 1 or more)" >&2
    exit 2 ;;
esac
out=${4:-$(mktemp -d /tmp/matbench-compare.XXXXXX)}
mkdir -p "$out"
bin=$(mb_binary)

# The command's words, without a first word naming matbench.
words_of() { # command -> array name
    local -n into=$2
    read -r -a into <<<"$1"
    case "${into[0]:-}" in *matbench) into=("${into[@]:1}") ;; esac
}
words_of "$1" cmd_a
words_of "$2" cmd_b

run() { # side round words...
    local side=$1 k=$2
    shift 2
    echo "round $k/$rounds: $side: matbench $*" >&2
    "$bin" "$@" --quiet --format json --output "$out/$side-$k.json"
}

old="" new=""
for k in $(seq "$rounds"); do
    if [ $((k % 2)) = 1 ]; then
        run old "$k" "${cmd_a[@]}"
        run new "$k" "${cmd_b[@]}"
    else
        run new "$k" "${cmd_b[@]}"
        run old "$k" "${cmd_a[@]}"
    fi
    old="${old:+$old,}$out/old-$k.json"
    new="${new:+$new,}$out/new-$k.json"
done

read -r -a extra <<<"${COMPARE_ARGS:-}"
"$bin" compare "$old" "$new" --format json --output "$out/compare.json" "${extra[@]}" 2>/dev/null || true
set +e
"$bin" compare "$old" "$new" "${extra[@]}" | tee "$out/compare.txt"
rc=${PIPESTATUS[0]}
echo "reports and the comparison: $out" >&2
exit "$rc"
