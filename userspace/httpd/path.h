/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktlso-httpd: from a request-target to a file below the served root.
 *
 * http_target_path() turns the target into a clean relative path (decoded,
 * no "." or ".." segments, no hidden names); http_open_below() opens it
 * one component at a time below the root's descriptor, never following a
 * symbolic link, so no target can leave the root.
 */
#ifndef KTLSO_HTTPD_PATH_H
#define KTLSO_HTTPD_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* The longest decoded path taken. */
#define HTTP_MAX_PATH	1024

int http_target_path(const char *target, size_t len, char *out, size_t cap,
		     bool *trailing_slash);

int http_open_below(int rootfd, const char *rel, bool want_dir_index,
		    struct stat *st, bool *index);

size_t http_path_encode(const char *rel, char *out, size_t cap);

#endif /* KTLSO_HTTPD_PATH_H */
