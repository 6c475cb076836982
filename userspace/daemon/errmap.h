/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The errno a failed handshake reports to the kernel (KTLSO_A_STATUS of
 * HS_DONE, and so to the application), from what the engine returned.
 */
#ifndef KTLSOD_ERRMAP_H
#define KTLSOD_ERRMAP_H

/**
 * kd_errno_from_engine() - the positive errno for a failed handshake
 * @err: the negative value ktlso_session_handshake() returned
 * @alert_received: the alert description the peer sent, or -1
 *	(ktlso_session_alerts())
 * @io_errno: the errno of the transport failure, for -KTLSO_ERROR_IO
 *
 * ECONNREFUSED: the peer sent a fatal alert (@err is that alert);
 * EACCES: we rejected the peer's authentication (its certificate chain,
 * name, validity, key usage, signature or Finished, or a missing client
 * certificate);
 * EPROTO: any other alert we sent (the peer broke the protocol, or there
 * was nothing to agree on);
 * @io_errno (EIO when 0): the transport failed;
 * ECONNRESET: the peer closed the connection mid-handshake (end of file,
 * or close_notify);
 * ECONNABORTED: a local failure (memory, libcrypto, configuration,
 * internal_error).
 *
 * Return: a positive errno; never 0.
 */
int kd_errno_from_engine(int err, int alert_received, int io_errno);

/* The symbolic name of an errno ("EACCES"), or "E?" for an unlisted one. */
const char *kd_errno_name(int e);

#endif /* KTLSOD_ERRMAP_H */
