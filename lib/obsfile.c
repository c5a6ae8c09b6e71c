/*
 * obsfile.c - reading observations from CSV and YAML files (log --file).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/buf.h"
#include "eksperiment/error.h"
#include "eksperiment/obsfile.h"
#include "eksperiment/text.h"
#include "eksperiment/yaml.h"

enum column {
	COL_OUTCOME, COL_ARM, COL_TIMEPOINT, COL_N, COL_EVENTS, COL_MEAN, COL_SD,
	COL_VALUE, COL_COUNT
};

static const char *const column_names[] = {
	"outcome", "arm", "timepoint", "n", "events", "mean", "sd", "value", NULL
};

/* One parsed CSV field with its position. */
typedef struct field {
	eks_buf text;
	int line, col;
} field;

/* A CSV reader over bytes, tracking line and column (in characters). */
typedef struct reader {
	const char *p, *end;
	int line, col;
} reader;

static void advance(reader *r)
{
	unsigned char c = (unsigned char)*r->p++;

	if (c == '\n') {
		r->line++;
		r->col = 1;
	} else if ((c & 0xC0) != 0x80) {
		r->col++;
	}
}

/*
 * Read one record into `fields` (at most COL_COUNT * 2 kept; more are
 * counted in *nfields).  Returns 1 for a record, 0 at the end, negative on
 * an error (with a diagnostic).
 */
static int read_record(reader *r, field *fields, size_t max, size_t *nfields,
		       const char *path, eks_diag_list *diags)
{
	size_t n = 0;

	if (r->p >= r->end)
		return 0;
	for (;;) {
		field scratch = { EKS_BUF_INIT, 0, 0 };
		field *f = n < max ? &fields[n] : &scratch;

		eks_buf_clear(&f->text);
		f->line = r->line;
		f->col = r->col;
		if (r->p < r->end && *r->p == '"') {
			int open_line = r->line, open_col = r->col;
			advance(r);
			for (;;) {
				if (r->p >= r->end) {
					eks_diag_add(diags, EKS_DIAG_ERROR, path, open_line, open_col,
						     "this quoted field is never closed; add the closing '\"'");
					eks_buf_dispose(&scratch.text);
					return EKS_EINVALID;
				}
				if (*r->p == '"') {
					if (r->p + 1 < r->end && r->p[1] == '"') {
						eks_buf_putc(&f->text, '"');
						advance(r);
						advance(r);
						continue;
					}
					advance(r);
					break;
				}
				eks_buf_putc(&f->text, *r->p);
				advance(r);
			}
		} else {
			while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
				eks_buf_putc(&f->text, *r->p);
				advance(r);
			}
		}
		eks_buf_dispose(&scratch.text);
		n++;
		if (r->p < r->end && *r->p == ',') {
			advance(r);
			continue;
		}
		if (r->p < r->end && *r->p == '\r')
			advance(r);
		if (r->p < r->end && *r->p == '\n')
			advance(r);
		else if (r->p < r->end) {
			eks_diag_add(diags, EKS_DIAG_ERROR, path, r->line, r->col,
				     "unexpected text after a quoted field; put a ',' between fields");
			return EKS_EINVALID;
		}
		break;
	}
	*nfields = n;
	return 1;
}

static int trimmed_empty(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0';
}

static char *trimmed_copy(const char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return strndup(s, len);
}

static int parse_count(long long *out, const char *s)
{
	char *end;

	while (*s == ' ')
		s++;
	if (!*s || *s == '+' || *s == '-')
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	while (*end == ' ')
		end++;
	return errno || *end ? -1 : 0;
}

static int parse_number(double *out, const char *s)
{
	char *end;

	while (*s == ' ')
		s++;
	if (!*s)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	while (*end == ' ')
		end++;
	return errno || *end || !isfinite(*out) ? -1 : 0;
}

static eks_observation *find_values_observation(eks_observation *list, size_t count,
						 const char *outcome, const char *arm,
						 const char *timepoint)
{
	size_t i;

	for (i = 0; i < count; i++)
		if ((list[i].fields & EKS_OBS_VALUES) && !strcmp(list[i].outcome, outcome) &&
		    !strcmp(list[i].arm, arm) && !strcmp(list[i].timepoint, timepoint))
			return &list[i];
	return NULL;
}

int eks_observations_from_csv(eks_observation **out, size_t *count,
			      const char *path, const char *data, size_t len,
			      eks_diag_list *diags)
{
	enum { MAX_FIELDS = 16 };
	field fields[MAX_FIELDS];
	int columns[MAX_FIELDS];            /* column index of each field, or -1 */
	int where[COL_COUNT];               /* field index of each column, or -1 */
	eks_observation *list = NULL;
	size_t n = 0, alloc = 0, nfields, header_fields, i, row = 0;
	reader r = { data, data + len, 1, 1 };
	int rc, errors = 0, row_errors = 0;

	*out = NULL;
	*count = 0;
	memset(fields, 0, sizeof(fields));
	for (i = 0; i < COL_COUNT; i++)
		where[i] = -1;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		r.p += 3;                   /* a byte order mark, as spreadsheets write */

	rc = read_record(&r, fields, MAX_FIELDS, &nfields, path, diags);
	if (rc <= 0) {
		if (rc == 0)
			eks_diag_add(diags, EKS_DIAG_ERROR, path, 1, 1,
				     "the file is empty; the first row must name the columns, e.g. outcome,arm,timepoint,n,events");
		rc = EKS_EINVALID;
		goto done;
	}
	if (nfields > MAX_FIELDS) {
		eks_diag_add(diags, EKS_DIAG_ERROR, path, 1, 1,
			     "the header has %zu columns; use only outcome, arm, timepoint, n, events, mean, sd, value",
			     nfields);
		rc = EKS_EINVALID;
		goto done;
	}
	for (i = 0; i < nfields; i++) {
		char *name = trimmed_copy(eks_buf_cstr(&fields[i].text));
		size_t c;

		columns[i] = -1;
		if (!name) {
			rc = eks_error_oom();
			goto done;
		}
		for (c = 0; c < COL_COUNT; c++)
			if (!strcmp(name, column_names[c]))
				columns[i] = (int)c;
		if (columns[i] < 0) {
			const char *guess = eks_closest(name, column_names);
			eks_diag_add(diags, EKS_DIAG_ERROR, path, fields[i].line, fields[i].col,
				     "unknown column '%s'%s%s%s; the columns are outcome, arm, timepoint, n, events, mean, sd, value",
				     name, guess ? " (did you mean '" : "", guess ? guess : "",
				     guess ? "'?)" : "");
			errors++;
		} else if (where[columns[i]] >= 0) {
			eks_diag_add(diags, EKS_DIAG_ERROR, path, fields[i].line, fields[i].col,
				     "the column '%s' appears twice in the header", name);
			errors++;
		} else {
			where[columns[i]] = (int)i;
		}
		free(name);
	}
	for (i = COL_OUTCOME; i <= COL_TIMEPOINT; i++) {
		if (where[i] < 0) {
			eks_diag_add(diags, EKS_DIAG_ERROR, path, 1, 1,
				     "the header has no '%s' column; every row needs outcome, arm and timepoint",
				     column_names[i]);
			errors++;
		}
	}
	if (errors) {
		rc = EKS_EINVALID;
		goto done;
	}
	header_fields = nfields;

	while ((rc = read_record(&r, fields, MAX_FIELDS, &nfields, path, diags)) > 0) {
		eks_observation obs, *target;
		char label[32];
		const field *first = &fields[0];
		size_t c;

		row++;
		if (nfields == 1 && trimmed_empty(eks_buf_cstr(&fields[0].text)))
			continue;               /* a blank line */
		snprintf(label, sizeof(label), "row %zu", row);
		if (nfields > header_fields) {
			eks_diag_add(diags, EKS_DIAG_ERROR, path, first->line, first->col,
				     "%s: this row has %zu fields but the header names %zu columns",
				     label, nfields, header_fields);
			errors++;
			continue;
		}
		row_errors = errors;
		memset(&obs, 0, sizeof(obs));
		obs.line = first->line;
		obs.col = first->col;
		for (c = 0; c < COL_COUNT; c++) {
			const field *f;
			const char *text;

			if (where[c] < 0)
				continue;
			if ((size_t)where[c] >= nfields) {
				if (c <= COL_TIMEPOINT) {
					eks_diag_add(diags, EKS_DIAG_ERROR, path, first->line, first->col,
						     "%s: this row has no '%s' field", label, column_names[c]);
					errors++;
				}
				continue;
			}
			f = &fields[where[c]];
			text = eks_buf_cstr(&f->text);
			if (c <= COL_TIMEPOINT) {
				char **slot = c == COL_OUTCOME ? &obs.outcome :
					      c == COL_ARM ? &obs.arm : &obs.timepoint;
				if (trimmed_empty(text)) {
					eks_diag_add(diags, EKS_DIAG_ERROR, path, f->line, f->col,
						     "%s: '%s' is empty", label, column_names[c]);
					errors++;
					continue;
				}
				*slot = trimmed_copy(text);
				obs.pos[c].line = f->line;
				obs.pos[c].col = f->col;
				continue;
			}
			if (trimmed_empty(text))
				continue;
			if (c == COL_N || c == COL_EVENTS) {
				long long v;
				if (parse_count(&v, text) < 0) {
					eks_diag_add(diags, EKS_DIAG_ERROR, path, f->line, f->col,
						     "%s: '%s' must be a whole number, found '%s'",
						     label, column_names[c], text);
					errors++;
					continue;
				}
				if (c == COL_N) {
					obs.n = v;
					obs.fields |= EKS_OBS_N;
					obs.pos[EKS_OBS_FIELD_N].line = f->line;
					obs.pos[EKS_OBS_FIELD_N].col = f->col;
				} else {
					obs.events = v;
					obs.fields |= EKS_OBS_EVENTS;
					obs.pos[EKS_OBS_FIELD_EVENTS].line = f->line;
					obs.pos[EKS_OBS_FIELD_EVENTS].col = f->col;
				}
			} else {
				double v;
				if (parse_number(&v, text) < 0) {
					eks_diag_add(diags, EKS_DIAG_ERROR, path, f->line, f->col,
						     "%s: '%s' must be a number (with '.' for decimals), found '%s'",
						     label, column_names[c], text);
					errors++;
					continue;
				}
				if (c == COL_MEAN) {
					obs.mean = v;
					obs.fields |= EKS_OBS_MEAN;
					obs.pos[EKS_OBS_FIELD_MEAN].line = f->line;
					obs.pos[EKS_OBS_FIELD_MEAN].col = f->col;
				} else if (c == COL_SD) {
					obs.sd = v;
					obs.fields |= EKS_OBS_SD;
					obs.pos[EKS_OBS_FIELD_SD].line = f->line;
					obs.pos[EKS_OBS_FIELD_SD].col = f->col;
				} else {
					obs.values = malloc(sizeof(double));
					if (!obs.values) {
						eks_observation_release(&obs);
						rc = eks_error_oom();
						goto done;
					}
					obs.values[0] = v;
					obs.values_count = 1;
					obs.fields |= EKS_OBS_VALUES;
					obs.pos[EKS_OBS_FIELD_VALUES].line = f->line;
					obs.pos[EKS_OBS_FIELD_VALUES].col = f->col;
				}
			}
		}
		/* A row with a problem is reported once, not checked further. */
		if (errors > row_errors || !obs.outcome || !obs.arm || !obs.timepoint) {
			eks_observation_release(&obs);
			continue;
		}
		/* Raw values of the same group join one observation. */
		target = obs.fields == EKS_OBS_VALUES ?
			find_values_observation(list, n, obs.outcome, obs.arm, obs.timepoint) : NULL;
		if (target) {
			double *grown = realloc(target->values,
						(target->values_count + 1) * sizeof(double));
			if (!grown) {
				eks_observation_release(&obs);
				rc = eks_error_oom();
				goto done;
			}
			target->values = grown;
			target->values[target->values_count++] = obs.values[0];
			eks_observation_release(&obs);
			continue;
		}
		if (n == alloc) {
			eks_observation *grown;
			alloc = alloc ? alloc * 2 : 16;
			grown = realloc(list, alloc * sizeof(*list));
			if (!grown) {
				eks_observation_release(&obs);
				rc = eks_error_oom();
				goto done;
			}
			list = grown;
		}
		list[n++] = obs;
	}
	if (rc < 0)
		goto done;
	if (n == 0 && !errors) {
		eks_diag_add(diags, EKS_DIAG_ERROR, path, r.line, 1,
			     "the file has a header but no rows of observations");
		errors++;
	}
	rc = errors ? EKS_EINVALID : 0;
done:
	for (i = 0; i < MAX_FIELDS; i++)
		eks_buf_dispose(&fields[i].text);
	*out = list;
	*count = n;
	return rc;
}

void eks_observations_free(eks_observation *observations, size_t count)
{
	size_t i;

	if (!observations)
		return;
	for (i = 0; i < count; i++)
		eks_observation_release(&observations[i]);
	free(observations);
}

/* ---------------------------------------------------------------- YAML */

/* A scalar node made here (position 0:0: never reported, its value is
 * always valid). */
static eks_node *synthetic_scalar(const char *value)
{
	eks_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = EKS_NODE_SCALAR;
	n->value = strdup(value);
	if (!n->value) {
		free(n);
		return NULL;
	}
	n->value_len = strlen(value);
	n->style = EKS_SCALAR_PLAIN;
	return n;
}

static void synthetic_free(eks_node *n)
{
	if (!n)
		return;
	free(n->value);
	free(n);
}

/*
 * The observations of a YAML list are read by the log's own reader: the
 * list is hung, as it is (with its positions), under `observations:` of an
 * entry made up here, and the entry is parsed as log.yaml would be.  So
 * the rules and messages are exactly those of log.yaml.
 */
int eks_observations_from_yaml(eks_observation **out, size_t *count,
			       const char *path, const char *data, size_t len,
			       eks_diag_list *diags)
{
	static const char *const keys[] = { "id", "kind", "recorded_at", "recorded_by", "observations" };
	static const char *const values[] = {
		"20000101T000000Z-0000", "observation", "2000-01-01T00:00:00Z", "eksperiment"
	};
	eks_yaml_file *file = NULL, entry_file;
	eks_node entry, *key_nodes[5] = { NULL }, *value_nodes[5] = { NULL }, *document;
	eks_log *log = NULL;
	int rc, i;

	*out = NULL;
	*count = 0;
	rc = eks_yaml_parse(&file, path, data, len, diags);
	if (rc < 0)
		return rc;
	document = file->count == 1 ? file->documents[0] : NULL;
	if (!document || document->kind != EKS_NODE_SEQ || document->count == 0) {
		eks_diag_add(diags, EKS_DIAG_ERROR, path, document ? document->line : 1,
			     document ? document->col : 1,
			     "the file must be one list of observations, each as "
			     "{outcome: neet, arm: a, timepoint: t1, n: 120, events: 14}");
		eks_yaml_file_free(file);
		return EKS_EINVALID;
	}

	memset(&entry, 0, sizeof(entry));
	entry.kind = EKS_NODE_MAP;
	entry.line = document->line;
	entry.col = document->col;
	for (i = 0; i < 5; i++) {
		key_nodes[i] = synthetic_scalar(keys[i]);
		value_nodes[i] = i < 4 ? synthetic_scalar(values[i]) : document;
		if (!key_nodes[i] || !value_nodes[i]) {
			rc = eks_error_oom();
			goto done;
		}
	}
	entry.count = 5;
	entry.keys = key_nodes;
	entry.items = value_nodes;
	memset(&entry_file, 0, sizeof(entry_file));
	entry_file.path = (char *)path;
	entry_file.count = 1;
	{
		eks_node *documents[1] = { &entry };
		int lines[1] = { document->line };
		entry_file.documents = documents;
		entry_file.document_lines = lines;
		rc = eks_log_parse(&log, &entry_file, NULL, diags);
	}
	if (log && log->entries_count == 1) {
		*out = log->entries[0].observations;
		*count = log->entries[0].observations_count;
		log->entries[0].observations = NULL;
		log->entries[0].observations_count = 0;
	}
done:
	for (i = 0; i < 5; i++) {
		synthetic_free(key_nodes[i]);
		if (i < 4)
			synthetic_free(value_nodes[i]);
	}
	eks_log_free(log);
	eks_yaml_file_free(file);
	return rc;
}
