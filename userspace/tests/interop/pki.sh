# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The interop tests' PKI, made at run time with the openssl CLI (sourced by
# "run"; nothing here is committed but this script):
#
#   root            the trust anchor every peer is given
#   inter           an intermediate CA under root, signs every leaf below
#   srv-rsa, srv-p256, srv-p384, srv-ed25519
#                   server leaves for localhost and 127.0.0.1
#   sni             a second server leaf (P-256), for sni.test only
#   client          a client leaf (P-256), CN=client.test, clientAuth
#   expired         a localhost server leaf whose validity ended in 2020
#   other-root, other
#                   another root, and a localhost leaf it signed directly
#
# Each leaf NAME has NAME.key, NAME.pem (the leaf alone), NAME.full.pem
# (leaf then intermediate, as ktlso-tls and gnutls load it) and
# NAME.chain.pem (the intermediates, for openssl's -cert_chain; empty for
# "other").

pki_ext() { # the extension sections, for "openssl x509/ca -extfile"
	cat <<'EXT'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $ENV::PKI_SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
}

pki_key() { # pki_key TYPE FILE
	case $1 in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" ;;
	rsa1024) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$2" ;;
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2" ;;
	p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$2" ;;
	ed25519) openssl genpkey -algorithm ED25519 -out "$2" ;;
	esac
}

pki_root() { # pki_root NAME CN
	pki_key p256 "$pki/$1.key" &&
	openssl req -new -x509 -key "$pki/$1.key" -subj "/CN=$2" -days 2 \
		-config "$pki/ext.cnf" -extensions ca -out "$pki/$1.pem"
}

# pki_issue NAME TYPE CN SECTION SAN ISSUER [DIGEST]: a leaf or CA NAME
# signed by ISSUER (with DIGEST, default sha256)
pki_issue() {
	local name=$1 type=$2 cn=$3 section=$4 san=$5 issuer=$6 md=${7:-sha256}
	pki_key "$type" "$pki/$name.key" &&
	openssl req -new -key "$pki/$name.key" -subj "/CN=$cn" \
		-out "$pki/$name.csr" &&
	PKI_SAN=$san openssl x509 -req -in "$pki/$name.csr" \
		-CA "$pki/$issuer.pem" -CAkey "$pki/$issuer.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 2 "-$md" \
		-extfile "$pki/ext.cnf" -extensions "$section" \
		-out "$pki/$name.pem" 2>/dev/null
}

pki_files() { # pki_files NAME ISSUER...: NAME.full.pem and NAME.chain.pem
	local name=$1 i
	shift
	: >"$pki/$name.chain.pem"
	for i in "$@"; do
		cat "$pki/$i.pem" >>"$pki/$name.chain.pem"
	done
	cat "$pki/$name.pem" "$pki/$name.chain.pem" >"$pki/$name.full.pem"
}

# The expired leaf: "openssl x509" cannot date a certificate in the past,
# "openssl ca" can.
pki_expired() {
	local db=$pki/ca-db
	mkdir -p "$db" && : >"$db/index.txt" && openssl rand -hex 8 >"$db/serial" &&
	cat >"$db/ca.cnf" <<CNF &&
[ca]
default_ca = d
[d]
database = $db/index.txt
new_certs_dir = $db
serial = $db/serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
CNF
	pki_key p256 "$pki/expired.key" &&
	openssl req -new -key "$pki/expired.key" -subj "/CN=localhost" \
		-out "$pki/expired.csr" &&
	PKI_SAN="DNS:localhost,IP:127.0.0.1" openssl ca -batch -notext \
		-config "$db/ca.cnf" -cert "$pki/inter.pem" \
		-keyfile "$pki/inter.key" -in "$pki/expired.csr" \
		-startdate 20200101000000Z -enddate 20200201000000Z \
		-extfile "$pki/ext.cnf" -extensions server \
		-out "$pki/expired.pem" 2>/dev/null
}

pki_make() { # pki_make DIR: sets $pki
	local t local_san="DNS:localhost,IP:127.0.0.1"
	pki=$1
	mkdir -p "$pki" || return 1
	# "openssl req -config" reads its own section from this file too, and
	# every $ENV:: reference must resolve whichever section is used.
	export PKI_SAN=$local_san
	{ pki_ext; printf '[req]\ndistinguished_name = dn\n[dn]\n'; } \
		>"$pki/ext.cnf"
	pki_root root "ktlso interop root" &&
	pki_issue inter p256 "ktlso interop intermediate" ca "$local_san" root &&
	for t in rsa p256 p384 ed25519; do
		pki_issue "srv-$t" "$t" localhost server "$local_san" inter &&
		pki_files "srv-$t" inter || return 1
	done &&
	pki_issue sni p256 sni.test server "DNS:sni.test" inter &&
	pki_files sni inter &&
	pki_issue client p256 client.test client "$local_san" inter &&
	pki_files client inter &&
	pki_expired && pki_files expired inter &&
	pki_issue weak-rsa rsa1024 localhost server "$local_san" inter &&
	pki_files weak-rsa inter &&
	pki_issue sha1 p256 localhost server "$local_san" inter sha1 &&
	pki_files sha1 inter &&
	pki_issue dns-ip p256 127.0.0.1 server "DNS:127.0.0.1" inter &&
	pki_files dns-ip inter &&
	pki_root other-root "unrelated root" &&
	pki_issue other p256 localhost server "$local_san" other-root &&
	pki_files other
}
