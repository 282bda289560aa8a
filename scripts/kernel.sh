#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Configure (tinyconfig + the pinlife fragment) and build one kernel out of
# tree, then install its UAPI headers for the guest programs. Incremental:
# with nothing changed, make finds nothing to do.
# Usage: scripts/kernel.sh SRC OBJ FRAGMENT
set -eu

src=$1 obj=$2 frag=$3
jobs=${JOBS:-$(nproc)}
mkdir -p "$obj"
obj=$(cd "$obj" && pwd)
log=$obj/build.log
kmake() { make -C "$src" O="$obj" -j"$jobs" "$@"; }

fhash=$(sha256sum "$frag" | cut -d' ' -f1)
if [ ! -f "$obj/.config" ] || [ "$(cat "$obj/.config.pinlife" 2>/dev/null)" != "$fhash" ]; then
	echo "pinlife: configuring $obj (tinyconfig + $(basename "$frag"))"
	kmake tinyconfig >"$log" 2>&1
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" >>"$log" 2>&1
	kmake olddefconfig >>"$log" 2>&1
	bad=0
	for line in $(grep '^CONFIG_' "$frag"); do
		key=${line%%=*} val=${line#*=}
		if [ "$val" = n ]; then
			grep -q "^$key=" "$obj/.config" || continue
		else
			grep -qx "$line" "$obj/.config" && continue
		fi
		# a symbol this kernel does not have (the series' own, on stock)
		grep -rqx --include='Kconfig*' "config ${key#CONFIG_}" "$src" || continue
		echo "pinlife: error: $frag asks for $line; the kernel config has: $(grep -E "^$key=|^# $key is not set" "$obj/.config" || echo 'nothing')" >&2
		bad=1
	done
	[ "$bad" = 0 ] || exit 1
	echo "$fhash" > "$obj/.config.pinlife"
fi

echo "pinlife: building $(basename "$obj") kernel (log: $log)"
if ! kmake bzImage >"$log" 2>&1; then
	echo "pinlife: error: kernel build failed in $obj; last lines of $log:" >&2
	grep -E 'error|Error' "$log" | tail -n 20 >&2
	tail -n 15 "$log" >&2
	exit 1
fi
if ! kmake headers_install INSTALL_HDR_PATH="$obj/usr-headers" >>"$log" 2>&1; then
	echo "pinlife: error: headers_install failed in $obj; see $log" >&2
	exit 1
fi
