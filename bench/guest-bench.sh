#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of 'make bench': one PINLIFE-BENCH line per measurement.
# Booted with -icount, guest time counts instructions, so stock and
# patched are compared exactly. Names say what is compared:
#   pin_fast.short  stock: the short-term pin (the old default);
#                   patched: an ephemeral pin (gup_test -e)
#   pin_longterm    stock: FOLL_LONGTERM; patched: the default pin
bench() {
	name=$1
	shift
	/tests/mm/gup_test -r 5 "$@" 2>&1 | sed -n "s/.*Time: get:\([0-9]*\) put:\([0-9]*\) us.*/PINLIFE-BENCH $name get_us=\1 put_us=\2/p"
}
# A gup_test that knows -e asks for ephemeral pins: the patched kernel.
eph=
/tests/mm/gup_test -a -e -m 1 >/dev/null 2>&1 && eph=-e
for mb in 4 64; do
	for thp in -T -t; do
		case $thp in -T) pages=4k ;; -t) pages=thp ;; esac
		bench "get_fast.$pages.${mb}M" -u $thp -m $mb
		bench "pin_fast.short.$pages.${mb}M" -a $eph $thp -m $mb
		bench "pin_longterm.$pages.${mb}M" -L $thp -m $mb
	done
done
# vmsplice into a pipe read concurrently (memory outside CMA), three runs,
# before anything fills memory and leaves free pages in CMA.
for i in 1 2 3; do
	/tests/pinlife/pin_bench throughput 64
done
# Page cache spliced into a pipe and sendfile()d into loopback TCP, read
# concurrently (outside CMA: the series' placement check per folio).
for i in 1 2 3; do
	/tests/pinlife/pin_bench splice 64
	/tests/pinlife/pin_bench sendfile 64
done
# The cost of splicing pages that sit in CMA.
/tests/pinlife/pin_bench cma
# Long-term pin of pages that sit in CMA: the migration.
for i in 1 2 3; do
	/tests/pinlife/pin_bench pin-cma
done
# The same over a span of fixed layout (half of its pages in CMA).
for i in 1 2 3; do
	/tests/pinlife/pin_bench pin-cma-span
done
# A direct-I/O SG_IO command (the patched kernel unpins from a work item).
for i in 1 2 3; do
	/tests/pinlife/pin_bench sg-dio 2000
done
# Direct I/O that a userspace server completes, answered at once: FUSE and
# ublk reads into pages outside CMA (the placement check), then into pages
# that sit in CMA (the migration).
for i in 1 2 3; do
	/tests/pinlife/pin_bench fuse-dio 2000
	/tests/pinlife/pin_bench ublk-dio 2000
done
/tests/pinlife/pin_bench fuse-dio-cma
/tests/pinlife/pin_bench ublk-dio-cma
# Local O_DIRECT, which the kernel completes: a RAM disk, into pages
# outside CMA and into pages in CMA; and into a MAP_SHARED ext4 mapping.
for i in 1 2 3; do
	/tests/pinlife/pin_bench dio-local 2000
done
/tests/pinlife/pin_bench dio-local-cma
mkdir -p /mnt/ext4
/sbin/mke2fs -q -F -t ext4 /dev/ram0 && mount -t ext4 /dev/ram0 /mnt/ext4 &&
	/tests/pinlife/pin_bench dio-shared
