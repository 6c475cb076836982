/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlso-hsload's hostile client: the worst a peer can put in one
 * handshake, over and over, against a server on 127.0.0.1:PORT.
 */
#ifndef KTLSO_HSLOAD_HOSTILE_H
#define KTLSO_HSLOAD_HOSTILE_H

/**
 * hsload_hostile() - send hostile handshakes for @seconds
 * @port: the server's port on 127.0.0.1
 * @kind: "alpn" (a ClientHello with ~32,500 one-byte ALPN names), "sigalgs"
 *	(32,000 signature schemes nobody assigned, then ecdsa_secp256r1_sha256),
 *	"suites" (~32,500 cipher suites, then the real ones), "alerts" (10^5
 *	warning alerts before a ClientHello)
 * @seconds: for how long, one connection at a time
 *
 * Prints "hostile KIND connections N answered N max_ms X": answered is how
 * many got an answer from the server (its flight or an alert; for
 * "alerts", the connection closed), max_ms the longest wait for it.
 *
 * Return: 0, or 1 when nothing could be sent.
 */
int hsload_hostile(int port, const char *kind, double seconds);

/* CLOCK_MONOTONIC in milliseconds (main.c). */
double hsload_now_ms(void);

#endif /* KTLSO_HSLOAD_HOSTILE_H */
