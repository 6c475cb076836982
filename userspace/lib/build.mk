# SPDX-License-Identifier: GPL-2.0
#
# libktlso, included by userspace/userspace.mk:
#
#   userspace/lib/*.c        -> build/lib/libktlso.so.1 (+ libktlso.so link),
#                               build/lib/libktlso.a (the API global, the
#                               rest local, as in the .so), and an ASan/UBSan
#                               build/lib/san/libktlso.a for the tests
#   the engine's files the library shares (LIBKTLSO_ENGINE: the alert
#   names, the TLS 1.3 key schedule and the kernel's crypto_info), built
#   into it hidden, as build/obj/lib/engine/*.o
#   userspace/lib/ktlso.pc.in -> build/lib/pkgconfig/ktlso.pc, for PREFIX
#   userspace/lib/tests/*.c  -> build/tests/host/lib-<name>
#   include/ktlso/ktlso.h    checked to compile alone, as C11 and as C++11
#
# "make -f userspace/userspace.mk install-lib DESTDIR=... PREFIX=..." (with
# the variables the top-level Makefile exports) installs the library, its
# header, ktlso's uAPI header (<linux/ktlso.h>: the numbers and structs
# the key-update calls take) and ktlso.pc.

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
KTLSO_LIB_VERSION := 1.3

LIBKTLSO_ENGINE := alert.c codec.c crypto_info.c keysched.c suite.c
LIBKTLSO_SRCS := $(wildcard $(TOP)/userspace/lib/*.c) \
		 $(addprefix $(TOP)/userspace/engine/,$(LIBKTLSO_ENGINE))
LIBKTLSO_HDRS := $(wildcard $(TOP)/userspace/lib/*.h) $(ENGINE_HDRS) \
		 $(TOP)/include/ktlso/ktlso.h $(TOP)/include/uapi/linux/ktlso.h
# userspace/lib/x.c -> lib/x.o, userspace/engine/y.c -> lib/engine/y.o
LIBKTLSO_OBJ_NAMES := $(patsubst $(TOP)/userspace/lib/%.c,%.o,$(filter $(TOP)/userspace/lib/%,$(LIBKTLSO_SRCS))) \
		      $(addprefix engine/,$(LIBKTLSO_ENGINE:.c=.o))
LIBKTLSO_OBJS := $(addprefix $(OBJ)/lib/,$(LIBKTLSO_OBJ_NAMES))
LIBKTLSO_SAN_OBJS := $(addprefix $(OBJ)/san/lib/,$(LIBKTLSO_OBJ_NAMES))
LIBKTLSO_MAP := $(TOP)/userspace/lib/libktlso.map
OBJCOPY ?= objcopy

LIBKTLSO_SO := $(LIB)/libktlso.so.1
LIBKTLSO_A := $(LIB)/libktlso.a
LIBKTLSO_SAN_A := $(LIB)/san/libktlso.a
LIBKTLSO_PC := $(LIB)/pkgconfig/ktlso.pc

LIBKTLSO_TEST_SRCS := $(wildcard $(TOP)/userspace/lib/tests/*.c)
LIBKTLSO_TEST_HDRS := $(wildcard $(TOP)/userspace/lib/tests/*.h)
LIBKTLSO_TESTS := $(patsubst $(TOP)/userspace/lib/tests/%.c,$(HOST_TESTS_DIR)/lib-%,$(LIBKTLSO_TEST_SRCS))

LIBKTLSO_HEADER_CHECKS := $(OBJ)/lib/header-c.stamp $(OBJ)/lib/header-cxx.stamp

# Position-independent objects serve the shared and the static library.
LIBKTLSO_CFLAGS := $(USER_CFLAGS) -fPIC -fvisibility=hidden -I$(TOP)/userspace

all: $(LIBKTLSO_SO) $(LIB)/libktlso.so $(LIBKTLSO_A) $(LIBKTLSO_SAN_A) \
     $(LIBKTLSO_PC) $(LIBKTLSO_TESTS) $(LIBKTLSO_HEADER_CHECKS)

$(filter-out $(OBJ)/lib/engine/%,$(LIBKTLSO_OBJS)): $(OBJ)/lib/%.o: $(TOP)/userspace/lib/%.c $(LIBKTLSO_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(LIBKTLSO_CFLAGS) -c -o $@ $<

$(filter $(OBJ)/lib/engine/%,$(LIBKTLSO_OBJS)): $(OBJ)/lib/%.o: $(TOP)/userspace/%.c $(LIBKTLSO_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(LIBKTLSO_CFLAGS) -c -o $@ $<

$(filter-out $(OBJ)/san/lib/engine/%,$(LIBKTLSO_SAN_OBJS)): $(OBJ)/san/lib/%.o: $(TOP)/userspace/lib/%.c $(LIBKTLSO_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(LIBKTLSO_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(filter $(OBJ)/san/lib/engine/%,$(LIBKTLSO_SAN_OBJS)): $(OBJ)/san/lib/%.o: $(TOP)/userspace/%.c $(LIBKTLSO_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(LIBKTLSO_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(LIBKTLSO_SO): $(LIBKTLSO_OBJS) $(LIBKTLSO_MAP)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libktlso.so.1 \
		-Wl,--version-script=$(LIBKTLSO_MAP) -Wl,-z,defs \
		-Wl,-z,relro,-z,now -o $@ $(LIBKTLSO_OBJS) $(CRYPTO_LIBS)

$(LIB)/libktlso.so: $(LIBKTLSO_SO)
	ln -sfn libktlso.so.1 $@

# The static library is one relocatable object whose hidden symbols (the
# engine's and the library's internals, all but the API) are made local, so
# that a program linking it sees what the shared library exports and nothing
# else: no clash with a function of its own of the same name.  The tests
# link the sanitizer archive, which keeps the internals reachable.
$(LIBKTLSO_A): $(LIBKTLSO_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -r -nostdlib -o $(OBJ)/lib/libktlso-static.o $^
	$(OBJCOPY) --localize-hidden $(OBJ)/lib/libktlso-static.o
	rm -f $@ && ar rcs $@ $(OBJ)/lib/libktlso-static.o

$(LIBKTLSO_SAN_A): $(LIBKTLSO_SAN_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Rewritten only when PREFIX or LIBDIR change what it says.
.PHONY: ktlso-pc-force
$(LIBKTLSO_PC): $(TOP)/userspace/lib/ktlso.pc.in ktlso-pc-force
	@mkdir -p $(dir $@)
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(KTLSO_LIB_VERSION)|' $< > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; \
		echo "  GEN $@ (prefix $(PREFIX))"; fi

# The public header needs nothing but the C library, in C and in C++.
$(OBJ)/lib/header-c.stamp: $(TOP)/include/ktlso/ktlso.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only \
		-I$(TOP)/include -x c $<
	@touch $@

$(OBJ)/lib/header-cxx.stamp: $(TOP)/include/ktlso/ktlso.h
	@mkdir -p $(dir $@)
	$(CXX) -std=c++11 -Wall -Wextra -Werror -pedantic -fsyntax-only \
		-I$(TOP)/include -x c++ $<
	@touch $@

$(HOST_TESTS_DIR)/lib-%: $(TOP)/userspace/lib/tests/%.c $(LIBKTLSO_SAN_A) $(LIBKTLSO_SO) \
			 $(LIBKTLSO_HDRS) $(LIBKTLSO_TEST_HDRS) $(KSFT)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -DKTLSO_LIBDIR='"$(LIB)"' -o $@ $< $(LIBKTLSO_SAN_A) \
		$(CRYPTO_LIBS) -lpthread

.PHONY: install-lib install-lib-files
install-lib-files: $(LIBKTLSO_SO) $(LIB)/libktlso.so $(LIBKTLSO_A) $(LIBKTLSO_PC)

install-lib: install-lib-files
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/ktlso
	install -m 0755 $(LIBKTLSO_SO) $(DESTDIR)$(LIBDIR)/
	ln -sfn libktlso.so.1 $(DESTDIR)$(LIBDIR)/libktlso.so
	install -m 0644 $(LIBKTLSO_A) $(DESTDIR)$(LIBDIR)/
	install -m 0644 $(LIBKTLSO_PC) $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 0644 $(TOP)/include/ktlso/ktlso.h $(DESTDIR)$(INCLUDEDIR)/ktlso/
	install -d $(DESTDIR)$(INCLUDEDIR)/linux
	install -m 0644 $(TOP)/include/uapi/linux/ktlso.h $(DESTDIR)$(INCLUDEDIR)/linux/
