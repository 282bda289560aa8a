#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Pack the guest: busybox, mke2fs (with the libraries it links), the init
# script and the guest programs built for one kernel; and any further host
# programs named after OUT.cpio (make check's guest adds stress-ng, whose
# libraries take 30 MiB of guest memory that the benchmarks need).
# Usage: scripts/initramfs.sh GUEST_PROGS_DIR INIT BENCH_SCRIPT OUT.cpio [PROG...]
set -eu

progs=$1 init=$2 bench=$3 out=$4
shift 4
stage=$out.d
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/sbin" "$stage/tests" "$stage/dev"
cp /bin/busybox "$stage/bin/busybox"
cp "$init" "$stage/init"
cp "$bench" "$stage/tests/bench.sh"
chmod 755 "$stage/init" "$stage/tests/bench.sh"
cp -a "$progs/mm" "$progs/pinlife" "$stage/tests/"

# Dynamically linked host programs, with the libraries they link.
for prog in mke2fs "$@"; do
	path=$(command -v "$prog")
	cp "$path" "$stage/sbin/$prog"
	for lib in $(ldd "$path" | awk '/=>/ {print $3} /^\t\// {print $1}'); do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
done
# mke2fs needs its config for the ext4 feature set.
mkdir -p "$stage/etc"
cp /etc/mke2fs.conf "$stage/etc/mke2fs.conf"

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
