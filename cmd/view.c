/*
 * view.c - printing helpers of the read commands; see view.h.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

size_t view_width(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

void view_table_init(struct view_table *t, size_t columns, unsigned right)
{
	memset(t, 0, sizeof(*t));
	t->columns = columns;
	t->right = right;
}

int view_table_row(struct view_table *t, ...)
{
	va_list ap;
	size_t i;
	int rc = 0;

	if ((t->rows + 1) * t->columns > t->alloc) {
		size_t alloc = t->alloc ? t->alloc * 2 : t->columns * 8;
		char **grown;

		while (alloc < (t->rows + 1) * t->columns)
			alloc *= 2;
		if (!(grown = realloc(t->cells, alloc * sizeof(*grown))))
			return eks_error_oom();
		t->cells = grown;
		t->alloc = alloc;
	}
	va_start(ap, t);
	for (i = 0; i < t->columns; i++) {
		const char *cell = va_arg(ap, const char *);
		char **slot = &t->cells[t->rows * t->columns + i];

		*slot = strdup(cell ? cell : "");
		if (!*slot)
			rc = eks_error_oom();
	}
	va_end(ap);
	t->rows++;
	return rc;
}

static void pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

void view_table_print(const struct view_table *t, FILE *out, int indent)
{
	size_t *width, r, c;

	if (!t->rows || !(width = calloc(t->columns, sizeof(*width))))
		return;
	for (r = 0; r < t->rows; r++)
		for (c = 0; c < t->columns; c++) {
			size_t w = view_width(t->cells[r * t->columns + c]);
			if (w > width[c])
				width[c] = w;
		}
	for (r = 0; r < t->rows; r++) {
		size_t last = t->columns;

		/* Trailing empty cells print nothing, not spaces. */
		while (last > 1 && !*t->cells[r * t->columns + last - 1])
			last--;
		pad(out, (size_t)indent);
		for (c = 0; c < last; c++) {
			const char *cell = t->cells[r * t->columns + c];
			size_t w = view_width(cell);

			if (c)
				fputs("  ", out);
			if (t->right & (1u << c))
				pad(out, width[c] - w);
			fputs(cell, out);
			if (!(t->right & (1u << c)) && c + 1 < last)
				pad(out, width[c] - w);
		}
		fputc('\n', out);
	}
	free(width);
}

void view_table_release(struct view_table *t)
{
	size_t i;

	for (i = 0; t->cells && i < t->rows * t->columns; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void view_wrap_at(FILE *out, const char *text, size_t first_col, int indent,
		  size_t width)
{
	const char *p = text;
	size_t start = (size_t)indent, col = first_col;
	int first = 1;

	if (!text)
		return;
	while (*p) {
		const char *line_end = strchr(p, '\n');
		size_t line_start;

		if (!line_end)
			line_end = p + strlen(p);
		if (!first) {
			pad(out, start);
			col = start;
		}
		first = 0;
		line_start = col;
		while (p < line_end) {
			const char *word = p, *end;
			size_t w;

			while (word < line_end && *word == ' ')
				word++;
			if (word == line_end)
				break;
			for (end = word; end < line_end && *end != ' '; end++)
				;
			w = 0;
			for (p = word; p < end; p++)
				if (((unsigned char)*p & 0xC0) != 0x80)
					w++;
			if (col > line_start && col + 1 + w > width) {
				fputc('\n', out);
				pad(out, start);
				col = line_start = start;
			}
			if (col > line_start) {
				fputc(' ', out);
				col++;
			}
			fwrite(word, 1, (size_t)(end - word), out);
			col += w;
			p = end;
		}
		fputc('\n', out);
		p = *line_end ? line_end + 1 : line_end;
	}
}

void view_wrap(FILE *out, const char *text, int indent, size_t width)
{
	if (!text || !*text)
		return;
	pad(out, (size_t)indent);
	view_wrap_at(out, text, (size_t)indent, indent, width);
}

void view_heading(FILE *out, int color, const char *title)
{
	if (color)
		fprintf(out, "\033[1m%s\033[0m\n", title);
	else
		fprintf(out, "%s\n", title);
}

void view_name_only(eks_buf *out, const char *person)
{
	const char *lt;
	size_t len;

	if (!person)
		return;
	lt = strchr(person, '<');
	len = lt ? (size_t)(lt - person) : strlen(person);
	while (len && person[len - 1] == ' ')
		len--;
	if (!len) {
		eks_buf_puts(out, person);
		return;
	}
	eks_buf_put(out, person, len);
}

void view_short_time(eks_buf *out, const char *t)
{
	if (!t)
		return;
	/* 2026-02-10T09:10:00Z */
	if (strlen(t) >= 16 && t[10] == 'T' && t[13] == ':') {
		eks_buf_put(out, t, 10);
		eks_buf_putc(out, ' ');
		eks_buf_put(out, t + 11, 5);
		return;
	}
	eks_buf_puts(out, t);
}

void view_json_number(eks_buf *json, double x)
{
	char text[40];

	if (!isfinite(x)) {
		eks_buf_puts(json, "null");
		return;
	}
	snprintf(text, sizeof(text), "%.15g", x);
	if (strtod(text, NULL) != x)
		snprintf(text, sizeof(text), "%.17g", x);
	eks_buf_puts(json, text);
}

void view_json_string(eks_buf *json, const char *s)
{
	if (s)
		eks_buf_put_json_string(json, s);
	else
		eks_buf_puts(json, "null");
}

void view_json_key(eks_buf *json, const char *key, int first)
{
	if (!first)
		eks_buf_putc(json, ',');
	eks_buf_put_json_string(json, key);
	eks_buf_putc(json, ':');
}

void view_warn_paths(char *const *paths, size_t count, const char *prefix,
		     const char *commit)
{
	size_t i, shown = 0;

	for (i = 0; i < count; i++) {
		if (strncmp(paths[i], prefix, strlen(prefix)))
			continue;
		if (shown++ < 5)
			cmd_warning("'%s' has uncommitted changes, which are not shown here "
				    "(this is commit %.7s)", paths[i], commit);
	}
	if (shown > 5)
		cmd_warning("... and %zu more files with uncommitted changes", shown - 5);
}

void view_warn_uncommitted(eks_repo *repo, const char *id, const char *commit)
{
	eks_buf prefix = EKS_BUF_INIT;
	char **paths = NULL;
	size_t count = 0;

	/* One experiment is checked thoroughly (untracked files too); all of
	 * them with the quicker whole-repository check. */
	if ((id ? eks_repo_dirty_experiment(&paths, &count, repo, id)
		: eks_repo_dirty_experiments(&paths, &count, repo)) < 0) {
		cmd_warning("cannot tell whether there are uncommitted changes: %s",
			    eks_error_last()->message);
		return;
	}
	if (id)
		eks_buf_printf(&prefix, "experiments/%s/", id);
	else
		eks_buf_puts(&prefix, "experiments/");
	view_warn_paths(paths, count, eks_buf_cstr(&prefix), commit);
	eks_buf_dispose(&prefix);
	eks_strings_free(paths, count);
}

/* ---- deviations and log rewrites ---------------------------------------- */

/* The deviations and log rewrites (SPEC 5), each with its disclosure or
 * what to do about it. */
void view_print_integrity(FILE *out, const char *id, const eks_integrity *in, int color,
			  int indent)
{
	size_t i;

	if (!in || (!in->deviations_count && !in->rewrites_count))
		return;
	fprintf(out, "\n%*s%sDeviations and log rewrites%s\n", indent, "", color ? "\033[1m" : "", color ? "\033[0m" : "");
	for (i = 0; i < in->deviations_count; i++) {
		const eks_deviation *d = &in->deviations[i];

		fprintf(out, "%*s  %.7s  deviation: %s %s (%s -> %s)\n", indent, "", d->commit, d->path,
		       eks_diff_kind_name(d->kind), d->old_value ? d->old_value : "(none)",
		       d->new_value ? d->new_value : "(none)");
		if (d->disclosure_entry)
			fprintf(out, "%*s           disclosed in %s: %s\n", indent, "", d->disclosure_entry, d->disclosure_reason);
		else
			fprintf(out, "%*s           not disclosed: eksperiment disclose %s --commit %.7s -m \"why\"\n",
				indent, "", id, d->commit);
	}
	for (i = 0; i < in->rewrites_count; i++) {
		const eks_rewrite *r = &in->rewrites[i];

		if (r->removed)
			fprintf(out, "%*s  %.7s  log rewrite: entry %s removed (it was: %s)\n", indent, "", r->commit,
			       r->entry_id, r->old_value ? r->old_value : "");
		else
			fprintf(out, "%*s  %.7s  log rewrite: entry %s: %s %s -> %s\n", indent, "", r->commit, r->entry_id,
			       r->path, r->old_value ? r->old_value : "(none)",
			       r->new_value ? r->new_value : "(none)");
		if (r->disclosure_entry)
			fprintf(out, "%*s           disclosed in %s: %s\n", indent, "", r->disclosure_entry, r->disclosure_reason);
		else
			fprintf(out, "%*s           not disclosed: eksperiment disclose %s --commit %.7s -m \"why\"\n",
				indent, "", id, r->commit);
	}
}

static void json_disclosure(eks_buf *j, const char *entry, const char *reason)
{
	eks_buf_puts(j, ",\"disclosure\":");
	if (!entry) {
		eks_buf_puts(j, "null");
		return;
	}
	eks_buf_puts(j, "{\"entry\":");
	view_json_string(j, entry);
	eks_buf_puts(j, ",\"reason\":");
	view_json_string(j, reason);
	eks_buf_putc(j, '}');
}

/* "deviations": [...], "rewrites": [...] */
void view_integrity_json(eks_buf *j, const eks_integrity *in, const char *commit)
{
	size_t i;
	int first = 1;

	view_json_key(j, "deviations", 0);
	eks_buf_putc(j, '[');
	for (i = 0; in && i < in->deviations_count; i++) {
		const eks_deviation *d = &in->deviations[i];

		if (commit && strcmp(d->commit, commit))
			continue;
		eks_buf_puts(j, first ? "{\"commit\":" : ",{\"commit\":");
		first = 0;
		view_json_string(j, d->commit);
		eks_buf_puts(j, ",\"path\":");
		view_json_string(j, d->path);
		eks_buf_puts(j, ",\"kind\":");
		view_json_string(j, eks_diff_kind_name(d->kind));
		eks_buf_puts(j, ",\"old\":");
		view_json_string(j, d->old_value);
		eks_buf_puts(j, ",\"new\":");
		view_json_string(j, d->new_value);
		json_disclosure(j, d->disclosure_entry, d->disclosure_reason);
		eks_buf_putc(j, '}');
	}
	eks_buf_putc(j, ']');
	view_json_key(j, "rewrites", 0);
	eks_buf_putc(j, '[');
	first = 1;
	for (i = 0; in && i < in->rewrites_count; i++) {
		const eks_rewrite *r = &in->rewrites[i];

		if (commit && strcmp(r->commit, commit))
			continue;
		eks_buf_puts(j, first ? "{\"commit\":" : ",{\"commit\":");
		first = 0;
		view_json_string(j, r->commit);
		eks_buf_puts(j, ",\"entry\":");
		view_json_string(j, r->entry_id);
		eks_buf_puts(j, r->removed ? ",\"kind\":\"removed\",\"path\":" :
			     ",\"kind\":\"changed\",\"path\":");
		view_json_string(j, r->path);
		eks_buf_puts(j, ",\"old\":");
		view_json_string(j, r->old_value);
		eks_buf_puts(j, ",\"new\":");
		view_json_string(j, r->new_value);
		json_disclosure(j, r->disclosure_entry, r->disclosure_reason);
		eks_buf_putc(j, '}');
	}
	eks_buf_putc(j, ']');
}
