#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Check that every prefix of the series builds: apply the patches one by
# one onto the pristine tree in a scratch git tree and, after each, build
# the guest kernel (tinyconfig + the pinlife fragment, incremental) and
# compile the C files that patch touches in x86-64 allmodconfig (files
# under arch/ other than x86, and drivers/sbus, are left to
# compile-touched, which builds them for the whole series).
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

allmod=$work/allmod
if [ ! -f "$allmod/.config" ]; then
	make -C "$tree" O="$allmod" ARCH=x86_64 allmodconfig >"$work/allmod.log" 2>&1
fi

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
	for f in $(sed -n 's|^+++ b/\(.*\.c\)$|\1|p' "$pdir/$p" | grep -v '^tools/\|^drivers/sbus/\|^drivers/vfio/vfio_iommu_spapr_tce.c' |
		grep -v '^arch/' ; sed -n 's|^+++ b/\(arch/x86/.*\.c\)$|\1|p' "$pdir/$p"); do
		if ! make -C "$tree" O="$allmod" ARCH=x86_64 -j"${JOBS:-$(nproc)}" "${f%.c}.o" >"$work/obj.log" 2>&1; then
			echo "bisect-check: $n $p: $f does not build (x86-64 allmodconfig)" >&2
			grep -E 'error|warning' "$work/obj.log" | head -n 10 >&2
			bad=$((bad + 1))
		fi
	done
	echo "  ok $n $p"
done
echo "bisect-check: $n prefixes, $bad failures"
[ "$bad" = 0 ]
