/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Key schedules: TLS 1.3 (RFC 8446 section 7) and TLS 1.2 (RFC 5246
 * sections 5, 6.3, 7.4.9, 8.1; RFC 7627 extended master secret).
 *
 * The primitives (HKDF, HMAC, the TLS 1.2 PRF, hashes) are libcrypto's; this
 * file holds the protocol around them: labels, stage chaining and key-block
 * layout. Every function returns 0 or a negative engine error (alert.h).
 * Secrets are caller-owned buffers of ktlso_hash_len() bytes (TLS 1.3) or
 * KTLSO_TLS12_MASTER_SECRET_LEN bytes (TLS 1.2); intermediates held here are
 * wiped before return. Outputs are left zeroed when a function fails.
 */
#ifndef KTLSO_ENGINE_KEYSCHED_H
#define KTLSO_ENGINE_KEYSCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/suite.h"

/* One direction's record protection keys, as both record layers need them. */
struct ktlso_traffic_keys {
	uint8_t key[KTLSO_AEAD_MAX_KEY_LEN];
	/*
	 * TLS 1.3: the 12-byte write_iv. TLS 1.2: the key block's write IV, 4
	 * bytes of salt for GCM/CCM or 12 bytes for ChaCha20-Poly1305.
	 */
	uint8_t iv[KTLSO_AEAD_NONCE_LEN];
	uint8_t key_len;
	uint8_t iv_len;
};

void ktlso_traffic_keys_clear(struct ktlso_traffic_keys *keys);

/* Hash(@data), ktlso_hash_len(@hash) bytes into @out. */
int ktlso_hash_digest(enum ktlso_md hash, const void *data, size_t len,
		      uint8_t *out);

/* --- TLS 1.3 --------------------------------------------------------------- */

/* Longest label HKDF-Expand-Label accepts, without the "tls13 " prefix. */
#define KTLSO_HKDF_LABEL_MAX 249
#define KTLSO_HKDF_CONTEXT_MAX 255

int ktlso_hkdf_extract(enum ktlso_md hash, const uint8_t *salt,
		       size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		       uint8_t *prk);
int ktlso_hkdf_expand_label(enum ktlso_md hash, const uint8_t *secret,
			    const char *label, const uint8_t *context,
			    size_t context_len, uint8_t *out, size_t out_len);
int ktlso_derive_secret(enum ktlso_md hash, const uint8_t *secret,
			const char *label, const uint8_t *transcript_hash,
			uint8_t *out);

int ktlso_tls13_early_secret(enum ktlso_md hash, const uint8_t *psk,
			     size_t psk_len, uint8_t *early_secret);
int ktlso_tls13_handshake_secret(enum ktlso_md hash,
				 const uint8_t *early_secret,
				 const uint8_t *shared_secret,
				 size_t shared_secret_len,
				 uint8_t *handshake_secret);
int ktlso_tls13_master_secret(enum ktlso_md hash,
			      const uint8_t *handshake_secret,
			      uint8_t *master_secret);

/* The secrets Derive-Secret yields from a stage secret (RFC 8446 7.1). */
enum ktlso_tls13_secret {
	KTLSO_TLS13_EXT_BINDER,		/* early secret, "ext binder" */
	KTLSO_TLS13_RES_BINDER,		/* early secret, "res binder" */
	KTLSO_TLS13_C_E_TRAFFIC,	/* early secret, "c e traffic" */
	KTLSO_TLS13_E_EXP_MASTER,	/* early secret, "e exp master" */
	KTLSO_TLS13_C_HS_TRAFFIC,	/* handshake secret, "c hs traffic" */
	KTLSO_TLS13_S_HS_TRAFFIC,	/* handshake secret, "s hs traffic" */
	KTLSO_TLS13_C_AP_TRAFFIC,	/* master secret, "c ap traffic" */
	KTLSO_TLS13_S_AP_TRAFFIC,	/* master secret, "s ap traffic" */
	KTLSO_TLS13_EXP_MASTER,		/* master secret, "exp master" */
	KTLSO_TLS13_RES_MASTER,		/* master secret, "res master" */
};

int ktlso_tls13_derive(enum ktlso_md hash, const uint8_t *stage_secret,
		       enum ktlso_tls13_secret which,
		       const uint8_t *transcript_hash, uint8_t *out);
int ktlso_tls13_traffic_keys(const struct ktlso_suite *suite,
			     const uint8_t *traffic_secret,
			     struct ktlso_traffic_keys *keys);
int ktlso_tls13_finished_key(enum ktlso_md hash, const uint8_t *base_key,
			     uint8_t *finished_key);
int ktlso_tls13_finished(enum ktlso_md hash, const uint8_t *base_key,
			 const uint8_t *transcript_hash, uint8_t *verify_data);
int ktlso_tls13_finished_verify(enum ktlso_md hash, const uint8_t *base_key,
				const uint8_t *transcript_hash,
				const uint8_t *received, size_t received_len);
int ktlso_tls13_next_traffic_secret(enum ktlso_md hash,
				    const uint8_t *traffic_secret,
				    uint8_t *next);
int ktlso_tls13_resumption_psk(enum ktlso_md hash,
			       const uint8_t *resumption_master_secret,
			       const uint8_t *ticket_nonce, size_t nonce_len,
			       uint8_t *psk);

/* --- TLS 1.2 --------------------------------------------------------------- */

#define KTLSO_TLS12_MASTER_SECRET_LEN 48
#define KTLSO_TLS12_RANDOM_LEN 32
#define KTLSO_TLS12_VERIFY_DATA_LEN 12
/* Longest seed (label excluded) and output the PRF wrappers accept. */
#define KTLSO_TLS12_PRF_SEED_MAX 512
#define KTLSO_TLS12_PRF_OUT_MAX 1024

int ktlso_tls12_prf(enum ktlso_md hash, const uint8_t *secret,
		    size_t secret_len, const char *label, const uint8_t *seed,
		    size_t seed_len, uint8_t *out, size_t out_len);
int ktlso_tls12_master_secret(enum ktlso_md hash, const uint8_t *pre_master,
			      size_t pre_master_len,
			      const uint8_t *client_random,
			      const uint8_t *server_random,
			      uint8_t *master_secret);
int ktlso_tls12_extended_master_secret(enum ktlso_md hash,
				       const uint8_t *pre_master,
				       size_t pre_master_len,
				       const uint8_t *session_hash,
				       size_t session_hash_len,
				       uint8_t *master_secret);
int ktlso_tls12_key_block(enum ktlso_md hash, const uint8_t *master_secret,
			  const uint8_t *client_random,
			  const uint8_t *server_random, uint8_t *key_block,
			  size_t len);
int ktlso_tls12_traffic_keys(const struct ktlso_suite *suite,
			     const uint8_t *master_secret,
			     const uint8_t *client_random,
			     const uint8_t *server_random,
			     struct ktlso_traffic_keys *client_write,
			     struct ktlso_traffic_keys *server_write);
int ktlso_tls12_finished(enum ktlso_md hash, const uint8_t *master_secret,
			 bool from_client, const uint8_t *handshake_hash,
			 uint8_t *verify_data);
int ktlso_tls12_finished_verify(enum ktlso_md hash,
				const uint8_t *master_secret, bool from_client,
				const uint8_t *handshake_hash,
				const uint8_t *received, size_t received_len);

#endif /* KTLSO_ENGINE_KEYSCHED_H */
