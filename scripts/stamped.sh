#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run a check only when its inputs changed since it last passed.
# Usage: scripts/stamped.sh STAMP_FILE "INPUT..." COMMAND [ARG...]
# The inputs are files or folders (hashed by content, in name order) and
# plain words (hashed as written: a kernel version, a tree's series hash).
# The stamp is written only when COMMAND succeeds; a fresh clone has none.
set -eu
stamp=$1 inputs=$2
shift 2
hash=$(for i in $inputs; do
	if [ -d "$i" ]; then
		find "$i" -type f -not -path '*/build/*' | LC_ALL=C sort |
			xargs -r sha256sum
	elif [ -f "$i" ]; then
		sha256sum "$i"
	else
		echo "$i"
	fi
done | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
	echo "pinlife: $(basename "$stamp" .stamp): inputs unchanged since it last passed, not rerun (remove $stamp to force)"
	exit 0
fi
rm -f "$stamp"
"$@"
mkdir -p "$(dirname "$stamp")"
echo "$hash" > "$stamp"
