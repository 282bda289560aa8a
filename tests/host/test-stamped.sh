#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scripts/stamped.sh: a check runs when it has no stamp or its inputs
# changed, is skipped when they did not, and a failure leaves no stamp.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "test-stamped: FAIL: $*"; }

mkdir -p "$t/in"
echo one > "$t/in/a"
run() { sh "$here/scripts/stamped.sh" "$t/x.stamp" "$t/in v1" sh -c "echo ran >> $t/log; $1"; }

run true >/dev/null && [ "$(wc -l < "$t/log")" = 1 ] && [ -f "$t/x.stamp" ] && ok || bad "first run"
run true >/dev/null && [ "$(wc -l < "$t/log")" = 1 ] && ok || bad "unchanged inputs reran"
echo two > "$t/in/a"
run true >/dev/null && [ "$(wc -l < "$t/log")" = 2 ] && ok || bad "changed file did not rerun"
echo new > "$t/in/b"
run false >/dev/null && bad "failure passed" || ok
[ ! -f "$t/x.stamp" ] && ok || bad "failure left a stamp"
run true >/dev/null && [ "$(wc -l < "$t/log")" = 4 ] && ok || bad "no rerun after a failure"
sh "$here/scripts/stamped.sh" "$t/x.stamp" "$t/in v2" true >/dev/null &&
	[ "$(wc -l < "$t/log")" = 4 ] && [ "$(cat "$t/x.stamp")" != "" ] && ok || bad "word input"
echo "test-stamped: $pass passed, $fail failed"
[ "$fail" = 0 ]
