# SPDX-License-Identifier: GPL-2.0
#
# ktlsod, the handshake daemon (included by userspace/userspace.mk).
#
#   userspace/daemon/*.c        -> build/bin/ktlsod (main.c), and the rest
#                                  as build/lib/libktlsod.a (+ an ASan/UBSan
#                                  copy for the tests)
#   userspace/daemon/tests/*.c  -> build/tests/host/daemon-<name>
#   userspace/daemon/tests/{workers,reload}.c, again with ThreadSanitizer
#                                  (from the sources: TSan and ASan do not
#                                  mix) -> build/tests/host/daemon-<name>-tsan

DAEMON_DIR := $(TOP)/userspace/daemon
DAEMON_SRCS := $(filter-out $(DAEMON_DIR)/main.c,$(wildcard $(DAEMON_DIR)/*.c))
# common/container_of.h: daemon/list.h and the loop callbacks use it.
DAEMON_HDRS := $(wildcard $(DAEMON_DIR)/*.h) $(TOP)/userspace/common/container_of.h
DAEMON_OBJS := $(patsubst $(DAEMON_DIR)/%.c,$(OBJ)/daemon/%.o,$(DAEMON_SRCS))
DAEMON_SAN_OBJS := $(patsubst $(DAEMON_DIR)/%.c,$(OBJ)/san/daemon/%.o,$(DAEMON_SRCS))
DAEMON_LIB := $(LIB)/libktlsod.a
DAEMON_SAN_LIB := $(LIB)/san/libktlsod.a

DAEMON_TEST_SRCS := $(wildcard $(DAEMON_DIR)/tests/*.c)
DAEMON_TEST_HDRS := $(wildcard $(DAEMON_DIR)/tests/*.h)
DAEMON_TESTS := $(patsubst $(DAEMON_DIR)/tests/%.c,$(HOST_TESTS_DIR)/daemon-%,$(DAEMON_TEST_SRCS))

NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null || echo -lnl-genl-3 -lnl-3)
KCAPI_LIBS := $(shell pkg-config --libs libkcapi 2>/dev/null || echo -lkcapi)
CAP_LIBS := $(shell pkg-config --libs libcap 2>/dev/null || echo -lcap)
HIREDIS_LIBS := $(shell pkg-config --libs hiredis 2>/dev/null || echo -lhiredis)
DAEMON_LIBS := -pthread $(NL_LIBS) $(KCAPI_LIBS) $(CAP_LIBS) $(HIREDIS_LIBS) \
	$(CRYPTO_LIBS)

DAEMON_TSAN_TESTS := $(HOST_TESTS_DIR)/daemon-workers-tsan \
		     $(HOST_TESTS_DIR)/daemon-reload-tsan

all: $(BIN)/ktlsod $(DAEMON_TESTS) $(DAEMON_TSAN_TESTS)

$(OBJ)/daemon/%.o: $(DAEMON_DIR)/%.c $(DAEMON_HDRS) $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -I$(TOP)/userspace -c -o $@ $<

$(OBJ)/san/daemon/%.o: $(DAEMON_DIR)/%.c $(DAEMON_HDRS) $(ENGINE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) $(NL_CFLAGS) -I$(TOP)/userspace -c -o $@ $<

$(DAEMON_LIB): $(DAEMON_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(DAEMON_SAN_LIB): $(DAEMON_SAN_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN)/ktlsod: $(DAEMON_DIR)/main.c $(DAEMON_LIB) $(ENGINE_LIB) $(DAEMON_HDRS) $(ENGINE_HDRS) \
		$(VERSION_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -I$(TOP)/userspace -o $@ $< $(VERSION_OBJ) \
		$(DAEMON_LIB) $(ENGINE_LIB) $(DAEMON_LIBS)

$(HOST_TESTS_DIR)/daemon-%: $(DAEMON_DIR)/tests/%.c $(DAEMON_SAN_LIB) $(ENGINE_SAN_LIB) \
		$(DAEMON_HDRS) $(DAEMON_TEST_HDRS) $(ENGINE_HDRS) $(ENGINE_TEST_HDRS) \
		$(KSFT)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(NL_CFLAGS) -o $@ $< $(DAEMON_SAN_LIB) \
		$(ENGINE_SAN_LIB) $(DAEMON_LIBS)

$(HOST_TESTS_DIR)/daemon-%-tsan: $(DAEMON_DIR)/tests/%.c $(DAEMON_SRCS) \
		$(ENGINE_SRCS) $(DAEMON_HDRS) $(DAEMON_TEST_HDRS) $(ENGINE_HDRS) \
		$(ENGINE_TEST_HDRS) $(KSFT)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(SAN_FLAGS),$(TEST_CFLAGS)) -O1 -fsanitize=thread \
		$(NL_CFLAGS) -o $@ $< $(DAEMON_SRCS) $(ENGINE_SRCS) $(DAEMON_LIBS)
