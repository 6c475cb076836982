# SPDX-License-Identifier: GPL-2.0
#
# ktlso-hsload, the handshake-capacity load tool of scripts/hsbench
# (included by userspace/userspace.mk).
#
#   userspace/hsload/*.c -> build/bin/ktlso-hsload: the engine as load
#                           generator and as in-process server, libktlso
#                           for the server through the kernel upcall

HSLOAD_DIR := $(TOP)/userspace/hsload
HSLOAD_SRCS := $(wildcard $(HSLOAD_DIR)/*.c)
HSLOAD_HDRS := $(wildcard $(HSLOAD_DIR)/*.h)

all: $(BIN)/ktlso-hsload

$(BIN)/ktlso-hsload: $(HSLOAD_SRCS) $(HSLOAD_HDRS) $(ENGINE_LIB) $(ENGINE_HDRS) $(LIBKTLSO_A) \
		$(VERSION_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(TOP)/userspace -o $@ $(HSLOAD_SRCS) $(VERSION_OBJ) \
		$(ENGINE_LIB) $(LIBKTLSO_A) $(CRYPTO_LIBS)
