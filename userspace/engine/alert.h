/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine's one error convention.
 *
 * Every fallible engine function returns an int: 0 on success, otherwise a
 * negative number. A negative number whose magnitude is below 256 is a TLS
 * alert description (RFC 8446 section 6, RFC 5246 section 7.2): the alert the
 * caller must send to its peer. Magnitudes of 256 and above are local errors
 * (no memory, a libcrypto failure, a misuse of the API); the peer only ever
 * learns internal_error of those.
 *
 *	if ((ret = ktlso_get_u16(&r, &v)) != 0)
 *		return ret;		(ret == -KTLSO_ALERT_DECODE_ERROR)
 */
#ifndef KTLSO_ENGINE_ALERT_H
#define KTLSO_ENGINE_ALERT_H

/* AlertLevel (RFC 5246 7.2; TLS 1.3 ignores it on receipt). */
enum ktlso_alert_level {
	KTLSO_ALERT_LEVEL_WARNING = 1,
	KTLSO_ALERT_LEVEL_FATAL = 2,
};

enum ktlso_alert {
	KTLSO_ALERT_CLOSE_NOTIFY = 0,
	KTLSO_ALERT_UNEXPECTED_MESSAGE = 10,
	KTLSO_ALERT_BAD_RECORD_MAC = 20,
	KTLSO_ALERT_RECORD_OVERFLOW = 22,
	KTLSO_ALERT_HANDSHAKE_FAILURE = 40,
	KTLSO_ALERT_BAD_CERTIFICATE = 42,
	KTLSO_ALERT_UNSUPPORTED_CERTIFICATE = 43,
	KTLSO_ALERT_CERTIFICATE_REVOKED = 44,
	KTLSO_ALERT_CERTIFICATE_EXPIRED = 45,
	KTLSO_ALERT_CERTIFICATE_UNKNOWN = 46,
	KTLSO_ALERT_ILLEGAL_PARAMETER = 47,
	KTLSO_ALERT_UNKNOWN_CA = 48,
	KTLSO_ALERT_ACCESS_DENIED = 49,
	KTLSO_ALERT_DECODE_ERROR = 50,
	KTLSO_ALERT_DECRYPT_ERROR = 51,
	KTLSO_ALERT_PROTOCOL_VERSION = 70,
	KTLSO_ALERT_INSUFFICIENT_SECURITY = 71,
	KTLSO_ALERT_INTERNAL_ERROR = 80,
	KTLSO_ALERT_INAPPROPRIATE_FALLBACK = 86,
	KTLSO_ALERT_USER_CANCELED = 90,
	KTLSO_ALERT_NO_RENEGOTIATION = 100,
	KTLSO_ALERT_MISSING_EXTENSION = 109,
	KTLSO_ALERT_UNSUPPORTED_EXTENSION = 110,
	KTLSO_ALERT_UNRECOGNIZED_NAME = 112,
	KTLSO_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
	KTLSO_ALERT_UNKNOWN_PSK_IDENTITY = 115,
	KTLSO_ALERT_CERTIFICATE_REQUIRED = 116,
	KTLSO_ALERT_NO_APPLICATION_PROTOCOL = 120,
};

/* Local errors: never on the wire as such. */
enum ktlso_error {
	KTLSO_ERROR_BASE = 0x100,
	KTLSO_ERROR_NO_MEMORY = 0x101,		/* an allocation failed */
	KTLSO_ERROR_CRYPTO = 0x102,		/* libcrypto refused or failed */
	KTLSO_ERROR_INVALID_ARGUMENT = 0x103,	/* API misuse by the caller */
	KTLSO_ERROR_NO_SPACE = 0x104,		/* an output buffer is too small */
	KTLSO_ERROR_SEQUENCE_EXHAUSTED = 0x105,	/* 2^64 records under one key */
};

/**
 * ktlso_error_alert() - the alert description to send for an engine error
 * @err: a negative engine return value
 *
 * Return: the alert for a negative alert code, internal_error for a local
 * error (and for anything else that is not a valid engine error).
 */
static inline int ktlso_error_alert(int err)
{
	if (err < 0 && err > -KTLSO_ERROR_BASE)
		return -err;
	return KTLSO_ALERT_INTERNAL_ERROR;
}

/**
 * ktlso_error_name() - a short, static, human-readable name for an error
 * @err: 0 or a negative engine return value
 *
 * Return: "ok", the RFC name of the alert ("decode_error", ...) or of the
 * local error, or "unknown" for a value no engine function returns.
 */
const char *ktlso_error_name(int err);

#endif /* KTLSO_ENGINE_ALERT_H */
