#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# userspace/tests/packages.sh: the Debian packages "make packages" built
# into build/pkg/ (a host test: the build links it as
# build/tests/host/packages; "make check" builds the packages first).
# selftests/e2e/packages installs and starts them in a VM.
#
#  - each of ktlso-dkms, ktlsod, libktlso1, libktlso-dev and ktlso-tools is
#    there, with VERSION's version;
#  - each holds what it is for (the module's sources and dkms.conf; the
#    daemon, its unit and its sysusers file; the library; the headers,
#    the archive and ktlso.pc; the tools) and no file is in two of them;
#  - lintian reports no error and no warning.
#
# Prints KTAP; exits non-zero on any failure.
set -uo pipefail

top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
version=$(cat "$top/VERSION")
pkg=$top/build/pkg
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=userspace/tests/ktap.sh
. "$top/userspace/tests/ktap.sh"

echo "TAP version 13"
echo "1..3"

declare -A holds=(
	[ktlso-dkms]="usr/src/ktlso-$version/dkms.conf usr/src/ktlso-$version/Kbuild
		usr/src/ktlso-$version/kernel/main.c usr/share/man/man7/ktlso.7.gz"
	[ktlsod]="usr/sbin/ktlsod usr/sbin/ktlsoctl lib/systemd/system/ktlsod.service
		usr/lib/sysusers.d/ktlsod.conf usr/share/doc/ktlsod/ktlsod.conf.example
		usr/share/man/man8/ktlsod.8.gz usr/share/man/man5/ktlsod.conf.5.gz"
	[libktlso1]="usr/lib/x86_64-linux-gnu/libktlso.so.1"
	[libktlso-dev]="usr/include/ktlso/ktlso.h usr/include/linux/ktlso.h
		usr/lib/x86_64-linux-gnu/libktlso.a usr/lib/x86_64-linux-gnu/libktlso.so
		usr/lib/x86_64-linux-gnu/pkgconfig/ktlso.pc usr/share/man/man3/libktlso.3.gz"
	[ktlso-tools]="usr/sbin/ktlso-httpd usr/bin/ktlso-client usr/bin/ktlso-tls
		usr/bin/ktlso-bench usr/bin/ktlso-hsbench usr/share/man/man1/ktlso-tls.1.gz"
)

declare -A deb
for p in "${!holds[@]}"; do
	deb[$p]=$(find "$pkg" -maxdepth 1 -name "${p}_*.deb" 2>/dev/null | head -n 1)
done

bad=()
for p in "${!holds[@]}"; do
	v=$([ -n "${deb[$p]}" ] && dpkg-deb -f "${deb[$p]}" Version)
	[ "$v" = "$version" ] || bad+=("$p: ${deb[$p]:-no package}, version ${v:-none}")
done
if [ ${#bad[@]} -eq 0 ]; then
	ok "the five packages, version $version"
else
	not_ok "the five packages, version $version" "${bad[@]}" \
		"(make packages; its log is build/pkg/build.log)"
fi

bad=()
for p in "${!holds[@]}"; do
	[ -n "${deb[$p]}" ] || continue
	dpkg-deb -c "${deb[$p]}" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' |
		sort > "$tmp/$p.files"
	for f in ${holds[$p]}; do
		grep -qxF "$f" "$tmp/$p.files" || bad+=("$p lacks $f")
	done
done
dups=$(cat "$tmp"/*.files 2>/dev/null | sort | uniq -d)
[ -z "$dups" ] || bad+=("in two packages: $dups")
if [ ${#bad[@]} -eq 0 ]; then
	ok "each package holds what it is for, and no file is in two"
else
	not_ok "each package holds what it is for, and no file is in two" "${bad[@]}"
fi

changes=$(find "$pkg" -maxdepth 1 -name '*.changes' 2>/dev/null | head -n 1)
if [ -z "$changes" ]; then
	not_ok "lintian: no error, no warning" "no .changes in build/pkg (make packages)"
elif lintian --allow-root --display-info --tag-display-limit 0 "$changes" > "$tmp/lintian" 2>&1 &&
	! grep -Eq '^[EW]: ' "$tmp/lintian"; then
	ok "lintian: no error, no warning ($(grep -c '^I: ' "$tmp/lintian") info tags)"
else
	not_ok "lintian: no error, no warning" "$(grep -E '^[EW]: ' "$tmp/lintian" | head -n 20)" \
		"$(grep -vE '^[EWIN]: ' "$tmp/lintian" | head -n 5)"
fi

echo "# $failed failed of $n"
[ "$failed" -eq 0 ]
