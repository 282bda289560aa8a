#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's linux-source package at the pinned version and unpack the
# pristine kernel source into the build folder.
# Usage: scripts/fetch.sh BUILD_DIR PACKAGE VERSION
# Leaves BUILD_DIR/src/stock (the pristine tree) and BUILD_DIR/src/stock.stamp.
set -eu

build=$1 pkg=$2 ver=$3
dl=$build/dl
src=$build/src/stock
stamp=$build/src/stock.stamp

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pkg=$ver" ] && [ -d "$src" ]; then
	exit 0
fi

mkdir -p "$dl"
deb=$(ls "$dl"/"${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ] || [ "$(dpkg-deb -f "$deb" Version)" != "$ver" ]; then
	rm -f "$dl"/"${pkg}"_*.deb
	offered=$(apt-cache madison "$pkg" 2>/dev/null | awk '{print $3}' | tr '\n' ' ')
	if [ -z "$offered" ]; then
		apt-get update -q >/dev/null 2>&1 || true
		offered=$(apt-cache madison "$pkg" 2>/dev/null | awk '{print $3}' | tr '\n' ' ')
	fi
	case " $offered " in
	*" $ver "*) ;;
	*)
		echo "pinlife: error: $pkg version $ver is not offered by the package archive." >&2
		echo "pinlife: versions offered: ${offered:-none}" >&2
		echo "pinlife: to build another base on purpose: make KERNEL_VERSION=<version> (and re-check the series)" >&2
		exit 1 ;;
	esac
	echo "pinlife: downloading $pkg=$ver"
	(cd "$dl" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1) || {
		echo "pinlife: error: apt-get download $pkg=$ver failed" >&2; exit 1; }
	deb=$(ls "$dl"/"${pkg}"_*.deb | head -n 1)
fi

echo "pinlife: unpacking $(basename "$deb")"
rm -rf "$build/deb" "$src" "$stamp"
dpkg-deb -x "$deb" "$build/deb"
tarball=$(ls "$build"/deb/usr/src/linux-source-*.tar.xz | head -n 1)
mkdir -p "$build/src" "$src.tmp"
tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
rm -rf "$build/deb"
mv "$src.tmp" "$src"
echo "$pkg=$ver" > "$stamp"
