#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scripts/mail.sh (make mail) on two patches of the series and the cover
# letter: the sender replaces the placeholder as author and in
# Signed-off-by, To/Cc come from get_maintainer.pl, the people of the
# thread are on the cover letter; no identity, or the placeholder, is an
# error that writes nothing. Usage: test-mail.sh KERNEL_SRC
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
src=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "test-mail: FAIL: $*"; }

mkdir "$t/p"
p1=$(grep -m1 'page_pin_owner-record' "$here/patches/series")
p2=$(grep -m1 'tee-' "$here/patches/series" || grep -m1 -v '^#' "$here/patches/series")
printf '%s\n%s\n' "$p1" "$p2" > "$t/p/series"
cp "$here/patches/$p1" "$here/patches/$p2" "$here/patches/0000-cover-letter.patch" \
	"$here/patches/cover-cc" "$t/p/"
as() {
	GIT_CONFIG_NOSYSTEM=1 HOME=$t GIT_CONFIG_COUNT=2 \
	GIT_CONFIG_KEY_0=user.name GIT_CONFIG_VALUE_0="$1" \
	GIT_CONFIG_KEY_1=user.email GIT_CONFIG_VALUE_1="$2" \
	sh "$here/scripts/mail.sh" "$src" "$t/p" "$t/out"
}

as "Ada Tester" ada@example.org > "$t/log" 2>&1 || bad "mail.sh failed: $(cat "$t/log")"
m=$t/out/$p1
grep -qx 'From: Ada Tester <ada@example.org>' "$m" && ok || bad "author not the sender"
grep -qx 'Signed-off-by: Ada Tester <ada@example.org>' "$m" && ok || bad "Signed-off-by not the sender"
grep -rq 'pinlife@localhost' "$t/out" && bad "placeholder left" || ok
sed '/^$/q' "$m" | grep -q '^To: .*Andrew Morton <akpm@linux-foundation.org>\|^ Andrew Morton' && ok ||
	bad "mm patch not to akpm"
sed '/^$/q' "$m" | grep -q 'linux-mm@kvack.org' && ok || bad "mm patch without linux-mm"
sed '/^$/q' "$m" | grep -q '^Subject:' && sed '/^$/q' "$m" | tail -n +2 | grep -q . && ok ||
	bad "headers not before the body"
sed '/^$/q' "$t/out/0000-cover-letter.patch" | grep -q 'David Hildenbrand <david@redhat.com>' && ok ||
	bad "thread people not on the cover letter"
[ "$(grep -c '^Subject:' "$m")" = 1 ] && ok || bad "headers doubled"

as "" "" > "$t/log" 2>&1 && bad "no identity accepted" || ok
grep -q 'git config' "$t/log" && ok || bad "no identity: no hint"
as pinlife pinlife@localhost > "$t/log" 2>&1 && bad "placeholder accepted" || ok
echo "test-mail: $pass passed, $fail failed"
[ "$fail" = 0 ]
