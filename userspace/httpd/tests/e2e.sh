#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# userspace/httpd/tests/e2e.sh: ktlso-httpd, libktlso, ktlsoctl, ktlsod and
# ktlso.ko together, inside a VM with the module loaded:
#
#	selftests/vm/run --timeout 600 -- userspace/httpd/tests/e2e.sh
#
# A throw-away CA-less certificate for "localhost", ktlsod serving it,
# ktlso-httpd in front of a directory, and curl (OpenSSL) as the client:
# files fetched over HTTPS byte for byte (a large one through sendfile),
# keep-alive, HEAD, 404; resumption (openssl s_client -sess_out then
# -sess_in: Reused, in TLS 1.3 and TLS 1.2; curl across connections); a
# client that refuses the certificate (the server
# logs the failed handshake and goes on); slow clients (a trickled request
# gets 408 after --request-timeout; 64 silent connections from one address
# hold 8 slots and another address is served); ktlsoctl's view before and
# after; and without the daemon, the handshake's "no daemon" error.
# Prints KTAP; exits non-zero on any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
bin=$top/build/bin
tmp=$(mktemp -d)
pids=()
n=0 failed=0

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n $1"
	shift
	local f
	for f in "$@"; do [ -f "$f" ] && sed 's/^/# /' "$f" | tail -n 20; done
}
check() { # NAME COMMAND...: ok when COMMAND succeeds
	local name=$1
	shift
	if "$@" >"$tmp/check.log" 2>&1; then ok "$name"
	else not_ok "$name" "$tmp/check.log" "$tmp/httpd.log" "$tmp/ktlsod.log"
	fi
}

wait_for() { # SECONDS COMMAND...: poll until COMMAND succeeds
	local t=$(( $1 * 10 ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		t=$((t - 1))
		[ $t -gt 0 ] || return 1
		sleep 0.1
	done
}

echo "TAP version 13"
echo "1..20"

# --- the PKI, the content, the daemon ---------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost \
	2>"$tmp/openssl.log" || { cat "$tmp/openssl.log"; exit 1; }
cat >"$tmp/ktlsod.conf" <<CONF
[profile default]
cert = cert.pem key.pem
CONF
mkdir -p "$tmp/www/sub"
echo '<p>ktlso</p>' >"$tmp/www/index.html"
echo 'hello' >"$tmp/www/sub/a.txt"
head -c 3000017 /dev/urandom >"$tmp/www/big.bin"

"$bin/ktlsoctl" status >"$tmp/st0" 2>&1
check "ktlsoctl: no daemon yet (exit 2)" test $? -eq 2

"$bin/ktlsod" --config "$tmp/ktlsod.conf" --foreground -v \
	>"$tmp/ktlsod.log" 2>&1 &
dpid=$!
pids+=("$dpid")
check "ktlsod listens (ktlsoctl status exit 0)" \
	wait_for 20 "$bin/ktlsoctl" status

# --- ktlso-httpd, many connections ---------------------------------------------
"$bin/ktlso-httpd" --root "$tmp/www" --listen 0 --addr 127.0.0.1 \
	--timeout 20000 --request-timeout 3 --max-per-addr 8 \
	>"$tmp/httpd.out" 2>"$tmp/httpd.log" &
pids+=("$!")
wait_for 10 grep -q 'listening on' "$tmp/httpd.out"
port=$(sed -n 's/.* port \([0-9]*\)$/\1/p' "$tmp/httpd.out")
url=https://localhost:$port
curl_ok() { curl -sS --max-time 60 --cacert "$tmp/cert.pem" \
	--resolve "localhost:$port:127.0.0.1" "$@"; }

big_file() {
	curl_ok -o "$tmp/big.out" "$url/big.bin" &&
		cmp "$tmp/www/big.bin" "$tmp/big.out"
}
# Two files, one connection (curl reuses it: one connect in all).
keep_alive() {
	curl_ok -o "$tmp/1" "$url/" -o "$tmp/2" "$url/sub/a.txt" \
		-w '%{num_connects}\n' >"$tmp/conns" &&
		cmp "$tmp/www/index.html" "$tmp/1" &&
		cmp "$tmp/www/sub/a.txt" "$tmp/2" &&
		[ "$(paste -sd+ "$tmp/conns" | bc)" = 1 ]
}
head_only() {
	curl_ok -I "$url/big.bin" | tr -d '\r' |
		grep -qx 'Content-Length: 3000017'
}
not_found() {
	[ "$(curl_ok -o /dev/null -w '%{http_code}' "$url/nope")" = 404 ]
}
alpn() {
	curl_ok -v -o /dev/null "$url/" 2>&1 |
		grep -q 'ALPN.*accepted.*http/1.1'
}
still_serving() {
	curl_ok "$url/sub/a.txt" | grep -qx hello
}

check "GET a large file over TLS, byte for byte" big_file
check "keep-alive: two files on one connection" keep_alive
check "HEAD: length, no body" head_only
check "404 for a missing file" not_found
check "ALPN http/1.1 agreed" alpn

# Resumption through ktlsod: the daemon sends the TLS 1.3 tickets before
# the kernel takes over (at the sequence numbers that follow them), the
# TLS 1.2 one within the handshake; a second connection offering one is
# resumed (TLS 1.2: the abbreviated handshake), and its records still
# open.
s_get() { # s_get OUT VER ARGS...: GET /sub/a.txt with openssl s_client
	local out=$1 ver=$2
	shift 2
	printf 'GET /sub/a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' |
		timeout 20 openssl s_client -connect "127.0.0.1:$port" \
			-servername localhost -CAfile "$tmp/cert.pem" \
			"-tls${ver/./_}" -ign_eof "$@" >"$out" 2>&1 &&
		grep -q '^hello' "$out"
}
resumed() { # resumed VER
	s_get "$tmp/s1.out" "$1" -sess_out "$tmp/sess.pem" &&
		grep -q "^New, TLSv$1" "$tmp/s1.out" &&
		s_get "$tmp/s2.out" "$1" -sess_in "$tmp/sess.pem" &&
		grep -q "^Reused, TLSv$1" "$tmp/s2.out"
}
check "TLS 1.3: openssl s_client -sess_in resumes (Reused)" resumed 1.3
check "TLS 1.2: openssl s_client -sess_in resumes (Reused)" resumed 1.2
# curl keeps the session of its first connection for the next ones.
curl_resumes() {
	curl_ok -v -H 'Connection: close' -o "$tmp/1" "$url/sub/a.txt" \
		-o "$tmp/2" "$url/sub/a.txt" 2>"$tmp/curl-resume.log" &&
		cmp "$tmp/www/sub/a.txt" "$tmp/2" &&
		grep -q 're-using session ID' "$tmp/curl-resume.log"
}
check "TLS 1.3: curl resumes its session on its next connection" \
	curl_resumes

# A client that does not trust the certificate: it fails, the server goes on.
curl -sS --max-time 20 --resolve "localhost:$port:127.0.0.1" \
	-o /dev/null "$url/" 2>/dev/null
check "untrusted client fails its handshake, logged by the server" \
	wait_for 10 grep -q 'TLS handshake failed' "$tmp/httpd.log"
check "the server still serves after that" still_serving

# --- slow clients ----------------------------------------------------------------
# A request trickled a few bytes a second: 408 once --request-timeout (3 s)
# has passed since its first byte, long before the trickle would end.
trickle() {
	local t0=$SECONDS
	{ printf 'GET / HTTP/1.1\r\n'; for c in H o s t : ' ' x; do
		sleep 1; printf '%s' "$c"; done; sleep 4; } |
		timeout 20 openssl s_client -quiet -connect "127.0.0.1:$port" \
			-servername localhost -CAfile "$tmp/cert.pem" \
			>"$tmp/trickle.out" 2>/dev/null
	grep -q '^HTTP/1.1 408' "$tmp/trickle.out" && [ $((SECONDS - t0)) -lt 12 ]
}
check "a trickled request gets 408 after --request-timeout" trickle

# 64 connections from 127.0.0.1 that never say a word: 8 are held (until the
# handshake timeout), the others closed at once, so a client from another
# address (127.0.0.2) is served meanwhile.
slow_fds=()
for _ in $(seq 64); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$port"
	slow_fds+=("$fd")
done
other_addr() {
	curl_ok --max-time 10 --interface 127.0.0.2 "$url/sub/a.txt" |
		grep -qx hello
}
check "64 silent clients from one address: another address is served" \
	other_addr
check "the refusal is logged once" \
	test "$(grep -c 'more than 8 connections from this address' "$tmp/httpd.log")" -eq 1
for fd in "${slow_fds[@]}"; do exec {fd}>&-; done
check "once they go, their address is served again" \
	wait_for 20 still_serving

# --- what ktlsoctl saw ----------------------------------------------------------
"$bin/ktlsoctl" --json status >"$tmp/status.json"
check "ktlsoctl --json status: daemon, handshakes completed" \
	grep -q '"daemon":true.*"completed":[1-9]' "$tmp/status.json"
"$bin/ktlsoctl" stats >"$tmp/stats"
check "ktlsoctl stats: TLS sockets counted" \
	grep -Eq 'TlsTxSw: +[1-9]' "$tmp/stats"

# --- without the daemon -------------------------------------------------------
kill "$dpid"
wait "$dpid" 2>/dev/null
"$bin/ktlsoctl" status >/dev/null 2>&1
check "ktlsoctl: the daemon gone (exit 2)" test $? -eq 2
curl_ok -o /dev/null "$url/" 2>/dev/null
check "no daemon: the handshake fails with ESRCH's message" \
	wait_for 10 grep -q 'no handshake daemon is running' "$tmp/httpd.log"

# What the server logged, for the record.
sed 's/^/# httpd: /' "$tmp/httpd.log" | head -n 6

[ "$n" -eq 20 ] || { echo "# ran $n checks, not 20"; failed=$((failed + 1)); }
[ "$failed" -eq 0 ]
