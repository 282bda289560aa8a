# SPDX-License-Identifier: GPL-2.0
# pinlife: long-term pins by default for Linux 6.12.
#
#   make run     build stock and patched kernels, boot both, harm tables
#   make check   host unit tests, then the patched kernel's guest test suites
#   make bench   stock vs patched gup_test benchmarks under -icount
#   make bench-vendor  stock vs every pin long-term (the vendor alternative)
#   make profile stock vs patched instructions by kernel function (insnprof;
#                PROFILE=vmsplice, splice or sendfile)
#   make mm-selftests  the mm selftests beyond GUP, stock vs patched
#   make tree    editable git tree of the series in build/tree
#   make export  write build/tree's commits back to patches/
#
# Everything fetched or built lives in build/ (ignored by git).

KERNEL_PACKAGE := linux-source-6.12
KERNEL_VERSION := 6.12.117-1~deb12u1

B := $(CURDIR)/build
STOCK_SRC := $(B)/src/stock
PATCHED_SRC := $(B)/src/patched
FRAGMENT := $(CURDIR)/kconfig/pinlife.config
GUEST_TIMEOUT ?= 300
RUN_TIMEOUT ?= 1500
# make profile's workload: vmsplice (of pages that sat in CMA), splice, sendfile
PROFILE ?= vmsplice
BENCH_TIMEOUT ?= 900

src_stock := $(STOCK_SRC)
src_patched := $(PATCHED_SRC)
# Bench only: stock with every pin long-term (an out-of-tree vendor hook).
src_vendor := $(B)/src/vendor

GUESTLOG := $(B)/host/guestlog
INSNPROF := $(B)/host/insnprof.so
INSNPROF_DIFF := $(B)/host/insnprof-diff

.PHONY: all run stock-fails check bench bench-vendor profile mm-selftests tree export mail deps fetch unit guest-check clean checkpatch compile-touched contract bisect-check \
	kernel-stock kernel-patched kernel-vendor src-patched src-vendor guest-stock guest-patched guest-vendor boot-check help

all: run

help:
	@sed -n '2,14p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@sh scripts/deps.sh

fetch: deps
	@sh scripts/fetch.sh $(B) $(KERNEL_PACKAGE) $(KERNEL_VERSION)

src-patched: fetch
	@sh scripts/mktree.sh $(STOCK_SRC) $(PATCHED_SRC) patches

tree: fetch
	@sh scripts/mktree.sh $(STOCK_SRC) $(B)/tree patches --editable
	@echo "pinlife: edit and commit in $(B)/tree, then 'make export'"

export:
	@sh scripts/export.sh $(B)/tree patches

# The series as mail (nothing is sent): the sender's git identity as
# author and Signed-off-by, To/Cc per patch from get_maintainer.pl.
mail: fetch
	@sh scripts/mail.sh $(STOCK_SRC) patches $(B)/mail

src-vendor: fetch
	@sh scripts/mkvariant.sh $(STOCK_SRC) $(src_vendor) bench/vendor-longterm.patch

# One kernel: its source, then kernel, guest programs and initramfs.
kernel-stock: fetch
kernel-patched: src-patched
kernel-vendor: src-vendor
kernel-stock kernel-patched kernel-vendor: kernel-%:
	@sh scripts/kernel.sh $(src_$*) $(B)/obj/$* $(FRAGMENT)

guest-stock guest-patched guest-vendor: guest-%: kernel-%
	@$(MAKE) -s --no-print-directory -C tests/guest KSRC=$(src_$*) \
		KHDR=$(B)/obj/$*/usr-headers OUT=$(B)/guest/$*
	@sh scripts/initramfs.sh $(B)/guest/$* tests/guest/init \
		bench/guest-bench.sh $(B)/guest/$*.cpio
	@sh scripts/initramfs.sh $(B)/guest/$* tests/guest/init \
		bench/guest-bench.sh $(B)/guest/$*-check.cpio stress-ng

# boot KERNEL MODE [--icount]; make check's guest has stress-ng as well
boot = sh scripts/boot.sh $(B)/obj/$(1)/arch/x86/boot/bzImage \
	$(B)/guest/$(1)$(if $(filter check,$(2)),-check).cpio $(2) $(B)/out/$(1)-$(2) \
	$(if $(3),$(BENCH_TIMEOUT),$(if $(filter run mm,$(2)),$(RUN_TIMEOUT),$(GUEST_TIMEOUT))) $(3)

$(GUESTLOG): tools/guestlog/guestlog.c
	@$(MAKE) -s --no-print-directory -C tools/guestlog OUT=$(B)/host

PINAUDIT := $(CURDIR)/tools/pinaudit/build/pinaudit

unit: fetch $(GUESTLOG)
	@echo "== host unit tests: guestlog"
	@$(MAKE) -s --no-print-directory -C tools/guestlog check OUT=$(B)/host
	@echo "== host unit tests: insnprof"
	@$(MAKE) -s --no-print-directory -C tools/insnprof check OUT=$(B)/host
	@echo "== host unit tests: series tooling"
	@sh tests/host/test-series.sh
	@echo "== host unit tests: the contract step, stamps"
	@sh tests/host/test-contract.sh
	@sh tests/host/test-stamped.sh
	@echo "== host unit tests: the long-term pin window's lock-free protocol (model check)"
	@mkdir -p $(B)/host
	@$(CC) -std=c11 -O2 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
		-o $(B)/host/test-pin-window tests/host/test-pin-window.c
	@$(B)/host/test-pin-window
	@echo "== host unit tests: make mail"
	@sh tests/host/test-mail.sh $(STOCK_SRC)
	@echo "== host unit tests: pinaudit (golden test on the stock tree; its patched-tree test runs with the contract)"
	@sh scripts/stamped.sh $(B)/pinaudit-check.stamp "tools/pinaudit $(KERNEL_VERSION)" \
		$(MAKE) -s --no-print-directory -C tools/pinaudit check KSRC=$(STOCK_SRC) PATCHED=

checkpatch: fetch
	@echo "== checkpatch --strict on patches/"
	@sh scripts/stamped.sh $(B)/checkpatch.stamp "patches scripts/checkpatch.sh $(KERNEL_VERSION)" \
		sh scripts/checkpatch.sh $(STOCK_SRC) patches

compile-touched: src-patched
	@echo "== compile every file the series touches (x86-64 allmodconfig, powerpc, s390, sparc64)"
	@sh scripts/compile-touched.sh $(PATCHED_SRC) patches $(B)/compile

# Every prefix of the series builds (slow: a kernel build per patch; not
# part of make check).
bisect-check: fetch
	@sh scripts/bisect-check.sh $(STOCK_SRC) patches $(B)/bisect $(FRAGMENT)

contract: src-patched
	@echo "== the contract in the patched tree: lifetime comments, internal flags"
	@$(MAKE) -s --no-print-directory -C tools/pinaudit
	@sh tools/pinaudit/tests/patched-lint.sh $(PINAUDIT) $(PATCHED_SRC)
	@sh scripts/contract.sh $(PATCHED_SRC) $(PINAUDIT) $(B)/contract.stamp

guest-check: guest-patched
	@$(MAKE) -s --no-print-directory boot-check

# The boot alone, for scripts/check.sh, which has built guest-patched.
# guestlog fails each boot on any difference from its section of
# tests/expected/check-patched.txt and on any kernel report but the
# warnings tests/expected/warnings-allowed lists.
# test_zone_imbalance's boot: most of the check guest's memory ZONE_MOVABLE
ZONE_APPEND := movablecore=60%
CHECK_EXPECTED = --expected $(CURDIR)/tests/expected/check-patched.txt \
	--warnings-allowed $(CURDIR)/tests/expected/warnings-allowed
boot-check: $(GUESTLOG)
	@echo "== guest tests: patched kernel"
	@$(call boot,patched,check)
	@$(GUESTLOG) check $(CHECK_EXPECTED) --boot main \
		$(if $(filter 0,$(STRESS_HOTPLUG)),,--boot main+hotplug) \
		$(B)/out/patched-check/console.log $(B)/out/patched-check/tests.log
	@echo "== guest tests: patched kernel, page_pin_owner switched off"
	@PIN_OWNER=off GUEST_APPEND=pinlife.only=pin_owner sh scripts/boot.sh \
		$(B)/obj/patched/arch/x86/boot/bzImage $(B)/guest/patched-check.cpio \
		check $(B)/out/patched-check-owner-off $(GUEST_TIMEOUT)
	@$(GUESTLOG) check $(CHECK_EXPECTED) --boot owner-off \
		$(B)/out/patched-check-owner-off/console.log \
		$(B)/out/patched-check-owner-off/tests.log
	@echo "== guest tests: patched kernel, page_pin_owner on, make run's memory layout"
	@GUEST_APPEND="pinlife.only=pin_owner_harms page_pin_owner=on" sh scripts/boot.sh \
		$(B)/obj/patched/arch/x86/boot/bzImage $(B)/guest/patched-check.cpio \
		run $(B)/out/patched-check-harms $(GUEST_TIMEOUT)
	@$(GUESTLOG) check $(CHECK_EXPECTED) --boot harms \
		$(B)/out/patched-check-harms/console.log \
		$(B)/out/patched-check-harms/tests.log
	@echo "== guest tests: patched kernel, two 1 GiB pages for the GUP selftests"
	@sh scripts/boot.sh $(B)/obj/patched/arch/x86/boot/bzImage \
		$(B)/guest/patched-check.cpio gigantic \
		$(B)/out/patched-check-gigantic $(GUEST_TIMEOUT)
	@$(GUESTLOG) check $(CHECK_EXPECTED) --boot gigantic \
		$(B)/out/patched-check-gigantic/console.log \
		$(B)/out/patched-check-gigantic/tests.log
	@echo "== guest tests: patched kernel, a large ZONE_MOVABLE ($(ZONE_APPEND))"
	@STRESS_HOTPLUG=0 GUEST_APPEND="pinlife.only=zone_imbalance $(ZONE_APPEND)" \
		sh scripts/boot.sh $(B)/obj/patched/arch/x86/boot/bzImage \
		$(B)/guest/patched-check.cpio check $(B)/out/patched-check-zone \
		$(GUEST_TIMEOUT)
	@$(GUESTLOG) check $(CHECK_EXPECTED) --boot zone-imbalance \
		$(B)/out/patched-check-zone/console.log \
		$(B)/out/patched-check-zone/tests.log

# All of the above, both cores busy, each phase timed (scripts/check.sh).
check:
	@MAKE="$(MAKE)" sh scripts/check.sh $(B)

# both MODE TITLE GUESTLOG-COMMAND [--icount]: boot stock, then patched,
# in one mode, and put their tests logs side by side.
define both
@echo "== $(2): stock"
@$(call boot,stock,$(1),$(4))
@echo "== $(2): patched"
@$(call boot,patched,$(1),$(4))
@echo
@$(GUESTLOG) $(3) $(B)/out/stock-$(1)/tests.log $(B)/out/patched-$(1)/tests.log
endef

# Exit 1 when a row differs from tests/expected/harms.txt, or when a fix
# suite's result that tests/expected/check-stock.txt names passes on stock.
run: guest-stock guest-patched $(GUESTLOG)
	$(call both,run,harm scenarios: CMA / offlining / gigantic pages,harms --expected $(CURDIR)/tests/expected/harms.txt)
	@$(MAKE) -s --no-print-directory stock-fails

# The fix suites on stock, in make check's memory layout (zone_imbalance in
# its own boot, as in make check): the results that prove each fix must
# fail there (make run; not in make check, whose
# kernel is the patched one only).
STOCK_FAILS = $(CURDIR)/tests/expected/check-stock.txt
stock-fails: guest-stock $(GUESTLOG)
	@echo "== the fix suites on stock: each result that proves a fix must fail"
	@GUEST_APPEND="pinlife.only=$$(sed -n 's/^pinlife\.\([^ ]*\) .*/\1/p' $(STOCK_FAILS) | grep -vx zone_imbalance | paste -sd, -)" \
		sh scripts/boot.sh $(B)/obj/stock/arch/x86/boot/bzImage \
		$(B)/guest/stock-check.cpio check $(B)/out/stock-check $(RUN_TIMEOUT)
	@STRESS_HOTPLUG=0 GUEST_APPEND="pinlife.only=zone_imbalance $(ZONE_APPEND)" \
		sh scripts/boot.sh $(B)/obj/stock/arch/x86/boot/bzImage \
		$(B)/guest/stock-check.cpio check $(B)/out/stock-check-zone $(GUEST_TIMEOUT)
	@cat $(B)/out/stock-check/tests.log $(B)/out/stock-check-zone/tests.log \
		> $(B)/out/stock-check-all.log
	@$(GUESTLOG) stock-fails $(STOCK_FAILS) $(B)/out/stock-check-all.log

# The mm selftests beyond GUP on both kernels (not in make check: about
# 5.5 minutes per kernel under TCG); exit 1 if any suite differs.
mm-selftests: guest-stock guest-patched $(GUESTLOG)
	$(call both,mm,mm selftests,compare)

bench: guest-stock guest-patched $(GUESTLOG)
	$(call both,bench,gup_test benchmarks under -icount,bench,--icount)

# Where the instructions of a workload go, by kernel function: both
# kernels boot under -icount with the insnprof plugin, which counts
# between the marks pin_bench sets: the second vmsplice of pin_bench cma
# (PROFILE=vmsplice), or pin_bench splice or sendfile 64; per page.
profile_units = $$(sed -n 's/^PINLIFE-PROFILE [^ ]* pages=\([0-9]*\).*/\1/p' $(B)/out/$(1)-profile/tests.log)
profile: guest-stock guest-patched $(INSNPROF) $(INSNPROF_DIFF)
	@for k in stock patched; do \
		echo "== instructions by function under -icount: $$k"; \
		GUEST_APPEND=pinlife.profile=$(PROFILE) \
		QEMU_PLUGIN=$(INSNPROF),map=$(B)/obj/$$k/System.map,out=$(B)/out/$$k-profile/insnprof.txt \
			sh scripts/boot.sh $(B)/obj/$$k/arch/x86/boot/bzImage $(B)/guest/$$k.cpio \
			profile $(B)/out/$$k-profile $(BENCH_TIMEOUT) --icount || exit 1; \
	done
	@echo
	@$(INSNPROF_DIFF) --top 12 $(B)/out/stock-profile/insnprof.txt $(call profile_units,stock) \
		$(B)/out/patched-profile/insnprof.txt $(call profile_units,patched)

$(INSNPROF) $(INSNPROF_DIFF): $(wildcard tools/insnprof/*.c tools/insnprof/*.h)
	@$(MAKE) -s --no-print-directory -C tools/insnprof OUT=$(B)/host

# The vendor alternative: every pin long-term (bench/vendor-longterm.patch).
bench-vendor: guest-stock guest-vendor $(GUESTLOG)
	@echo "== gup_test benchmarks under -icount: stock"
	@[ -f $(B)/out/stock-bench/tests.log ] || $(call boot,stock,bench,--icount)
	@echo "== gup_test benchmarks under -icount: every pin long-term (vendor variant)"
	@$(call boot,vendor,bench,--icount)
	@echo
	@$(GUESTLOG) bench $(B)/out/stock-bench/tests.log $(B)/out/vendor-bench/tests.log
	@grep -h PINLIFE-REFUSED $(B)/out/stock-bench/tests.log $(B)/out/vendor-bench/tests.log || true

clean:
	rm -rf $(B)/obj $(B)/guest $(B)/out $(B)/host $(B)/compile
