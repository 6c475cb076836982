#!/usr/bin/env bash
# selftests/vm/selftest.sh [--kernel KVER]
#
# The VM runner's own tests, run on the host, printing KTAP: exit status and
# output come back, the module is loaded and visible to modprobe, the
# kernel's AEADs are the CPU's accelerated ones (or, with --generic-crypto,
# AES in portable C), a kernel
# WARNING or a module that will not unload fails the run, a hung command
# times out legibly, and two runners can run at once.  On the debug kernel
# (--kernel debug) also: a kmemleak, KASAN, sleeping-in-atomic or lockdep
# report fails the run (skipped on Debian kernels, which lack the checkers).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
run=$top/selftests/vm/run
kver=
[ "${1:-}" = --kernel ] && kver=${2:?}
[ -n "$kver" ] || kver=$("$top/scripts/kernels" | tail -n 1)
kver=$(KVER=$kver "$top/scripts/kernels") || exit 2
cd "$top" || exit 2
debug=0
case "$kver" in *-ktlso-debug) debug=1 ;; esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

# check NAME EXPECTED_RC GREP_OUT GREP_ERR RUNNER-ARGS...
# EXPECTED_RC is a number or "nonzero"; the greps are extended regexps that
# must match stdout / stderr ("" for none); GREP_ERR "!RE" means stderr must
# not match RE.
check() {
	local name=$1 want=$2 out_re=$3 err_re=$4 rc ok=1
	shift 4
	n=$((n + 1))
	"$run" --kernel "$kver" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	case "$want" in
	nonzero) [ "$rc" -ne 0 ] || ok=0 ;;
	*) [ "$rc" -eq "$want" ] || ok=0 ;;
	esac
	[ -z "$out_re" ] || grep -Eq "$out_re" "$tmp/out" || ok=0
	case "$err_re" in
	"") ;;
	!*) ! grep -Eq "${err_re#!}" "$tmp/err" || ok=0 ;;
	*) grep -Eq "$err_re" "$tmp/err" || ok=0 ;;
	esac
	if [ $ok = 1 ]; then
		echo "ok $n vm_runner.$name"
	else
		failed=$((failed + 1))
		echo "# expected status $want, got $rc; stdout and stderr follow"
		sed 's/^/#   out| /' "$tmp/out" | tail -n 20
		sed 's/^/#   err| /' "$tmp/err" | tail -n 20
		echo "not ok $n vm_runner.$name"
	fi
}

echo "TAP version 13"
echo "1..15"
echo "# runner selftest on $kver"

kre=$(printf '%s' "$kver" | sed 's/[.+]/\\&/g')
check output_status_and_module 7 "^ktlso-vm-ok $kre\$" "" -- \
	sh -c 'test -d /sys/module/ktlso || exit 99; echo "ktlso-vm-ok $(uname -r)"; exit 7'
check no_module_but_modprobe_finds_it 0 "updates/ktlso.ko" "" --no-module -- \
	sh -c '! test -d /sys/module/ktlso && modprobe -n -v ktlso'
# As on a real boot, the CPU's modules give the AEADs ktlso allocates
# accelerated drivers (-cpu max: AES-NI, CLMUL, AVX2).
check cpu_crypto_modules_loaded 0 "AES-128-GCM \(gcm\(aes\)\): [^ ]*aesni.*, accelerated" "" -- \
	sh -c 'build/bin/ktlsod --probe && build/bin/ktlsod --probe | grep -q "ChaCha20-Poly1305.*, accelerated"'
if [ "$debug" = 0 ]; then
	check generic_crypto_keeps_portable_c 0 "AES-128-GCM \(gcm\(aes\)\): [^ ]*aes-generic" "" \
		--generic-crypto -- \
		sh -c '! test -d /sys/module/aesni_intel && build/bin/ktlsod --probe'
else
	n=$((n + 1))
	echo "ok $n vm_runner.generic_crypto_keeps_portable_c # SKIP $kver has its ciphers built in"
fi
check warning_fails_the_run_quoted nonzero "" "^vm: +\| .*WARNING: .*ktlso_vmtest_warn" -- \
	sh -c "insmod build/$kver/testmod/ktlso_vmtest_warn.ko && rmmod ktlso_vmtest_warn"
check pinned_module_fails_the_run nonzero "" "ktlso did not unload" -- \
	build/selftests/ulp_hold 120
# The debug kernel's timeouts are stretched by KTLSO_VM_DEBUG_SLOWDOWN.
tmo=12
[ "$debug" = 0 ] || tmo=36
KTLSO_VM_DEBUG_SLOWDOWN=3 check timeout_is_reported 124 "" \
	"TIMEOUT: .*within ${tmo}s" --timeout 12 -- sleep 600

# A guest kernel that dies during boot is booted once more, and said so; a
# crash once the command has started is the run's failure, not retried.
KTLSO_VM_CRASH_BOOTS=1 check boot_crash_is_retried_once 0 "^booted-again\$" \
	"died during boot, before the command started; booting again" -- echo booted-again
KTLSO_VM_CRASH_BOOTS=2 check second_boot_crash_fails 124 "" \
	"stopped without reporting a result" -- echo not-reached
check crash_in_command_is_not_retried 124 "" "!booting again" -- \
	sh -c 'echo c > /proc/sysrq-trigger'

# The debug kernel's checkers: each report, made on purpose by the test
# module, fails a run whose command succeeded.
splat() { # splat NAME WHAT GREP_ERR: load ktlso_vmtest_splat splat=WHAT
	if [ "$debug" = 0 ]; then
		n=$((n + 1))
		echo "ok $n vm_runner.$1 # SKIP $kver is not the debug kernel"
		return
	fi
	check "$1" nonzero "" "$3" -- sh -c \
		"insmod build/$kver/testmod/ktlso_vmtest_splat.ko splat=$2 && rmmod ktlso_vmtest_splat"
}
splat kmemleak_fails_the_run leak "^vm: +\| unreferenced object 0x"
splat kasan_fails_the_run kasan "^vm: +\| .*BUG: KASAN: slab-out-of-bounds in vmtest_"
splat atomic_sleep_fails_the_run sleep \
	"^vm: +\| .*BUG: sleeping function called from invalid context"
splat lockdep_fails_the_run lockdep \
	"^vm: +\| .*WARNING: possible circular locking dependency detected"

# Two runners at once, each with its own output and status.
n=$((n + 1))
"$run" --kernel "$kver" -- sh -c 'echo one; exit 3' >"$tmp/a" 2>&1 &
a=$!
"$run" --kernel "$kver" -- sh -c 'echo two; exit 4' >"$tmp/b" 2>&1 &
b=$!
wait $a; ra=$?
wait $b; rb=$?
if [ $ra = 3 ] && [ $rb = 4 ] && grep -qx one "$tmp/a" && grep -qx two "$tmp/b"; then
	echo "ok $n vm_runner.concurrent_runs"
else
	failed=$((failed + 1))
	echo "# statuses $ra $rb; outputs:"
	sed 's/^/#   a| /' "$tmp/a"
	sed 's/^/#   b| /' "$tmp/b"
	echo "not ok $n vm_runner.concurrent_runs"
fi
[ $failed = 0 ]
