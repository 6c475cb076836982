# SPDX-License-Identifier: GPL-2.0
#
# Userspace build, run from the top-level Makefile (which exports TOP, BUILD,
# BIN, LIB, OBJ, KSFT, CC, USER_CFLAGS and SAN_FLAGS).
#
#   userspace/engine/*.c        -> build/lib/libktlso-engine.a
#                                  (and an ASan/UBSan copy for the tests)
#   userspace/engine/tests/*.c  -> build/tests/host/engine-<name>
#                                  (kselftest harness, sanitizers, KTAP)
#   userspace/engine/fuzz/*.c   -> build/fuzz/<name> (libFuzzer, clang)
#   userspace/common/version.c  -> build/obj/common/version.o, the only
#                                  object built with VERSION's version;
#                                  every program links it (--version)
#   userspace/tools/<name>.c    -> build/bin/<name>
#   userspace/tests/surface.sh  -> build/tests/host/surface (a link: the
#                                  programs' --help and --version against
#                                  their man pages)
#   userspace/tests/install.sh  -> build/tests/host/install (a link: "make
#                                  install" into a scratch DESTDIR, and DKMS)
#   userspace/tests/packages.sh -> build/tests/host/packages (a link: the
#                                  Debian packages of "make packages", lintian)
#   examples/<name>.c           -> build/examples/<name> (examples/build.mk)
#
# Every program in build/tests/host/ is run by "make check" on the host.

HOST_TESTS_DIR := $(BUILD)/tests/host

# The package's version, written once, in VERSION (Kbuild reads it too, for
# MODULE_VERSION).
KTLSO_VERSION := $(strip $(shell cat $(TOP)/VERSION 2>/dev/null))
ifeq ($(KTLSO_VERSION),)
$(error $(TOP)/VERSION is missing or empty)
endif
VERSION_OBJ := $(OBJ)/common/version.o

ENGINE_SRCS := $(wildcard $(TOP)/userspace/engine/*.c)
# crypto_info.c builds the argument of ktlso's KTLSO_TX_SECRET.
ENGINE_HDRS := $(wildcard $(TOP)/userspace/engine/*.h) \
	       $(TOP)/include/uapi/linux/ktlso.h
ENGINE_OBJS := $(patsubst $(TOP)/userspace/%.c,$(OBJ)/%.o,$(ENGINE_SRCS))
ENGINE_SAN_OBJS := $(patsubst $(TOP)/userspace/%.c,$(OBJ)/san/%.o,$(ENGINE_SRCS))
ENGINE_LIB := $(if $(ENGINE_SRCS),$(LIB)/libktlso-engine.a)
ENGINE_SAN_LIB := $(if $(ENGINE_SRCS),$(LIB)/san/libktlso-engine.a)

ENGINE_TEST_SRCS := $(wildcard $(TOP)/userspace/engine/tests/*.c)
ENGINE_TEST_HDRS := $(wildcard $(TOP)/userspace/engine/tests/*.h)
ENGINE_TESTS := $(patsubst $(TOP)/userspace/engine/tests/%.c,$(HOST_TESTS_DIR)/engine-%,$(ENGINE_TEST_SRCS))

# libFuzzer harnesses over the engine's parsers (clang only).
FUZZ_SRCS := $(wildcard $(TOP)/userspace/engine/fuzz/*.c)
FUZZERS := $(patsubst $(TOP)/userspace/engine/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
	       -fsanitize=fuzzer,address,undefined -I$(TOP)/userspace \
	       -I$(TOP)/include/uapi

TOOL_SRCS := $(wildcard $(TOP)/userspace/tools/*.c)
TOOLS := $(patsubst $(TOP)/userspace/tools/%.c,$(BIN)/%,$(TOOL_SRCS))

CRYPTO_LIBS := $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)

# The harness needs GNU C, and -Wclobbered and -Wunused-parameter off (its
# setjmp-based teardown and its macros); the tests are otherwise held to the
# same warnings. FIXTURE_SETUP(), TEST_F() and the harness's own runner define
# non-static functions without prototypes: -Wno-missing-prototypes.
TEST_CFLAGS := $(filter-out -std=c11,$(USER_CFLAGS)) -std=gnu11 -Wno-clobbered -Wno-unused-parameter \
	       -Wno-missing-prototypes \
	       -I$(KSFT) -I$(TOP)/userspace $(SAN_FLAGS) \
	       -DKTLSO_SRCDIR='"$(TOP)"'

.PHONY: all
all: $(ENGINE_LIB) $(ENGINE_SAN_LIB) $(ENGINE_TESTS) $(TOOLS) $(FUZZERS) \
     $(HOST_TESTS_DIR)/surface $(HOST_TESTS_DIR)/install $(HOST_TESTS_DIR)/packages

$(VERSION_OBJ): $(TOP)/userspace/common/version.c $(TOP)/userspace/common/version.h \
		$(TOP)/VERSION
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(TOP)/userspace \
		-DKTLSO_PACKAGE_VERSION='"$(KTLSO_VERSION)"' -c -o $@ $<

$(OBJ)/%.o: $(TOP)/userspace/%.c $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(TOP)/userspace -c -o $@ $<

$(OBJ)/san/%.o: $(TOP)/userspace/%.c $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -I$(TOP)/userspace -c -o $@ $<

$(LIB)/libktlso-engine.a: $(ENGINE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIB)/san/libktlso-engine.a: $(ENGINE_SAN_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(HOST_TESTS_DIR)/engine-%: $(TOP)/userspace/engine/tests/%.c $(ENGINE_SAN_LIB) $(ENGINE_HDRS) $(ENGINE_TEST_HDRS) $(KSFT)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(ENGINE_SAN_LIB) $(CRYPTO_LIBS)

$(BUILD)/fuzz/%: $(TOP)/userspace/engine/fuzz/%.c $(ENGINE_SRCS) $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< $(ENGINE_SRCS) $(CRYPTO_LIBS)

$(BIN)/%: $(TOP)/userspace/tools/%.c $(wildcard $(TOP)/userspace/tools/*.h) $(VERSION_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(TOP)/userspace -o $@ $< $(VERSION_OBJ) -lpthread

# ktlso-tls runs the engine over a TCP socket, for people and interop tests.
$(BIN)/ktlso-tls: $(TOP)/userspace/tools/ktlso-tls.c $(ENGINE_LIB) $(ENGINE_HDRS) $(VERSION_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(TOP)/userspace -o $@ $< $(VERSION_OBJ) $(ENGINE_LIB) \
		$(CRYPTO_LIBS)

# The record-layer benchmark seals a receive workload with the engine.
# Its userspace reference is libssl.
$(BIN)/ktlso-bench: $(TOP)/userspace/tools/ktlso-bench.c $(TOP)/userspace/tools/loopback.h \
		$(TOP)/userspace/tools/bench_libssl.h $(TOP)/userspace/tools/bench_cert.h \
		$(ENGINE_LIB) $(ENGINE_HDRS) $(VERSION_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(TOP)/userspace -o $@ $< $(VERSION_OBJ) $(ENGINE_LIB) \
		$(SSL_LIBS) $(CRYPTO_LIBS) -lpthread

# The handshake benchmark drives the engine and OpenSSL's libssl side by side.
SSL_LIBS := $(shell pkg-config --libs libssl 2>/dev/null || echo -lssl)

$(BIN)/ktlso-hsbench: $(TOP)/userspace/tools/ktlso-hsbench.c \
		$(TOP)/userspace/tools/bench_cert.h $(ENGINE_LIB) $(ENGINE_HDRS) $(VERSION_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(TOP)/userspace -o $@ $< $(VERSION_OBJ) $(ENGINE_LIB) \
		$(SSL_LIBS) $(CRYPTO_LIBS)

# Host tests in shell, run where they lie (they find the tree from their path).
$(HOST_TESTS_DIR)/%: $(TOP)/userspace/tests/%.sh
	@mkdir -p $(dir $@)
	ln -sfn $< $@

# Components with their own rules (daemon, library, ...) keep them in
# userspace/<component>/build.mk, which adds its outputs to "all".  The
# library's comes first: the others name its outputs as prerequisites.
COMPONENT_MKS := $(wildcard $(TOP)/userspace/*/build.mk)
include $(filter %/lib/build.mk,$(COMPONENT_MKS))
include $(filter-out %/lib/build.mk,$(COMPONENT_MKS))

# The worked examples, built on the library as any application is.
include $(TOP)/examples/build.mk
