// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso-httpd: the media type of a file, from its extension (case does not
 * matter); application/octet-stream for everything else.
 */
#include <string.h>
#include <strings.h>

#include "mime.h"

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "xml", "application/xml" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "ico", "image/x-icon" },
	{ "pdf", "application/pdf" },
	{ "wasm", "application/wasm" },
	{ "woff2", "font/woff2" },
};

/**
 * http_content_type() - the Content-Type to send for @path
 * @path: a file's path or name
 *
 * Return: a static string.
 */
const char *http_content_type(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t i;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (dot && dot != base) {
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcasecmp(dot + 1, types[i].ext))
				return types[i].type;
	}
	return "application/octet-stream";
}
