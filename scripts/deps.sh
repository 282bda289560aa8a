#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the host tools pinlife needs, with apt-get, when any is missing.
# Usage: scripts/deps.sh
set -eu

# command:debian-package (a path means a file the package provides)
need="gcc:build-essential make:make bc:bc flex:flex bison:bison
perl:perl cpio:cpio git:git python3:python3 rsync:rsync
dpkg-deb:dpkg apt-get:apt
qemu-system-x86_64:qemu-system-x86
/bin/busybox:busybox-static
mke2fs:e2fsprogs
stress-ng:stress-ng
spatch:coccinelle
powerpc64-linux-gnu-gcc:gcc-powerpc64-linux-gnu
s390x-linux-gnu-gcc:gcc-s390x-linux-gnu
sparc64-linux-gnu-gcc:gcc-sparc64-linux-gnu
/usr/include/libelf.h:libelf-dev
/usr/include/openssl/ssl.h:libssl-dev
/usr/lib/x86_64-linux-gnu/liburing.a:liburing-dev
/usr/include/sys/capability.h:libcap-dev"

missing=
for item in $need; do
	what=${item%%:*}
	pkg=${item#*:}
	case $what in
	/*) [ -e "$what" ] && continue ;;
	*) command -v "$what" >/dev/null 2>&1 && continue ;;
	esac
	missing="$missing $pkg"
done

[ -z "$missing" ] && exit 0

echo "pinlife: installing missing build dependencies:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "pinlife: error: not root; install these packages by hand:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || {
	echo "pinlife: error: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null || {
	echo "pinlife: error: apt-get install$missing failed" >&2; exit 1; }
