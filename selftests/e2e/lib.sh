# SPDX-License-Identifier: GPL-2.0
# selftests/e2e/lib.sh: what the end-to-end suites share (sourced by
# the suites in selftests/e2e/): a work directory removed at exit with every
# process in "pids", KTAP lines, a test PKI, ktlso's counters, ktlsod started
# and waited for, a one-connection openssl s_server.
#
# Sets top, bin, sel, work (the current directory), n and nfail.
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bin
sel=$top/build/selftests
work=$(mktemp -d /tmp/ktlso-e2e.XXXXXX)
cd "$work" || exit 2

n=0 nfail=0
pids=()
ok() { n=$((n + 1)); echo "ok $n $1${2:+ # $2}"; }
not_ok() {
	n=$((n + 1)); nfail=$((nfail + 1))
	echo "not ok $n $1"
	shift
	local line
	for line in "$@"; do echo "#   $line"; done
}
check() { # check NAME COMMAND...: ok if the command succeeds
	local name=$1
	shift
	if "$@" > "$work/last.out" 2> "$work/last.err"; then
		ok "$name"
	else
		not_ok "$name" "exit $?: $*" "$(tail -n 5 "$work/last.err")"
	fi
}
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	cd / && rm -rf "$work"
}
trap cleanup EXIT

# wait_port PORT [TENTHS], start_ktlsod [CONF]
# shellcheck source=scripts/lib-start.sh
. "$top/scripts/lib-start.sh"

sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- ktlso's counters (/proc/net/ktlso_stat) ---------------------------------
# snap remembers them all; delta NAME is how far NAME moved since.
declare -A base
counter() { sed -n "s/^$1[[:space:]]\\+//p" /proc/net/ktlso_stat; }
snap() {
	local name value
	while read -r name value; do base[$name]=$value; done < /proc/net/ktlso_stat
}
delta() { echo $(($(counter "$1") - ${base[$1]:-0})); }
delta_is() { [ "$(delta "$1")" = "$2" ]; }

# --- certificates ------------------------------------------------------------
mkcert() { # mkcert NAME KEYALG CN CA SAN [EXTRA-OPENSSL-X509-ARGS...]
	local name=$1 alg=$2 cn=$3 ca=$4 san=$5
	shift 5
	case $alg in
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$name.key" ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$name.key" ;;
	esac 2>/dev/null
	openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr" \
		2>/dev/null
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' \
		"$san" > "$name.ext"
	openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" \
		-CAcreateserial -days 30 -extfile "$name.ext" -out "$name.pem" \
		"$@" 2>/dev/null
}
mkca() { # mkca NAME
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -subj "/CN=ktlso e2e $1" -days 30 \
		-out "$1.pem" 2>/dev/null
}

# listening PORT: a server listens on PORT within 10 s, seen without
# connecting (a probe would use up a one-connection server's accept).
listening() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -n "$(ss -Hltn "sport = :$1")" ] && return 0
		sleep 0.1
	done
	return 1
}

s_server() { # s_server PORT ARGS...: in www/, one connection
	local port=$1
	shift
	(cd www && exec openssl s_server -accept "$port" -naccept 1 \
		-cert ../srv-ec.pem -key ../srv-ec.key "$@") > s_server.log 2>&1 &
	s_server_pid=$!
	pids+=("$s_server_pid")
	# Not wait_port: a probe would use up its one connection.
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q '^ACCEPT' s_server.log && return 0
		sleep 0.1
	done
	return 1
}
