#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print one hash over patches/series and every patch it lists, in order.
# Usage: scripts/series-hash.sh PATCH_DIR
set -eu
dir=$1
{
	cat "$dir/series"
	grep -v '^[[:space:]]*\(#\|$\)' "$dir/series" | while read -r p; do
		cat "$dir/$p"
	done
} | sha256sum | cut -d' ' -f1
