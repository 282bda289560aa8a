#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bad input: unreadable, binary, NUL bytes, unterminated comment/string,
# gigantic line, non-UTF-8, deep nesting.  Each bad file is reported once
# on stderr and skipped; good files are still audited; exit code 3 says
# the scan was incomplete; nothing crashes.
#
# Usage: bad-input.sh PATH/TO/pinaudit

BIN=${1:?usage: bad-input.sh PINAUDIT}
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

D=$TMP/tree
mkdir -p "$D/drivers/bad"
B=$D/drivers/bad
call='int f(unsigned long a, struct page **p) { return pin_user_pages(a, 1, 0, p); }'

printf '// SPDX-License-Identifier: GPL-2.0\n%s\n' "$call" >"$B/good.c"
printf 'int x;\000\001\002 %s\n' "$call" >"$B/nul.c"
printf '/* caf\351 */ %s\n' "$call" >"$B/latin1.c"
printf '%s\n/* pin_user_pages( never closed\n' "$call" >"$B/unterminated_comment.c"
printf '%s\nstatic const char *s = "pin_user_pages(;\nint y;\n' "$call" >"$B/unterminated_string.c"
# a 2 MiB line
{ printf '%s /*' "$call"; head -c 2097152 /dev/zero | tr '\0' 'x'; printf '*/\n'; } >"$B/longline.c"
# overlong UTF-8 encoding and a lone continuation byte
printf '/* \300\257 \200 */ %s\n' "$call" >"$B/badutf8.c"
# a binary blob with a .c name
head -c 4096 /dev/urandom >"$B/random.c"
printf '\npin_user_pages(' >>"$B/random.c"
printf '\000' >>"$B/random.c"

# these must parse without complaint
{ printf 'int f(void) { return pin_user_pages('; i=0
  while [ $i -lt 2000 ]; do printf '('; i=$((i + 1)); done
  printf ');\n'; } >"$B/deep_nesting.c"
printf '' >"$B/empty.c"
printf 'pin_user_pages' >"$B/truncated.c"
printf '#if 0\nit'"'"'s fine: pin_user_pages(\n#endif\n#ifdef X\n#error don'"'"'t\n#endif\n%s\n' "$call" >"$B/prose.c"

bad="nul.c latin1.c unterminated_comment.c unterminated_string.c longline.c badutf8.c random.c"

"$BIN" inventory -f tsv "$D" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" = 3 ]; then ok "tree scan: exit 3"; else nok "tree scan: exit $rc, expected 3"; fi
for f in $bad; do
	n=$(grep -c "/$f: warning: skipped: " "$TMP/err")
	if [ "$n" = 1 ]; then ok "$f reported once"; else nok "$f reported $n times"; fi
	if grep -q "/$f	" "$TMP/out"; then nok "$f produced sites"; else ok "$f skipped"; fi
done
for f in good.c deep_nesting.c empty.c truncated.c prose.c; do
	if grep -q "/$f:" "$TMP/err"; then nok "$f complained: $(grep "/$f:" "$TMP/err")"; else ok "$f accepted"; fi
done
if grep -q "/good.c	" "$TMP/out"; then ok "good.c still audited"; else nok "good.c not audited"; fi
if grep -q "/prose.c	" "$TMP/out"; then ok "prose.c audited"; else nok "prose.c not audited"; fi
grep -q "NUL bytes" "$TMP/err" && ok "NUL reason" || nok "NUL reason"
grep -q "not valid UTF-8" "$TMP/err" && ok "UTF-8 reason" || nok "UTF-8 reason"
grep -q "unterminated comment" "$TMP/err" && ok "comment reason" || nok "comment reason"
grep -q "unterminated string" "$TMP/err" && ok "string reason" || nok "string reason"
grep -q "longer than" "$TMP/err" && ok "long line reason" || nok "long line reason"

# files mode, with a missing file and a directory-as-file
"$BIN" lint "$B/good.c" "$TMP/does-not-exist.c" "$B/nul.c" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" = 3 ]; then ok "files mode: exit 3"; else nok "files mode: exit $rc"; fi
n=$(grep -c "does-not-exist.c: warning: skipped: No such file" "$TMP/err")
if [ "$n" = 1 ]; then ok "missing file reported once"; else nok "missing file reported $n times"; fi
# JSON says the scan was incomplete and why
"$BIN" inventory -f json "$D" >"$TMP/j" 2>/dev/null
grep -q '"complete": false' "$TMP/j" && ok "json: complete=false" || nok "json: complete=false"
grep -q '"reason": "contains NUL bytes' "$TMP/j" && ok "json: skip reasons" || nok "json: skip reasons"
# a clean tree exits 0
rm -f "$B/nul.c" "$B/latin1.c" "$B/unterminated_comment.c" "$B/unterminated_string.c" \
	"$B/longline.c" "$B/badutf8.c" "$B/random.c"
"$BIN" inventory "$D" >/dev/null 2>&1
rc=$?
if [ "$rc" = 0 ]; then ok "clean tree: exit 0"; else nok "clean tree: exit $rc"; fi
# writing to a closed/full stdout is an error, not a crash
if [ -w /dev/full ]; then
	"$BIN" inventory "$D" >/dev/full 2>/dev/null
	rc=$?
	if [ "$rc" = 3 ]; then ok "full stdout: exit 3"; else nok "full stdout: exit $rc"; fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
