#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# userspace/tests/install.sh: "make install" into a scratch DESTDIR, as a
# package build does it, and what it put there (a host test: the build
# links it as build/tests/host/install, which "make check" runs after
# "make").
#
#  - with PREFIX=/usr: every program, man page, the library with its
#    headers and ktlso.pc, the systemd unit, the sysusers file, the docs
#    and the module's DKMS sources land where a Debian system looks;
#  - the unit starts the ktlsod that was installed, with the configuration
#    in /etc (with PREFIX=/usr/local as well);
#  - the installed programs run from there (--version), and a program built
#    against the installed header and ktlso.pc alone links and runs;
#  - DKMS builds ktlso.ko from the installed sources for the newest
#    installed kernel, in a DKMS tree of its own, and the module carries
#    VERSION's version (skipped where dkms is missing, "make deps", or
#    without root).
#
# Prints KTAP; exits non-zero on any failure.
set -uo pipefail

top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
version=$(cat "$top/VERSION")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=userspace/tests/ktap.sh
. "$top/userspace/tests/ktap.sh"

# inst PREFIX DIR: "make install" with that PREFIX into DESTDIR=DIR.
inst() {
	make --no-print-directory -C "$top" install PREFIX="$1" DESTDIR="$2" \
		> "$2.log" 2>&1
}

echo "TAP version 13"
echo "1..8"

d=$tmp/usr
if inst /usr "$d"; then
	ok "make install PREFIX=/usr DESTDIR=..."
else
	not_ok "make install PREFIX=/usr DESTDIR=..." "$(tail -n 5 "$d.log")"
fi

want=(
	usr/sbin/ktlsod usr/sbin/ktlsoctl usr/sbin/ktlso-httpd
	usr/bin/ktlso-client usr/bin/ktlso-tls usr/bin/ktlso-bench
	usr/bin/ktlso-hsbench
	usr/lib/libktlso.so.1 usr/lib/libktlso.so usr/lib/libktlso.a
	usr/lib/pkgconfig/ktlso.pc usr/include/ktlso/ktlso.h
	usr/include/linux/ktlso.h
	usr/lib/systemd/system/ktlsod.service usr/lib/sysusers.d/ktlsod.conf
	usr/share/doc/ktlso/ktlsod.conf.example
	usr/share/man/man8/ktlsod.8 usr/share/man/man5/ktlsod.conf.5
	usr/share/man/man8/ktlsoctl.8 usr/share/man/man8/ktlso-httpd.8
	usr/share/man/man1/ktlso-client.1 usr/share/man/man1/ktlso-tls.1
	usr/share/man/man1/ktlso-bench.1 usr/share/man/man3/libktlso.3
	usr/share/man/man7/ktlso.7
	"usr/src/ktlso-$version/dkms.conf" "usr/src/ktlso-$version/Kbuild"
	"usr/src/ktlso-$version/VERSION" "usr/src/ktlso-$version/kernel/main.c"
	"usr/src/ktlso-$version/include/uapi/linux/ktlso.h"
)
missing=()
for f in "${want[@]}"; do
	[ -e "$d/$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -eq 0 ]; then
	ok "every file where a Debian system looks (${#want[@]} checked)"
else
	not_ok "every file where a Debian system looks" "missing: ${missing[*]}"
fi

# unit_paths UNIT: the absolute paths its Exec and Condition lines name.
unit_paths() {
	grep -E '^(ExecStart|ExecStartPre|ConditionPathExists)=' "$1" |
		grep -oE '/[^ ]+' | grep -v '^/sbin/modprobe$' | sort -u
}
u=$d/usr/lib/systemd/system/ktlsod.service
if [ "$(unit_paths "$u" | tr '\n' ' ')" = "/etc/ktlso/ktlsod.conf /usr/sbin/ktlsod " ]; then
	ok "the unit runs the installed ktlsod with /etc/ktlso/ktlsod.conf"
else
	not_ok "the unit runs the installed ktlsod with /etc/ktlso/ktlsod.conf" \
		"it names: $(unit_paths "$u" | tr '\n' ' ')"
fi

l=$tmp/local
if inst /usr/local "$l" &&
	[ "$(unit_paths "$l/usr/local/lib/systemd/system/ktlsod.service" | tr '\n' ' ')" = \
		"/etc/ktlso/ktlsod.conf /usr/local/sbin/ktlsod " ] &&
	[ -x "$l/usr/local/sbin/ktlsod" ]; then
	ok "PREFIX=/usr/local: programs under it, the unit's configuration in /etc"
else
	not_ok "PREFIX=/usr/local: programs under it, the unit's configuration in /etc" \
		"$(tail -n 3 "$l.log")"
fi

bad=()
for p in "$d"/usr/sbin/* "$d"/usr/bin/*; do
	[ "$("$p" --version 2>&1)" = "${p##*/} $version" ] || bad+=("${p##*/}")
done
if [ ${#bad[@]} -eq 0 ]; then
	ok "the installed programs run from where they are (--version)"
else
	not_ok "the installed programs run from where they are (--version)" \
		"wrong or failed: ${bad[*]}"
fi

# A program of a user of the library: the installed header and ktlso.pc.
cat > "$tmp/user.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <ktlso/ktlso.h>

int main(void)
{
	return puts(ktlso_strerror(-ENOENT)) < 0;
}
EOF
pc() {
	PKG_CONFIG_SYSROOT_DIR=$d PKG_CONFIG_PATH=$d/usr/lib/pkgconfig \
		pkg-config "$@" ktlso
}
read -ra cflags < <(pc --cflags)
read -ra libs < <(pc --libs)
if cc -std=c11 -Wall -Werror "${cflags[@]}" -o "$tmp/user" "$tmp/user.c" \
	"${libs[@]}" > "$tmp/cc.log" 2>&1 &&
	LD_LIBRARY_PATH=$d/usr/lib "$tmp/user" > "$tmp/user.out" 2>&1 &&
	[ -s "$tmp/user.out" ]; then
	ok "a program builds against the installed header and ktlso.pc, and runs"
else
	not_ok "a program builds against the installed header and ktlso.pc, and runs" \
		"$(cat "$tmp/cc.log" "$tmp/user.out" 2>/dev/null | tail -n 5)"
fi
# A program linked statically, with functions of its own named as two of
# the library's internals, from objects its calls pull in (the daemon
# request, the key schedule): the archive must export the API alone.
cat > "$tmp/static.c" <<'EOF'
#include <stdio.h>
#include <ktlso/ktlso.h>

int ktlso_lib_query(void);
int ktlso_hkdf_extract(void);
int ktlso_lib_query(void) { return 0; }
int ktlso_hkdf_extract(void) { return 0; }

int main(void)
{
	void *used[] = { (void *)ktlso_handshake, (void *)ktlso_set_keys };

	return printf("%p %p\n", used[0], used[1]) < 0;
}
EOF
name="a static link of libktlso.a sees the API alone (no clash with internals)"
read -ra crypto < <(pkg-config --libs libcrypto)
if cc -std=c11 -Wall -Werror "${cflags[@]}" -o "$tmp/user-static" "$tmp/static.c" \
	"$d/usr/lib/libktlso.a" "${crypto[@]}" > "$tmp/cc-static.log" 2>&1 &&
	"$tmp/user-static" > /dev/null; then
	ok "$name"
else
	not_ok "$name" "$(tail -n 5 "$tmp/cc-static.log")"
fi
# DKMS, for the newest installed kernel with headers.
kver=$(cd /lib/modules && ls -d */build 2>/dev/null | sed 's|/build$||' |
	sort -V | tail -n 1)
name="DKMS builds ktlso.ko $version from the installed sources"
if ! command -v dkms > /dev/null; then
	skip "$name" "dkms is not installed (make deps)"
elif [ -z "$kver" ]; then
	skip "$name" "no kernel headers"
elif [ "$(id -u)" -ne 0 ]; then
	skip "$name" "not root (dkms signs with the machine's key)"
elif mkdir "$tmp/dkms" &&
	dkms build --dkmstree "$tmp/dkms" --sourcetree "$d/usr/src" \
		-m ktlso -v "$version" -k "$kver" > "$tmp/dkms.log" 2>&1; then
	ko=$(find "$tmp/dkms" -name 'ktlso.ko*' -path "*/$kver/*" | head -n 1)
	if [ -n "$ko" ] && [ "$(modinfo -F version "$ko")" = "$version" ]; then
		ok "$name for $kver"
	else
		not_ok "$name for $kver" "module: ${ko:-none}, version: $(modinfo -F version "$ko" 2>&1)"
	fi
else
	not_ok "$name for $kver" "$(tail -n 5 "$tmp/dkms.log")"
fi

echo "# $failed failed of $n"
[ "$failed" -eq 0 ]
