#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of 'make bench': gup_test benchmarks, each repeated, one
# PINLIFE-BENCH line per measurement. Booted with -icount, guest time
# counts instructions, so stock and patched are compared exactly.
reps=3
bench() {
	name=$1
	shift
	i=0
	while [ $i -lt $reps ]; do
		/tests/mm/gup_test "$@" 2>&1 | sed -n "s/.*Time: get:\([0-9]*\) put:\([0-9]*\) us.*/PINLIFE-BENCH $name get_us=\1 put_us=\2/p"
		i=$((i + 1))
	done
}
for mb in 4 64; do
	for thp in -T -t; do
		t=${thp#-}
		bench "get_fast.$t.${mb}M" -u $thp -m $mb
		bench "pin_fast.$t.${mb}M" -a $thp -m $mb
		bench "pin_longterm.$t.${mb}M" -L $thp -m $mb
		bench "get_basic.$t.${mb}M" -U $thp -m $mb
		bench "pin_basic.$t.${mb}M" -b $thp -m $mb
	done
done
