# shellcheck shell=bash
# scripts/lib-suite.sh: the suite counting shared by scripts/check and
# scripts/check-debug (sourced, never run).  The caller sets $logs (an
# existing directory) and runs from the repository's root.
#
# Each suite prints KTAP; its "ok"/"not ok" lines are counted.  A suite that
# fails without a "not ok" line of its own (a crash, a kernel splat, a module
# that would not unload, a timeout) counts as one failure, and one that runs
# no test at all counts as a failure too.  summary prints the last line,
# "N passed, N failed, N skipped", and fails on any failure.  The functions
# work with and without "set -e".

logs=${logs:?set logs before sourcing scripts/lib-suite.sh}
passed=0 failed=0 skipped=0
failures=()

suite() { # suite NAME COMMAND...
	local name=$1 log=$logs/$1.log rc=0 p s f line
	shift
	printf '\n=== %s\n' "$name"
	"$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
	p=$(grep -Ec '^ok [0-9]+ ' "$log") || true
	s=$(grep -Ec '^ok [0-9]+ .*# SKIP' "$log") || true
	f=$(grep -Ec '^not ok ' "$log") || true
	p=$((p - s))
	while IFS= read -r line; do
		failures+=("$name: ${line#not ok }")
	done < <(grep -E '^not ok ' "$log" || true)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		failures+=("$name: exited with status $rc (see ${log#"$PWD"/})")
	elif [ "$rc" -eq 0 ] && [ $((p + s + f)) -eq 0 ]; then
		f=1
		failures+=("$name: ran no test")
	fi
	passed=$((passed + p))
	skipped=$((skipped + s))
	failed=$((failed + f))
	printf '=== %s: %d passed, %d failed, %d skipped\n' "$name" "$p" "$f" "$s"
}

report() { # report NAME COMMAND...: runs, shows, counts only a failure
	local name=$1 log=$logs/$1.log rc=0
	shift
	printf '\n=== %s (report, not a test)\n' "$name"
	"$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
		failures+=("$name: could not run, status $rc (see ${log#"$PWD"/})")
	fi
}

# The VM suites on one kernel (a Debian release, or the debug kernel's):
# the runner's own selftest, the kselftests, then the end-to-end suites
# (ktlsod, libktlso, ktlso-httpd and ktlso-client against curl, openssl and
# gnutls; who may use which profile, ktlsod's privileges; TLS 1.3 key
# updates run by the kernel; hostile peers beside normal handshakes), each
# inside a VM with ktlso loaded.
kernel_suites() { # kernel_suites KVER
	local k=$1
	suite "vm-runner-$k" selftests/vm/selftest.sh --kernel "$k"
	suite "kselftest-$k" selftests/vm/run --kernel "$k" -- \
		selftests/run_tests.sh build/selftests
	# The rekey tests against in-tree kTLS as well, where it has them
	# (Linux 6.14+; on Debian's 6.1 and 6.12 they skip, saying so).
	suite "kselftest-intree-$k" selftests/vm/run --kernel "$k" -- \
		env KTLSO_TEST_ULP=tls build/selftests/rekey
	# The generic netlink family's YNL spec against the module's policies.
	suite "netlink-spec-$k" selftests/vm/run --kernel "$k" -- \
		selftests/netlink/check-spec
	suite "daemon-e2e-$k" selftests/vm/run --kernel "$k" -- \
		build/tests/host/daemon-e2e
	suite "httpd-e2e-$k" selftests/vm/run --kernel "$k" --timeout 600 -- \
		userspace/httpd/tests/e2e.sh
	suite "e2e-$k" selftests/vm/run --kernel "$k" --timeout 900 -- \
		selftests/e2e/run
	suite "fleet-e2e-$k" selftests/vm/run --kernel "$k" --timeout 600 -- \
		selftests/e2e/fleet
	suite "security-e2e-$k" selftests/vm/run --kernel "$k" --timeout 600 -- \
		selftests/e2e/security
	suite "keyupdate-e2e-$k" selftests/vm/run --kernel "$k" --timeout 900 -- \
		selftests/e2e/keyupdate
	suite "bounds-e2e-$k" selftests/vm/run --kernel "$k" --timeout 900 -- \
		selftests/e2e/bounds
	suite "examples-e2e-$k" selftests/vm/run --kernel "$k" --timeout 600 -- \
		selftests/e2e/examples
	suite "unmodified-e2e-$k" selftests/vm/run --kernel "$k" --timeout 900 -- \
		selftests/e2e/unmodified
}

summary() { # the failures, then "N passed, N failed, N skipped"
	echo
	if [ ${#failures[@]} -gt 0 ]; then
		echo "Failures:"
		printf '  %s\n' "${failures[@]}"
		echo
	fi
	echo "$passed passed, $failed failed, $skipped skipped" | tee "$logs/summary"
	[ "$failed" -eq 0 ]
}
