#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Check that every prefix of the series builds: apply the patches one by
# one onto the pristine tree in a scratch git tree and, after each, build
# the guest kernel (tinyconfig + the pinlife fragment, incremental) and
# compile the C files that patch touches with compile-touched.sh, in its
# x86-64 allmodconfig only (the files other architectures build are left
# to make check's compile-touched, which builds them for the whole series).
# Usage: scripts/bisect-check.sh PRISTINE PATCH_DIR WORK_DIR FRAGMENT
set -eu
pristine=$1 pdir=$(cd "$2" && pwd) work=$3 frag=$(cd "$(dirname "$4")" && pwd)/$(basename "$4")
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
work=$(cd "$work" && pwd)
tree=$work/tree

# A scratch tree at the base: an empty series applied.
empty=$work/empty
mkdir -p "$empty"
echo "# empty" > "$empty/series"
sh "$here/mktree.sh" "$pristine" "$tree" "$empty" >/dev/null
git -C "$tree" checkout -q -f -B bisect pinlife-base

n=0 bad=0
for p in $(grep -v '^[[:space:]]*\(#\|$\)' "$pdir/series"); do
	n=$((n + 1))
	if ! git -C "$tree" am -q --committer-date-is-author-date "$pdir/$p" >"$work/am.log" 2>&1; then
		echo "bisect-check: error: $p does not apply on its prefix" >&2
		exit 1
	fi
	if ! JOBS=${JOBS:-$(nproc)} sh "$here/kernel.sh" "$tree" "$work/obj" "$frag" >"$work/kernel.log" 2>&1; then
		echo "bisect-check: $n $p: guest kernel does not build" >&2
		tail -n 15 "$work/obj/build.log" >&2
		bad=$((bad + 1))
		continue
	fi
	if ! ONLY=x86-allmod sh "$here/compile-touched.sh" "$tree" "$pdir" \
		"$work/compile" "$p" >"$work/compile.log"; then
		echo "bisect-check: $n $p: a file it touches does not build (x86-64 allmodconfig)" >&2
		bad=$((bad + 1))
		continue
	fi
	echo "  ok $n $p"
done
echo "bisect-check: $n prefixes, $bad failures"
[ "$bad" = 0 ]
