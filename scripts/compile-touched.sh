#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Compile every kernel C file the series touches (userspace under tools/,
# the selftests, is built for the guest by tests/guest/Makefile), in a
# configuration that builds it: x86-64 allmodconfig for everything outside
# arch/, the matching Debian cross compiler for arch files (powerpc, s390,
# sparc). allmodconfig turns on CONFIG_WERROR, so a warning fails too.
# Files that only build on another architecture (drivers/sbus, the SPAPR
# TCE IOMMU) are mapped to it. Each configuration is prepared once in
# OUT_DIR and reused, and its files are built in one make (each file on
# its own only when that fails, to name the culprits); OUT_DIR/passed
# records the tree that last compiled the whole series cleanly, so that an
# unchanged series is not compiled again.
#
# With PATCH names, only the files those patches touch (make bisect-check,
# one patch at a time); with ONLY=CONFIG in the environment, only the files
# that configuration builds (the others are left out, not failed).
# Usage: [ONLY=CONFIG] scripts/compile-touched.sh PATCHED_SRC PATCH_DIR OUT_DIR [PATCH...]
set -eu

src=$1 pdir=$2 out=$3
shift 3
head=$(git -C "$src" rev-parse HEAD 2>/dev/null || echo none)
whole=yes
if [ $# -gt 0 ]; then
	whole=no
else
	set -- $(grep -v '^[[:space:]]*\(#\|$\)' "$pdir/series")
	if [ -f "$out/passed" ] && [ "$(cat "$out/passed")" = "$head" ]; then
		echo "compile-touched: unchanged since it last passed"
		exit 0
	fi
fi
rm -f "$out/passed"
jobs=${JOBS:-$(nproc)}
mkdir -p "$out"
out=$(cd "$out" && pwd)

files=$(for p in "$@"; do
	sed -n 's|^+++ b/\(.*\.c\)$|\1|p' "$pdir/$p"
done | grep -v '^tools/' | sort -u)
[ -n "$files" ] || { echo "compile-touched: no C file to compile"; exit 0; }

# config NAME: ARCH CROSS_COMPILE "config commands"
config_of() {
	case $1 in
	arch/powerpc/kvm/e500*) echo ppc32-e500mc ;;
	arch/powerpc/* | drivers/vfio/vfio_iommu_spapr_tce.c) echo ppc64-allmod ;;
	arch/s390/*) echo s390-allmod ;;
	arch/sparc/* | drivers/sbus/*) echo sparc64-allmod ;;
	arch/x86/* | [!a]* | a[!r]*) echo x86-allmod ;;
	*) echo unsupported ;;
	esac
}

kmake() { # kmake CONFIG ARGS...
	c=$1
	shift
	case $c in
	x86-allmod) set -- ARCH=x86_64 "$@" ;;
	ppc64-allmod) set -- ARCH=powerpc CROSS_COMPILE=powerpc64-linux-gnu- "$@" ;;
	ppc32-e500mc) set -- ARCH=powerpc CROSS_COMPILE=powerpc64-linux-gnu- "$@" ;;
	s390-allmod) set -- ARCH=s390 CROSS_COMPILE=s390x-linux-gnu- "$@" ;;
	sparc64-allmod) set -- ARCH=sparc64 CROSS_COMPILE=sparc64-linux-gnu- "$@" ;;
	esac
	make -C "$src" O="$out/$c" -j"$jobs" "$@"
}

prepare() { # prepare CONFIG
	c=$1
	[ -f "$out/$c/.config" ] && return 0
	echo "compile-touched: configuring $c"
	mkdir -p "$out/$c"
	case $c in
	ppc32-e500mc)
		kmake "$c" corenet32_smp_defconfig >"$out/$c.log" 2>&1
		"$src/scripts/config" --file "$out/$c/.config" -e VIRTUALIZATION \
			-e KVM_E500MC
		kmake "$c" olddefconfig >>"$out/$c.log" 2>&1 ;;
	*)
		kmake "$c" allmodconfig >"$out/$c.log" 2>&1 ;;
	esac || { echo "compile-touched: error: configuring $c failed, see $out/$c.log" >&2; exit 1; }
}

# compile CONFIG FILE...: all of them in one make (kbuild builds several
# single targets in one pass, over all cores, preparing the tree once);
# when that fails, each file again on its own, to name the ones that fail.
compile() {
	c=$1
	shift
	prepare "$c"
	objs=$(for f; do echo "${f%.c}.o"; done)
	# shellcheck disable=SC2086
	if kmake "$c" $objs >"$out/$c.last.log" 2>&1; then
		for f; do echo "  CC [$c] $f"; done
		n=$((n + $#))
		return 0
	fi
	for f; do
		n=$((n + 1))
		if kmake "$c" "${f%.c}.o" >"$out/$c.last.log" 2>&1; then
			echo "  CC [$c] $f"
		else
			echo "compile-touched: error: $f does not build in $c:" >&2
			grep -E 'error|warning' "$out/$c.last.log" | head -n 20 >&2
			tail -n 5 "$out/$c.last.log" >&2
			bad=$((bad + 1))
		fi
	done
}

bad=0 n=0
configs=
for f in $files; do
	c=$(config_of "$f")
	[ -z "${ONLY:-}" ] || [ "$c" = "$ONLY" ] || continue
	if [ "$c" = unsupported ]; then
		echo "compile-touched: error: no configuration builds $f" >&2
		bad=$((bad + 1))
		continue
	fi
	case " $configs " in *" $c "*) ;; *) configs="$configs $c" ;; esac
done
for c in $configs; do
	# shellcheck disable=SC2046
	compile "$c" $(for f in $files; do [ "$(config_of "$f")" = "$c" ] && echo "$f"; done)
done
echo "compile-touched: $n files compiled, $bad failed"
[ "$bad" = 0 ]
[ "$whole" = no ] || [ -n "${ONLY:-}" ] || echo "$head" > "$out/passed"
