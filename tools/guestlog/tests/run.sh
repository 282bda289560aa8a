#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run guestlog over each fixture folder: DIR/cmd holds the arguments,
# expected.rc the exit code, expected.out the exact stdout (when present),
# expected.err a line that stderr must contain (when present). Folders
# without cmd (data/: logs several fixtures share) are not fixtures.
# Usage: tests/run.sh GUESTLOG FIXTURES_DIR
set -u
bin=$1 dir=$2
pass=0 fail=0
for c in "$dir"/*/; do
	c=${c%/}
	name=${c##*/}
	[ -f "$c/cmd" ] || continue	# data/: logs the fixtures share
	# shellcheck disable=SC2046
	(cd "$c" && "$bin" $(cat cmd) >/tmp/guestlog.out.$$ 2>/tmp/guestlog.err.$$)
	rc=$?
	why=
	[ "$rc" = "$(cat "$c/expected.rc")" ] || why="exit $rc, want $(cat "$c/expected.rc")"
	if [ -z "$why" ] && [ -f "$c/expected.out" ] && ! cmp -s "$c/expected.out" /tmp/guestlog.out.$$; then
		why="stdout differs: $(diff "$c/expected.out" /tmp/guestlog.out.$$ | head -5 | tr '\n' ' ')"
	fi
	if [ -z "$why" ] && [ -f "$c/expected.err" ] && ! grep -qF "$(cat "$c/expected.err")" /tmp/guestlog.err.$$; then
		why="stderr lacks '$(cat "$c/expected.err")'"
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1)); echo "ok - guestlog $name"
	else
		fail=$((fail + 1)); echo "not ok - guestlog $name: $why"
	fi
done
rm -f /tmp/guestlog.out.$$ /tmp/guestlog.err.$$
echo "guestlog: $pass passed, $fail failed"
[ "$fail" = 0 ]
