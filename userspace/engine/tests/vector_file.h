/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test support: load hex test vectors from the data files in
 * userspace/engine/tests/vectors/, and check for leaks at the end of a test.
 *
 * File format: "name = hex" per value; a line starting with white space
 * continues the value above it; white space inside the hex is ignored; '#'
 * starts a comment. A malformed file fails to load as a whole, so a typo
 * can never silently drop or shorten a vector.
 *
 * Test programs are single translation units; everything here is static.
 */
#ifndef KTLSO_ENGINE_TESTS_VECTOR_FILE_H
#define KTLSO_ENGINE_TESTS_VECTOR_FILE_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/tests/test_leaks.h"

#define VECTOR_DIR KTLSO_SRCDIR "/userspace/engine/tests/vectors/"
#define VECTOR_NAME_MAX 64
#define VECTOR_MAX 128

struct test_vector {
	char name[VECTOR_NAME_MAX];
	uint8_t *data;
	size_t len;
};

struct test_vectors {
	struct test_vector v[VECTOR_MAX];
	size_t n;
};

static inline int hex_nibble(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Append the hex digits of @s (white space ignored) to @v. */
static inline int vector_append_hex(struct test_vector *v, const char *s,
				    int *pending)
{
	for (; *s; s++) {
		int x;
		uint8_t *grown;

		if (isspace((unsigned char)*s))
			continue;
		x = hex_nibble((unsigned char)*s);
		if (x < 0)
			return -1;
		if (*pending >= 0) {
			v->data[v->len - 1] = (uint8_t)(*pending << 4 | x);
			*pending = -1;
			continue;
		}
		grown = realloc(v->data, v->len + 1);
		if (!grown)
			return -1;
		v->data = grown;
		v->len++;
		*pending = x;
	}
	return 0;
}

static inline void test_vectors_free(struct test_vectors *tv)
{
	size_t i;

	for (i = 0; i < tv->n; i++)
		free(tv->v[i].data);
	memset(tv, 0, sizeof(*tv));
}

/* Start a new vector from a "name = hex" line. */
static inline int vector_start(struct test_vectors *tv, char *line,
			       int *pending)
{
	char *eq = strchr(line, '='), *end;
	struct test_vector *v;

	if (!eq || tv->n == VECTOR_MAX || *pending >= 0)
		return -1;
	end = eq;
	while (end > line && isspace((unsigned char)end[-1]))
		end--;
	if (end == line || (size_t)(end - line) >= VECTOR_NAME_MAX)
		return -1;
	v = &tv->v[tv->n++];
	memcpy(v->name, line, (size_t)(end - line));
	v->name[end - line] = '\0';
	return vector_append_hex(v, eq + 1, pending);
}

/* Load the vector file @file (relative to the vectors directory). */
static inline int test_vectors_load(struct test_vectors *tv, const char *file)
{
	char path[4096], line[1024];
	int pending = -1, ret = 0;
	FILE *f;

	memset(tv, 0, sizeof(*tv));
	snprintf(path, sizeof(path), "%s%s", VECTOR_DIR, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (ret == 0 && fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');

		if (!strchr(line, '\n') && !feof(f))
			ret = -1;		/* over-long line */
		if (hash)
			*hash = '\0';
		if (ret || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (isspace((unsigned char)line[0]))
			ret = tv->n ? vector_append_hex(&tv->v[tv->n - 1], line,
							&pending) : -1;
		else
			ret = vector_start(tv, line, &pending);
	}
	if (pending >= 0 || ferror(f))
		ret = -1;			/* odd number of hex digits */
	fclose(f);
	if (ret)
		test_vectors_free(tv);
	return ret;
}

static inline const struct test_vector *
test_vector_find(const struct test_vectors *tv, const char *name)
{
	size_t i;

	for (i = 0; i < tv->n; i++)
		if (strcmp(tv->v[i].name, name) == 0)
			return &tv->v[i];
	return NULL;
}

/* A vector that must exist and be @want_len bytes long (0: any length). */
static inline const struct test_vector *
vector_need(struct __test_metadata *_metadata, const struct test_vectors *tv,
	    const char *name, size_t want_len)
{
	const struct test_vector *v = test_vector_find(tv, name);

	ASSERT_NE(NULL, v) TH_LOG("no vector \"%s\"", name);
	if (want_len != 0)
		ASSERT_EQ(want_len, v->len)
			TH_LOG("vector \"%s\" has the wrong length", name);
	return v;
}

#define VEC(tv, name, want_len) \
	(vector_need(_metadata, (tv), (name), (want_len)))

/* Byte-for-byte equality, with the name of what differed in the log. */
#define EXPECT_BYTES(what, expected, got, n)				\
	EXPECT_EQ(0, memcmp((expected), (got), (n)))			\
		TH_LOG("%s differs from the vector", (what))

#endif /* KTLSO_ENGINE_TESTS_VECTOR_FILE_H */
