#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the kernel's checkpatch.pl --strict on every patch of the series;
# fail on any error, warning or check.
# Usage: scripts/checkpatch.sh KERNEL_SRC PATCH_DIR
set -eu
src=$1
# An absolute path: checkpatch.pl reads a relative "patches/..." path as a
# quilt series and misjudges blank context lines as added whitespace.
pdir=$(cd "$2" && pwd)
bad=0 n=0
cover=
[ -f "$pdir/0000-cover-letter.patch" ] && cover=0000-cover-letter.patch
for p in $cover $(grep -v '^[[:space:]]*\(#\|$\)' "$pdir/series"); do
	n=$((n + 1))
	# UNKNOWN_COMMIT_ID: this repository has no upstream history to look
	# the ids of backported fixes up in (checkpatch asks git).
	out=$(perl "$src/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types --ignore UNKNOWN_COMMIT_ID "$pdir/$p" 2>&1) || true
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
		bad=$((bad + 1))
	fi
done
echo "checkpatch --strict: $n patches, $bad with problems"
[ "$bad" = 0 ]
