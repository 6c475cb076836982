// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsoctl: output as aligned "label: value" text, or as one JSON object
 * (with --json) whose members are the same values under stable keys.
 */
#include <inttypes.h>
#include <string.h>

#include "ctl.h"

#define LABEL_WIDTH	14

/**
 * ctl_json_string() - write @s as a JSON string, quotes included
 * @f: the stream
 * @s: UTF-8 or ASCII text; control bytes become \u00XX escapes
 */
void ctl_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void ctl_out_begin(struct ctl_out *o, FILE *f, bool json)
{
	o->f = f;
	o->json = json;
	o->depth = 0;
	o->count[0] = 0;
	if (json)
		fputc('{', f);
}

void ctl_out_end(struct ctl_out *o)
{
	if (o->json)
		fputs("}\n", o->f);
	fflush(o->f);
}

/* A JSON member's key, after a comma if it is not the first. */
static void key(struct ctl_out *o, const char *k)
{
	if (o->count[o->depth]++)
		fputc(',', o->f);
	ctl_json_string(o->f, k);
	fputc(':', o->f);
}

/* A text line's label, indented by depth and padded to one column. */
static void label(struct ctl_out *o, const char *l)
{
	int pad = LABEL_WIDTH - (int)strlen(l);

	fprintf(o->f, "%*s%s:%*s", o->depth * 2, "", l, pad > 0 ? pad : 1, "");
}

/* A nested object (JSON) or a heading with indented lines (text). */
void ctl_out_section(struct ctl_out *o, const char *k, const char *title)
{
	if (o->json) {
		key(o, k);
		fputc('{', o->f);
	} else {
		fprintf(o->f, "%*s%s\n", o->depth * 2, "", title);
	}
	o->depth++;
	o->count[o->depth] = 0;
}

void ctl_out_section_end(struct ctl_out *o)
{
	o->depth--;
	if (o->json)
		fputc('}', o->f);
}

void ctl_out_u64(struct ctl_out *o, const char *k, const char *l, uint64_t v)
{
	if (o->json) {
		key(o, k);
		fprintf(o->f, "%" PRIu64, v);
	} else {
		label(o, l);
		fprintf(o->f, "%" PRIu64 "\n", v);
	}
}

void ctl_out_i64(struct ctl_out *o, const char *k, const char *l, int64_t v)
{
	if (o->json) {
		key(o, k);
		fprintf(o->f, "%" PRId64, v);
	} else {
		label(o, l);
		fprintf(o->f, "%" PRId64 "\n", v);
	}
}

/* JSON true/false; text @yes or @no. */
void ctl_out_bool(struct ctl_out *o, const char *k, const char *l, bool v,
		  const char *yes, const char *no)
{
	if (o->json) {
		key(o, k);
		fputs(v ? "true" : "false", o->f);
	} else {
		label(o, l);
		fprintf(o->f, "%s\n", v ? yes : no);
	}
}

void ctl_out_str(struct ctl_out *o, const char *k, const char *l,
		 const char *v)
{
	if (o->json) {
		key(o, k);
		ctl_json_string(o->f, v);
	} else {
		label(o, l);
		fprintf(o->f, "%s\n", v);
	}
}
