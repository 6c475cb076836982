// SPDX-License-Identifier: GPL-2.0
/*
 * libktlso: struct ktlso_params checked and turned into the kernel's
 * struct ktlso_hs_request, the ALPN list in wire format included.
 *
 * Everything the kernel would refuse with EINVAL is refused here first,
 * so that a bad call changes nothing on the socket (not even attaching the
 * ULP).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "internal.h"

_Static_assert((int)KTLSO_CLIENT == (int)KTLSO_HS_ROLE_CLIENT &&
	       (int)KTLSO_SERVER == (int)KTLSO_HS_ROLE_SERVER, "roles");
_Static_assert(KTLSO_SERVER_NAME_MAX + 1 == KTLSO_HS_NAME_MAX &&
	       KTLSO_PROFILE_MAX + 1 == KTLSO_HS_PROFILE_MAX &&
	       KTLSO_ALPN_WIRE_MAX == KTLSO_HS_ALPN_MAX &&
	       KTLSO_TIMEOUT_MAX_MS == KTLSO_HS_TIMEOUT_MAX_MS, "limits");

KTLSO_API int ktlso_alpn_encode(const char *const *protos, uint8_t *out,
				size_t cap)
{
	size_t off = 0, i, j;

	if (!protos)
		return 0;
	for (i = 0; protos[i]; i++) {
		size_t len = strlen(protos[i]);

		if (len == 0 || len > 255)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(protos[i], protos[j]))
				return -EINVAL;
		if (1 + len > cap - off || off + 1 + len > INT_MAX)
			return -EMSGSIZE;
		out[off] = (uint8_t)len;
		memcpy(out + off + 1, protos[i], len);
		off += 1 + len;
	}
	return (int)off;
}

/* Letters, digits, '-', '_' and '.': what the kernel takes. */
static bool profile_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static int check_profile(const char *profile)
{
	size_t len = strlen(profile), i;

	if (len > KTLSO_PROFILE_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!profile_char(profile[i]))
			return -EINVAL;
	return 0;
}

/*
 * A host name or an address literal: printable ASCII without spaces.  The
 * daemon judges the rest; control bytes and spaces are never right.
 */
static int check_server_name(const char *name)
{
	size_t len = strlen(name), i;

	if (len > KTLSO_SERVER_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return -EINVAL;
	return 0;
}

/**
 * ktlso_lib_build_request() - check @p and fill the kernel's request
 * @p: the application's parameters
 * @req: filled in completely (reserved bytes zero)
 *
 * Return: 0, or -EINVAL for anything the kernel would refuse (a bad role,
 * timeout, server name, profile or ALPN list, flags set, a server with a
 * server name), including an ALPN list that does not fit.
 */
int ktlso_lib_build_request(const struct ktlso_params *p,
			    struct ktlso_hs_request *req)
{
	const char *name, *profile;
	int alpn_len;

	memset(req, 0, sizeof(*req));
	if (!p || p->flags)
		return -EINVAL;
	if (p->role != KTLSO_CLIENT && p->role != KTLSO_SERVER)
		return -EINVAL;
	if (p->timeout_ms > KTLSO_TIMEOUT_MAX_MS)
		return -EINVAL;

	name = p->server_name ? p->server_name : "";
	if (p->role == KTLSO_SERVER && name[0])
		return -EINVAL;
	if (check_server_name(name))
		return -EINVAL;
	profile = p->profile ? p->profile : "";
	if (check_profile(profile))
		return -EINVAL;
	alpn_len = ktlso_alpn_encode(p->alpn, req->alpn, sizeof(req->alpn));
	if (alpn_len < 0)
		return -EINVAL;

	req->role = (uint8_t)p->role;
	req->timeout_ms = p->timeout_ms;
	req->alpn_len = (uint32_t)alpn_len;
	memcpy(req->server_name, name, strlen(name) + 1);
	memcpy(req->profile, profile, strlen(profile) + 1);
	return 0;
}

KTLSO_API int ktlso_params_check(const struct ktlso_params *p)
{
	struct ktlso_hs_request req;

	return ktlso_lib_build_request(p, &req);
}
