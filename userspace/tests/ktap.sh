# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# userspace/tests/ktap.sh: the KTAP lines of the host tests written in shell
# (sourced by surface.sh and install.sh).  Counts in n and failed.
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { # NAME [WHY...]: each WHY a "#" line
	local w
	n=$((n + 1)) failed=$((failed + 1))
	for w in "${@:2}"; do printf '%s\n' "$w" | sed 's/^/# /'; done
	echo "not ok $n $1"
}
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
