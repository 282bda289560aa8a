#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Golden test over a real kernel tree (stock 6.12): pinaudit's call sites,
# per API, must equal an independent grep/awk count; the scan must be
# complete; the lifetime model must flag tee_shm_register's helper, and must
# flag neither ivtv's user DMA nor the block layer's direct I/O.
#
# Usage: golden.sh PATH/TO/pinaudit KSRC

BIN=${1:?usage: golden.sh PINAUDIT KSRC}
KSRC=$2
if [ -z "$KSRC" ] || [ ! -f "$KSRC/include/linux/mm.h" ] || [ ! -d "$KSRC/mm" ]; then
	echo "golden: SKIPPED: no kernel source at '${KSRC}' (set KSRC=/path/to/linux-6.12)"
	# In CI a missing input is a failure, not a skip.
	[ "${CI:-}" = true ] && { echo "golden: error: CI=true and nothing to test" >&2; exit 1; }
	exit 0
fi
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

"$BIN" inventory -f tsv "$KSRC" >"$TMP/inv" 2>"$TMP/err"
rc=$?
if [ "$rc" = 0 ]; then ok "complete scan"; else nok "inventory exit $rc: $(head -5 "$TMP/err")"; fi

# The independent count: every "NAME (" of the family that is not in a
# comment or a string, and not at column 0 (definitions, prototypes and
# preprocessor lines start there in kernel style; calls are indented).
(cd "$KSRC" && grep -rnE --include='*.[ch]' \
	'\b((pin|get)_user_pages(_fast|_remote|_unlocked|_fast_only)?|iov_iter_extract_pages|iov_iter_get_pages(2|_alloc2?)?|get_dump_page)\s*\(' .) |
awk '
{
	line = $0; sub(/^[^:]*:[0-9]+:/, "", line)
	split($0, a, ":"); file = a[1]; sub(/^\.\//, "", file)
	if (line ~ /^[ \t]*(\*|\/\*|\/\/)/) next
	if (line ~ /^[a-z#]/) next
	s = line
	while (match(s, /(pin|get)_user_pages(_fast_only|_fast|_remote|_unlocked)?[ \t]*\(|iov_iter_extract_pages[ \t]*\(|iov_iter_get_pages(_alloc2|_alloc|2)?[ \t]*\(|get_dump_page[ \t]*\(/)) {
		pre = substr(s, 1, RSTART - 1)
		name = substr(s, RSTART, RLENGTH); sub(/[ \t]*\($/, "", name)
		q = gsub(/"/, "\"", pre)
		if (q % 2 == 0 && !index(pre, "/*") && !index(pre, "//") &&
		    (RSTART == 1 || substr(s, RSTART - 1, 1) !~ /[A-Za-z0-9_]/))
			print file "\t" a[2] "\t" name
		s = substr(s, RSTART + RLENGTH)
	}
}' | sort >"$TMP/grep"

# direct calls only (column 18, via, is empty): calls through wrappers are
# sites too, but grep cannot see them
awk -F'\t' -v k="$KSRC/" 'NR > 1 && $18 == "" { f = $1; if (index(f, k) == 1) f = substr(f, length(k) + 1);
	print f "\t" $2 "\t" $5 }' "$TMP/inv" | sort >"$TMP/ours"

echo "golden: sites per API (pinaudit / independent grep) in $KSRC"
for api in get_user_pages get_user_pages_fast get_user_pages_fast_only \
	get_user_pages_remote get_user_pages_unlocked pin_user_pages \
	pin_user_pages_fast pin_user_pages_remote pin_user_pages_unlocked \
	iov_iter_extract_pages iov_iter_get_pages2 iov_iter_get_pages_alloc2 get_dump_page; do
	a=$(awk -F'\t' -v n="$api" '$3 == n' "$TMP/ours" | wc -l)
	b=$(awk -F'\t' -v n="$api" '$3 == n' "$TMP/grep" | wc -l)
	printf '  %-28s %4d / %4d\n' "$api" "$a" "$b"
	if [ "$a" = "$b" ] && [ "$a" -gt 0 ]; then ok "$api count"; else nok "$api: $a vs $b"; fi
done
if cmp -s "$TMP/ours" "$TMP/grep"; then
	ok "same file:line set as grep"
else
	nok "site sets differ:"; diff "$TMP/ours" "$TMP/grep" | head -20
fi

# lifetime heuristic
"$BIN" inventory -f tsv "$KSRC" >"$TMP/inv" 2>/dev/null
ll() { awk -F'\t' -v p="$1" -v f="$2" 'index($1, p) && $4 == f && $13 == "yes"' "$TMP/inv"; }
if [ -n "$(ll drivers/tee/tee_shm.c register_shm_helper)" ]; then
	ok "tee_shm_register (register_shm_helper) looks long-term"
else nok "tee_shm_register not flagged"; fi
# ivtv's user DMA is short-term (docs/callsites.md): the callers pin through
# the helper, wait for the DMA and unpin before the system call returns
if [ -z "$(ll drivers/media/pci/ivtv/ivtv- ivtv_udma_setup)$(ll drivers/media/pci/ivtv/ivtv- ivtv_yuv_prep_user_dma)" ]; then
	ok "ivtv user DMA (udma_setup, yuv_prep_user_dma) not flagged: its callers unpin"
else nok "ivtv user DMA flagged, although its callers unpin before returning"; fi
bad=$(awk -F'\t' '($1 ~ /block\/|fs\/direct-io.c|fs\/iomap\//) && $13 == "yes"' "$TMP/inv")
if [ -z "$bad" ]; then ok "block/direct I/O not flagged"; else nok "direct I/O flagged: $bad"; fi
dio=$(awk -F'\t' '$1 ~ /block\/bio.c$/ && $4 == "__bio_iov_iter_get_pages"' "$TMP/inv" | wc -l)
if [ "$dio" = 1 ]; then ok "bio direct I/O site inventoried"; else nok "bio site missing"; fi

# lint agrees and exits 1 on stock 6.12 (looks-long-term findings)
"$BIN" lint -q "$KSRC" >"$TMP/lint" 2>/dev/null
rc=$?
if [ "$rc" = 1 ]; then ok "lint exit 1"; else nok "lint exit $rc"; fi
n=$(grep -c 'pinaudit-looks-long-term' "$TMP/lint")
m=$(awk -F'\t' '$13 == "yes"' "$TMP/inv" | wc -l)
if [ "$n" = "$m" ]; then ok "lint and inventory agree ($n)"; else nok "lint $n vs inventory $m"; fi
n=$(grep -c 'pinaudit-user-held-reference' "$TMP/lint")
m=$(awk -F'\t' '$6 == "get" || $6 == "iter-get"' "$TMP/inv" | awk -F'\t' '$17 == "user"' | grep -vc _longterm)
# (inventory also marks the calls inside a wrapper; lint reports its callers)
if [ "$n" -ge 1 ] && [ "$n" -le "$m" ]; then ok "user-held-reference: lint $n, inventory $m"; else nok "user-held-reference: lint $n vs inventory $m"; fi
if grep -q 'internal-flag\|ephemeral' "$TMP/lint"; then nok "new-API rules fired on old tree"; else ok "old tree: no new-API findings"; fi

echo "golden: classes:"
awk -F'\t' 'NR > 1 { c[$11]++ } END { for (k in c) printf "  %-24s %d\n", k, c[k] }' "$TMP/inv" | sort
echo "golden: looks long-term:"
awk -F'\t' -v k="$KSRC/" '$13 == "yes" { f = $1; if (index(f, k) == 1) f = substr(f, length(k) + 1);
	printf "  %s:%s %s() -> %s\n", f, $2, $4, $14 }' "$TMP/inv"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
