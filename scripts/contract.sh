#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hold the patched tree to the contract (DESIGN.md 2 and 3): every
# FOLL_EPHEMERAL/ITER_EPHEMERAL use carries a lifetime comment and
# FOLL_LONGTERM/FOLL_GET appear nowhere outside mm/. Two independent
# checkers: pinaudit lint (the project's tool) and the series' own
# Coccinelle script (scripts/coccinelle/api/foll_ephemeral.cocci). A stamp
# skips the run when the tree has not changed since it last passed.
# Usage: scripts/contract.sh PATCHED_SRC PINAUDIT STAMP
set -eu
src=$1 pinaudit=$2 stamp=$3
head=$(git -C "$src" rev-parse HEAD)
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$head" ] && {
	echo "contract: unchanged since it last passed"; exit 0; }
rm -f "$stamp"

bad=0
echo "contract: pinaudit lint"
"$pinaudit" lint -q "$src" || bad=1

cocci=scripts/coccinelle/api/foll_ephemeral.cocci
if [ ! -f "$src/$cocci" ]; then
	echo "contract: error: $cocci is missing from the patched tree" >&2
	exit 1
fi
# The checker must find what it is for: run it on a fixture first.
fixture=$(cd "$(dirname "$0")/.." && pwd)/tests/host/contract/violations.c
want=$(grep -n 'expect \*/' "$fixture" | cut -d: -f1 | sort -n | tr '\n' ' ')
got=$(cd "$(dirname "$fixture")" && spatch --very-quiet -D report --no-includes \
	--sp-file "$src/$cocci" violations.c 2>&1 | cut -d: -f2 | sort -nu | tr '\n' ' ')
if [ "$want" != "$got" ]; then
	echo "contract: error: $cocci on its fixture reports lines '$got', want '$want'" >&2
	exit 1
fi
echo "contract: $cocci finds every violation of its fixture (lines $want)"

files=$(cd "$src" && grep -rlE '\b(FOLL_EPHEMERAL|ITER_EPHEMERAL|FOLL_LONGTERM|FOLL_GET)\b' \
	--include='*.[ch]' . | grep -v '^\./\(tools\|Documentation\|scripts\)/' |
	sed 's|^\./||' | sort)
# One file per spatch process over all cores, as make coccicheck does: a
# single spatch over every file shares one timeout between them and, when
# it fires, aborts without saying which file was slow. Each file gets its
# own generous timeout (spatch's, and timeout(1) at twice that in case spatch
# itself hangs); a file that times out or fails is named and fails the run.
jobs=${JOBS:-$(nproc)}
per_file=${COCCI_TIMEOUT:-120}
echo "contract: spatch $cocci on $(echo "$files" | wc -l) files, $jobs at a time, ${per_file} s each"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2016
echo "$files" | (cd "$src" && xargs -P "$jobs" -I{} sh -c '
	f=$1 o=$2/$(echo "$1" | tr / :)
	t0=$(date +%s)
	timeout -k 5 $((2 * $3)) spatch --very-quiet -D report --no-includes \
		--include-headers --timeout "$3" --sp-file "$4" "$f" >"$o.out" 2>&1
	rc=$?
	echo "$(($(date +%s) - t0))" >"$o.secs"
	if [ $rc -ne 0 ] || grep -q "^timeout\|Timeout" "$o.out"; then
		echo "$rc" >"$o.fail"
	fi' sh {} "$tmp" "$per_file" "$cocci") || true
for f in $files; do
	o=$tmp/$(echo "$f" | tr / :)
	if [ -f "$o.fail" ] || [ ! -f "$o.secs" ]; then
		rc=$(cat "$o.fail" 2>/dev/null || echo "not run")
		if grep -q "^timeout\|Timeout" "$o.out" 2>/dev/null || [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			echo "contract: error: $f: spatch timed out after ${per_file} s" >&2
		else
			echo "contract: error: $f: spatch failed (exit $rc):" >&2
			sed 's/^/  /' "$o.out" >&2 2>/dev/null || true
		fi
		bad=1
		continue
	fi
	if [ -s "$o.out" ]; then
		cat "$o.out"
		bad=1
	fi
done
slow=$(for f in $files; do echo "$(cat "$tmp/$(echo "$f" | tr / :).secs" 2>/dev/null || echo 0) $f"; done |
	sort -rn | head -n 1)
echo "contract: slowest file: ${slow#* } (${slow%% *} s)"
[ "$bad" = 0 ] || { echo "contract: FAILED" >&2; exit 1; }
echo "contract: $(echo "$files" | wc -l) files checked, no finding"
echo "$head" > "$stamp"
