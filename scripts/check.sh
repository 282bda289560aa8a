#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check's phases, in an order that keeps both cores busy, each timed.
#
# The host-side checks are mostly one process at a time (a single-file
# compile, a test, a spatch), so the patched guest kernel builds in the
# background from the moment its source tree exists: unit tests and
# checkpatch run while the tree is created, then compile-touched and the
# contract run while the kernel builds. The guest boots once both are done.
# Every phase is built by its own make target, so make check does no work
# that those targets would not do on their own.
#
# At the end (also on failure), prints each phase's host wall-clock time
# and the total. The background phases overlap the foreground ones, so the
# phases add up to more than the total.
#
# Usage: MAKE=make scripts/check.sh BUILD_DIR
set -eu

b=$1
make=${MAKE:-make}
mkdir -p "$b"
times=$b/check-times
bg=$b/check-background
: > "$times"
rm -rf "$bg"
mkdir -p "$bg"
start=$(date +%s)

# phase NAME TARGET...: make TARGET..., timed.
phase() {
	name=$1
	shift
	t0=$(date +%s)
	if $make --no-print-directory "$@"; then
		printf '%s\t%s\t%s\n' "$name" "$(($(date +%s) - t0))" ok >> "$times"
	else
		printf '%s\t%s\t%s\n' "$name" "$(($(date +%s) - t0))" FAILED >> "$times"
		return 1
	fi
}

summary() {
	rc=$?
	# A background chain still running when a foreground phase failed.
	if [ -f "$bg/pid" ] && kill -0 "$(cat "$bg/pid")" 2>/dev/null; then
		kill -- "-$(cat "$bg/pid")" 2>/dev/null || kill "$(cat "$bg/pid")" 2>/dev/null || true
		wait 2>/dev/null || true
	fi
	[ -f "$bg/times" ] && cat "$bg/times" >> "$times"
	echo
	echo "== make check: time per phase (host wall clock)"
	while IFS="$(printf '\t')" read -r name secs st; do
		case $name in
		"tree"|"kernel build") where=" (background)" ;;
		*) where= ;;
		esac
		printf '  %-16s %4d s  %s%s\n' "$name" "$secs" "$st" "$where"
	done < "$times"
	total=$(($(date +%s) - start))
	printf '  %-16s %4d s  (%d min %02d s)\n' total "$total" $((total / 60)) $((total % 60))
	exit "$rc"
}
trap summary EXIT
trap 'exit 130' INT TERM

phase deps deps
phase fetch fetch

# The background chain: the patched tree, then its kernel, guest programs
# and initramfs. Its output goes to a log, shown when it is waited for.
# It runs at a lower priority: it fills the cycles the foreground leaves
# idle, and the foreground phases keep their own times. set -m gives it a
# process group of its own, so that a failure here stops all of it.
set -m
(
	set +e
	t0=$(date +%s)
	$make --no-print-directory src-patched > "$bg/tree.log" 2>&1
	rc=$?
	printf '%s\t%s\t%s\n' tree "$(($(date +%s) - t0))" \
		"$([ $rc = 0 ] && echo ok || echo FAILED)" >> "$bg/times"
	echo $rc > "$bg/tree.rc"
	[ $rc = 0 ] || exit $rc
	t0=$(date +%s)
	nice -n 10 $make --no-print-directory guest-patched > "$bg/kernel.log" 2>&1
	rc=$?
	printf '%s\t%s\t%s\n' "kernel build" "$(($(date +%s) - t0))" \
		"$([ $rc = 0 ] && echo ok || echo FAILED)" >> "$bg/times"
	echo $rc > "$bg/kernel.rc"
	exit $rc
) &
echo $! > "$bg/pid"
set +m

# await NAME: wait for the background step NAME (tree or kernel), show its
# output, fail if it failed.
await() {
	while [ ! -f "$bg/$1.rc" ]; do
		kill -0 "$(cat "$bg/pid")" 2>/dev/null || break
		sleep 2
	done
	cat "$bg/$1.log"
	rc=$(cat "$bg/$1.rc" 2>/dev/null || echo 1)
	[ "$rc" = 0 ] || { echo "pinlife: error: $1 failed (log: $bg/$1.log)" >&2; exit 1; }
}

echo "== the patched tree and its guest kernel build in the background (logs: $bg)"
phase unit unit
phase checkpatch checkpatch
await tree
phase compile-touched compile-touched
phase contract contract
await kernel
wait
phase guest boot-check
