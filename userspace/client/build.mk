# SPDX-License-Identifier: GPL-2.0
#
# ktlso-client, a libktlso application (included by userspace/userspace.mk):
#   userspace/client/ktlso-client.c -> build/bin/ktlso-client
# Linked with the static libktlso, so it runs from the build tree.

all: $(BIN)/ktlso-client

$(BIN)/ktlso-client: $(TOP)/userspace/client/ktlso-client.c $(LIB)/libktlso.a \
		     $(TOP)/include/ktlso/ktlso.h $(VERSION_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(TOP)/include -I$(TOP)/userspace -o $@ $< $(VERSION_OBJ) \
		$(LIB)/libktlso.a $(CRYPTO_LIBS)
