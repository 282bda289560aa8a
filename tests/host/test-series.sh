#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host tests of the series tooling (scripts/mktree.sh, scripts/export.sh,
# scripts/fetch.sh) on a small fake source tree: a series applies, a second
# run does nothing, export is byte-for-byte stable, a broken patch is named,
# unexported work in the editable tree is never thrown away, and a base
# version the archive does not offer is refused with the offered list.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
s=$top/scripts
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pass=0 fail=0
check() { # check NAME COND...
	name=$1
	shift
	if "$@"; then pass=$((pass + 1)); echo "ok - $name"
	else fail=$((fail + 1)); echo "not ok - $name"; fi
}

mkdir -p "$t/pristine/mm" "$t/patches"
printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\n' > "$t/pristine/Makefile"
printf 'int a;\nint b;\nint c;\n' > "$t/pristine/mm/gup.c"
printf '# empty\n' > "$t/patches/series"

sh "$s/mktree.sh" "$t/pristine" "$t/tree" "$t/patches" --editable >/dev/null 2>&1
check "empty series gives the base tree" test "$(git -C "$t/tree" rev-list --count HEAD)" = 1

# Two commits in the editable tree, exported.
sed -i 's/int b;/int b = 1;/' "$t/tree/mm/gup.c"
git -C "$t/tree" -c user.name=T -c user.email=t@t commit -qam "mm: one" --date=2001-01-01T00:00:00Z
echo 'int d;' >> "$t/tree/mm/gup.c"
git -C "$t/tree" -c user.name=T -c user.email=t@t commit -qam "mm: two" --date=2001-01-02T00:00:00Z
sh "$s/export.sh" "$t/tree" "$t/patches" >/dev/null 2>&1
check "export writes two patches" test "$(grep -c '\.patch$' "$t/patches/series")" = 2
cp -r "$t/patches" "$t/patches.1"
sh "$s/export.sh" "$t/tree" "$t/patches" >/dev/null 2>&1
check "re-export is byte-for-byte identical" diff -r "$t/patches.1" "$t/patches"

# The cover letter: hand-written down to its line of dashes, the rest is
# regenerated; without that line, export refuses before writing anything.
rule=------------------------------------------------------------
mkdir "$t/cl"
printf 'Subject: [PATCH 0/9] x\n\nWhy.\n\n%s\nstale\n' "$rule" > "$t/cl/0000-cover-letter.patch"
sh "$s/export.sh" "$t/tree" "$t/cl" >/dev/null 2>&1
c=$t/cl/0000-cover-letter.patch
check "cover letter: patch count" grep -qx 'Subject: \[PATCH 0/2\] x' "$c"
check "cover letter: patch list" grep -qx '   2 mm: two' "$c"
check "cover letter: diffstat" grep -q '^ 1 file changed, 2 insertions(+), 1 deletion(-)$' "$c"
check "cover letter: text kept, stale list gone" sh -c 'grep -q Why "$1" && ! grep -q stale "$1"' _ "$c"
mkdir "$t/nocl"
printf 'Subject: [PATCH 0/9] x\n\nNo list.\n' > "$t/nocl/0000-cover-letter.patch"
out=$(sh "$s/export.sh" "$t/tree" "$t/nocl" 2>&1) && rc=0 || rc=$?
check "cover letter without its dashes: refused, named" sh -c "test $rc != 0 && printf '%s' \"\$1\" | grep -q 'nocl/0000-cover-letter.patch: no line of 60 dashes'" _ "$out"
check "... and nothing written" test ! -e "$t/nocl/series"

# The series applies to a fresh tree, and a second run does nothing.
out=$(sh "$s/mktree.sh" "$t/pristine" "$t/built" "$t/patches" 2>&1)
check "series applies: base + 2 patches" test "$(git -C "$t/built" rev-list --count HEAD)" = 3
check "applied tree matches the edited one" cmp -s "$t/tree/mm/gup.c" "$t/built/mm/gup.c"
out=$(sh "$s/mktree.sh" "$t/pristine" "$t/built" "$t/patches" 2>&1)
check "unchanged series: nothing to do" test -z "$out"

# Unexported work in the editable tree is refused, not reset.
echo 'int e;' >> "$t/tree/mm/gup.c"
git -C "$t/tree" -c user.name=T -c user.email=t@t commit -qam "mm: three"
out=$(sh "$s/mktree.sh" "$t/pristine" "$t/tree" "$t/patches" --editable 2>&1)
rc=$?
check "make tree refuses to drop unexported commits" test "$rc" != 0
check "... and keeps them" test "$(git -C "$t/tree" log -1 --format=%s)" = "mm: three"

# A patch that does not apply stops with its name and the failing file.
sed -i 's/^-int b;/-int bb;/' "$t/patches/0001-mm-one.patch"
out=$(sh "$s/mktree.sh" "$t/pristine" "$t/built" "$t/patches" 2>&1)
rc=$?
check "broken patch: non-zero exit" test "$rc" != 0
check "broken patch: named with its file" sh -c "printf '%s' \"\$1\" | grep -q '0001-mm-one.patch does not apply (failing: mm/gup.c'" _ "$out"

# A series naming a missing patch.
echo "0009-missing.patch" >> "$t/patches/series"
out=$(sh "$s/mktree.sh" "$t/pristine" "$t/built" "$t/patches" 2>&1)
check "missing patch file is named" sh -c "printf '%s' \"\$1\" | grep -q '0009-missing.patch, which does not exist'" _ "$out"

# A pinned version the archive does not offer is refused by name.
out=$(sh "$s/fetch.sh" "$t/b" linux-source-6.12 0.0-pinlife-test 2>&1)
rc=$?
check "unoffered base version: non-zero exit" test "$rc" != 0
check "unoffered base version: offered versions listed" sh -c "printf '%s' \"\$1\" | grep -q 'versions offered: 6.12'" _ "$out"
check "unoffered base version: nothing unpacked" test ! -e "$t/b/src/stock"

echo "series tooling: $pass passed, $fail failed"
[ "$fail" = 0 ]
