#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A bench-only kernel variant: a copy of the stock tree with one patch.
# Recreated only when the patch changes (a stamp holds its hash).
# Usage: scripts/mkvariant.sh STOCK_SRC OUT_SRC PATCH
set -eu
stock=$1 out=$2 patch=$3
hash=$(cat "$patch" "$stock/Makefile" | sha256sum | cut -d' ' -f1)
[ -f "$out.stamp" ] && [ "$(cat "$out.stamp")" = "$hash" ] && [ -d "$out" ] && exit 0
rm -f "$out.stamp"
echo "pinlife: creating $out (stock + $(basename "$patch"))"
mkdir -p "$out"
rsync -a --delete "$stock/" "$out/"
if ! patch -d "$out" -p1 -s --no-backup-if-mismatch < "$patch"; then
	echo "pinlife: error: $patch does not apply to $stock" >&2
	exit 1
fi
echo "$hash" > "$out.stamp"
