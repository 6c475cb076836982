# shellcheck shell=bash
# scripts/lib-bench.sh: what the benchmarks run inside the VM share
# (sourced by scripts/hsbench-guest and scripts/httpbench-guest, never run):
# CPU time of processes, waiting for a port, the kernel's AEAD drivers, and
# nginx with a configuration of the caller's, run in the foreground so that
# its master is one of the caller's "pids" and the caller's exit trap ends
# it.  The caller has an array "pids" and a work directory.

# CPU seconds (user + system) the processes @pids have used so far.
cpu_of() {
	local p t=0 s
	for p in "$@"; do
		s=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null) || s=0
		t=$((t + s))
	done
	awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

# wait_port PORT [TENTHS], start_ktlsod [CONF]
# shellcheck source=scripts/lib-start.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-start.sh"

# The kernel's AEADs and their drivers on one line, from KTLSOD --probe:
# "AES-128-GCM generic-gcm-aesni-avx; AES-256-GCM ...".
aead_drivers() { # aead_drivers KTLSOD
	"$1" --probe | sed -n 's/^\([^ ]*\) .*): \(.*\), [^,]*$/\1 \2/p' |
		paste -sd ';' | sed 's/;/; /g'
}

# nginx_conf DIR WORKERS SERVER: DIR/nginx.conf for WORKERS worker processes,
# no access log, no TLS session cache nor tickets (every connection a full
# handshake, as ktlso's TLS 1.3 servers send no tickets), everything it
# writes under DIR, and SERVER (a server block, or any http-level
# directives) inside http {}.
nginx_conf() {
	mkdir -p "$1"
	cat > "$1/nginx.conf" <<-EOF
	worker_processes $2;
	pid $1/nginx.pid;
	error_log $1/error.log;
	events { worker_connections 1024; }
	http {
		access_log off;
		client_body_temp_path $1/body;
		proxy_temp_path $1/proxy;
		fastcgi_temp_path $1/fastcgi;
		uwsgi_temp_path $1/uwsgi;
		scgi_temp_path $1/scgi;
		ssl_session_cache off;
		ssl_session_tickets off;
	$3
	}
	EOF
}

# nginx_start DIR PORT [WORKERS]: nginx with DIR/nginx.conf, in the
# foreground (its pid in nginx_pid and in pids); fails unless PORT accepts
# connections and the master has WORKERS worker processes (default 1)
# within 10 s.  nginx_stop: its fast shutdown (SIGTERM), waited for.
nginx_start() {
	local i
	nginx -c "$1/nginx.conf" -p "$1" -e "$1/error.log" -g 'daemon off;' &
	nginx_pid=$!
	pids+=("$nginx_pid")
	wait_port "$2" 100 || return 1
	# The master listens before it starts its workers.
	for ((i = 0; i < 100; i++)); do
		[ "$(pgrep -c -P "$nginx_pid")" -ge "${3:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}
nginx_stop() {
	kill "$nginx_pid" 2>/dev/null || true
	wait "$nginx_pid" 2>/dev/null || true
}
