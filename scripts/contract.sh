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

echo "contract: spatch $cocci"
files=$(cd "$src" && grep -rlE '\b(FOLL_EPHEMERAL|ITER_EPHEMERAL|FOLL_LONGTERM|FOLL_GET)\b' \
	--include='*.[ch]' . | grep -v '^\./\(tools\|Documentation\|scripts\)/' |
	sed 's|^\./||' | sort)
out=$(cd "$src" && spatch --very-quiet -D report --no-includes \
	--include-headers --sp-file "$cocci" $files 2>&1) || {
	printf '%s\n' "$out" >&2
	echo "contract: error: spatch failed" >&2
	exit 1
}
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	bad=1
fi
[ "$bad" = 0 ] || { echo "contract: FAILED" >&2; exit 1; }
echo "contract: $(echo "$files" | wc -l) files checked, no finding"
echo "$head" > "$stamp"
