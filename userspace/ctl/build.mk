# SPDX-License-Identifier: GPL-2.0
#
# ktlsoctl, included by userspace/userspace.mk:
#
#   userspace/ctl/*.c          -> build/bin/ktlsoctl (libnl-genl-3; the
#                                 names of versions and ciphers from
#                                 libktlso.a)
#   userspace/ctl/tests/*.c    -> build/tests/host/ctl-<name>, with every
#                                 source but main.c, ASan/UBSan

CTL_SRCS := $(wildcard $(TOP)/userspace/ctl/*.c)
CTL_LIB_SRCS := $(filter-out $(TOP)/userspace/ctl/main.c,$(CTL_SRCS))
CTL_HDRS := $(wildcard $(TOP)/userspace/ctl/*.h) $(TOP)/include/uapi/linux/ktlso.h
CTL_TEST_SRCS := $(wildcard $(TOP)/userspace/ctl/tests/*.c)
CTL_TESTS := $(patsubst $(TOP)/userspace/ctl/tests/%.c,$(HOST_TESTS_DIR)/ctl-%,$(CTL_TEST_SRCS))
CTL_NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
CTL_NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null || echo -lnl-genl-3 -lnl-3)

all: $(BIN)/ktlsoctl $(CTL_TESTS)

$(BIN)/ktlsoctl: $(CTL_SRCS) $(CTL_HDRS) $(LIBKTLSO_A) $(VERSION_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(CTL_NL_CFLAGS) -I$(TOP)/userspace -o $@ $(CTL_SRCS) \
		$(VERSION_OBJ) $(CTL_NL_LIBS) $(LIBKTLSO_A) $(CRYPTO_LIBS)

$(HOST_TESTS_DIR)/ctl-%: $(TOP)/userspace/ctl/tests/%.c $(CTL_LIB_SRCS) $(CTL_HDRS) \
			 $(KSFT)/kselftest_harness.h $(LIBKTLSO_SAN_A)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(CTL_NL_CFLAGS) -o $@ $< $(CTL_LIB_SRCS) $(CTL_NL_LIBS) \
		$(LIBKTLSO_SAN_A) $(CRYPTO_LIBS)
