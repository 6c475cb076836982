// SPDX-License-Identifier: GPL-2.0
/*
 * Names for the engine's return codes, for log lines.
 */
#include "engine/alert.h"

#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct ktlso_error_entry {
	int code;
	const char *name;
};

static const struct ktlso_error_entry ktlso_error_names[] = {
	{ KTLSO_ALERT_CLOSE_NOTIFY, "close_notify" },
	{ KTLSO_ALERT_UNEXPECTED_MESSAGE, "unexpected_message" },
	{ KTLSO_ALERT_BAD_RECORD_MAC, "bad_record_mac" },
	{ KTLSO_ALERT_RECORD_OVERFLOW, "record_overflow" },
	{ KTLSO_ALERT_HANDSHAKE_FAILURE, "handshake_failure" },
	{ KTLSO_ALERT_BAD_CERTIFICATE, "bad_certificate" },
	{ KTLSO_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported_certificate" },
	{ KTLSO_ALERT_CERTIFICATE_REVOKED, "certificate_revoked" },
	{ KTLSO_ALERT_CERTIFICATE_EXPIRED, "certificate_expired" },
	{ KTLSO_ALERT_CERTIFICATE_UNKNOWN, "certificate_unknown" },
	{ KTLSO_ALERT_ILLEGAL_PARAMETER, "illegal_parameter" },
	{ KTLSO_ALERT_UNKNOWN_CA, "unknown_ca" },
	{ KTLSO_ALERT_ACCESS_DENIED, "access_denied" },
	{ KTLSO_ALERT_DECODE_ERROR, "decode_error" },
	{ KTLSO_ALERT_DECRYPT_ERROR, "decrypt_error" },
	{ KTLSO_ALERT_PROTOCOL_VERSION, "protocol_version" },
	{ KTLSO_ALERT_INSUFFICIENT_SECURITY, "insufficient_security" },
	{ KTLSO_ALERT_INTERNAL_ERROR, "internal_error" },
	{ KTLSO_ALERT_INAPPROPRIATE_FALLBACK, "inappropriate_fallback" },
	{ KTLSO_ALERT_USER_CANCELED, "user_canceled" },
	{ KTLSO_ALERT_NO_RENEGOTIATION, "no_renegotiation" },
	{ KTLSO_ALERT_MISSING_EXTENSION, "missing_extension" },
	{ KTLSO_ALERT_UNSUPPORTED_EXTENSION, "unsupported_extension" },
	{ KTLSO_ALERT_UNRECOGNIZED_NAME, "unrecognized_name" },
	{ KTLSO_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
	  "bad_certificate_status_response" },
	{ KTLSO_ALERT_UNKNOWN_PSK_IDENTITY, "unknown_psk_identity" },
	{ KTLSO_ALERT_CERTIFICATE_REQUIRED, "certificate_required" },
	{ KTLSO_ALERT_NO_APPLICATION_PROTOCOL, "no_application_protocol" },
	{ KTLSO_ERROR_NO_MEMORY, "out of memory" },
	{ KTLSO_ERROR_CRYPTO, "libcrypto failure" },
	{ KTLSO_ERROR_INVALID_ARGUMENT, "invalid argument" },
	{ KTLSO_ERROR_NO_SPACE, "output buffer too small" },
	{ KTLSO_ERROR_SEQUENCE_EXHAUSTED, "record sequence number exhausted" },
};

const char *ktlso_error_name(int err)
{
	size_t i;

	if (err == 0)
		return "ok";
	if (err > 0)
		return "unknown";
	for (i = 0; i < ARRAY_SIZE(ktlso_error_names); i++)
		if (ktlso_error_names[i].code == -err)
			return ktlso_error_names[i].name;
	return "unknown";
}
