# shellcheck shell=bash
# scripts/lib-port.sh: waiting for a server to listen, for the scripts that
# start one (sourced by scripts/lib-bench.sh and selftests/e2e/lib.sh).

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
