#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unit tests for pinaudit over the fixtures in tests/fixtures.
#
#  - lint fixtures: a line marked "expect: RULE" must get exactly that
#    warning (positive); a function named neg_* must get none (negative);
#    any other warning in the file is a failure.
#  - flags fixture: a line marked "expect-flags: NAMES; cond=yes|no;
#    class=KEY" must be inventoried with those values.
#  - generation detection, output formats, exit codes, risk report.
#
# Usage: run-unit.sh PATH/TO/pinaudit

BIN=${1:?usage: run-unit.sh PINAUDIT}
T=$(cd "$(dirname "$0")" && pwd)
F=$T/fixtures
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else nok "$d"; fi
}

# lint_fixture TREE REL_FILE [pinaudit options]
lint_fixture() {
	tree=$1 rel=$2; shift 2
	path=$F/$tree/$rel
	"$BIN" lint -q "$@" "$F/$tree" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	grep -F "$path:" "$TMP/out" | grep ': warning: ' |
		sed -E 's/^.*:([0-9]+):[0-9]+: warning: .*\[pinaudit-([a-z-]+)\]$/\1:\2/' |
		sort >"$TMP/act"
	grep -n '/\* expect: [a-z-]* \*/' "$path" |
		sed -E 's/^([0-9]+):.*\/\* expect: ([a-z-]+) \*\/.*/\1:\2/' | sort >"$TMP/exp"
	while read -r e; do
		if grep -qx "$e" "$TMP/act"; then ok "$rel:$e"; else nok "$rel:$e not reported"; fi
	done <"$TMP/exp"
	comm -13 "$TMP/exp" "$TMP/act" >"$TMP/extra"
	while read -r e; do nok "$rel: unexpected warning $e"; done <"$TMP/extra"
	awk '/^[a-z].*[ *]neg_[a-z0-9_]+\(/ { match($0, /neg_[a-z0-9_]+/);
		name = substr($0, RSTART, RLENGTH); start = NR }
	     /^}/ { if (name != "") print name, start, NR; name = "" }' "$path" >"$TMP/negs"
	while read -r name s e; do
		bad=$(awk -F: -v s="$s" -v e="$e" '$1 >= s && $1 <= e' "$TMP/act")
		if [ -z "$bad" ]; then ok "$rel:$name"; else nok "$rel:$name warned: $bad"; fi
	done <"$TMP/negs"
	echo "$rc" >"$TMP/rc"
}
# note_fixture TREE REL_FILE: "expect-note: RULE" lines must get that note
# (lint without -q); neg_* functions must get none
note_fixture() {
	tree=$1 rel=$2
	path=$F/$tree/$rel
	"$BIN" lint "$F/$tree" >"$TMP/out" 2>/dev/null
	grep -F "$path:" "$TMP/out" | grep -E '^[^ ]*:[0-9]+:[0-9]+: note: .*\[pinaudit-[a-z-]+\]$' |
		sed -E 's/^.*:([0-9]+):[0-9]+: note: .*\[pinaudit-([a-z-]+)\]$/\1:\2/' |
		sort -u >"$TMP/act"
	grep -n '/\* expect-note: [a-z-]* \*/' "$path" |
		sed -E 's/^([0-9]+):.*\/\* expect-note: ([a-z-]+) \*\/.*/\1:\2/' | sort >"$TMP/exp"
	while read -r e; do
		if grep -qx "$e" "$TMP/act"; then ok "$rel:$e"; else nok "$rel:$e note not reported"; fi
	done <"$TMP/exp"
	comm -13 "$TMP/exp" "$TMP/act" >"$TMP/extra"
	while read -r e; do nok "$rel: unexpected note $e"; done <"$TMP/extra"
}
tree_rc() { # tree_rc TREE EXPECTED
	"$BIN" lint -q "$F/$1" >/dev/null 2>&1
	check "lint $1: exit $2" test $? = "$2"
}

# --- rules -----------------------------------------------------------------
lint_fixture tree-new drivers/eph/ephemeral.c
lint_fixture tree-new drivers/eph/keep.c
lint_fixture tree-new drivers/internal/internal.c
lint_fixture tree-new mm/gup.c
lint_fixture tree-new tools/testing/selftests/mm/gup_user.c
lint_fixture tree-old drivers/lt/longterm.c
lint_fixture tree-old drivers/lt/split_a.c
lint_fixture tree-old block/dio.c
# vendor patterns: compat macros and inline wrappers in a header, releases
# in other files of the Kbuild module (subdirectory too), sg tables walked
# to unpin, references kept until close, and a per-request pin that the
# caller releases before returning (negative)
lint_fixture tree-vendor drivers/npu/npu_main.c
lint_fixture tree-vendor drivers/npu/core/npu_sg.c
lint_fixture tree-vendor drivers/npu/npu_compat.h
# more vendor styles: a GPU userptr kept in the BO's array through a local
# pointer into it, then an sg table (the early "if (x) return y;" is no
# error path); a camera's per-request .free_req (a completion) against its
# stream buffers kept until close; TEE shm registered and unregistered in
# two arms of one ioctl; an FPGA region that frees the old pages before
# storing the new ones, and a fall-through label or nested goto on the
# normal path; an RDMA-like exported helper called from another module
# directory; zero-copy pages put in an skb's frags
lint_fixture tree-vendor drivers/gpu/gpu_userptr.c
lint_fixture tree-vendor drivers/camera/cam_req.c
lint_fixture tree-vendor drivers/tee/tee_vendor.c
lint_fixture tree-vendor drivers/fpga/fpga_region.c
lint_fixture tree-vendor drivers/rdma/hw/vhw.c
lint_fixture tree-vendor drivers/net/vzc.c
# a Kbuild module over three directories (include/, mem/): compat macros
# and a static inline under LINUX_VERSION_CODE in include/, buffers on a
# list, an sg table filled with sg_set_page() and walked with for_each_sg
# + sg_page(), references in an xarray dropped with release_pages(), all
# released from .release or a DESTROY/UNIMPORT ioctl in vx_drv.c; a
# per-submit mapping the caller's caller unmaps through a compat macro
lint_fixture tree-vendor drivers/accel/vx/mem/vx_buf.c
lint_fixture tree-vendor drivers/accel/vx/mem/vx_sg.c
lint_fixture tree-vendor drivers/accel/vx/mem/vx_import.c
lint_fixture tree-vendor drivers/accel/vx/include/vx_compat.h
# sg tables filled entry by entry (for_each_sg + sg_set_page()) and
# released by walks (for_each_sg_page + sg_page_iter_page(), for_each_sg
# + sg_page()): the holder is the table the loop walks, not the loop's
# iterator, and a walk of another struct's table releases other pages
lint_fixture tree-vendor drivers/media/vcap/vcap_sg.c
"$BIN" inventory -f tsv "$F/tree-vendor" >"$TMP/o" 2>/dev/null
hold() { awk -F'\t' -v f="$1" '$4 == f { print $19 "|" $17 "|" $14 }' "$TMP/o" | sed 's/ [^ ]*:/:/'; }
check "sg: the table holds the pages, not the iterator (vx)" \
	test "$(hold vx_sg_register | cut -d'|' -f1,2)" = "sgt|user"
check "sg: the table holds the pages, its page walk releases them" \
	test "$(hold vcap_buf_map)" = "sgt|user|vcap_buf_unmap():60"
check "sg: another table's walk is no release of these pages" \
	test "$(hold neg_vcap_frame_map | cut -d'|' -f1,2)" = "sgt|bounded"
"$BIN" lint "$F/tree-vendor/drivers/media/vcap" >"$TMP/o" 2>/dev/null
check "sg: the note names the table and its struct" \
	grep -q 'vcap_sg.c:48: note: pages kept in the sg table sgt of struct vcap_buf by vcap_buf_map()' "$TMP/o"
# an object one ioctl creates and destroys (iova_bitmap's dirty report):
# what is pinned into it in between is released within that ioctl; a
# registration looked up and destroyed by a later ioctl is not
lint_fixture tree-vendor drivers/iommu/vdirty/vdirty.c
"$BIN" inventory -f tsv "$F/tree-vendor/drivers/iommu/vdirty" >"$TMP/o" 2>/dev/null
check "per-call object: bounded, and says which caller holds it" \
	grep -q 'vd_report() creates the object and destroys it with vd_bitmap_free() before returning' "$TMP/o"
# issue 28, sites not listed and old signatures: a compat header of
# #defines alone (aliases and function-like macros chosen under #if, one
# of them the old get_user_pages_remote(tsk, mm, ...)), the same function
# defined once per #if/#elif/#else branch (with functions after the
# branch that the reduced parse leaves out), and the pre-4.6/4.9
# get_user_pages(tsk, mm, start, n, write, force, pages, vmas) family
lint_fixture tree-vendor drivers/compat/vc/vc_main.c
lint_fixture tree-vendor drivers/compat/vc/vc_branches.c
lint_fixture tree-vendor drivers/compat/vc/vc_oldsig.c
"$BIN" inventory -f tsv "$F/tree-vendor/drivers/compat" >"$TMP/o" 2>/dev/null
vcol() { awk -F'\t' -v f="$1" -v l="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
	$1 ~ f && $2 == l { print $(k[c]) }' "$TMP/o"; }
check "branches: every branch's site is listed (3 in vc_branches.c)" \
	test "$(grep -c 'vc_branches.c' "$TMP/o")" = 3
check "branches: the #elif is named" test "$(vcol vc_branches 25 branch)" = "#elif LINUX_VERSION_CODE >= KERNEL_VERSION(4, 9, 0)"
check "branches: the #else names its #if" \
	test "$(vcol vc_branches 52 branch)" = "#else of #ifdef CONFIG_VC_SCRATCH"
check "old signature: write argument as the flags" test "$(vcol vc_oldsig 27 flags_expr)" = "1"
check "old signature: pages found by type, user-held" test "$(vcol vc_oldsig 27 lifetime)" = "user"
check "define-only header: alias macro is a wrapper" \
	test "$(vcol vc_main 20 via)" = "VC_PIN_USER_PAGES (macro) -> pin_user_pages()"
check "define-only header: old remote signature in a macro, flags found" \
	test "$(vcol vc_main 58 flags_expr)" = "FOLL_WRITE"
# false alarms: a transfer block on the read path's stack (its pages
# live for one call, as a kzalloc()/kfree() pair's), a never-called
# helper named *_release (no trigger by its name); the positive keeps
# another struct's pages until .release
lint_fixture tree-vendor drivers/compat/vc/vc_stack.c
# a local alias of a field's array, NULL in the arm the call is in (the
# else of "if (pages != NULL)", "if (!pages)"): nothing is kept there
lint_fixture tree-vendor drivers/compat/vc/vc_null.c
"$BIN" inventory -f tsv "$F/tree-vendor/drivers/compat" >"$TMP/o" 2>/dev/null
check "stack object: bounded by the call that declares it" \
	test "$(vcol vc_stack 38 lifetime)" = "bounded"
"$BIN" inventory -f json "$F/tree-vendor/drivers/compat" >"$TMP/o" 2>/dev/null
check "branches: json field" grep -q '"branch": "#else of #if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 6, 0)"' "$TMP/o"
# issue 28, holders that are not an array of pages (drivers/compat/vh):
# the entries of an array of structs (ptes[i].page, released by a helper
# through ptes[i].page); a store in the other arm of an if than the pin
# is not the pin's holder
lint_fixture tree-vendor drivers/compat/vh/vh_ptes.c
# a page turned into a pfn ("machine page number"), out through *mpn and
# into a tracker entry, released by a macro around
# put_page(pfn_to_page(pfn)) whose second argument is the pfn; a page
# returned by a helper and handed out through two levels of "struct page
# **" parameters into a long-lived port (negatives: the same shapes
# released before the call returns)
lint_fixture tree-vendor drivers/compat/vh/vh_pfn.c
lint_fixture tree-vendor drivers/compat/vh/vh_ret.c
# a release helper reached through a local alias of a struct's array
# ("pages = buf->pages; drop(pages[i])"); another struct's field of the
# same name, released the same way, is not that holder
lint_fixture tree-vendor drivers/compat/vh/vh_alias.c
# an OS layer for code linked in from elsewhere: a non-static function
# that hands its pages out through *page_array and that nothing in its
# module calls (outside a kernel tree: its callers keep them); the same
# shape with a caller in the module that unlocks at once is bounded
lint_fixture tree-vendor drivers/compat/vh/vh_os.c
# a page array turned into an sg table that drm_prime_pages_to_sg()
# returns into the object: the table holds the references, and outside a
# kernel tree a holder nothing in the module releases keeps them
lint_fixture tree-vendor drivers/compat/vh/vh_table.c
# a submit ioctl that queues its command and runs the queue's process
# function, which releases entries from the head of the queue and stops
# at one that blocks: the release depends on a queue userspace controls
# (negative: a command run and freed in the call)
lint_fixture tree-vendor drivers/compat/vh/vh_queue.c
# two holders named "page" in members of members (ch->test.dead.page,
# g.unload.page), read through no typed variable: the member they sit
# in tells them apart, so the scratch drop does not bound the channel's
lint_fixture tree-vendor drivers/compat/vh/vh_member.c
# a pfn handed back through two *pfn parameters into a fault handler that
# maps it into a user address space with remap_pfn_range(): the mapping
# keeps the reference until userspace detaches (negative: the reference
# dropped before the mapping is made)
lint_fixture tree-vendor drivers/compat/vh/vh_map.c
"$BIN" inventory -f tsv "$F/tree-vendor/drivers/compat/vh" >"$TMP/o" 2>/dev/null
check "queue: the trigger names the queue's consumer" \
	sh -c 'case "$1" in *"vh_q_process() releases entries from the head of a queue"*) exit 0;; esac; exit 1' - "$(vcol vh_queue 57 trigger)"
"$BIN" inventory -f tsv "$F/tree-vendor/drivers/compat/vh" >"$TMP/o" 2>/dev/null
check "pfn table: held in the entry's mpn, released through the macro" \
	test "$(vcol vh_pfn 53 holder)" = "mpn"
check "out-parameters: held in the port's poll_page" \
	test "$(vcol vh_ret 23 holder)" = "poll_page"
check "alias: released by the helper of vh_buf, not of vh_dbg" \
	sh -c 'case "$1" in *"released in vh_buf_put()"*) exit 0;; esac; exit 1' - "$(vcol vh_alias 50 evidence)"
# registered buffers in a bio_vec table, and a direct read whose request
# the read_iter path releases after the bio (a filesystem's DIO, as ivtv)
lint_fixture tree-vendor drivers/block/vblk/vblk.c
# a TEE module whose OS layer (os/, a Makefile's -objs) wraps the calls in
# macros that reorder the arguments, differ per kernel version and take
# the mmap lock in a statement expression, and in an out-of-line helper
lint_fixture tree-vendor drivers/tee/vtee/core/vtee_shm.c
lint_fixture tree-vendor drivers/tee/vtee/os/vtee_compat.c
# a hypervisor module: a pfn returned through *pfn and a return value into
# a vcpu mapping, a kernel address kept in a guest-registered area (the
# caller releases the old area, not the new one), a physical address
# handed to an IOMMU table by address; and the same values released
# before the call that took them returns
lint_fixture tree-vendor drivers/virt/vhv/vhv.c
# a hypervisor module on the new API: a helper whose callers pick the
# lifetime with their flags, references through the _longterm helper,
# and that helper's own body in mm/
lint_fixture tree-new drivers/hyp/hyp.c
# the user-served class: FOLL_USER_SERVED/ITER_USER_SERVED need no comment
# of their own, the ephemeral alternative of a site that picks one or the
# other at run time does; both on every path is refused by the kernel
lint_fixture tree-new drivers/served/served.c
"$BIN" inventory -f tsv "$F/tree-new" >"$TMP/o" 2>/dev/null
sv=$F/tree-new/drivers/served/served.c
scls() { awk -F'\t' -v p="$sv" -v f="$1" '$1 == p && $4 == f { print $11 "|" $10 }' "$TMP/o"; }
check "user-served: FOLL_USER_SERVED" test "$(scls neg_served_pin)" = "user-served|no"
check "user-served: ITER_USER_SERVED" test "$(scls neg_served_iter)" = "user-served|no"
check "user-served: on some paths (the rest long-term)" test "$(scls neg_served_sometimes)" = "user-served|yes"
check "user-served: ?: between the two, commented" \
	test "$(scls neg_choice_commented)" = "ephemeral-or-user-served-commented|yes"
check "user-served: ?: between the two, no comment" \
	test "$(scls pos_choice_no_comment)" = "ephemeral-or-user-served-uncommented|yes"
check "user-served: block's reassignment" \
	test "$(scls neg_block_style)" = "ephemeral-or-user-served-commented|yes"
check "user-served: conditional flags column" \
	test "$(awk -F'\t' -v p="$sv" '$1 == p && $4 == "neg_block_style" { print $16 }' "$TMP/o")" = \
	"ITER_EPHEMERAL|ITER_USER_SERVED|ITER_ALLOW_P2PDMA"
check "user-served: a reference stays reference-only" test "$(scls neg_served_get)" = "reference-only|no"
"$BIN" inventory "$F/tree-new" >"$TMP/o" 2>/dev/null
check "user-served: table class name" grep -q 'neg_served_pin .* user-served  ' "$TMP/o"
check "user-served: table, conditional class name" \
	grep -q 'neg_choice_commented .* ephemeral or user-served (commented)' "$TMP/o"
check "user-served: table summary counts the class" grep -q ' user-served 5;' "$TMP/o"
"$BIN" inventory -f json "$F/tree-new" >"$TMP/o" 2>/dev/null
check "user-served: json field" grep -q '"function": "neg_served_iter".*"class": "user-served", "ephemeral": false, "user_served": true' "$TMP/o"
check "user-served: json summary" grep -q '"user-served": 5, "ephemeral-or-user-served-commented": 3' "$TMP/o"
"$BIN" inventory -f sarif "$F/tree-new" >"$TMP/o" 2>/dev/null
check "user-served: sarif inventory message" grep -q 'in neg_served_pin(): user-served; flags FOLL_WRITE|FOLL_USER_SERVED' "$TMP/o"
check "user-served: sarif inventory class" grep -q '"properties": {"class": "ephemeral-or-user-served-commented"}' "$TMP/o"
"$BIN" lint -q -f sarif "$F/tree-new" >"$TMP/o" 2>/dev/null
check "user-served: sarif lint rule" grep -q '"ruleId": "user-served-conflict"' "$TMP/o"
"$BIN" risk "$F/tree-new" >"$TMP/o" 2>/dev/null
awk '/^### User-served/,/^### Long-term by default/' "$TMP/o" >"$TMP/sec"
check "user-served: risk section" grep -q 'neg_served_iter()' "$TMP/sec"
awk '/^### Ephemeral or user-served/,/^### User-served/' "$TMP/o" >"$TMP/sec"
check "user-served: risk, chosen at run time" grep -q 'neg_block_style()' "$TMP/sec"
"$BIN" risk -f json "$F/tree-new" >"$TMP/o" 2>/dev/null
check "user-served: risk json" grep -q '{"risk": "user-served", "site": {"file": "[^"]*served.c", "line": 31' "$TMP/o"
# needless-longterm: long-term pins always dropped before the call that
# took them returns (same function, a caller's cleanup helper, a
# _longterm reference whose address is handed back and dropped); not a
# pin kept until .release, dropped on one arm, after a success return,
# a remainder, or under a label only jumps reach
lint_fixture tree-new drivers/needless/needless.c
note_fixture tree-new drivers/needless/needless.c
# needless-longterm and looks-long-term agree: a pin another path keeps
# gets the advice for its dropping path's caller only, and that advice
# followed (the flags a parameter, FOLL_EPHEMERAL from that caller) is
# not looks-long-term (issue 28)
lint_fixture tree-new drivers/needless/needless_kept.c
note_fixture tree-new drivers/needless/needless_kept.c
"$BIN" lint "$F/tree-new/drivers/needless" >"$TMP/o" 2>/dev/null
check "needless-longterm: another path keeps the pages, said" \
	grep -q "needless_kept.c:27:9: note: .*another path keeps the pages (in pg, released in nk_unmap() only later), so only this path's caller may ask for it" "$TMP/o"
"$BIN" lint -q "$F/tree-new/drivers/needless" >"$TMP/o" 2>&1
check "needless-longterm: lint -q prints no note" test ! -s "$TMP/o"
"$BIN" lint "$F/tree-new/drivers/needless" >"$TMP/o" 2>"$TMP/e"
check "needless-longterm: notes alone exit 0" test $? = 0
check "needless-longterm: the summary counts notes" grep -q '0 warnings, 4 notes' "$TMP/e"
check "needless-longterm: the chain up to the releasing caller" \
	grep -q 'needless.c:79: note: nl_fixups() called from nl_execute()' "$TMP/o"
check "needless-longterm: where it is released" \
	grep -q 'needless.c:83: note: released by nl_cleanup() (unpin_user_pages_dirty_lock()) before nl_execute() returns' "$TMP/o"
"$BIN" lint -q -f sarif "$F/tree-new/drivers/needless" >"$TMP/o" 2>/dev/null
check "needless-longterm: sarif level note" \
	test "$(grep -c '"ruleId": "needless-longterm", "ruleIndex": 6, "level": "note"' "$TMP/o")" = 4
check "needless-longterm: sarif rule's default level" \
	grep -q '"id": "needless-longterm".*"defaultConfiguration": {"level": "note"}' "$TMP/o"
check "needless-longterm: sarif codeFlows" grep -q '"codeFlows"' "$TMP/o"
"$BIN" lint -f json "$F/tree-new/drivers/needless" >"$TMP/o" 2>/dev/null
check "needless-longterm: json level" grep -q '"rule": "needless-longterm", "level": "note"' "$TMP/o"
# the parse leaves out the bodies that cannot matter; a flag kept in a
# field that such a body assigns has the file parsed whole, and every
# output equals that of a whole parse
lint_fixture tree-new drivers/reduce/reduce.c
"$BIN" inventory -f tsv "$F/tree-new" >"$TMP/o" 2>/dev/null
check "left-out body: a field it assigns still resolves" \
	test "$(awk -F'\t' '$4 == "neg_rd_pin" { print $8 "|" $9 }' "$TMP/o")" = "FOLL_WRITE|mode (parameter)"
for t in tree-old tree-new tree-vendor; do
	for cmd in "inventory -f tsv" "lint" "risk"; do
		"$BIN" $cmd "$F/$t" >"$TMP/r1" 2>&1
		PINAUDIT_NO_REDUCE=1 "$BIN" $cmd "$F/$t" >"$TMP/r2" 2>&1
		check "$t: $cmd: the same with the whole files parsed" cmp -s "$TMP/r1" "$TMP/r2"
	done
done
"$BIN" inventory -f tsv "$F/tree-new" >"$TMP/o" 2>/dev/null
check "the _longterm helper's own call is no site to judge (lifetime none)" \
	test "$(awk -F'\t' '$4 == "get_user_pages_fast_longterm" { print $17 }' "$TMP/o")" = none
tree_rc tree-new 1
tree_rc tree-old 1
tree_rc tree-new/mm 0
tree_rc tree-old/block 0

# the same rules in FILES mode (the tree root is found from the file)
"$BIN" lint -q "$F/tree-new/drivers/internal/internal.c" >"$TMP/o" 2>&1
check "files mode: new API found from the file's tree" \
	test "$(grep -c 'pinaudit-internal-flag' "$TMP/o")" = 3
# a subdirectory of a tree: generation and mm/ are judged from the tree root
"$BIN" lint -q "$F/tree-new/drivers/internal" >"$TMP/o" 2>&1
check "subdirectory: new API found from the tree root" \
	test "$(grep -c 'pinaudit-internal-flag' "$TMP/o")" = 3
"$BIN" inventory -f json "$F/tree-new/mm" >"$TMP/o" 2>&1
check "subdirectory mm/: new API" grep -q '"api": "new"' "$TMP/o"
"$BIN" lint -q "$F/tree-new/mm" >"$TMP/o" 2>&1
check "subdirectory mm/: exempt from internal-flag" test ! -s "$TMP/o"
# --api old: FOLL_LONGTERM is fine on the old API
"$BIN" lint -q --api old "$F/tree-new/drivers/internal" >"$TMP/o" 2>&1
check "--api old: no internal-flag warnings" test "$(grep -c 'internal-flag' "$TMP/o")" = 0
# --api new on the old tree: explicit FOLL_LONGTERM is now an error
"$BIN" lint -q --api new "$F/tree-old" >"$TMP/o" 2>&1
check "--api new on old tree: internal-flag on flags.c" grep -q 'flags.c:.*internal-flag' "$TMP/o"
check "--api new on old tree: mm/ exempt" sh -c "! grep -q 'mm/gup.c' '$TMP/o'"

# --- flags and classes -------------------------------------------------------
"$BIN" inventory -f tsv "$F/tree-old" >"$TMP/tsv" 2>"$TMP/err"
check "inventory tsv exit 0" test $? = 0
fl=$F/tree-old/drivers/flags/flags.c
grep -n 'expect-flags:' "$fl" |
	sed -E 's/^([0-9]+):.*expect-flags: ([^;]*); cond=([a-z]+); class=([a-z-]+).*/\1;\2;\3;\4/' \
	>"$TMP/fexp"
while IFS=';' read -r line flags cond class; do
	row=$(awk -F'\t' -v p="$fl" -v l="$line" '$1 == p && $2 == l' "$TMP/tsv")
	got=$(printf '%s\n' "$row" | awk -F'\t' '{ print $8 "|" $10 "|" $11 }')
	if [ "$got" = "$flags|$cond|$class" ]; then
		ok "flags.c:$line $flags"
	else
		nok "flags.c:$line: got '$got', expected '$flags|$cond|$class'"
	fi
done <"$TMP/fexp"
cf() { awk -F'\t' -v p="$fl" -v f="$1" '$1 == p && $4 == f { print $16 }' "$TMP/tsv" | head -1; }
check "conditional flags: field" test "$(cf fl_field)" = "FOLL_WRITE"
check "conditional flags: local" test "$(cf fl_local)" = "FOLL_WRITE|FOLL_LONGTERM"
check "conditional flags: callers" test "$(cf fl_wrapper)" = "FOLL_LONGTERM"
check "conditional flags: &= ~" test "$(cf fl_clear)" = "FOLL_LONGTERM"
check "conditional flags: literal" test "$(cf fl_literal)" = ""
check "a comparison is not an unresolved flag" \
	test "$(awk -F'\t' -v p="$fl" '$1 == p && $4 == "fl_compare" { print $9 }' "$TMP/tsv")" = ""
check "comments and strings are not sites" \
	test "$(awk -F'\t' -v p="$fl" '$1 == p && $18 == ""' "$TMP/tsv" | wc -l)" = "$(wc -l <"$TMP/fexp")"
# calls through a function wrapper (flags passed in as a parameter) are sites
check "wrapper: fl_short_caller's call through fl_wrapper is a site" \
	grep -q "flags.c	102	.*fl_wrapper() -> pin_user_pages_fast()" "$TMP/tsv"
check "dio: extraction flags resolved through the local" \
	grep -q "dio.c	18	.*ITER_ALLOW_P2PDMA	.*yes	short-term-legacy" "$TMP/tsv"

# --- generation detection ----------------------------------------------------
"$BIN" inventory -f json "$F/tree-new" >"$TMP/j" 2>/dev/null
check "auto: tree-new is new API" grep -q '"api": "new"' "$TMP/j"
"$BIN" inventory -f json "$F/tree-old" >"$TMP/j" 2>/dev/null
check "auto: tree-old is old API" grep -q '"api": "old"' "$TMP/j"
"$BIN" inventory -f tsv "$F/tree-new" >"$TMP/t" 2>/dev/null
check "new API: default pin is long-term (default)" \
	grep -q 'neg_default_pin	.*long-term-default' "$TMP/t"
check "new API: commented ephemeral" grep -q 'neg_comment_above	.*ephemeral-commented' "$TMP/t"
check "new API: uncommented ephemeral" grep -q 'pos_no_comment	.*ephemeral-uncommented' "$TMP/t"
cp "$F/tree-old/drivers/flags/flags.c" "$TMP/loose.c"
"$BIN" inventory -f json "$TMP/loose.c" >"$TMP/j" 2>/dev/null
check "files mode without a tree: old API" grep -q '"api": "old"' "$TMP/j"
cp "$F/tree-new/drivers/eph/ephemeral.c" "$TMP/loose2.c"
"$BIN" inventory -f json "$TMP/loose2.c" >"$TMP/j" 2>/dev/null
check "files mode without a tree: FOLL_EPHEMERAL means new API" grep -q '"api": "new"' "$TMP/j"

# --- formats -----------------------------------------------------------------
"$BIN" inventory "$F/tree-old" >"$TMP/table" 2>/dev/null
check "table: header" grep -q '^LOCATION  *FUNCTION  *API  *CLASS  *FLAGS' "$TMP/table"
check "table: summary line" grep -q '^34 sites in 4 files (old API)' "$TMP/table"
"$BIN" inventory -f csv "$F/tree-old" >"$TMP/csv" 2>/dev/null
check "csv: header" grep -q '^file,line,col,function,api,kind,flags_expr,flags,' "$TMP/csv"
check "csv: 34 rows + header" test "$(wc -l <"$TMP/csv")" = 35
"$BIN" lint -q -f sarif "$F/tree-old" >"$TMP/sarif" 2>/dev/null
check "sarif: version" grep -q '"version": "2.1.0"' "$TMP/sarif"
check "sarif: 5 results" test "$(grep -c '"ruleId": "looks-long-term"' "$TMP/sarif")" = 5
check "sarif: related location (release)" grep -q '"relatedLocations"' "$TMP/sarif"
"$BIN" lint -q -f json "$F/tree-old" >"$TMP/ljson" 2>/dev/null
"$BIN" inventory -f sarif "$F/tree-old" >"$TMP/isarif" 2>/dev/null
"$BIN" inventory -f json "$F/tree-old" >"$TMP/ijson" 2>/dev/null
"$BIN" risk -f json "$F/tree-old" >"$TMP/rjson" 2>/dev/null
if command -v python3 >/dev/null 2>&1; then
	for j in sarif ljson isarif ijson rjson; do
		check "$j parses as JSON" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$TMP/$j"
	done
	check "sarif: schema shape" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = d["runs"][0]
assert r["tool"]["driver"]["name"] == "pinaudit"
ids = [x["id"] for x in r["tool"]["driver"]["rules"]]
for res in r["results"]:
    assert ids[res["ruleIndex"]] == res["ruleId"]
    loc = res["locations"][0]["physicalLocation"]
    assert loc["region"]["startLine"] > 0
    assert not loc["artifactLocation"]["uri"].startswith("/")
' "$TMP/sarif"
else
	echo "note: python3 not found, JSON well-formedness not checked"
fi

# --- risk ----------------------------------------------------------------------
"$BIN" risk "$F/tree-old" >"$TMP/risk.md" 2>/dev/null
check "risk: exit 0" test $? = 0
awk '/^### Becomes long-term, and should/,/^### Needs/' "$TMP/risk.md" >"$TMP/sec1"
awk '/^### Needs FOLL_EPHEMERAL/,/^### Becomes long-term: review|^### Conditionally|^### Already/' \
	"$TMP/risk.md" >"$TMP/sec2"
check "risk: pos_field becomes long-term" grep -q 'pos_field()' "$TMP/sec1"
check "risk: pos_cross_file becomes long-term" grep -q 'pos_cross_file()' "$TMP/sec1"
check "risk: same-function pin needs FOLL_EPHEMERAL" grep -q 'neg_same_function()' "$TMP/sec2"
check "risk: completion pin needs FOLL_EPHEMERAL" grep -q 'neg_completion()' "$TMP/sec2"
check "risk: already long-term section" grep -q '^### Already long-term' "$TMP/risk.md"
awk '/^### Conditionally/,/^### Already/' "$TMP/risk.md" >"$TMP/sec3"
awk '/^### Already/,/^### Reference/' "$TMP/risk.md" >"$TMP/sec4"
check "risk: caller-dependent FOLL_LONGTERM is conditional" grep -q 'fl_wrapper()' "$TMP/sec3"
check "risk: local |= FOLL_LONGTERM under if is conditional" grep -q 'fl_local()' "$TMP/sec3"
check "risk: field always FOLL_LONGTERM is already long-term" grep -q 'fl_field()' "$TMP/sec4"
check "risk: reference-only section" grep -q '^### Reference-only' "$TMP/risk.md"
check "risk: FOLL_WRITE note" grep -q 'FOLL_WRITE: refused on writable file-backed' "$TMP/risk.md"

# --- usage and exit codes ------------------------------------------------------
"$BIN" --help >"$TMP/h" 2>&1;          check "--help exits 0" test $? = 0
check "--help mentions every command" grep -q 'inventory.*' "$TMP/h"
"$BIN" >/dev/null 2>&1;                check "no command: exit 2" test $? = 2
"$BIN" frobnicate x >/dev/null 2>&1;   check "unknown command: exit 2" test $? = 2
"$BIN" lint >/dev/null 2>&1;           check "no files: exit 2" test $? = 2
"$BIN" lint --bogus x >/dev/null 2>&1; check "unknown option: exit 2" test $? = 2
"$BIN" lint -f csv x >/dev/null 2>&1;  check "bad format: exit 2" test $? = 2
"$BIN" lint --api mid x >/dev/null 2>&1; check "bad --api: exit 2" test $? = 2
"$BIN" lint -j 0 x >/dev/null 2>&1;    check "bad --jobs: exit 2" test $? = 2
"$BIN" lint -q "$F/tree-new/mm" >/dev/null 2>&1; check "clean lint: exit 0" test $? = 0
"$BIN" --version | grep -q '^pinaudit [0-9]'; check "--version" test $? = 0
"$BIN" inventory -j 1 -f tsv "$F/tree-old" >"$TMP/t1" 2>/dev/null
"$BIN" inventory -j 4 -f tsv "$F/tree-old" >"$TMP/t4" 2>/dev/null
check "output does not depend on --jobs" cmp -s "$TMP/t1" "$TMP/t4"

# --- the man page documents every command, rule and format -------------------
man1=$T/../pinaudit.1
for w in inventory lint risk ephemeral-no-comment internal-flag looks-long-term \
	ephemeral-without-pin user-held-reference user-served-conflict user-served \
	needless-longterm \
	FOLL_USER_SERVED ITER_USER_SERVED sarif tsv csv json; do
	check "man page mentions $w" grep -q -- "$w" "$man1"
done
for w in inventory lint risk sarif tsv; do
	check "--help mentions $w" grep -q -- "$w" "$TMP/h"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
