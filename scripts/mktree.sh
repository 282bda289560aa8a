#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Make DEST a git tree: one base commit holding the pristine source, then
# every patch of PATCH_DIR/series applied with git am, one commit each.
# Re-running with an unchanged series does nothing; with a changed series
# it resets to the base (rewriting only files that differ, so incremental
# kernel builds stay incremental) and applies the series again.
#
# Usage: scripts/mktree.sh PRISTINE DEST PATCH_DIR [--editable]
# --editable: DEST is a developer's tree (make tree): refuse to reset it
# while it holds commits or edits that were not exported to PATCH_DIR.
set -eu

pristine=$1 dest=$2 pdir=$3 editable=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
export GIT_AUTHOR_NAME=pinlife GIT_AUTHOR_EMAIL=pinlife@localhost
export GIT_COMMITTER_NAME=pinlife GIT_COMMITTER_EMAIL=pinlife@localhost
g() { git -C "$dest" -c core.autocrlf=false -c gc.auto=0 "$@"; }

for p in $(grep -v '^[[:space:]]*\(#\|$\)' "$pdir/series"); do
	[ -f "$pdir/$p" ] || {
		echo "pinlife: error: $pdir/series lists $p, which does not exist" >&2
		exit 1; }
done
hash=$("$here/series-hash.sh" "$pdir")

if [ ! -d "$dest/.git" ]; then
	echo "pinlife: creating git tree $dest (base: pristine source)"
	rm -rf "$dest.tmp"
	cp -a "$pristine" "$dest.tmp"
	git -C "$dest.tmp" init -q -b pinlife
	# -f: Debian's top-level .gitignore ignores everything ("/*").
	git -C "$dest.tmp" -c gc.auto=0 add -f -A .
	GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
		git -C "$dest.tmp" commit -q --no-verify \
		-m "base: $(sed -n 's/^VERSION = //p' "$pristine/Makefile").$(sed -n 's/^PATCHLEVEL = //p' "$pristine/Makefile").$(sed -n 's/^SUBLEVEL = //p' "$pristine/Makefile") from Debian linux-source"
	git -C "$dest.tmp" tag pinlife-base
	git -C "$dest.tmp" config user.name pinlife
	git -C "$dest.tmp" config user.email pinlife@localhost
	mv "$dest.tmp" "$dest"
fi

state=$dest/.git/pinlife-applied
if [ -f "$state" ]; then
	read -r old_hash old_head < "$state" || true
	head=$(g rev-parse HEAD)
	dirty=$(g status --porcelain --untracked-files=no)
	if [ "$editable" = --editable ] && { [ "$head" != "$old_head" ] || [ -n "$dirty" ]; }; then
		echo "pinlife: error: $dest has commits or edits that are not in $pdir." >&2
		echo "pinlife: run 'make export' to keep them, or remove $dest to discard them." >&2
		exit 1
	fi
	if [ "$old_hash" = "$hash" ] && [ "$head" = "$old_head" ] && [ -z "$dirty" ]; then
		exit 0
	fi
fi

rm -f "$state"
g am --abort >/dev/null 2>&1 || true
g checkout -q -f -B pinlife pinlife-base
n=0
for p in $(grep -v '^[[:space:]]*\(#\|$\)' "$pdir/series"); do
	abs=$(cd "$pdir" && pwd)/$p
	if ! out=$(g am -q --committer-date-is-author-date "$abs" 2>&1); then
		files=$(printf '%s\n' "$out" | sed -n 's/^error: patch failed: \(.*\):[0-9]*$/\1/p; s/^error: \(.*\): does not exist in index$/\1/p; s/^error: \(.*\): already exists in index$/\1/p' | sort -u | tr '\n' ' ')
		g am --abort >/dev/null 2>&1 || true
		echo "pinlife: error: patch $pdir/$p does not apply${files:+ (failing: $files)}" >&2
		printf '%s\n' "$out" | sed 's/^/  git am: /' >&2
		exit 1
	fi
	n=$((n + 1))
done
echo "$hash $(g rev-parse HEAD)" > "$state"
echo "pinlife: $dest: base + $n patches applied"
