#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host tests of scripts/contract.sh's Coccinelle step, with a stand-in
# spatch on PATH: a clean tree passes and is stamped; a file whose spatch
# hits its own timeout, hangs past it, crashes or reports a finding fails
# the run and is named; files run in parallel, one spatch each.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pass=0 fail=0
check() { # check NAME COND...
	name=$1
	shift
	if "$@"; then pass=$((pass + 1)); echo "ok - $name"
	else fail=$((fail + 1)); echo "not ok - $name"; fi
}

mkdir -p "$t/bin" "$t/src/scripts/coccinelle/api" "$t/src/drivers"
: > "$t/src/scripts/coccinelle/api/foll_ephemeral.cocci"
printf '#!/bin/sh\nexit 0\n' > "$t/bin/pinaudit"
# The stand-in spatch: the fixture's expected lines for violations.c, and
# for the tree's files whatever the file's name asks for.
cat > "$t/bin/spatch" <<'SPATCH'
#!/bin/sh
for a; do f=$a; done
echo "$f" >> "$SPATCH_LOG"
case $f in
violations.c) grep -n 'expect \*/' violations.c | cut -d: -f1 |
	sed 's/.*/violations.c:&:1-2: finding/' ;;
*own-timeout.c) echo "timeout (we abort): $f"; echo "Fatal error: exception Coccinelle_modules.Common.Timeout" >&2; exit 1 ;;
*quiet-timeout.c) echo "timeout (we abort): $f" ;;
*hang.c) sleep 60 ;;
*crash.c) echo "Fatal error: exception Not_found" >&2; exit 2 ;;
*finding.c) echo "$f:3:8-22: FOLL_EPHEMERAL without a lifetime comment" ;;
esac
exit 0
SPATCH
chmod +x "$t/bin/pinaudit" "$t/bin/spatch"
export PATH="$t/bin:$PATH" SPATCH_LOG="$t/spatch.log"

mktree() { # mktree FILE...: a git tree whose files use FOLL_EPHEMERAL
	rm -rf "$t/src/drivers" "$t/src/.git"
	mkdir -p "$t/src/drivers"
	for f; do echo 'int flags = FOLL_EPHEMERAL;' > "$t/src/drivers/$f"; done
	echo 'int x = FOLL_LONGTERM;' > "$t/src/drivers/no-match.txt"
	git -C "$t/src" init -q
	git -C "$t/src" add -A
	git -C "$t/src" -c user.name=T -c user.email=t@t commit -qm base
}
run() { # run: contract.sh on the tree; output in $t/out, status in $rc
	rm -f "$t/stamp" "$SPATCH_LOG"
	COCCI_TIMEOUT=${COCCI_TIMEOUT:-5} sh "$top/scripts/contract.sh" "$t/src" \
		"$t/bin/pinaudit" "$t/stamp" > "$t/out" 2>&1
	rc=$?
}
has() { grep -q "$1" "$t/out"; }

mktree a.c b.c c.c d.c
run
check "a clean tree passes" test "$rc" = 0
check "a clean tree is stamped" test -s "$t/stamp"
check "every file gets its own spatch" \
	test "$(grep -c '^drivers/' "$SPATCH_LOG")" = 4
check "only C files that name the flags are checked" \
	sh -c "! grep -q no-match '$SPATCH_LOG'"
check "the fixture is checked first" test "$(head -n 1 "$SPATCH_LOG")" = violations.c

mktree a.c own-timeout.c b.c
run
check "spatch's own timeout fails the run" test "$rc" = 1
check "... and names the file" has 'drivers/own-timeout.c: spatch timed out'
check "... and the other files were still checked" \
	test "$(grep -c '^drivers/' "$SPATCH_LOG")" = 3
check "... and no stamp is written" test ! -e "$t/stamp"

mktree a.c quiet-timeout.c
run
check "a timeout that spatch reports with status 0 still fails" test "$rc" = 1
check "... naming the file" has 'drivers/quiet-timeout.c: spatch timed out'

mktree hang.c a.c
t0=$(date +%s)
COCCI_TIMEOUT=1 run
t1=$(date +%s)
check "a spatch that hangs past its timeout is killed and fails the run" test "$rc" = 1
check "... naming the file" has 'drivers/hang.c: spatch timed out'
check "... within twice the per-file timeout (plus the kill grace)" test $((t1 - t0)) -lt 15

mktree crash.c
run
check "a spatch crash fails the run" test "$rc" = 1
check "... naming the file and showing spatch's error" \
	sh -c "grep -q 'drivers/crash.c: spatch failed (exit 2)' '$t/out' && grep -q Not_found '$t/out'"

mktree a.c finding.c
run
check "a finding fails the run" test "$rc" = 1
check "... and is printed as spatch reported it" has '^drivers/finding.c:3:8-22: FOLL_EPHEMERAL'

echo "contract step: $pass passed, $fail failed"
[ "$fail" = 0 ]
