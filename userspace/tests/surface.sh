#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# userspace/tests/surface.sh: what a user and a package see of ktlso,
# checked against the programs themselves (a host test: the build links it
# as build/tests/host/surface, which "make check" runs after "make").
#
#  - VERSION holds a version, and each ktlso.ko built for an installed
#    kernel carries it (MODULE_VERSION);
#  - every man page in doc/man renders with scdoc, and the pages the
#    programs and the interfaces need are there;
#  - every program in build/bin prints "PROG VERSION" for --version and
#    exits 0; prints its usage on stdout for --help and exits 0, a usage
#    that names every long option the program's source takes, each of
#    them in the program's man page; and exits 64 (EX_USAGE) with nothing
#    on stdout for an option it does not know;
#  - ktlsod.conf(5) names every key the configuration parser takes,
#    libktlso(3) every function the library exports, ktlso(7) every
#    ktlso SOL_TLS option and module parameter.
#
# Prints KTAP; exits non-zero on any failure.
set -uo pipefail

top=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
bin=$top/build/bin
man=$top/doc/man
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The pages there must be. Programs not listed in no_page must each have
# one, PROG.SECTION.scd.
pages="ktlsod.8 ktlsod.conf.5 ktlsoctl.8 ktlso-httpd.8 ktlso-client.1
ktlso-tls.1 ktlso-bench.1 ktlso-hsbench.1 libktlso.3 ktlso.7"
# Programs of the build and test tree, not of a package: the demo "make
# demo" runs, and the load tool of scripts/hsbench and the bounds suite.
no_page="ktlso-demo ktlso-hsload"
# The programs there must be, and the source that parses each one's
# command line (a getopt table, or strcmp()s of argv): --help must name
# every long option the source takes. A build that made none fails.
declare -A prog_src=(
	[ktlsod]=userspace/daemon/main.c
	[ktlsoctl]=userspace/ctl/main.c
	[ktlso-httpd]=userspace/httpd/main.c
	[ktlso-client]=userspace/client/ktlso-client.c
	[ktlso-tls]=userspace/tools/ktlso-tls.c
	[ktlso-bench]=userspace/tools/ktlso-bench.c
	[ktlso-hsbench]=userspace/tools/ktlso-hsbench.c
	[ktlso-demo]=userspace/tools/ktlso-demo.c
	[ktlso-hsload]=userspace/hsload/main.c
)

# shellcheck source=userspace/tests/ktap.sh
. "$top/userspace/tests/ktap.sh"
# verdict NAME [PROBLEM...]: ok without problems, else not ok with them
verdict() {
	if [ $# -eq 1 ]; then ok "$1"; else not_ok "$@"; fi
}

version=$(head -n 1 "$top/VERSION" 2>/dev/null)

# A long option: "--name" not inside a longer word or option name.
mentions() { # mentions FILE OPTION
	grep -qE -- "(^|[^[:alnum:]_-])${2//./\\.}([^[:alnum:]_-]|$)" "$1"
}

page_of() { # page_of PROG: its page's source, or nothing
	local f
	for f in "$man/$1".[1-8].scd; do
		[ -e "$f" ] && echo "$f" && return
	done
}

# --- the version ------------------------------------------------------------

t_version_file() {
	local name="VERSION holds a version"
	if [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([~+.][0-9A-Za-z.~+-]*)?$ ]]; then
		ok "$name ($version)"
	else
		not_ok "$name" "first line: \"$version\""
	fi
}

t_module_version() {
	local name="ktlso.ko carries VERSION" k f v modinfo found=0 bad=()
	modinfo=$(PATH=$PATH:/sbin:/usr/sbin command -v modinfo) ||
		{ skip "$name" "no modinfo"; return; }
	for k in $("$top/scripts/kernels" 2>/dev/null); do
		f=$top/build/$k/ktlso.ko
		[ -f "$f" ] || continue
		found=$((found + 1))
		v=$("$modinfo" -F version "$f" 2>&1)
		[ "$v" = "$version" ] || bad+=("$f: version \"$v\"")
	done
	if [ "$found" -eq 0 ]; then
		skip "$name" "no module built (make modules)"
	else
		verdict "$name ($found built)" "${bad[@]}"
	fi
}

# --- the pages --------------------------------------------------------------

t_pages_present() {
	local p missing=()
	for p in $pages; do
		[ -f "$man/$p.scd" ] || missing+=("no doc/man/$p.scd")
	done
	verdict "doc/man has every page" "${missing[@]}"
}

t_page_renders() { # t_page_renders NAME.SECTION.scd
	local name="scdoc renders $1"
	if ! command -v scdoc >/dev/null; then
		not_ok "$name" "scdoc is not installed (make deps)"
	elif scdoc <"$man/$1" >"$tmp/page" 2>"$tmp/err" && [ -s "$tmp/page" ]; then
		ok "$name"
	else
		not_ok "$name" "$(head -n 3 "$tmp/err")"
	fi
}

# The names a source file defines, by an extended regex whose first group
# is the name.
names_in() { # names_in REGEX FILE...
	sed -nE "s/$1.*/\\1/p" "${@:2}" | sort -u
}

# t_names_in_page NAME PAGE MARK NAMES...: each of NAMES in PAGE, between
# MARKs (a regex: "\\*" for scdoc's bold, where a name is a common word)
t_names_in_page() {
	local name=$1 page=$man/$2.scd mark=$3 w missing=()
	shift 3
	if [ $# -eq 0 ]; then
		not_ok "$name" "found no name to look for: the sources changed?"
		return
	fi
	for w; do
		grep -qE -- "(^|[^[:alnum:]_])$mark$w$mark([^[:alnum:]_]|$)" \
			"$page" 2>/dev/null ||
			missing+=("$w is not in ${page#"$top"/}")
	done
	verdict "$name ($# names)" "${missing[@]}"
}

t_conf_keys() {
	# shellcheck disable=SC2046
	t_names_in_page "ktlsod.conf(5) names every configuration key" \
		ktlsod.conf.5 '\*' \
		$(names_in '^[[:space:]]*\[GK_[A-Z_]+\] = "([a-z_0-9]+)"' \
			"$top/userspace/daemon/conf.c") \
		$(names_in '^[[:space:]]*\{ "([a-z_0-9]+)", PK_' \
			"$top/userspace/daemon/profile.c")
}

t_lib_functions() {
	# shellcheck disable=SC2046
	t_names_in_page "libktlso(3) names every exported function" libktlso.3 "" \
		$(names_in '^[[:space:]]+(ktlso_[a-z_0-9]+);' \
			"$top/userspace/lib/libktlso.map")
}

t_socket_interface() {
	# shellcheck disable=SC2046
	t_names_in_page "ktlso(7) names every ktlso option and module parameter" \
		ktlso.7 "" \
		$(names_in '^#define (KTLSO_[A-Z_]+)[[:space:]]+\(KTLSO_SOCKOPT_BASE \+' \
			"$top/include/uapi/linux/ktlso.h") \
		$(names_in '^module_param[_cb]*\(([a-z_0-9]+),' "$top"/kernel/*.c)
}

# --- the programs -----------------------------------------------------------

t_prog_version() { # t_prog_version PROG
	local name="$1 --version" rc
	timeout 10 "$bin/$1" --version </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "$1 $version" ]; then
		ok "$name"
	else
		not_ok "$name" "exit status $rc, stdout: $(head -c 200 "$tmp/out")" \
			"wanted \"$1 $version\"; stderr: $(head -c 200 "$tmp/err")"
	fi
}

# The long options a program's source takes: its getopt table's names,
# and the "--name"s it compares argv with.
source_options() { # source_options FILE
	sed -nE \
		-e 's/.*\{ "([[:alnum:]][[:alnum:]._-]*)", (no|required|optional)_argument.*/--\1/p' \
		-e 's/.*strcmp\(argv\[[a-z0-9]+\], "(--[[:alnum:]][[:alnum:]._-]*)"\).*/\1/p' \
		"$1" | sort -u
}

# t_prog_help PROG: --help on stdout names every long option of the
# program's source, and the program's page every one --help names.
t_prog_help() {
	local prog=$1 name="$1 --help names every option" page rc o
	local src=${prog_src[$1]:-} missing=()
	page=$(page_of "$prog")
	[ -n "$page" ] && name+=", each in ${page##*/}"
	timeout 10 "$bin/$prog" --help </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ] || ! grep -q "usage:" "$tmp/out"; then
		not_ok "$name" "exit status $rc, no usage on stdout" \
			"stderr: $(head -c 200 "$tmp/err")"
		return
	fi
	if [ -z "$src" ] || ! [ -f "$top/$src" ]; then
		not_ok "$name" "no source known for $prog: add it to prog_src"
		return
	fi
	for o in $(source_options "$top/$src"); do
		mentions "$tmp/out" "$o" || missing+=("$o ($src) is not in --help")
	done
	if [ -n "$page" ]; then
		while read -r o; do
			mentions "$page" "$o" ||
				missing+=("$o is not in ${page##*/}")
		done < <(grep -oE -- '--[[:alnum:]][[:alnum:]._-]*' "$tmp/out" |
			 sed 's/\.$//' | sort -u)
	elif [[ " $no_page " != *" $prog "* ]]; then
		missing+=("no doc/man/$prog.N.scd")
	fi
	verdict "$name" "${missing[@]}"
}

t_prog_bad_option() { # t_prog_bad_option PROG
	local name="$1 with an unknown option exits 64" rc
	timeout 10 "$bin/$1" --no-such-option </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 64 ] && ! [ -s "$tmp/out" ]; then
		ok "$name"
	else
		not_ok "$name" "exit status $rc" \
			"stdout: $(head -c 200 "$tmp/out")"
	fi
}

t_programs_present() {
	local p missing=()
	for p in "${!prog_src[@]}"; do
		[ -x "$bin/$p" ] || missing+=("no build/bin/$p (make userspace)")
	done
	verdict "build/bin has every program" "${missing[@]}"
}

# --- the plan ---------------------------------------------------------------

cases=(t_version_file t_module_version t_pages_present)
for f in "$man"/*.scd; do
	[ -e "$f" ] && cases+=("t_page_renders ${f##*/}")
done
cases+=(t_conf_keys t_lib_functions t_socket_interface t_programs_present)
for p in "$bin"/*; do
	if ! [ -f "$p" ] || ! [ -x "$p" ]; then continue; fi
	p=${p##*/}
	cases+=("t_prog_version $p" "t_prog_help $p" "t_prog_bad_option $p")
done

echo "TAP version 13"
echo "1..${#cases[@]}"
for c in "${cases[@]}"; do
	$c
done
echo "# $failed failed of $n"
[ "$failed" -eq 0 ]
