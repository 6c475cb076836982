/* SPDX-License-Identifier: GPL-2.0 */
/* ktlso-httpd: Content-Type by file name extension. */
#ifndef KTLSO_HTTPD_MIME_H
#define KTLSO_HTTPD_MIME_H

const char *http_content_type(const char *path);

#endif /* KTLSO_HTTPD_MIME_H */
