#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot one kernel with one initramfs in QEMU (software emulation) and keep
# what it printed: OUT_DIR/console.log (the kernel, ttyS0) and
# OUT_DIR/tests.log (the guest programs, ttyS1). The guest reboots when
# done and -no-reboot turns that into QEMU exiting.
#
# Usage: scripts/boot.sh BZIMAGE INITRAMFS MODE OUT_DIR [TIMEOUT_S] [--icount]
# MODE: check, gigantic, run, bench, profile or mm (tests/guest/init).
# GUEST_APPEND adds kernel parameters, e.g. pinlife.only=pin_stress,vmsplice
# to run just those suites in check mode, or pinlife.harms=cma,gigantic and
# pinlife.paths=fuse_splice,jbd2 to run just those harm scenarios in run
# mode.
# Exit: 0 QEMU exited by itself; 124 the guest hit the timeout (the tail of
# both logs is printed); anything else is QEMU's own failure.
set -eu

kernel=$1 initrd=$2 mode=$3 out=$4 limit=${5:-300} icount=${6:-}
mkdir -p "$out"
: > "$out/console.log"
: > "$out/tests.log"
# A blank 64 MiB NVMe namespace, new for every boot.
rm -f "$out/nvme.img"
truncate -s 64M "$out/nvme.img"

# Two vCPUs on multi-threaded TCG, so that pins, migration and LRU
# draining race as on real machines. -icount needs a single TCG thread:
# the benchmarks keep one vCPU, and guest time then counts instructions.
extra="-smp 2 -accel tcg,thread=multi"
[ "$icount" = --icount ] && extra="-smp 1 -icount shift=0,sleep=off"
# QEMU_PLUGIN: a TCG plugin and its arguments (make profile: insnprof).
[ -n "${QEMU_PLUGIN:-}" ] && extra="$extra -plugin $QEMU_PLUGIN"

# An NVMe controller with one namespace (io_uring passthrough tests).
# 1 GiB: the 64 MiB CMA area, 32 reserved 2 MiB huge pages for the
# hugetlb cases, and room for the tests. Four RAM disks of 128 MiB: ext4
# and swap. panic=-1 and reboot=t end the boot at once on an oops.
# nvme.io_queue_depth=64 keeps each NVMe queue within a page: larger
# coherent DMA buffers come from the default CMA area, and the tests need
# all of it free.
append="console=ttyS0 loglevel=5 pinlife.mode=$mode hugepages=32 \
nvme.io_queue_depth=64 \
brd.rd_nr=4 brd.rd_size=131072 panic=-1 reboot=t nokaslr ${GUEST_APPEND:-}"
mem=1G
# make check's kernel runs with the series' pin tracker switched on (an
# unknown parameter to stock); PIN_OWNER=off boots it switched off.
[ "$mode" = check ] && [ "${PIN_OWNER:-on}" = on ] &&
	append="$append page_pin_owner=on"

# make check's stress suite also offlines and onlines memory (STRESS_HOTPLUG=0
# leaves it out): 256 MiB at 4 GiB that mem=1G hides from the boot (3 GiB:
# q35 puts 2 GiB below 4 GiB, 1 GiB above), added by the suite as
# ZONE_MOVABLE and offlined again when it ends. Not right above 1 GiB: QEMU
# loads the initramfs at the top of the memory below 4 GiB, and the range
# the kernel moves it from stays claimed.
if [ "$mode" = check ] && [ "${STRESS_HOTPLUG:-1}" != 0 ]; then
	mem=3G
	append="$append mem=1G pinlife.probe=0x100000000,0x10000000"
fi
# The gigantic-page cases of gup_longterm and cow need two free 1 GiB
# pages (cow takes a second one so that unsharing the first cannot fail),
# reserved at boot. 6 GiB: q35 puts 2 GiB below 4 GiB, with QEMU's
# initramfs at its top, and 4 GiB at [4 GiB, 8 GiB), whose top the boot's
# own early allocations take: two 1 GiB-aligned gigabytes stay free below
# them. Only those suites run in it, so its size slows nothing.
if [ "$mode" = gigantic ]; then
	mem=6G
	append="$append hugepagesz=1G hugepages=2"
fi
# mremap_test's 2 GiB cases need the memory to commit to.
[ "$mode" = mm ] && mem=3G
# The harm scenarios (run) need two more regions that pins must not stay
# in. 5 GiB: q35 puts 2 GiB below 4 GiB and 3 GiB at [4 GiB, 7 GiB).
# mem=6G hides the last GiB from the boot; the guest probes it at run
# time and onlines it into ZONE_MOVABLE (pinlife.probe=START,SIZE), to
# offline it again. hugetlb_cma=1G takes [4 GiB, 5 GiB) for 1 GiB huge
# pages (CMA reserves bottom-up from 4 GiB), and the default CMA area is
# placed right above it, so that both are in ZONE_NORMAL, which movable
# allocations use once ZONE_MOVABLE is full.
if [ "$mode" = run ]; then
	mem=5G
	append="$append mem=6G hugetlb_cma=1G cma=64M@0x140000000-0x144000000 \
pinlife.probe=0x180000000,0x40000000"
fi

set +e
# shellcheck disable=SC2086
timeout --foreground -k 5 "$limit" qemu-system-x86_64 \
	-machine q35 -cpu qemu64,+pdpe1gb -m $mem $extra \
	-nographic -no-reboot -nodefaults -no-user-config \
	-drive file="$out/nvme.img",if=none,id=nvm,format=raw \
	-device nvme,serial=pinlife,drive=nvm \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-serial "file:$out/console.log" -serial "file:$out/tests.log" \
	</dev/null >"$out/qemu.log" 2>&1
rc=$?
set -e
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "pinlife: error: the guest ($mode, $(basename "$(dirname "$kernel")")) did not finish within ${limit}s" >&2
	echo "--- last lines of $out/console.log" >&2
	tail -n 25 "$out/console.log" >&2
	echo "--- last lines of $out/tests.log" >&2
	tail -n 15 "$out/tests.log" >&2
	exit 124
fi
if [ "$rc" != 0 ]; then
	echo "pinlife: error: qemu-system-x86_64 failed (exit $rc):" >&2
	cat "$out/qemu.log" >&2
	exit "$rc"
fi
