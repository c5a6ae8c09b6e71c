/*
 * rows.c - opening the index and printing its rows; see rows.h.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "rows.h"
#include "table.h"
#include "view.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
}

int rows_open_index(eks_repo **repo, eks_index **index, const char *rev,
		    unsigned flags)
{
	int rebuild = (flags & ROWS_REBUILD) != 0;
	char commit[EKS_COMMIT_HEX];
	const eks_index_update *update;
	char **invalid = NULL;
	const char *trace;
	size_t count = 0, i;
	int rc, exit_code;

	*repo = NULL;
	*index = NULL;
	if ((exit_code = cmd_open_repo(repo)) != 0)
		return exit_code;
	rc = eks_repo_repair(*repo);
	if (rc == 0)
		rc = eks_repo_resolve(commit, *repo, rev ? rev : "HEAD");
	if (rc < 0)
		goto fail;
	rc = rebuild ? eks_index_reindex(index, *repo, commit)
		     : eks_index_open(index, *repo, commit);
	if (rc < 0)
		goto fail;
	update = eks_index_last_update(*index);
	trace = getenv("EKSPERIMENT_TRACE");
	if (trace && *trace)
		fprintf(stderr, "eksperiment: trace: index brought to %.7s in %.1f ms "
			"(%s%s; %zu experiment%s, %zu read again, %zu removed)\n", commit,
			update->seconds * 1000, update->rebuilt ? "rebuilt: " : "updated",
			update->rebuilt && update->reason ? update->reason : "",
			update->experiments, update->experiments == 1 ? "" : "s",
			update->reread, update->removed);
	if (update->rebuilt && update->reason && strstr(update->reason, "damaged"))
		cmd_warning("%s; it has been rebuilt from the repository", update->reason);
	if (!(flags & ROWS_QUIET_INVALID) && eks_index_invalid(&invalid, &count, *index) == 0) {
		for (i = 0; i < count && i < 5; i++)
			cmd_warning("'%s' has errors at commit %.7s, so the index holds "
				    "only what could be read of it and no verdicts; see "
				    "'eksperiment validate --rev %.7s'",
				    invalid[i], commit, commit);
		if (count > 5)
			cmd_warning("... and %zu more experiments with errors", count - 5);
	}
	eks_strings_free(invalid, count);
	return EXIT_OK;
fail:
	exit_code = cmd_fail(rc, NULL);
	eks_index_free(*index);
	*index = NULL;
	eks_repo_free(*repo);
	*repo = NULL;
	return exit_code;
}

void rows_warn_uncommitted(eks_repo *repo, eks_index *index,
			   char *const *ids, size_t ids_count, int all)
{
	char head[EKS_COMMIT_HEX];
	const char *commit = eks_index_commit(index);
	const char *trace = getenv("EKSPERIMENT_TRACE");
	char **paths = NULL;
	size_t count = 0;
	double checked = now_ms();

	/* The index knows the work tree only against its own commit; for
	 * another one (--rev), the slower check against HEAD. */
	if (eks_repo_resolve(head, repo, "HEAD") < 0 || strcmp(head, commit)) {
		eks_error_clear();
		view_warn_uncommitted(repo, NULL, commit);
	} else if (eks_index_uncommitted(&paths, &count, index, all ? NULL : ids,
					 all ? 0 : ids_count) < 0) {
		cmd_warning("cannot tell whether there are uncommitted changes: %s",
			    eks_error_last()->message);
	} else {
		view_warn_paths(paths, count, "experiments/", commit);
	}
	if (trace && *trace)
		fprintf(stderr, "eksperiment: trace: uncommitted-changes check of %s "
			"in %.1f ms\n", all ? "every experiment" : "the experiments shown",
			now_ms() - checked);
	eks_strings_free(paths, count);
}

/* The next row, keeping its id when the caller asked for the ids. */
static int next_row(eks_rows *rows, struct rows_output *out, int *id_column)
{
	int rc = eks_rows_next(rows);
	size_t i;
	char **grown;
	const char *id;

	if (rc <= 0 || !out->collect_ids)
		return rc;
	if (*id_column == -2) {
		*id_column = -1;
		for (i = 0; i < eks_rows_columns(rows); i++)
			if (!strcmp(eks_rows_name(rows, i), "id"))
				*id_column = (int)i;
	}
	if (*id_column < 0 || !(id = eks_rows_text(rows, (size_t)*id_column)))
		return rc;
	if (!(grown = realloc(out->ids, (out->ids_count + 1) * sizeof(*grown))))
		return eks_error_oom();
	out->ids = grown;
	if (!(grown[out->ids_count] = strdup(id)))
		return eks_error_oom();
	out->ids_count++;
	return rc;
}

/* The columns `list` and `query` show as text. */
const struct rows_column rows_experiment_columns[] = {
	{ "id", "id" },
	{ "status", "status" },
	{ "challenge", "challenge" },
	{ "end_date", "end" },
	{ "n_entries", "entries" },
	{ "title", "title" },
	{ NULL, NULL }
};

/* ---- text ----------------------------------------------------------------- */

/* Characters (UTF-8 code points) in `s`. */
static size_t chars(const char *s)
{
	return view_width(s);
}

/* The width of the terminal on standard output, or 0 when it is not one. */
static size_t terminal_width(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	long n;

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (env && (n = strtol(env, NULL, 10)) > 0)
		return (size_t)n;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Cut `cell` (owned, reallocated) to `width` characters, ending with an
 * ellipsis when something was cut. */
static char *cut(char *cell, size_t width)
{
	size_t n = 0;
	char *p;

	if (chars(cell) <= width)
		return cell;
	for (p = cell; *p; p++) {
		if (((unsigned char)*p & 0xC0) != 0x80) {
			if (n + 1 == width)
				break;
			n++;
		}
	}
	*p = '\0';
	{
		size_t len = strlen(cell);
		char *grown = realloc(cell, len + 4);
		if (!grown)
			return cell;
		memcpy(grown + len, "\xe2\x80\xa6", 4);   /* U+2026 */
		return grown;
	}
}

/* Total width of a row with column widths `w`. */
static size_t row_width(const size_t *w, size_t columns)
{
	size_t c, total = 2 * (columns - 1);

	for (c = 0; c < columns; c++)
		total += w[c];
	return total;
}

/*
 * Narrow `t` until a row fits in `width`: first the last column (the
 * title, in list and query) down to 12 characters, then the widest other
 * column but the first (the id, which people copy), one character at a
 * time, down to 6, and only then the first.
 */
static void fit(struct table *t, size_t width)
{
	size_t *w = calloc(t->columns ? t->columns : 1, sizeof(size_t));
	size_t r, c, last = t->columns - 1;

	if (!w || width == 0 || t->columns == 0) {
		free(w);
		return;
	}
	for (r = 0; r < t->rows; r++)
		for (c = 0; c < t->columns; c++)
			if (chars(t->cells[r * t->columns + c]) > w[c])
				w[c] = chars(t->cells[r * t->columns + c]);
	while (row_width(w, t->columns) > width && w[last] > 12)
		w[last]--;
	for (;;) {
		size_t widest = t->columns > 1 ? 1 : 0;

		for (c = widest; c < t->columns; c++)
			if (w[c] > w[widest])
				widest = c;
		if (w[widest] <= 6 && w[0] > 6)
			widest = 0;
		if (row_width(w, t->columns) <= width || w[widest] <= 6)
			break;
		w[widest]--;
	}
	for (r = 0; r < t->rows; r++)
		for (c = 0; c < t->columns; c++)
			t->cells[r * t->columns + c] = cut(t->cells[r * t->columns + c], w[c]);
	free(w);
}

/* Where each shown column is among the row's columns (-1: missing). */
static int *text_layout(eks_rows *rows, struct rows_output *out, size_t *count)
{
	size_t n = 0, i, j, columns = eks_rows_columns(rows);
	int *map;

	if (out->text_columns)
		while (out->text_columns[n].name)
			n++;
	else
		n = columns;
	if (!(map = calloc(n ? n : 1, sizeof(*map))))
		return NULL;
	for (i = 0; i < n; i++) {
		map[i] = out->text_columns ? -1 : (int)i;
		for (j = 0; out->text_columns && j < columns; j++)
			if (!strcmp(eks_rows_name(rows, j), out->text_columns[i].name))
				map[i] = (int)j;
	}
	*count = n;
	return map;
}

static int print_text(eks_rows *rows, struct rows_output *out)
{
	int id_column = -2;                   /* not looked for yet */
	struct table t;
	const char **cells = NULL;
	size_t n = 0, i, count = 0;
	int *map = text_layout(rows, out, &n);
	int rc = 0;

	table_init(&t, n);
	if (!map || !(cells = calloc(n ? n : 1, sizeof(*cells)))) {
		rc = eks_error_oom();
		goto done;
	}
	for (i = 0; i < n; i++)
		cells[i] = out->text_columns ? out->text_columns[i].header
					     : eks_rows_name(rows, i);
	if ((rc = table_add(&t, cells)) < 0)
		goto done;
	while ((rc = next_row(rows, out, &id_column)) > 0) {
		for (i = 0; i < n; i++)
			cells[i] = map[i] >= 0 ? eks_rows_text(rows, (size_t)map[i]) : NULL;
		if ((rc = table_add(&t, cells)) < 0)
			goto done;
		count++;
	}
	if (rc < 0)
		goto done;
	if (count) {
		fit(&t, terminal_width());
		table_print(stdout, &t, 0, cmd_use_color(stdout));
	}
	if (count == 0)
		printf("no %s at commit %.7s\n", out->nouns, out->revision);
	else
		printf("%zu %s at commit %.7s\n", count,
		       count == 1 ? out->noun : out->nouns, out->revision);
done:
	free(map);
	free(cells);
	table_release(&t);
	return rc;
}

/* ---- JSON and CSV ---------------------------------------------------------- */

static void put_json_value(eks_buf *b, eks_rows *rows, size_t i)
{
	switch (eks_rows_type(rows, i)) {
	case EKS_VALUE_NULL:
		eks_buf_puts(b, "null");
		break;
	case EKS_VALUE_INTEGER:
		eks_buf_printf(b, "%lld", eks_rows_int(rows, i));
		break;
	case EKS_VALUE_REAL:
		json_number(b, eks_rows_real(rows, i));
		break;
	default:
		eks_buf_put_json_string(b, eks_rows_text(rows, i));
		break;
	}
}

/* Rows are written one at a time, so an export of a million
 * observations never needs them all in memory. */
static int print_json(eks_rows *rows, struct rows_output *out)
{
	int id_column = -2;                   /* not looked for yet */
	eks_buf b = EKS_BUF_INIT;
	size_t i, columns = eks_rows_columns(rows), count = 0;
	int rc;

	eks_buf_puts(&b, "{\"revision\":");
	eks_buf_put_json_string(&b, out->revision);
	if (out->json_key) {
		eks_buf_putc(&b, ',');
		eks_buf_put_json_string(&b, out->json_key);
		eks_buf_puts(&b, ":[");
	} else {
		eks_buf_puts(&b, ",\"columns\":[");
		for (i = 0; i < columns; i++) {
			if (i)
				eks_buf_putc(&b, ',');
			eks_buf_put_json_string(&b, eks_rows_name(rows, i));
		}
		eks_buf_puts(&b, "],\"rows\":[");
	}
	while ((rc = next_row(rows, out, &id_column)) > 0) {
		if (count++)
			eks_buf_putc(&b, ',');
		eks_buf_putc(&b, out->json_key ? '{' : '[');
		for (i = 0; i < columns; i++) {
			if (i)
				eks_buf_putc(&b, ',');
			if (out->json_key) {
				eks_buf_put_json_string(&b, eks_rows_name(rows, i));
				eks_buf_putc(&b, ':');
			}
			put_json_value(&b, rows, i);
		}
		eks_buf_putc(&b, out->json_key ? '}' : ']');
		if (eks_buf_oom(&b)) {
			rc = eks_error_oom();
			break;
		}
		if (b.len > 65536) {
			fputs(b.ptr, stdout);
			eks_buf_clear(&b);
		}
	}
	if (rc == 0) {
		eks_buf_puts(&b, "]}\n");
		if (eks_buf_oom(&b))
			rc = eks_error_oom();
		else
			fputs(b.ptr, stdout);
	}
	eks_buf_dispose(&b);
	return rc;
}

static int print_csv(eks_rows *rows, struct rows_output *out)
{
	int id_column = -2;                   /* not looked for yet */
	eks_buf b = EKS_BUF_INIT;
	size_t i, columns = eks_rows_columns(rows);
	int rc;

	for (i = 0; i < columns; i++) {
		if (i)
			eks_buf_putc(&b, ',');
		eks_buf_put_csv_field(&b, eks_rows_name(rows, i));
	}
	eks_buf_putc(&b, '\n');
	while ((rc = next_row(rows, out, &id_column)) > 0) {
		for (i = 0; i < columns; i++) {
			const char *text = eks_rows_text(rows, i);

			if (i)
				eks_buf_putc(&b, ',');
			if (text)
				eks_buf_put_csv_field(&b, text);
		}
		eks_buf_putc(&b, '\n');
		if (eks_buf_oom(&b)) {
			rc = eks_error_oom();
			break;
		}
		if (b.len > 65536) {
			fputs(b.ptr, stdout);
			eks_buf_clear(&b);
		}
	}
	if (rc == 0 && b.len)
		fputs(b.ptr, stdout);
	eks_buf_dispose(&b);
	return rc;
}

int rows_print(eks_rows *rows, struct rows_output *out)
{
	int rc;

	switch (out->format) {
	case FORMAT_JSON:
		rc = print_json(rows, out);
		break;
	case FORMAT_CSV:
		rc = print_csv(rows, out);
		break;
	default:
		rc = print_text(rows, out);
		break;
	}
	return rc < 0 ? cmd_fail(rc, NULL) : EXIT_OK;
}

/* ---- pointing at a column ---------------------------------------------------- */

void rows_point_at(const char *text, int column)
{
	const char *p = text, *line = text;
	int n = 1;

	if (!text || column < 1)
		return;
	/* Find the character, and the line it is on. */
	for (; *p && n < column; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;
		if (*p == '\n')
			line = p + 1;
		n++;
	}
	/* p may sit on a continuation byte of the character before. */
	while (*p && ((unsigned char)*p & 0xC0) == 0x80)
		p++;
	fprintf(stderr, "    %.*s\n    ", (int)strcspn(line, "\n"), line);
	for (; line < p; line++) {
		if (((unsigned char)*line & 0xC0) == 0x80)
			continue;
		fputc(*line == '\t' ? '\t' : ' ', stderr);
	}
	fputs("^\n", stderr);
}

void rows_point_at_byte(const char *text, int offset)
{
	int column = 1, i;

	if (!text || offset < 0 || (size_t)offset > strlen(text))
		return;
	for (i = 0; i < offset; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			column++;
	rows_point_at(text, column);
}

char *rows_join_args(int argc, char **argv)
{
	eks_buf b = EKS_BUF_INIT;
	int i;

	for (i = 0; i < argc; i++) {
		if (i)
			eks_buf_putc(&b, ' ');
		eks_buf_puts(&b, argv[i]);
	}
	if (eks_buf_oom(&b)) {
		eks_buf_dispose(&b);
		return NULL;
	}
	return eks_buf_detach(&b);
}
