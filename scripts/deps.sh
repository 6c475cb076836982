#!/usr/bin/env bash
# Install, from Debian packages, everything ktlso needs to build, test and demo.
#
# Idempotent and quick: when every package is already present it only runs
# dpkg-query and exits.  It never upgrades what is there; on a machine without
# a 6.12 kernel it installs the newest linux-image-6.12.*+deb12-amd64 with its
# headers.
set -euo pipefail

base_pkgs=(
	build-essential clang pkg-config bc flex bison libelf-dev kmod cpio xz-utils
	qemu-system-x86 busybox-static iproute2
	linux-image-amd64 linux-headers-amd64
	linux-source-6.12
	libnl-genl-3-dev libkcapi-dev libssl-dev libcap-dev libhiredis-dev
	redis-server
	openssl gnutls-bin curl scdoc dkms
	nginx wrk gnuplot-nox
	python3-yaml python3-jsonschema
	debhelper dh-dkms lintian systemd procps
)

log() { printf 'deps: %s\n' "$*" >&2; }

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || printf '%s\n' "$p"
	done
}

have_612() {
	local v
	for v in /lib/modules/6.12.*+deb12-amd64; do
		[ -e "/boot/vmlinuz-${v##*/}" ] && [ -e "$v/build/Makefile" ] && return 0
	done
	return 1
}

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

mapfile -t need < <(missing "${base_pkgs[@]}")
if [ "${#need[@]}" -eq 0 ] && have_612; then
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q --no-install-recommends -o Dpkg::Use-Pty=0)

log "updating the package lists"
$sudo apt-get update -q >/dev/null

if ! have_612; then
	v=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{print $1}' | sed 's/^linux-image-//' | sort -V | tail -n 1)
	if [ -z "$v" ]; then
		log "no linux-image-6.12.*+deb12-amd64 package in the archive"
		exit 1
	fi
	need+=("linux-image-$v" "linux-headers-$v")
fi

log "installing: ${need[*]}"
$sudo apt-get install "${apt_opts[@]}" "${need[@]}" >/dev/null
log "done"
