#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark: pinaudit vs a warm grep vs spatch (Coccinelle) on a kernel
# tree, side by side in one run.  Prints a Markdown table.
#
#   RUNS=5            timed runs of grep and pinaudit (median reported)
#   SPATCH_SCOPE=...  directories of KSRC that spatch runs over (default:
#                     drivers/media drivers/tee block); its time over the
#                     whole tree is extrapolated by bytes and said so
#   SPATCH_FULL=1     run spatch over the whole tree instead (~10 min)
#
# Usage: bench.sh PATH/TO/pinaudit KSRC

BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
KSRC=$2
RUNS=${RUNS:-5}
SPATCH_SCOPE=${SPATCH_SCOPE:-drivers/media drivers/tee block}
COCCI=$(cd "$(dirname "$0")/.." && pwd)/bench/gup-sites.cocci
if [ -z "$KSRC" ] || [ ! -d "$KSRC/mm" ]; then
	echo "bench: SKIPPED: no kernel source at '$KSRC'"
	exit 0
fi
cd "$KSRC" || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM

now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
timeit() { # timeit x CMD... -> seconds; output in $TMP/out.$$
	shift
	t0=$(now); "$@" >"$TMP/out.$$" 2>/dev/null; t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

nfiles=$(find . -name '*.[ch]' -type f | wc -l)
bytes=$(find . -name '*.[ch]' -type f -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
echo "bench: $nfiles .c/.h files, $((bytes / 1048576)) MiB, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# warm the page cache
grep -rnE '(pin|get)_user_pages' --include='*.[ch]' . >/dev/null
"$BIN" inventory . >/dev/null 2>&1

: >"$TMP/g"; : >"$TMP/p"; : >"$TMP/p1"
i=0
while [ $i -lt "$RUNS" ]; do
	timeit x grep -rnE '(pin|get)_user_pages' --include='*.[ch]' . >>"$TMP/g"
	timeit x "$BIN" inventory . >>"$TMP/p"
	timeit x "$BIN" inventory -j 1 . >>"$TMP/p1"
	i=$((i + 1))
done
g=$(median <"$TMP/g"); p=$(median <"$TMP/p"); p1=$(median <"$TMP/p1")

mem=""
if [ -x /usr/bin/time ]; then
	mem=$(/usr/bin/time -f '%M' "$BIN" inventory . 2>&1 >/dev/null | tail -1)
fi

# spatch
sp_line="spatch not installed"
if command -v spatch >/dev/null 2>&1; then
	if [ -n "$SPATCH_FULL" ]; then
		scope=.
	else
		scope=$SPATCH_SCOPE
	fi
	sbytes=$(find $scope -name '*.[ch]' -type f -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
	st=0
	for d in $scope; do
		t=$(timeit x spatch --very-quiet --sp-file "$COCCI" --dir "$d")
		cat "$TMP/out.$$" >>"$TMP/spatch.out"
		st=$(awk -v a="$st" -v b="$t" 'BEGIN { print a + b }')
	done
	# pinaudit over exactly the same directories, for a direct ratio
	pt=0
	for d in $scope; do
		t=$(timeit x "$BIN" inventory -f tsv "$d")
		tail -n +2 "$TMP/out.$$" >>"$TMP/pa.out"
		pt=$(awk -v a="$pt" -v b="$t" 'BEGIN { print a + b }')
	done
	ns=$(wc -l <"$TMP/spatch.out")
	np=$(wc -l <"$TMP/pa.out")
	full=$(awk -v t="$st" -v s="$sbytes" -v b="$bytes" 'BEGIN { printf "%.0f", t * b / s }')
	sp_line=$(awk -v st="$st" -v pt="$pt" -v full="$full" -v p="$p" -v sb="$sbytes" \
		-v scope="$scope" -v ns="$ns" -v np="$np" -v isfull="$SPATCH_FULL" 'BEGIN {
		printf "| spatch (`gup-sites.cocci`) on %s (%.1f MiB) | %.2f s | %d sites |\n", scope, sb / 1048576, st, ns
		printf "| pinaudit on the same directories | %.3f s | %d sites |\n", pt, np
		printf "| spatch / pinaudit, same directories | %.0fx | |\n", st / pt
		if (isfull == "")
			printf "| spatch, whole tree, extrapolated by bytes | ~%d s | |\n| spatch (extrapolated) / pinaudit, whole tree | ~%.0fx | |", full, full / p
	}')
fi

echo
echo "| Run (median of $RUNS, warm cache) | Time | Notes |"
echo "|---|---:|---|"
echo "| \`grep -rnE '(pin|get)_user_pages' --include='*.[ch]'\` | $g s | |"
echo "| \`pinaudit inventory\` (default $(nproc) threads) | $p s | $(awk -v a="$p" -v b="$g" 'BEGIN { printf "%.2fx grep", a / b }'); peak RSS ${mem:-?} KiB |"
echo "| \`pinaudit inventory -j 1\` | $p1 s | $(awk -v a="$p1" -v b="$g" 'BEGIN { printf "%.2fx grep", a / b }') |"
echo "$sp_line"
