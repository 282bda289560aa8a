#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of 'make bench': gup_test benchmarks, one PINLIFE-BENCH line
# per measurement (gup_test -r repeats the ioctl in one process). Booted
# with -icount, guest time counts instructions, so stock and patched are
# compared exactly.
bench() {
	name=$1
	shift
	/tests/mm/gup_test -r 5 "$@" 2>&1 | sed -n "s/.*Time: get:\([0-9]*\) put:\([0-9]*\) us.*/PINLIFE-BENCH $name get_us=\1 put_us=\2/p"
}
for mb in 4 64; do
	for thp in -T -t; do
		case $thp in -T) pages=4k ;; -t) pages=thp ;; esac
		bench "get_fast.$pages.${mb}M" -u $thp -m $mb
		bench "pin_fast.$pages.${mb}M" -a $thp -m $mb
		bench "pin_longterm.$pages.${mb}M" -L $thp -m $mb
	done
done
# vmsplice into a pipe read concurrently (memory outside CMA), three runs;
# then the cost of splicing pages that sit in CMA.
for i in 1 2 3; do
	/tests/pinlife/vmsplice_bench throughput 64
done
/tests/pinlife/vmsplice_bench cma
