// SPDX-License-Identifier: GPL-2.0
/*
 * The ClientHello extensions a server of either version answers the same
 * way: server_name (RFC 6066 3), kept for the credential choice and the
 * result, and application_layer_protocol_negotiation (RFC 7301 3.2).
 */
#include <string.h>

#include "engine/alert.h"
#include "engine/session_int.h"

int ktlso_server_take_sni(struct ktlso_session *s,
			  const struct ktlso_client_hello *ch)
{
	if (!ch->server_name.len)
		return 0;
	if (ch->server_name.len >= sizeof(s->sni))
		return ktlso_hs_fail(s, -KTLSO_ALERT_ILLEGAL_PARAMETER,
				     "server_name of %zu bytes",
				     ch->server_name.len);
	memcpy(s->sni, ch->server_name.p, ch->server_name.len);
	s->sni[ch->server_name.len] = '\0';
	return 0;
}

int ktlso_server_choose_alpn(struct ktlso_session *s,
			     const struct ktlso_client_hello *ch)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_span name;
	size_t i, j;

	if (!c->n_alpn || !ktlso_ext_has(&ch->ext, KTLSO_EXT_ALPN))
		return 0;
	for (i = 0; i < c->n_alpn; i++) {
		for (j = 0; j < ch->alpn.n; j++) {
			if (ktlso_alpn_list_at(&ch->alpn, j, &name))
				break;
			if (name.len == strlen(c->alpn[i]) &&
			    memcmp(name.p, c->alpn[i], name.len) == 0) {
				memcpy(s->alpn, c->alpn[i], name.len + 1);
				return 0;
			}
		}
	}
	return ktlso_hs_fail(s, -KTLSO_ALERT_NO_APPLICATION_PROTOCOL,
			     "no ALPN protocol in common");
}
