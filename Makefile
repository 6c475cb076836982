# SPDX-License-Identifier: GPL-2.0
#
# ktlso: top-level targets.
#
#   make            module for every installed Debian kernel (or KVER=<ver>),
#                   userspace, selftests and man pages, all into build/
#   make check      host tests, then the VM tests on every kernel; ends with
#                   "N passed, N failed"
#   make check-debug  the VM tests on a debug kernel (KASAN, lockdep,
#                   kmemleak, ...) built once from linux-source-6.12; not in
#                   "make check"
#   make demo       boot a VM and show ktlso at work
#   make bench      record layer vs in-tree kTLS and OpenSSL, HTTPS server vs
#                   nginx, in a VM per kernel; plots in build/bench/
#   make hsbench    handshakes/s through ktlsod (1 and N workers) vs the
#                   engine in-process vs nginx, in a VM
#   make fuzz       the engine's parser fuzzers, FUZZ_SECONDS each
#   make man        the man pages (doc/man/*.scd, scdoc) into build/man/
#   make programs   only what "make install" installs (for packaging)
#   make packages   the Debian packages (debian/) in build/pkg/
#   make install    programs, libktlso, man pages, the systemd unit and the
#                   module's sources for DKMS, under PREFIX (default
#                   /usr/local) in DESTDIR (see install.mk)
#   make deps       install what the above need from Debian packages
#   make clean      remove build/

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := all

TOP   := $(CURDIR)
BUILD := $(TOP)/build
BIN   := $(BUILD)/bin
LIB   := $(BUILD)/lib
OBJ   := $(BUILD)/obj
KSFT  := $(BUILD)/kselftest

# Kernels are found when a recipe runs, not when make parses this file, so that
# "make deps" can install them first on a fresh machine.
KERNELS = $$(KVER='$(KVER)' $(TOP)/scripts/kernels)

CC ?= gcc
# USER_EXTRA_CFLAGS, USER_EXTRA_LDFLAGS: added to every userspace compile
# and link (debian/rules passes dpkg-buildflags'); gcc ignores the link
# flags in a compile.  Not EXTRA_CFLAGS: Kbuild reads that for the module.
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	       -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	       -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
	       -I$(TOP)/include -I$(TOP)/include/uapi \
	       $(USER_EXTRA_CFLAGS) $(USER_EXTRA_LDFLAGS)
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all \
	       -fno-omit-frame-pointer

export TOP BUILD BIN LIB OBJ KSFT CC USER_CFLAGS SAN_FLAGS

.PHONY: all deps modules userspace programs selftests harness ynl man check demo bench hsbench fuzz \
	clean debug-kernel debug-modules check-debug packages

all: modules userspace selftests man

# SKIP_DEPS=1: never install anything (a package build has its own).
deps:
	@[ -n "$(SKIP_DEPS)" ] || $(TOP)/scripts/deps.sh

# --- kernel module --------------------------------------------------------

# The files kbuild sees for one kernel: symlinks into the source tree, laid
# out as the tree is, so build/<kver>/ receives every object and the source
# directories stay clean.  Stale links are dropped each time.
KMOD_SRCS = Kbuild VERSION $(wildcard kernel/*.c kernel/*.h) \
	    $(wildcard include/uapi/linux/*.h)

# The debug kernel (scripts/debug-kernel) is built in build/debug-kernel/linux,
# not installed; its release ends in -ktlso-debug.
KDIR = $(if $(filter %-ktlso-debug,$(KV)),$(BUILD)/debug-kernel/linux,/lib/modules/$(KV)/build)

modules: deps
	@for k in $(KERNELS); do \
		$(MAKE) --no-print-directory kmod-one KV=$$k || exit 1; \
	done

kmod-one:
	@d=$(BUILD)/$(KV); mkdir -p $$d; \
	find $$d -xtype l -delete; \
	for f in $(KMOD_SRCS); do \
		mkdir -p $$d/$$(dirname $$f); ln -sfn $(TOP)/$$f $$d/$$f; \
	done; \
	d=$(BUILD)/$(KV)/testmod; mkdir -p $$d; \
	for f in selftests/vm/testmod/*; do ln -sfn $(TOP)/$$f $$d/; done
	$(MAKE) -C $(KDIR) M=$(BUILD)/$(KV) W=1 modules
	$(MAKE) -C $(KDIR) M=$(BUILD)/$(KV)/testmod W=1 modules

# --- userspace ------------------------------------------------------------

userspace: deps harness
	@$(MAKE) --no-print-directory -f userspace/userspace.mk

# What "make install" installs, and nothing else: no tests, no module, no
# "make deps" (debian/rules builds this in a package build, where the build
# dependencies come from debian/control).
programs:
	@$(MAKE) --no-print-directory -f userspace/userspace.mk \
		$(addprefix $(BIN)/,$(INSTALL_SBIN) $(INSTALL_BIN)) install-lib-files
	@$(MAKE) --no-print-directory man SKIP_DEPS=1

# --- selftests ------------------------------------------------------------

# kselftest_harness.h and kselftest.h come from the linux-source package at
# build time; they are never copied into this repository.
harness: $(KSFT)/kselftest_harness.h

$(KSFT)/kselftest_harness.h: | deps
	@mkdir -p $(KSFT)
	@echo "  EXTRACT kselftest harness from /usr/src/linux-source-6.12.tar.xz"
	@tar -xJf /usr/src/linux-source-6.12.tar.xz -C $(KSFT) \
		--strip-components=4 \
		linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.12/tools/testing/selftests/kselftest.h
	@touch $@

# The YNL library and schemas, for selftests/netlink/check-spec (the
# family's spec against the running module), likewise from linux-source.
YNL_STAMP := $(BUILD)/ynl/.stamp
ynl: $(YNL_STAMP)

$(YNL_STAMP): | deps
	@rm -rf $(BUILD)/ynl && mkdir -p $(BUILD)/ynl
	@echo "  EXTRACT YNL library and schemas from /usr/src/linux-source-6.12.tar.xz"
	@tar -xJf /usr/src/linux-source-6.12.tar.xz -C $(BUILD)/ynl \
		--strip-components=1 \
		linux-source-6.12/tools/net/ynl/lib \
		linux-source-6.12/Documentation/netlink/genetlink-c.yaml \
		linux-source-6.12/Documentation/netlink/genetlink-legacy.yaml \
		linux-source-6.12/Documentation/netlink/specs/nlctrl.yaml
	@touch $@

selftests: harness ynl userspace
	@$(MAKE) --no-print-directory -C selftests OUTPUT=$(BUILD)/selftests

# --- man pages --------------------------------------------------------------

# doc/man/NAME.SECTION.scd -> build/man/NAME.SECTION, with scdoc (a Debian
# package "make deps" installs).  build/tests/host/surface checks them
# against the programs.
MAN_PAGES := $(patsubst $(TOP)/doc/man/%.scd,$(BUILD)/man/%,$(wildcard $(TOP)/doc/man/*.scd))

man: $(MAN_PAGES)

$(BUILD)/man/%: $(TOP)/doc/man/%.scd | deps
	@mkdir -p $(dir $@)
	@echo "  SCDOC   $@"
	@scdoc < $< > $@.tmp && mv $@.tmp $@

include $(TOP)/install.mk

# The Debian packages of debian/ (dpkg-buildpackage -b in a copy of the
# tree) into build/pkg/.
packages: deps
	@$(TOP)/scripts/packages

# --- the two commands that matter -------------------------------------------

check: all packages
	@$(TOP)/scripts/check

# The debug kernel, built once and reused while selftests/vm/debug.config,
# the linux-source-6.12 version and scripts/debug-kernel are unchanged;
# ktlso.ko and the test module built against it; then the VM suites on it.
debug-kernel: deps
	@$(TOP)/scripts/debug-kernel

debug-modules: debug-kernel
	@$(MAKE) --no-print-directory kmod-one KV=$$($(TOP)/scripts/debug-kernel --release)

check-debug: debug-modules userspace selftests
	@$(TOP)/scripts/check-debug

demo: all
	@$(TOP)/scripts/demo

# The engine's parser fuzzers, FUZZ_SECONDS (default 600) each.
fuzz: userspace
	@for f in $(BUILD)/fuzz/*; do \
		$(TOP)/userspace/engine/fuzz/run.sh $$f $${FUZZ_SECONDS:-600} || exit 1; \
	done

# A report (ktlso vs in-tree kTLS transmit throughput), not a test.
bench: all
	@$(TOP)/scripts/bench

# A report (handshake capacity through the upcall), not a test.
hsbench: all
	@$(TOP)/scripts/hsbench

clean:
	rm -rf $(BUILD)
