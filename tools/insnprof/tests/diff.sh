#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# insnprof-diff's fixtures: diff.sh INSNPROF_DIFF TESTS_DIR
set -u
bin=$1 dir=$2 fail=0 n=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
out=$("$bin" "$dir/stock.txt" 10 "$dir/patched.txt" 10)
[ "$out" = "$(cat "$dir/diff.expected")" ]
check $? "two reports side by side, per unit, largest differences first"
out=$("$bin" --top 1 "$dir/stock.txt" 10 "$dir/patched.txt" 10 | tail -n +5)
[ "$(echo "$out" | wc -l)" = 2 ]
check $? "--top 1 keeps the total and one symbol"
"$bin" "$dir/stock.txt" 0 "$dir/patched.txt" 10 2>/dev/null
[ $? = 2 ]
check $? "zero units are refused (exit 2)"
err=$("$bin" "$dir/nowindow.txt" 1 "$dir/patched.txt" 1 2>&1 >/dev/null)
[ $? = 1 ] && echo "$err" | grep -q "nowindow.txt: error: 0 windows"
check $? "a report without a window is an error that names it"
err=$("$bin" "$dir/missing.txt" 1 "$dir/patched.txt" 1 2>&1 >/dev/null)
[ $? = 1 ] && echo "$err" | grep -q "missing.txt: No such file"
check $? "a missing report is an error that names it"
"$bin" --help | grep -q "^usage: insnprof-diff"
check $? "--help prints the usage"
echo "1..$n"
exit $fail
