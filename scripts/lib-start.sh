# shellcheck shell=bash
# scripts/lib-start.sh: starting the project's servers and waiting for them,
# for the scripts that do (sourced by scripts/lib-bench.sh,
# scripts/demo-guest and selftests/e2e/lib.sh).  The caller has set "bin"
# (build/bin) and has an array "pids" that its exit trap kills.

# Port $1 of 127.0.0.1 accepts connections within $2 tenths of a second
# (default 100).
wait_port() {
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ktlsod with CONF (default ktlsod.conf), its log appended to ktlsod.log,
# its pid in ktlsod_pid and in pids; ready once ktlsoctl sees it (within
# 10 s, or it fails).
start_ktlsod() { # start_ktlsod [CONF]
	# shellcheck disable=SC2154 # bin: the caller's
	"$bin/ktlsod" --config "${1:-ktlsod.conf}" --foreground >> ktlsod.log 2>&1 &
	ktlsod_pid=$!
	pids+=("$ktlsod_pid")
	local i
	for ((i = 0; i < 100; i++)); do
		"$bin/ktlsoctl" status > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
