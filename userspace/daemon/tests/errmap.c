// SPDX-License-Identifier: GPL-2.0
/*
 * The errno HS_DONE reports for each way a handshake can fail: the
 * engine's errors and alerts, sent or received.
 */
#include <errno.h>

#include "kselftest_harness.h"

#include "daemon/errmap.h"
#include "engine/alert.h"
#include "engine/engine.h"

#define NONE (-1)	/* no alert received */

TEST(peer_alerts_are_refusals)
{
	static const int alerts[] = {
		KTLSO_ALERT_HANDSHAKE_FAILURE, KTLSO_ALERT_BAD_CERTIFICATE,
		KTLSO_ALERT_UNKNOWN_CA, KTLSO_ALERT_PROTOCOL_VERSION,
		KTLSO_ALERT_INTERNAL_ERROR, KTLSO_ALERT_DECODE_ERROR,
		KTLSO_ALERT_NO_APPLICATION_PROTOCOL,
		KTLSO_ALERT_CERTIFICATE_REQUIRED,
	};
	size_t i;

	for (i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		EXPECT_EQ(ECONNREFUSED,
			  kd_errno_from_engine(-alerts[i], alerts[i], 0))
			TH_LOG("alert %d", alerts[i]);
}

/* We rejected the peer's credentials. */
TEST(verification_failures)
{
	static const int alerts[] = {
		KTLSO_ALERT_BAD_CERTIFICATE,
		KTLSO_ALERT_UNSUPPORTED_CERTIFICATE,
		KTLSO_ALERT_CERTIFICATE_REVOKED,
		KTLSO_ALERT_CERTIFICATE_EXPIRED,
		KTLSO_ALERT_CERTIFICATE_UNKNOWN, KTLSO_ALERT_UNKNOWN_CA,
		KTLSO_ALERT_ACCESS_DENIED, KTLSO_ALERT_DECRYPT_ERROR,
		KTLSO_ALERT_CERTIFICATE_REQUIRED,
	};
	size_t i;

	for (i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		EXPECT_EQ(EACCES, kd_errno_from_engine(-alerts[i], NONE, 0))
			TH_LOG("alert %d", alerts[i]);
	/* A warning the peer sent before does not make it a refusal. */
	EXPECT_EQ(EACCES, kd_errno_from_engine(-KTLSO_ALERT_UNKNOWN_CA,
					       KTLSO_ALERT_USER_CANCELED, 0));
}

TEST(protocol_errors)
{
	static const int alerts[] = {
		KTLSO_ALERT_UNEXPECTED_MESSAGE, KTLSO_ALERT_BAD_RECORD_MAC,
		KTLSO_ALERT_RECORD_OVERFLOW, KTLSO_ALERT_HANDSHAKE_FAILURE,
		KTLSO_ALERT_ILLEGAL_PARAMETER, KTLSO_ALERT_DECODE_ERROR,
		KTLSO_ALERT_PROTOCOL_VERSION,
		KTLSO_ALERT_INSUFFICIENT_SECURITY,
		KTLSO_ALERT_INAPPROPRIATE_FALLBACK,
		KTLSO_ALERT_MISSING_EXTENSION,
		KTLSO_ALERT_UNSUPPORTED_EXTENSION,
		KTLSO_ALERT_UNRECOGNIZED_NAME,
		KTLSO_ALERT_NO_APPLICATION_PROTOCOL,
	};
	size_t i;

	for (i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		EXPECT_EQ(EPROTO, kd_errno_from_engine(-alerts[i], NONE, 0))
			TH_LOG("alert %d", alerts[i]);
}

TEST(transport_and_local)
{
	EXPECT_EQ(EPIPE, kd_errno_from_engine(-KTLSO_ERROR_IO, NONE, EPIPE));
	EXPECT_EQ(ECONNRESET, kd_errno_from_engine(-KTLSO_ERROR_IO, NONE,
						   ECONNRESET));
	EXPECT_EQ(ETIMEDOUT, kd_errno_from_engine(-KTLSO_ERROR_IO, NONE,
						  ETIMEDOUT));
	EXPECT_EQ(EIO, kd_errno_from_engine(-KTLSO_ERROR_IO, NONE, 0));
	/* End of file, or close_notify, mid-handshake. */
	EXPECT_EQ(ECONNRESET, kd_errno_from_engine(-KTLSO_ERROR_CLOSED, NONE,
						   0));
	EXPECT_EQ(ECONNRESET, kd_errno_from_engine(-KTLSO_ERROR_CLOSED,
						   KTLSO_ALERT_CLOSE_NOTIFY,
						   0));
	EXPECT_EQ(ECONNABORTED, kd_errno_from_engine(-KTLSO_ERROR_NO_MEMORY,
						     NONE, 0));
	EXPECT_EQ(ECONNABORTED, kd_errno_from_engine(-KTLSO_ERROR_CRYPTO,
						     NONE, 0));
	EXPECT_EQ(ECONNABORTED,
		  kd_errno_from_engine(-KTLSO_ERROR_INVALID_ARGUMENT, NONE, 0));
	EXPECT_EQ(ECONNABORTED, kd_errno_from_engine(-KTLSO_ERROR_STATE, NONE,
						     0));
	EXPECT_EQ(ECONNABORTED,
		  kd_errno_from_engine(-KTLSO_ALERT_INTERNAL_ERROR, NONE, 0));
	/* Not a failure at all: never 0. */
	EXPECT_EQ(ECONNABORTED, kd_errno_from_engine(0, NONE, 0));
}

TEST(names)
{
	EXPECT_STREQ("EACCES", kd_errno_name(EACCES));
	EXPECT_STREQ("ECONNREFUSED", kd_errno_name(ECONNREFUSED));
	EXPECT_STREQ("ETIMEDOUT", kd_errno_name(ETIMEDOUT));
	EXPECT_STREQ("E?", kd_errno_name(EDOM));
}

TEST_HARNESS_MAIN
