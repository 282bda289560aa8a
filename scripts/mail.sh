#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Write the series as mail for git send-email: the git format-patch files
# of PATCH_DIR (cover letter included), with the sender's git identity as
# author and in Signed-off-by instead of the project's placeholder, and
# To/Cc headers per patch from the kernel's scripts/get_maintainer.pl:
# To the maintainers, Cc the reviewers and lists. The cover letter goes to
# the maintainers of the mm patches and Cc's everyone the other patches
# go to, plus the people of the 2023 thread (PATCH_DIR/cover-cc).
# Nothing is sent. Usage: scripts/mail.sh KERNEL_SRC PATCH_DIR OUT_DIR
set -eu

src=$1 pdir=$(cd "$2" && pwd) out=$3
placeholder='pinlife <pinlife@localhost>'
name=$(git config user.name || true)
email=$(git config user.email || true)
if [ -z "$name" ] || [ -z "$email" ]; then
	echo "pinlife: error: no git identity to send as; set it first:" >&2
	echo "  git config --global user.name 'Your Name'" >&2
	echo "  git config --global user.email you@example.org" >&2
	exit 1
fi
me="$name <$email>"
if [ "$me" = "$placeholder" ] || [ "$email" = "pinlife@localhost" ]; then
	echo "pinlife: error: '$me' is the project's placeholder, not a sender" >&2
	exit 1
fi
gm="$src/scripts/get_maintainer.pl"
[ -f "$gm" ] || { echo "pinlife: error: $gm is missing (make fetch)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# maint PATCH ROLE: one address per line, ROLE m (maintainers) or rl
# (reviewers and lists)
maint() {
	case $2 in
	m) roles="--m --no-r --no-l" ;;
	*) roles="--no-m --r --l" ;;
	esac
	# shellcheck disable=SC2086
	if ! (cd "$src" && perl scripts/get_maintainer.pl --no-git \
		--no-git-fallback --no-rolestats --no-multiline $roles \
		--separator '
' "$1") > "$tmp/gm" 2> "$tmp/gm.err"; then
		echo "pinlife: error: get_maintainer.pl failed on $(basename "$1"):" >&2
		cat "$tmp/gm.err" >&2
		exit 1
	fi
	sed '/^$/d' "$tmp/gm"
}

# header FIELD FILE-OF-ADDRESSES: "Field: a,\n b" folded, or nothing
header() {
	[ -s "$2" ] || return 0
	awk -v f="$1" 'NR == 1 { line = f ": " $0; next }
		{ print line ","; line = " " $0 }
		END { print line }' "$2"
}

# mailify IN OUT TO-FILE CC-FILE: the sender for the placeholder, and the
# To/Cc headers after the Subject (folded header lines included)
mailify() {
	{ header To "$3"; header Cc "$4"; } > "$tmp/hdr"
	sed -e "s|^From: $placeholder\$|From: $me|" \
	    -e "s|^Signed-off-by: $placeholder\$|Signed-off-by: $me|" "$1" |
	awk -v hdr="$tmp/hdr" '
		done { print; next }
		/^Subject:/ { subj = 1; print; next }
		subj && /^[ \t]/ { print; next }
		subj { while ((getline l < hdr) > 0) print l
		       done = 1; print; next }
		{ print }' > "$2"
	if grep -q "pinlife@localhost" "$2"; then
		echo "pinlife: error: $(basename "$1"): the placeholder identity is left in it" >&2
		exit 1
	fi
}

n=0
: > "$tmp/all-m"
: > "$tmp/all-rl"
: > "$tmp/mm-m"
for p in $(grep -v '^[[:space:]]*\(#\|$\)' "$pdir/series"); do
	maint "$pdir/$p" m > "$tmp/to"
	maint "$pdir/$p" rl | grep -vxF -f "$tmp/to" > "$tmp/cc" || true
	mailify "$pdir/$p" "$out/$p" "$tmp/to" "$tmp/cc"
	cat "$tmp/to" >> "$tmp/all-m"
	cat "$tmp/cc" >> "$tmp/all-rl"
	if grep -q '^+++ b/mm/' "$pdir/$p"; then
		cat "$tmp/to" >> "$tmp/mm-m"
	fi
	n=$((n + 1))
done

cl=$pdir/0000-cover-letter.patch
sort -u "$tmp/mm-m" > "$tmp/to"
{
	cat "$tmp/all-m" "$tmp/all-rl"
	[ -f "$pdir/cover-cc" ] && grep -v '^[[:space:]]*\(#\|$\)' "$pdir/cover-cc"
} | sort -u | grep -vxF -f "$tmp/to" > "$tmp/cc" || true
mailify "$cl" "$out/0000-cover-letter.patch" "$tmp/to" "$tmp/cc"

echo "pinlife: wrote $n patches and the cover letter to $out, from $me"
echo "pinlife: cover letter to $(wc -l < "$tmp/to") maintainers, Cc $(wc -l < "$tmp/cc")"
echo "pinlife: send with: git send-email --no-chain-reply-to $out/*.patch"
