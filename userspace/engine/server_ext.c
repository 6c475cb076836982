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

/*
 * Our first preference among the client's names, in one pass over its
 * list (up to ~32,700 names in a ClientHello) against our few
 * (KTLSO_CONFIG_MAX_ALPN).
 */
int ktlso_server_choose_alpn(struct ktlso_session *s,
			     const struct ktlso_client_hello *ch)
{
	const struct ktlso_config *c = s->cfg;
	struct ktlso_list_iter it = { 0 };
	size_t i, best = c->n_alpn;
	struct ktlso_span name;
	int ret;

	if (!c->n_alpn || !ktlso_ext_has(&ch->ext, KTLSO_EXT_ALPN))
		return 0;
	while (best > 0 && (ret = ktlso_alpn_list_next(&ch->alpn, &it, &name))) {
		if (ret < 0)
			return ktlso_hs_fail(s, ret, "malformed ALPN list");
		for (i = 0; i < best; i++) {
			if (name.len == strlen(c->alpn[i]) &&
			    memcmp(name.p, c->alpn[i], name.len) == 0) {
				best = i;
				break;
			}
		}
	}
	if (best == c->n_alpn)
		return ktlso_hs_fail(s, -KTLSO_ALERT_NO_APPLICATION_PROTOCOL,
				     "no ALPN protocol in common");
	memcpy(s->alpn, c->alpn[best], strlen(c->alpn[best]) + 1);
	return 0;
}
