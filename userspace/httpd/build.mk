# SPDX-License-Identifier: GPL-2.0
#
# ktlso-httpd, included by userspace/userspace.mk:
#
#   userspace/httpd/*.c         -> build/bin/ktlso-httpd (on libktlso.so.1,
#                                  found through HTTPD_RPATH: $ORIGIN/../lib,
#                                  which finds build/lib and PREFIX/lib; a
#                                  distribution's package sets it empty)
#   userspace/httpd/tests/*.c   -> build/tests/host/httpd-<name>, with every
#                                  source but main.c, ASan/UBSan
#   userspace/httpd/fuzz/*.c    -> build/fuzz/<name> (libFuzzer, clang)

HTTPD_RPATH ?= -Wl,-rpath,'$$ORIGIN/../lib'
HTTPD_SRCS := $(wildcard $(TOP)/userspace/httpd/*.c)
HTTPD_LIB_SRCS := $(filter-out $(TOP)/userspace/httpd/main.c,$(HTTPD_SRCS))
HTTPD_HDRS := $(wildcard $(TOP)/userspace/httpd/*.h)
HTTPD_TEST_SRCS := $(wildcard $(TOP)/userspace/httpd/tests/*.c)
HTTPD_TEST_HDRS := $(wildcard $(TOP)/userspace/httpd/tests/*.h)
HTTPD_TESTS := $(patsubst $(TOP)/userspace/httpd/tests/%.c,$(HOST_TESTS_DIR)/httpd-%,$(HTTPD_TEST_SRCS))
HTTPD_FUZZ_SRCS := $(wildcard $(TOP)/userspace/httpd/fuzz/*.c)
HTTPD_FUZZERS := $(patsubst $(TOP)/userspace/httpd/fuzz/%.c,$(BUILD)/fuzz/%,$(HTTPD_FUZZ_SRCS))

all: $(BIN)/ktlso-httpd $(HTTPD_TESTS) $(HTTPD_FUZZERS)

$(BIN)/ktlso-httpd: $(HTTPD_SRCS) $(HTTPD_HDRS) $(LIBKTLSO_SO) $(LIB)/libktlso.so \
		    $(TOP)/include/ktlso/ktlso.h $(VERSION_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(TOP)/userspace -o $@ $(HTTPD_SRCS) $(VERSION_OBJ) \
		-L$(LIB) -lktlso -lpthread $(HTTPD_RPATH)

$(HOST_TESTS_DIR)/httpd-%: $(TOP)/userspace/httpd/tests/%.c $(HTTPD_LIB_SRCS) $(HTTPD_HDRS) \
			   $(HTTPD_TEST_HDRS) $(LIBKTLSO_SAN_A) $(KSFT)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(HTTPD_LIB_SRCS) $(LIBKTLSO_SAN_A) $(CRYPTO_LIBS) -lpthread

$(HTTPD_FUZZERS): $(BUILD)/fuzz/%: $(TOP)/userspace/httpd/fuzz/%.c $(HTTPD_LIB_SRCS) $(HTTPD_HDRS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -I$(TOP)/include -o $@ $< \
		$(TOP)/userspace/httpd/http.c $(TOP)/userspace/httpd/path.c
