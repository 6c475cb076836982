# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The case variables reach these helpers by bash's dynamic scoping, and the
# runner sets $d, $tmp, $pki and $data:
# shellcheck disable=SC2154,SC2034
#
# Helpers of the interop runner ("run" sources this): processes that cannot
# outlive the run, free ports, stdin feeders, the command lines of the three
# implementations, and the two shapes of a case: xfer (a connection that
# must work, data checked both ways) and xfail (one that must fail, checked
# on both sides).
#
# A case describes itself in variables its function declares "local"
# (bash's dynamic scoping hands them to the helpers):
#
#   ver      1.2 or 1.3 (empty: each side's default); sver, cver: the
#            server's / client's own, where they differ
#   suite    IANA suite name; empty: each side's default; ssuite, csuite:
#            the server's / client's own
#   cert     the server's leaf (pki.sh names; default srv-p256)
#   cert2    a second server leaf, chosen by SNI (ktlso, openssl servers)
#   sgroups, cgroups   ':'-separated IANA group names, server / client
#   salpn, calpn       ','-separated ALPN names, server / client
#   sverify  1: the server requires a client certificate
#   ccert    the client's leaf (mutual authentication)
#   sni      the name the client asks for and verifies (default localhost)
#   cca      the client's trust file in $pki (default root.pem)
#   sx, cx   arrays: more arguments for the server / client command
#   naccept  connections a ktlso server serves (default 1; "endless")
#   gdebug   1: gnutls peers log at level 5 (the alerts they send and get)
#
# Results of the last xfer/xfail: $d (the case's directory), kerr (the
# ktlso side's stderr), perr (the peer's), crc/src (exit statuses).

TIMEOUT=${TIMEOUT:-20}
pids=()			# everything started in the background

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	pids=()
}

# spawn CMD...: start in the background under timeout; $! is its pid. Its
# stdin is the caller's ("<&0": a background command's is /dev/null else).
spawn() {
	timeout "$TIMEOUT" "$@" <&0 &
	pids+=($!)
}

diag() { # diag MESSAGE: a line for the case's failure report
	printf '%s\n' "$*" >>"$d/diag"
}

fail() { diag "$@"; return 1; }

# --- ports --------------------------------------------------------------------

port_used() { # port_used PORT: any TCP socket bound to it (/proc/net/tcp*)
	local hex
	printf -v hex '%04X' "$1"
	grep -qE "^ *[0-9]+: [0-9A-F]+:$hex " /proc/net/tcp /proc/net/tcp6 \
		2>/dev/null
}

port_listening() { # port_listening PORT: state 0A is LISTEN
	local hex
	printf -v hex '%04X' "$1"
	grep -qE "^ *[0-9]+: [0-9A-F]+:$hex [0-9A-F]+:[0-9A-F]+ 0A " \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

free_port() { # below the ephemeral range, so no client can hold it
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		port_used "$p" || break
	done
	echo "$p"
}

wait_listen() { # wait_listen PORT PID: 0 once listening, 1 if PID died
	local i
	for ((i = 0; i < TIMEOUT * 100; i++)); do
		port_listening "$1" && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.01
	done
	return 1
}

# --- stdin feeders ------------------------------------------------------------

size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }

# feed FILE OUT SIZE: FILE, then stdin stays open until OUT holds SIZE
# bytes (the other way's data has all come), TIMEOUT at most. Peers that
# end the connection at stdin's EOF (gnutls-cli, ktlso-tls) so end it only
# when both ways are done.
feed() {
	local i
	cat "$1" || return
	for ((i = 0; i < TIMEOUT * 50; i++)); do
		[ "$(size_of "$2")" -ge "$3" ] && return 0
		sleep 0.02
	done
}

feed_grep() { # feed_grep FILE OUT PATTERN: the same, until OUT has PATTERN
	local i
	cat "$1" || return
	for ((i = 0; i < TIMEOUT * 50; i++)); do
		grep -qF "$3" "$2" 2>/dev/null && return 0
		sleep 0.02
	done
}

# stdin_for NAME [FEEDER ARGS...]: $d/NAME.in, a FIFO fed in the
# background; with no FEEDER an empty file
stdin_for() {
	local name=$1
	shift
	rm -f "$d/$name.in"
	if [ $# -eq 0 ]; then
		: >"$d/$name.in"
		return
	fi
	mkfifo "$d/$name.in" || return 1
	"$@" >"$d/$name.in" 2>/dev/null &
	pids+=($!)
}

# --- names across implementations ---------------------------------------------


# The openssl name of a TLS 1.2 suite; gnutls' cipher and key exchange.
declare -A O12=(
	[TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]=ECDHE-ECDSA-AES128-GCM-SHA256
	[TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]=ECDHE-ECDSA-AES256-GCM-SHA384
	[TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]=ECDHE-RSA-AES128-GCM-SHA256
	[TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]=ECDHE-RSA-AES256-GCM-SHA384
	[TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]=ECDHE-RSA-CHACHA20-POLY1305
	[TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]=ECDHE-ECDSA-CHACHA20-POLY1305
	[TLS_ECDHE_ECDSA_WITH_AES_128_CCM]=ECDHE-ECDSA-AES128-CCM
)

g_cipher() { # g_cipher SUITE
	case $1 in
	*AES_128_GCM*) echo AES-128-GCM ;;
	*AES_256_GCM*) echo AES-256-GCM ;;
	*CHACHA20*) echo CHACHA20-POLY1305 ;;
	*AES_128_CCM*) echo AES-128-CCM ;;
	esac
}

g_kx() { # g_kx SUITE: the TLS 1.2 key exchange
	case $1 in
	*ECDHE_ECDSA*) echo ECDHE-ECDSA ;;
	*ECDHE_RSA*) echo ECDHE-RSA ;;
	esac
}

declare -A O_GROUP=([x25519]=X25519 [secp256r1]=P-256 [secp384r1]=P-384)
declare -A G_GROUP=([x25519]=GROUP-X25519 [secp256r1]=GROUP-SECP256R1
		    [secp384r1]=GROUP-SECP384R1)

map_list() { # map_list ARRAYNAME SEP LIST: each ':'-separated name mapped
	local -n m=$1
	local out="" n
	local IFS=:
	for n in $3; do
		out+=${out:+$2}${m[$n]}
	done
	echo "$out"
}

g_priority() { # g_priority VERSION SUITE GROUPS: a gnutls priority string
	local p=NORMAL g
	[ -n "$1" ] && p+=":-VERS-ALL:+VERS-TLS$1"
	if [ -n "$2" ]; then
		p+=":-CIPHER-ALL:+$(g_cipher "$2")"
		[ "$1" = 1.3 ] || p+=":-KX-ALL:+$(g_kx "$2")"
	fi
	if [ -n "$3" ]; then
		g=$(map_list G_GROUP ":+" "$3")
		p+=":-GROUP-ALL:+$g"
	fi
	echo "$p"
}

# --- command lines ------------------------------------------------------------
# Each sets the array "cmd"; $port is the server's port.

k_common() { # the options both ktlso roles share: VERSION SUITE GROUPS ALPN
	cmd+=(-v)
	[ -n "$1" ] && cmd+=(--tls"$1")
	[ -n "$2" ] && cmd+=(--suites "$2")
	[ -n "$3" ] && cmd+=(--groups "$3")
	[ -n "$4" ] && cmd+=(--alpn "$4")
}

k_server() { # one connection, as the other servers (s_server -naccept 1)
	cmd=("$KTLSO_TLS" server --accept "127.0.0.1:$port"
	     --cert "$pki/$cert.full.pem" --key "$pki/$cert.key")
	[ "${naccept:-1}" = endless ] || cmd+=(--naccept "${naccept:-1}")
	[ -n "$cert2" ] && cmd+=(--cert "$pki/$cert2.full.pem" --key "$pki/$cert2.key")
	[ -n "$sverify" ] && cmd+=(--verify --cafile "$pki/root.pem")
	k_common "${sver:-$ver}" "${ssuite:-$suite}" "$sgroups" "$salpn"
	cmd+=("${sx[@]}")
}

k_client() {
	cmd=("$KTLSO_TLS" client --connect "127.0.0.1:$port"
	     --servername "${sni:-localhost}" --cafile "$pki/${cca:-root.pem}")
	[ -n "$ccert" ] && cmd+=(--cert "$pki/$ccert.full.pem" --key "$pki/$ccert.key")
	k_common "${cver:-$ver}" "${csuite:-$suite}" "$cgroups" "$calpn"
	cmd+=("${cx[@]}")
}

o_common() { # VERSION SUITE GROUPS ALPN
	[ -n "$1" ] && cmd+=(-tls"${1/./_}")
	if [ -n "$2" ] && [ "$1" = 1.3 ]; then
		cmd+=(-ciphersuites "$2")
	elif [ -n "$2" ]; then
		cmd+=(-cipher "${O12[$2]}")
	fi
	[ -n "$3" ] && cmd+=(-groups "$(map_list O_GROUP : "$3")")
	[ -n "$4" ] && cmd+=(-alpn "$4")
}

o_server() {
	cmd=(openssl s_server -accept "127.0.0.1:$port" -naccept 1 -quiet
	     -cert "$pki/$cert.pem" -key "$pki/$cert.key")
	[ -s "$pki/$cert.chain.pem" ] && cmd+=(-cert_chain "$pki/$cert.chain.pem")
	[ -n "$cert2" ] && cmd+=(-cert2 "$pki/$cert2.pem" -key2 "$pki/$cert2.key"
				 -servername "$(cert_name "$cert2")")
	[ -n "$sverify" ] && cmd+=(-Verify 1 -verify_return_error
				   -CAfile "$pki/root.pem")
	o_common "${sver:-$ver}" "${ssuite:-$suite}" "$sgroups" "$salpn"
	cmd+=("${sx[@]}")
}

o_client() {
	cmd=(openssl s_client -connect "127.0.0.1:$port" -quiet
	     -CAfile "$pki/${cca:-root.pem}" -verify_return_error
	     -verify_hostname "${sni:-localhost}" -servername "${sni:-localhost}")
	[ -n "$ccert" ] && cmd+=(-cert "$pki/$ccert.pem" -key "$pki/$ccert.key"
				 -cert_chain "$pki/$ccert.chain.pem")
	o_common "${cver:-$ver}" "${csuite:-$suite}" "$cgroups" "$calpn"
	cmd+=("${cx[@]}")
}

g_alpn() { # one --alpn per name
	local a
	local IFS=,
	for a in $1; do
		cmd+=(--alpn "$a")
	done
}

g_server() { # an echo server: it sends back what it receives
	cmd=(gnutls-serv --echo --crlf -p "$port"
	     --x509certfile "$pki/$cert.full.pem" --x509keyfile "$pki/$cert.key"
	     --priority "$(g_priority "${sver:-$ver}" "${ssuite:-$suite}" "$sgroups")")
	[ -n "$gdebug" ] && cmd+=(-d 5)
	if [ -n "$sverify" ]; then
		cmd+=(--require-client-cert --verify-client-cert
		      --x509cafile "$pki/root.pem")
	else
		cmd+=(--disable-client-cert)
	fi
	g_alpn "$salpn"
	cmd+=("${sx[@]}")
}

g_client() {
	cmd=(gnutls-cli --logfile "$d/cli.log" -p "$port" 127.0.0.1
	     --sni-hostname "${sni:-localhost}" --verify-hostname "${sni:-localhost}"
	     --x509cafile "$pki/${cca:-root.pem}"
	     --priority "$(g_priority "${cver:-$ver}" "${csuite:-$suite}" "$cgroups")")
	[ -n "$gdebug" ] && cmd+=(-d 5)
	[ -n "$ccert" ] && cmd+=(--x509certfile "$pki/$ccert.full.pem"
				 --x509keyfile "$pki/$ccert.key")
	g_alpn "$calpn"
	cmd+=("${cx[@]}")
}

cert_name() { # the DNS name a leaf is for
	case $1 in
	sni) echo sni.test ;;
	*) echo localhost ;;
	esac
}

# --- running a pair -----------------------------------------------------------

# start_server KIND [FEEDER ARGS...]: the server in the background ($spid,
# $port), listening, its stdin fed so; a port taken meanwhile is retried.
start_server() {
	local kind=$1 try
	shift
	for ((try = 0; try < 5; try++)); do
		port=$(free_port)
		"${kind}_server"
		printf '%q ' "${cmd[@]}" >"$d/srv.cmd"
		stdin_for srv "$@" || return 1
		spawn "${cmd[@]}" <"$d/srv.in" >"$d/srv.out" 2>"$d/srv.err"
		spid=$!
		wait_listen "$port" "$spid" && return 0
		kill "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
		grep -qiE 'in use|bind' "$d/srv.err" || break
	done
	fail "the $kind server did not start: $(tail -3 "$d/srv.err")"
}

# start_mitm ARGS...: the man in the middle between the client and the
# server on $port; the client then connects to it ($port changes).
start_mitm() {
	local try mport
	[ -x "$tmp/mitm" ] || fail "no mitm (it did not build)" || return 1
	for ((try = 0; try < 5; try++)); do
		mport=$(free_port)
		spawn "$tmp/mitm" "$mport" "$port" "$@" </dev/null \
			>/dev/null 2>"$d/mitm.err"
		mpid=$!
		wait_listen "$mport" "$mpid" && port=$mport && return 0
	done
	fail "the mitm did not start: $(tail -3 "$d/mitm.err")"
}

run_client() { # run_client KIND [FEEDER ARGS...]: in the foreground; crc
	local kind=$1
	shift
	"${kind}_client"
	printf '%q ' "${cmd[@]}" >"$d/cli.cmd"
	stdin_for cli "$@" || return 1
	timeout "$TIMEOUT" "${cmd[@]}" <"$d/cli.in" >"$d/cli.out" 2>"$d/cli.err"
	crc=$?
}

# stop_server KIND [PATTERN]: the server's exit status in $src; gnutls-serv
# serves on, so it is stopped, once PATTERN is in its stderr (2 s at most).
stop_server() {
	local i
	if [ "$1" = g ]; then
		for ((i = 0; i < 100; i++)); do
			[ -z "${2:-}" ] && break
			grep -qE -- "${2%%$'\n'*}" "$d/srv.err" && break
			sleep 0.02
		done
		kill "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
		src=0
		return
	fi
	wait "$spid"
	src=$?
}

sides() { # sides CLI SRV: kerr/perr/krc/prc for the ktlso side and the peer
	if [ "$1" = k ]; then
		kerr=$d/cli.err perr=$d/srv.err krc=$crc prc=$src
		pkind=$2 prole=server
	else
		kerr=$d/srv.err perr=$d/cli.err krc=$src prc=$crc
		pkind=$1 prole=client
	fi
}

# xfer CLI SRV [SIZE]: one connection, KIND k (ktlso-tls), o (openssl) or g
# (gnutls); SIZE bytes of random data each way (gnutls-serv echoes text
# back instead), both sides must end cleanly and the data must match.
xfer() {
	local cli=$1 srv=$2 size=${3:-65536} cdata sdata
	cdata=$data/c.$size sdata=$data/s.$size
	if [ "$srv" = g ]; then
		cdata=$data/t.$size sdata=$data/t.$size
		start_server g || return 1
	else
		start_server "$srv" feed "$sdata" "$d/srv.out" \
			"$(size_of "$cdata")" || return 1
	fi
	run_client "$cli" feed "$cdata" "$d/cli.out" "$(size_of "$sdata")"
	stop_server "$srv"
	sides "$cli" "$srv"
	[ "$crc" -eq 0 ] || fail "client exit status $crc"
	[ "$src" -eq 0 ] || fail "server exit status $src"
	same "$sdata" "$d/cli.out" "server to client"
	[ "$srv" = g ] || same "$cdata" "$d/srv.out" "client to server"
	! [ -s "$d/diag" ]
}

same() { # same EXPECTED GOT WHAT: sha256 and size
	local a b
	a=$(sha256sum <"$1") b=$(sha256sum <"$2")
	[ "$a" = "$b" ] ||
		fail "$3: $(size_of "$2") bytes, not the $(size_of "$1") sent, or not the same"
}

# xfail CLI SRV KTLSO PEER [MITM ARGS...]: a connection that must fail.
# KTLSO: text the ktlso side's error line must hold (it must also exit 1);
# PEER: extended regexes, one a line, that must all match what the peer
# wrote (stderr, and gnutls-cli's log). A peer client must exit non-zero
# too (s_server exits 0 whatever happens; gnutls-serv is stopped). With
# MITM ARGS the connection goes through the mitm.
xfail() {
	local cli=$1 srv=$2 kpat=$3 ppat=$4 gdebug=1 p logs
	shift 4
	start_server "$srv" || return 1
	if [ $# -gt 0 ]; then
		start_mitm "$@" || return 1
	fi
	run_client "$cli"
	stop_server "$srv" "$ppat"
	[ $# -gt 0 ] && wait "$mpid"
	sides "$cli" "$srv"
	[ "$krc" -eq 1 ] || fail "ktlso-tls exit status $krc, not 1"
	# (no "grep -q" after a pipe: under pipefail, the writer's SIGPIPE
	# when grep stops early would count as a failure)
	grep -v "^ktlso-tls: engine " "$kerr" |
		grep "^ktlso-tls: .*$kpat" >/dev/null ||
		fail "ktlso-tls said no \"$kpat\""
	if [ "$prole" = client ] && [ "$prc" -eq 0 ]; then
		fail "the $pkind client exited 0"
	fi
	logs=("$perr")
	[ "$pkind$prole" = gclient ] && logs+=("$d/cli.log")
	while IFS= read -r p; do
		grep -sqE -- "$p" "${logs[@]}" ||
			fail "the $pkind $prole said no /$p/"
	done <<<"$ppat"
	! [ -s "$d/diag" ]
}

has_line() { # has_line LINE...: lines ktlso-tls printed, exactly
	local l
	for l in "$@"; do
		grep -qxF -- "$l" "$kerr" || fail "ktlso-tls printed no \"$l\""
	done
	! [ -s "$d/diag" ]
}

report() { # report: what a failed case leaves for the reader, as # lines
	local f
	cat "$d/diag" 2>/dev/null
	for f in srv.cmd srv.err cli.cmd cli.err cli.log mitm.err; do
		[ -s "$d/$f" ] || continue
		echo "--- $f"
		tail -n 12 "$d/$f"
		echo
	done
}
