# SPDX-License-Identifier: GPL-2.0
#
# "make install" and "make install-dkms", included by the top-level Makefile
# (which exports TOP, BUILD, BIN, LIB, OBJ and the compiler settings).
#
#   make install [PREFIX=/usr/local] [DESTDIR=]
#	programs: ktlsod, ktlsoctl, ktlso-httpd in SBINDIR; ktlso-client,
#	ktlso-tls, ktlso-bench, ktlso-hsbench in BINDIR
#	libktlso: shared, static, <ktlso/ktlso.h>, <linux/ktlso.h>, ktlso.pc
#	(userspace/lib/build.mk's install-lib)
#	man pages in MANDIR; ktlsod.service in UNITDIR (its paths rewritten for
#	SBINDIR, SYSCONFDIR and DOCDIR) and the ktlsod system user in
#	SYSUSERSDIR; the example configuration and the README in DOCDIR
#	the module's sources for DKMS (install-dkms, below)
#   make install-dkms [PREFIX=/usr/local] [DESTDIR=]
#	Kbuild, VERSION, kernel/, include/uapi/ and a dkms.conf in
#	/usr/src/ktlso-VERSION/ (DKMSDIR), which "dkms install -m ktlso -v
#	VERSION" takes, and DKMS builds for every kernel installed or
#	upgraded to
#
# Nothing is built here, and nothing is fetched: "make" first (install
# stops, saying so, at the first file missing).  Every directory is
# overridable; with PREFIX=/usr the unit and the sysusers file go where
# systemd looks for a distribution's (/usr/lib/...).  The configuration is
# /etc/ktlso/ktlsod.conf whatever the prefix (SYSCONFDIR).  DKMS takes
# sources from /usr/src only: a "make install" without DESTDIR that may not
# write there (PREFIX=~/.local) leaves them out, saying so.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/ktlso
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SYSCONFDIR ?= /etc
# DKMS looks for sources in /usr/src only, whatever the prefix.
DKMSDIR ?= /usr/src

KTLSO_VERSION := $(strip $(shell cat $(TOP)/VERSION))

INSTALL_SBIN := ktlsod ktlsoctl ktlso-httpd
INSTALL_BIN := ktlso-client ktlso-tls ktlso-bench ktlso-hsbench

# What DKMS needs to build the module: the Kbuild file, its version and the
# sources, laid out as in this tree (Kbuild names them relative to it).
DKMS_SRCS := Kbuild VERSION $(wildcard $(TOP)/kernel/*.c $(TOP)/kernel/*.h) \
	     $(wildcard $(TOP)/include/uapi/linux/*.h)

.PHONY: install install-dkms

INSTALL_BUILT = $(addprefix $(BIN)/,$(INSTALL_SBIN) $(INSTALL_BIN)) $(MAN_PAGES)

install:
	@for f in $(INSTALL_BUILT); do \
		[ -e $$f ] || { echo "install: $$f is missing: run make first" >&2; exit 1; }; \
	done
	@if [ -z "$(DESTDIR)" ] && ! [ -w "$(DKMSDIR)" ]; then \
		echo "install: $(DKMSDIR) is not writable: no DKMS sources (make install-dkms as root)"; \
	else \
		$(MAKE) --no-print-directory install-dkms; \
	fi
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 0755 $(addprefix $(BIN)/,$(INSTALL_SBIN)) $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(addprefix $(BIN)/,$(INSTALL_BIN)) $(DESTDIR)$(BINDIR)/
	$(MAKE) --no-print-directory -f $(TOP)/userspace/userspace.mk \
		install-lib PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) \
		INCLUDEDIR=$(INCLUDEDIR) DESTDIR=$(DESTDIR)
	@set -e; for p in $(BUILD)/man/*.[1-8]; do \
		s=$${p##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
		echo "install -m 0644 $$p $(DESTDIR)$(MANDIR)/man$$s/"; \
		install -m 0644 $$p $(DESTDIR)$(MANDIR)/man$$s/; \
	done
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DOCDIR)
	sed -e 's|/usr/sbin/ktlsod|$(SBINDIR)/ktlsod|g' \
	    -e 's|/etc/ktlso/|$(SYSCONFDIR)/ktlso/|g' \
	    -e 's|/usr/share/doc/ktlso/|$(DOCDIR)/|g' \
	    $(TOP)/userspace/daemon/ktlsod.service > $(DESTDIR)$(UNITDIR)/ktlsod.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ktlsod.service
	install -m 0644 $(TOP)/userspace/daemon/ktlsod.sysusers \
		$(DESTDIR)$(SYSUSERSDIR)/ktlsod.conf
	install -m 0644 $(TOP)/userspace/daemon/ktlsod.conf.example \
		$(TOP)/README.md $(DESTDIR)$(DOCDIR)/

install-dkms:
	@set -e; d=$(DESTDIR)$(DKMSDIR)/ktlso-$(KTLSO_VERSION); \
	for f in $(patsubst $(TOP)/%,%,$(DKMS_SRCS)); do \
		install -D -m 0644 $(TOP)/$$f $$d/$$f; \
	done; \
	sed 's/@VERSION@/$(KTLSO_VERSION)/' $(TOP)/dkms.conf.in > $$d/dkms.conf; \
	chmod 0644 $$d/dkms.conf; \
	echo "  DKMS    $$d"
