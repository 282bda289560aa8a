#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The contract holds on the patched tree: scripts/contract.sh (run by the
# project's "make check") requires "pinaudit lint -q PATCHED" to report
# nothing.  This test runs that very command, so that a false alarm added
# to pinaudit fails here first.  It also checks that the tree is judged on
# the new API and that the series' own helpers are not judged as sites.
#
# Usage: patched-lint.sh PATH/TO/pinaudit PATCHED
# PATCHED: a tree with the series applied (scripts/mktree.sh); the test is
# skipped, with a message, when there is none.

BIN=${1:?usage: patched-lint.sh PINAUDIT PATCHED}
TREE=$2
if [ -z "$TREE" ] || [ ! -f "$TREE/include/linux/mm.h" ] || [ ! -d "$TREE/mm" ]; then
	# Not asked for (PATCHED= empty: make check runs it with the contract)
	echo "patched-lint: SKIPPED: no patched tree at '${TREE}' (make check PATCHED=TREE)"
	exit 0
fi
if ! grep -q FOLL_EPHEMERAL "$TREE/include/linux/mm_types.h" "$TREE/include/linux/mm.h" 2>/dev/null; then
	echo "patched-lint: SKIPPED: $TREE has no FOLL_EPHEMERAL (not a patched tree)"
	# In CI a missing input is a failure, not a skip.
	[ "${CI:-}" = true ] && { echo "patched-lint: error: CI=true and nothing to test" >&2; exit 1; }
	exit 0
fi
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

"$BIN" lint -q "$TREE" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" = 0 ] && [ ! -s "$TMP/out" ]; then
	ok "lint -q on the patched tree: clean"
else
	nok "lint -q on the patched tree: exit $rc, $(grep -c 'warning:' "$TMP/out") warning(s)"
	grep 'warning:' "$TMP/out" | head -20
	head -5 "$TMP/err"
fi
[ -s "$TMP/err" ] && { nok "lint -q wrote to stderr"; head -5 "$TMP/err"; } || ok "no stderr"

# the series' helpers: references migrated first, never user-held
"$BIN" inventory -f tsv "$TREE" >"$TMP/inv" 2>/dev/null
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
$(c["api"]) ~ /_longterm$/ { n++ }
END { print n + 0 }' "$TMP/inv" >"$TMP/n"
if [ "$(cat "$TMP/n")" -gt 0 ]; then
	ok "sites through the _longterm helpers listed: $(cat "$TMP/n")"
else
	nok "no site through get_user_pages_fast_longterm()/iov_iter_get_pages_longterm()"
fi
"$BIN" lint "$TREE" 2>/dev/null | grep 'user-held-reference' |
	grep -E '_longterm\(\)|mm/gup\.c|lib/iov_iter\.c' >"$TMP/bad"
if [ -s "$TMP/bad" ]; then nok "a _longterm site flagged:"; cat "$TMP/bad"; else ok "no _longterm site flagged"; fi
# needless-longterm is a note: listed here, never a failure (a series that
# marks those paths FOLL_EPHEMERAL makes it go away)
"$BIN" lint "$TREE" 2>/dev/null | grep ': note: .*\[pinaudit-needless-longterm\]' |
	sed -e "s|^$TREE/||" -e 's/: note: long-term \(pin\|reference\) by / /' -e 's/ is dropped before / -> /' \
	    -e 's/ returns (released by / /' -e 's/)\{0,1\}: the migration.*//' >"$TMP/nl"
echo "patched-lint: needless-longterm notes: $(wc -l <"$TMP/nl")"
sed 's/^/  /' "$TMP/nl"
echo "patched-lint: $pass passed, $fail failed"
[ "$fail" = 0 ]
