#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Agreement with the hand-made audit: docs/callsites.md classifies every
# in-tree 6.12 site (Table 1: pins, Table 3: references).  This test parses
# both tables, runs pinaudit over the stock tree, and compares each site's
# lifetime verdict with the table's class:
#
#   Table 1: LONGTERM, MISLABELLED          -> user (userspace keeps it alive)
#            EPHEMERAL, NOPIN               -> bounded
#            HELPER, IMPL                   -> not scored (the class is the
#                                              callers', in their own rows)
#   Table 3: USER                           -> user
#            bounded                        -> bounded
#            IMPL                           -> not scored
#
# A site pinaudit does not list at all counts as a disagreement.  The test
# passes when at least MIN_AGREE percent of the scored sites agree and
# at least MIN_USERS "user" sites are found (pins and references).
#
# Usage: agreement.sh PATH/TO/pinaudit KSRC [callsites.md]

BIN=${1:?usage: agreement.sh PINAUDIT KSRC [DOC]}
KSRC=$2
DOC=${3:-$(cd "$(dirname "$0")/../../.." && pwd)/docs/callsites.md}
# The goal (issue 13) is 95% and every user-controlled holder; both are
# met (124 of 125, 51 of 51), so the defaults hold the tool to the goal:
# MIN_USERS=all means every holder the tables name.
MIN_AGREE=${MIN_AGREE:-95}
MIN_USERS=${MIN_USERS:-all}
if [ -z "$KSRC" ] || [ ! -f "$KSRC/include/linux/mm.h" ] || [ ! -d "$KSRC/mm" ]; then
	echo "agreement: SKIPPED: no kernel source at '${KSRC}'"
	# In CI a missing input is a failure, not a skip.
	[ "${CI:-}" = true ] && { echo "agreement: error: CI=true and nothing to test" >&2; exit 1; }
	exit 0
fi
if [ ! -f "$DOC" ]; then
	echo "agreement: SKIPPED: no $DOC"
	# In CI a missing input is a failure, not a skip.
	[ "${CI:-}" = true ] && { echo "agreement: error: CI=true and nothing to test" >&2; exit 1; }
	exit 0
fi
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

# --- the tables: file <TAB> line <TAB> expected <TAB> table -----------------
awk -F'|' '
/^## Table 1/ { t = 1; next }
/^## Table 2/ { t = 0; next }
/^## Table 3/ { t = 3; next }
/^## /        { t = 0; next }
t && /^\| / && !/^\| File/ && !/^\|---/ {
	row = $0; gsub(/\\\|/, "/", row)	# "FOLL_WRITE\|FOLL_LONGTERM" in a cell
	split(row, F, "|")
	loc = F[2]; cls = (t == 1) ? F[6] : F[5]
	gsub(/\*/, "", cls); gsub(/^ +| +$/, "", cls)
	if (t == 1) {
		if (cls ~ /^(LONGTERM|MISLABELLED)/) ex = "user"
		else if (cls ~ /^(EPHEMERAL|NOPIN)/) ex = "bounded"
		else next
	} else {
		if (cls ~ /^USER/) ex = "user"
		else if (cls ~ /^bounded, except USER/) ex = "user"
		else if (cls ~ /^bounded/) ex = "bounded"
		else next
	}
	# "a/b.c:12", "a/b.c:12 (also :3, :4)", "a/b.c:12, 13", "a.c:1, b.c:2"
	gsub(/[()]/, "", loc); gsub(/also/, "", loc)
	n = split(loc, parts, /,? +/)
	file = ""
	for (i = 1; i <= n; i++) {
		p = parts[i]
		if (p == "") continue
		if (p ~ /^[^:]+:[0-9]+$/) { split(p, q, ":"); file = q[1]; line = q[2] }
		else if (p ~ /^:?[0-9]+$/) { line = p; sub(/^:/, "", line) }
		else continue
		if (file != "") print file "\t" line "\t" ex "\t" t
	}
}' "$DOC" | sort -u >"$TMP/table"

# --- pinaudit's verdicts: file <TAB> line <TAB> lifetime -------------------
"$BIN" inventory -f tsv "$KSRC" >"$TMP/inv" 2>"$TMP/err"
awk -F'\t' -v k="$KSRC/" '
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{ f = $1; if (index(f, k) == 1) f = substr(f, length(k) + 1)
  v = $(col["lifetime"]); print f "\t" $2 "\t" v "\t" $(col["function"]) }' "$TMP/inv" |
	sort >"$TMP/ours"

awk -F'\t' '
FNR == NR { key = $1 ":" $2; got[key] = $3; fn[key] = $4; next }
{
	key = $1 ":" $2; tab = ($4 == 1) ? "T1" : "T3"
	g = (key in got) ? got[key] : "not-listed"
	if (g == "none") g = "bounded"
	total++
	if (g == $3) agree++
	else printf "agreement: DISAGREE %s %s %s: table %s, pinaudit %s\n", tab, key, fn[key], $3, g
	if ($3 == "user") { users++; if (g == "user") found++
		else printf "agreement: MISSED user-controlled holder %s %s\n", tab, key }
}
END {
	pct = total ? 100.0 * agree / total : 0
	printf "agreement: %d of %d scored sites agree (%.1f%%); user-controlled found: %d of %d\n",
		agree, total, pct, found, users
	printf "%d %d %d %d\n", agree, total, found, users > "/dev/stderr"
}' "$TMP/ours" "$TMP/table" 2>"$TMP/score"

read -r agree total found users <"$TMP/score"
if [ "$total" -gt 100 ]; then ok "tables parsed ($total scored sites)"; else nok "tables parsed: only $total sites"; fi
if [ $((agree * 100)) -ge $((total * MIN_AGREE)) ]; then
	ok "agreement >= $MIN_AGREE%"
else
	nok "agreement below $MIN_AGREE%: $agree of $total"
fi
[ "$MIN_USERS" = all ] && MIN_USERS=$users
if [ "$found" -ge "$MIN_USERS" ]; then ok "user-controlled holders found: $found of $users (floor $MIN_USERS)"; else nok "user-controlled holders: $found of $users (floor $MIN_USERS)"; fi
echo "agreement: $pass passed, $fail failed"
[ "$fail" = 0 ]
