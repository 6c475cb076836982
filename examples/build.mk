# SPDX-License-Identifier: GPL-2.0
#
# The worked examples, included by userspace/userspace.mk:
#
#   examples/<name>.c -> build/examples/<name>, linked as an application
#                        outside this tree would link it: libktlso.so.1
#                        (through an $ORIGIN/../lib rpath), OpenSSL for
#                        the one that runs its own handshake
#
# selftests/e2e/examples runs them in the VM.

EXAMPLE_SRCS := $(wildcard $(TOP)/examples/*.c)
EXAMPLE_HDRS := $(wildcard $(TOP)/examples/*.h)
EXAMPLES := $(patsubst $(TOP)/examples/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRCS))

all: $(EXAMPLES)

$(EXAMPLES): $(BUILD)/examples/%: $(TOP)/examples/%.c $(EXAMPLE_HDRS) \
		$(LIBKTLSO_SO) $(LIB)/libktlso.so $(TOP)/include/ktlso/ktlso.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $< -L$(LIB) -lktlso $(SSL_LIBS) \
		$(CRYPTO_LIBS) -Wl,-rpath,'$$ORIGIN/../lib'
