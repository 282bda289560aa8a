#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot one kernel with one initramfs in QEMU (software emulation) and keep
# what it printed: OUT_DIR/console.log (the kernel, ttyS0) and
# OUT_DIR/tests.log (the guest programs, ttyS1). The guest reboots when
# done and -no-reboot turns that into QEMU exiting.
#
# Usage: scripts/boot.sh BZIMAGE INITRAMFS MODE OUT_DIR [TIMEOUT_S] [--icount]
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

# An NVMe controller with one namespace (io_uring passthrough tests).
# 1 GiB: the 64 MiB CMA area, 32 reserved 2 MiB huge pages for the
# hugetlb cases, and room for the tests. Four RAM disks of 128 MiB: ext4
# and swap. panic=-1 and reboot=t end the boot at once on an oops.
# nvme.io_queue_depth=64 keeps each NVMe queue within a page: larger
# coherent DMA buffers come from the default CMA area, and the tests need
# all of it free.
append="console=ttyS0 loglevel=5 pinlife.mode=$mode hugepages=32 \
nvme.io_queue_depth=64 \
brd.rd_nr=4 brd.rd_size=131072 panic=-1 reboot=t nokaslr"

set +e
# shellcheck disable=SC2086
timeout --foreground -k 5 "$limit" qemu-system-x86_64 \
	-machine q35 -cpu qemu64,+pdpe1gb -m 1G $extra \
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
