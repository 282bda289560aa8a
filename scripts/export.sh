#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Write the commits on top of the base of TREE back to PATCH_DIR as
# git format-patch files plus a series file. Deterministic: exporting an
# unchanged tree rewrites no byte. The cover letter
# (0000-cover-letter.patch) is hand-written down to its line of 60 dashes;
# its subject's patch count and what follows the dashes (the numbered
# subjects and the diffstat) are regenerated.
# Usage: scripts/export.sh TREE PATCH_DIR
set -eu

tree=$1 pdir=$2
here=$(cd "$(dirname "$0")" && pwd)
g() { git -C "$tree" "$@"; }

[ -d "$tree/.git" ] || { echo "pinlife: error: no tree at $tree (make tree first)" >&2; exit 1; }
if [ -n "$(g status --porcelain --untracked-files=no)" ]; then
	echo "pinlife: error: $tree has uncommitted edits: commit them first" >&2
	exit 1
fi

cl=$pdir/0000-cover-letter.patch
rule=------------------------------------------------------------
if [ -f "$cl" ] && ! grep -qx -- "$rule" "$cl"; then
	echo "pinlife: error: $cl: no line of 60 dashes ends the hand-written part" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/p"
count=$(g rev-list --count pinlife-base..HEAD)
if [ "$count" -gt 0 ]; then
	g format-patch -q --numbered --zero-commit --no-signature \
		--subject-prefix=PATCH -o "$tmp/p" pinlife-base..HEAD
fi
{
	echo "# SPDX-License-Identifier: GPL-2.0"
	echo "# The pinlife series, applied in order with git am onto the pristine"
	echo "# Debian linux-source tree. Written by 'make export'; edit in 'make tree'."
	(cd "$tmp/p" && ls -1 | sort)
} > "$tmp/series"

find "$pdir" -maxdepth 1 -name '*.patch' ! -name '0000-cover-letter.patch' | while read -r f; do
	base=$(basename "$f")
	[ -f "$tmp/p/$base" ] || rm -f "$f"
done
cmp -s "$tmp/series" "$pdir/series" || cp "$tmp/series" "$pdir/series"
for f in "$tmp"/p/*; do
	[ -e "$f" ] || continue
	base=$(basename "$f")
	cmp -s "$f" "$pdir/$base" 2>/dev/null || cp "$f" "$pdir/$base"
done
if [ -f "$cl" ] && [ "$count" -gt 0 ]; then
	zero=$(printf "%0${#count}d" 0)
	{
		sed "/^$rule\$/q" "$cl" |
			sed "s|^Subject: \[PATCH [0-9]*/[0-9]*\]|Subject: [PATCH $zero/$count]|"
		# numbered subjects, wrapped at 75 columns as checkpatch wants
		g log --reverse --format=%s pinlife-base..HEAD | awk '{
			line = sprintf("%4d", NR); n = split($0, w, " ")
			for (i = 1; i <= n; i++) {
				if (length(line) + 1 + length(w[i]) > 75) {
					print line; line = "    "
				}
				line = line " " w[i]
			}
			print line }'
		echo
		g diff --shortstat pinlife-base HEAD
	} > "$tmp/cover"
	cmp -s "$tmp/cover" "$cl" || cp "$tmp/cover" "$cl"
fi
echo "$("$here/series-hash.sh" "$pdir") $(g rev-parse HEAD)" > "$tree/.git/pinlife-applied"
echo "pinlife: exported $count patches to $pdir"
