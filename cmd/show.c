/*
 * show.c - `eksperiment show <id> [--rev R] [--format text|json]`: one
 * experiment at a glance, as committed: the protocol, the data so far
 * (eks_log_accumulate) and the last entries of the log.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "eksperiment/history.h"
#include "view.h"

#define SHOW_ENTRIES 5       /* how many of the last log entries to show */
#define SHOW_WIDTH 78        /* wrap text at this column */

/* ---- helpers ------------------------------------------------------------- */

/* "6.9" from 6.90: two decimals without trailing zeros. */
static void put_decimal(eks_buf *b, double x)
{
	char text[64], *end;

	snprintf(text, sizeof(text), "%.2f", x);
	if (strchr(text, '.')) {
		end = text + strlen(text);
		while (end[-1] == '0')
			*--end = '\0';
		if (end[-1] == '.')
			end[-1] = '\0';
	}
	if (!strcmp(text, "-0"))
		strcpy(text, "0");
	eks_buf_puts(b, text);
}

static void join(eks_buf *b, char *const *items, size_t count, const char *sep)
{
	size_t i;

	for (i = 0; i < count; i++)
		eks_buf_printf(b, "%s%s", i ? sep : "", items[i]);
}

/* Entries of the log, the last `max`, newest first: indexes into the log. */
static size_t last_entries(size_t *idx, size_t max, const eks_log *log)
{
	size_t n = 0, i = log->entries_count;

	while (i-- > 0 && n < max)
		idx[n++] = i;
	return n;
}

/* The cells in the order of the protocol (outcome, its timepoints, arms),
 * then any others; missing planned cells are NULL when `planned`. */
struct data_row {
	const eks_outcome *outcome;
	const char *outcome_id, *arm, *timepoint;
	const eks_cell *cell;
};

static int data_rows(struct data_row **out, size_t *count, const eks_protocol *p,
		     const eks_cells *cells, int planned)
{
	struct data_row *rows;
	size_t n = 0, alloc, i, j, k;
	unsigned char *used = NULL;
	size_t ncells = cells ? cells->count : 0;

	alloc = ncells + 1;
	for (i = 0; i < p->outcomes_count; i++)
		alloc += p->outcomes[i].timepoints_count * p->arms_count;
	*out = NULL;
	*count = 0;
	if (!(rows = calloc(alloc, sizeof(*rows))) || (ncells && !(used = calloc(ncells, 1)))) {
		free(rows);
		return eks_error_oom();
	}
	for (i = 0; i < p->outcomes_count; i++) {
		const eks_outcome *o = &p->outcomes[i];

		for (j = 0; j < o->timepoints_count; j++) {
			for (k = 0; k < p->arms_count; k++) {
				const eks_cell *c;

				if (!o->id || !o->timepoints[j] || !p->arms[k].id)
					continue;
				c = eks_cells_find(cells, o->id, p->arms[k].id, o->timepoints[j]);
				if (c)
					used[c - cells->items] = 1;
				if (!c && !planned)
					continue;
				rows[n].outcome = o;
				rows[n].outcome_id = o->id;
				rows[n].arm = p->arms[k].id;
				rows[n].timepoint = o->timepoints[j];
				rows[n].cell = c;
				n++;
			}
		}
	}
	for (i = 0; i < ncells; i++) {
		if (used[i])
			continue;
		rows[n].outcome = eks_protocol_outcome(p, cells->items[i].outcome);
		rows[n].outcome_id = cells->items[i].outcome;
		rows[n].arm = cells->items[i].arm;
		rows[n].timepoint = cells->items[i].timepoint;
		rows[n].cell = &cells->items[i];
		n++;
	}
	free(used);
	*out = rows;
	*count = n;
	return 0;
}

/* ---- text ------------------------------------------------------------------- */

static void field_row(struct view_table *t, const char *name, const char *value)
{
	if (value && *value)
		view_table_row(t, name, value);
}

static void print_overview(const eks_experiment *e, int color)
{
	const eks_protocol *p = e->protocol;
	struct view_table t;
	eks_buf b = EKS_BUF_INIT;
	char number[32];

	if (color)
		printf("\033[1m%s\033[0m", p->id ? p->id : e->id);
	else
		fputs(p->id ? p->id : e->id, stdout);
	printf("  (commit %.7s)\n", e->commit);
	if (p->title)
		view_wrap(stdout, p->title, 0, SHOW_WIDTH);
	if (p->title_nb)
		view_wrap(stdout, p->title_nb, 0, SHOW_WIDTH);
	putchar('\n');

	view_table_init(&t, 2, 0);
	field_row(&t, "Status", eks_status_name(p->status));
	field_row(&t, "Challenge", p->challenge);
	field_row(&t, "Phase", p->phase);
	if (p->evidence_level) {
		snprintf(number, sizeof(number), "%d (Nesta standard of evidence)", p->evidence_level);
		field_row(&t, "Evidence level", number);
	}
	if (p->allocation || p->model || p->unit) {
		eks_buf_printf(&b, "%s, %s", p->allocation ? p->allocation : "?",
			       p->model ? p->model : "?");
		if (p->unit)
			eks_buf_printf(&b, "; unit: %s", p->unit);
		field_row(&t, "Design", eks_buf_cstr(&b));
		eks_buf_clear(&b);
	}
	field_row(&t, "Existing data", p->existing_data);
	if (p->start_date || p->end_date) {
		eks_buf_printf(&b, "%s to %s", p->start_date ? p->start_date : "(open)",
			       p->end_date ? p->end_date : "(open)");
		field_row(&t, "Dates", eks_buf_cstr(&b));
		eks_buf_clear(&b);
	}
	view_table_print(&t, stdout, 0);
	view_table_release(&t);
	eks_buf_dispose(&b);

	if (p->summary) {
		putchar('\n');
		view_heading(stdout, color, "Summary");
		view_wrap(stdout, p->summary, 2, SHOW_WIDTH);
	}
}

/* A two-column table whose second column is wrapped text. */
static void print_wrapped_table(const struct view_table *t)
{
	size_t r, w = 0;

	for (r = 0; r < t->rows; r++)
		if (view_width(t->cells[r * 2]) > w)
			w = view_width(t->cells[r * 2]);
	for (r = 0; r < t->rows; r++) {
		const char *first = t->cells[r * 2];
		size_t i;

		if (!*first) {
			view_wrap(stdout, t->cells[r * 2 + 1], (int)w + 4, SHOW_WIDTH);
			continue;
		}
		printf("  %s", first);
		for (i = view_width(first); i < w + 2; i++)
			putchar(' ');
		view_wrap_at(stdout, t->cells[r * 2 + 1], w + 4, (int)w + 4, SHOW_WIDTH);
	}
}

static void print_protocol_lists(const eks_protocol *p, int color)
{
	struct view_table t;
	eks_buf b = EKS_BUF_INIT, c = EKS_BUF_INIT;
	size_t i;

	if (p->partners_count) {
		putchar('\n');
		view_heading(stdout, color, "Partners");
		view_table_init(&t, 4, 0);
		for (i = 0; i < p->partners_count; i++)
			view_table_row(&t, p->partners[i].name, p->partners[i].role,
				       p->partners[i].kommunenummer, p->partners[i].level);
		view_table_print(&t, stdout, 2);
		view_table_release(&t);
	}

	if (p->arms_count) {
		putchar('\n');
		view_heading(stdout, color, "Arms");
		view_table_init(&t, 4, 0);
		for (i = 0; i < p->arms_count; i++) {
			const eks_arm *a = &p->arms[i];

			eks_buf_clear(&b);
			if (a->interventions_count) {
				eks_buf_puts(&b, "interventions: ");
				join(&b, a->interventions, a->interventions_count, ", ");
			}
			if (a->sites_count) {
				eks_buf_puts(&b, b.len ? "; sites: " : "sites: ");
				join(&b, a->sites, a->sites_count, ", ");
			}
			view_table_row(&t, a->id, a->label, a->type, eks_buf_cstr(&b));
		}
		view_table_print(&t, stdout, 2);
		view_table_release(&t);
	}

	if (p->interventions_count) {
		putchar('\n');
		view_heading(stdout, color, "Interventions");
		view_table_init(&t, 2, 0);
		for (i = 0; i < p->interventions_count; i++)
			view_table_row(&t, p->interventions[i].id, p->interventions[i].name);
		view_table_print(&t, stdout, 2);
		view_table_release(&t);
	}

	if (p->timepoints_count) {
		putchar('\n');
		view_heading(stdout, color, "Timepoints");
		view_table_init(&t, 3, 0);
		for (i = 0; i < p->timepoints_count; i++)
			view_table_row(&t, p->timepoints[i].id, p->timepoints[i].label,
				       p->timepoints[i].date);
		view_table_print(&t, stdout, 2);
		view_table_release(&t);
	}

	if (p->outcomes_count) {
		putchar('\n');
		view_heading(stdout, color, "Outcomes");
		view_table_init(&t, 2, 0);
		for (i = 0; i < p->outcomes_count; i++) {
			const eks_outcome *o = &p->outcomes[i];

			eks_buf_clear(&b);
			eks_buf_printf(&b, "%s, %s", o->role ? o->role : "?",
				       eks_measure_name(o->measure));
			if (o->unit)
				eks_buf_printf(&b, " (%s)", o->unit);
			if (o->direction == EKS_DIRECTION_INCREASE)
				eks_buf_puts(&b, ", higher is better");
			else if (o->direction == EKS_DIRECTION_DECREASE)
				eks_buf_puts(&b, ", lower is better");
			if (o->has_minimum_effect) {
				eks_buf_puts(&b, ", minimum effect ");
				put_decimal(&b, o->minimum_effect);
			}
			if (o->timepoints_count) {
				eks_buf_puts(&b, ", measured at ");
				join(&b, o->timepoints, o->timepoints_count, ", ");
			}
			view_table_row(&t, o->id, o->title);
			view_table_row(&t, "", eks_buf_cstr(&b));
		}
		print_wrapped_table(&t);
		view_table_release(&t);
	}

	if (p->hypotheses_count) {
		putchar('\n');
		view_heading(stdout, color, "Hypotheses");
		for (i = 0; i < p->hypotheses_count; i++) {
			const eks_hypothesis *h = &p->hypotheses[i];
			size_t w = 0, j;

			for (j = 0; j < p->hypotheses_count; j++)
				if (p->hypotheses[j].id && view_width(p->hypotheses[j].id) > w)
					w = view_width(p->hypotheses[j].id);
			eks_buf_clear(&b);
			eks_buf_clear(&c);
			eks_buf_printf(&b, "%s at %s", h->outcome ? h->outcome : "?",
				       h->timepoint ? h->timepoint : "?");
			if (h->baseline)
				eks_buf_printf(&b, " (baseline %s)", h->baseline);
			eks_buf_printf(&b, ": %s against ", h->arm ? h->arm : "?");
			if (h->against)
				eks_buf_puts(&b, h->against);
			else if (h->has_against_value) {
				eks_buf_puts(&b, "the value ");
				put_decimal(&b, h->against_value);
			} else
				eks_buf_puts(&b, "?");
			printf("  %s", h->id ? h->id : "?");
			for (j = view_width(h->id ? h->id : "?"); j < w + 2; j++)
				putchar(' ');
			view_wrap_at(stdout, eks_buf_cstr(&b), w + 4, (int)w + 4, SHOW_WIDTH);

			eks_buf_printf(&c, "%s, %s, %s", eks_estimator_name(h->estimator),
				       eks_test_name(h->test), eks_family_name(h->family));
			if (h->has_margin) {
				eks_buf_puts(&c, ", margin ");
				put_decimal(&c, h->margin);
			}
			if (h->has_minimum_effect) {
				eks_buf_puts(&c, ", minimum effect ");
				put_decimal(&c, h->minimum_effect);
			}
			if (h->method != EKS_METHOD_AUTO && h->method != EKS_METHOD_UNKNOWN)
				eks_buf_printf(&c, ", method %s", eks_method_name(h->method));
			if (h->alpha > 0 && h->alpha != 0.05)
				eks_buf_printf(&c, ", alpha %g", h->alpha);
			view_wrap(stdout, eks_buf_cstr(&c), (int)w + 4, SHOW_WIDTH);
			if (h->statement)
				view_wrap(stdout, h->statement, (int)w + 4, SHOW_WIDTH);
		}
	}

	putchar('\n');
	view_heading(stdout, color, "Analysis");
	eks_buf_clear(&b);
	eks_buf_printf(&b, "multiplicity: %s; confidence level: %g%%",
		       eks_multiplicity_name(p->multiplicity), p->conf_level * 100);
	view_wrap(stdout, eks_buf_cstr(&b), 2, SHOW_WIDTH);
	if (p->analysis_plan)
		view_wrap(stdout, p->analysis_plan, 2, SHOW_WIDTH);
	eks_buf_dispose(&b);
	eks_buf_dispose(&c);
}

static void print_data(const eks_protocol *p, const eks_cells *cells, int color)
{
	struct data_row *rows = NULL;
	struct view_table t;
	size_t n = 0, i;
	char number[32], events[32];
	eks_buf value = EKS_BUF_INIT;

	putchar('\n');
	view_heading(stdout, color, "Data so far");
	if (data_rows(&rows, &n, p, cells, 1) < 0 || !n) {
		printf("  nothing planned or logged\n");
		free(rows);
		return;
	}
	view_table_init(&t, 5, 1u << 3);
	view_table_row(&t, "outcome", "timepoint", "arm", "n", "");
	for (i = 0; i < n; i++) {
		const eks_cell *c = rows[i].cell;

		eks_buf_clear(&value);
		number[0] = '\0';
		if (!c) {
			snprintf(number, sizeof(number), "-");
			eks_buf_puts(&value, "no data yet");
		} else if (c->has_counts) {
			snprintf(number, sizeof(number), "%lld", c->n);
			snprintf(events, sizeof(events), "%lld", c->events);
			eks_buf_printf(&value, "%s event%s", events, c->events == 1 ? "" : "s");
			if (c->n > 0) {
				eks_buf_puts(&value, " (");
				snprintf(events, sizeof(events), "%.1f",
					 100.0 * (double)c->events / (double)c->n);
				eks_buf_puts(&value, events);
				eks_buf_puts(&value, "%)");
			}
		} else if (c->has_summary) {
			snprintf(number, sizeof(number), "%lld", c->summary.n);
			eks_buf_puts(&value, "mean ");
			put_decimal(&value, c->summary.mean);
			eks_buf_puts(&value, ", sd ");
			put_decimal(&value, c->summary.sd);
		}
		view_table_row(&t, rows[i].outcome_id, rows[i].timepoint, rows[i].arm,
			       number, eks_buf_cstr(&value));
	}
	view_table_print(&t, stdout, 2);
	view_table_release(&t);
	eks_buf_dispose(&value);
	free(rows);
}

/* The summary without the kind it starts with (the table has a column
 * for the kind): "note: text" -> "text", "registration" -> "". */
static void strip_kind(eks_buf *what, eks_entry_kind kind)
{
	const char *name = eks_entry_kind_name(kind);
	size_t n = strlen(name), skip = 0;

	if (what->len < n || strncmp(eks_buf_cstr(what), name, n))
		return;
	if (what->len == n)
		skip = n;
	else if (what->ptr[n] == ':' && what->ptr[n + 1] == ' ')
		skip = n + 2;
	else if (what->ptr[n] == ' ' && kind == EKS_ENTRY_STATUS)
		skip = n + 1;
	memmove(what->ptr, what->ptr + skip, what->len - skip + 1);
	what->len -= skip;
}

static void print_entries(const eks_log *log, int color)
{
	size_t idx[SHOW_ENTRIES], n, i;
	struct view_table t;
	eks_buf when = EKS_BUF_INIT, who = EKS_BUF_INIT, what = EKS_BUF_INIT;
	char heading[96];

	putchar('\n');
	n = last_entries(idx, SHOW_ENTRIES, log);
	if (!n) {
		view_heading(stdout, color, "Log");
		printf("  no entries yet\n");
		return;
	}
	if (log->entries_count > n)
		snprintf(heading, sizeof(heading), "Log: %zu entries, the last %zu first",
			 log->entries_count, n);
	else
		snprintf(heading, sizeof(heading), "Log: %zu entr%s, the last first",
			 n, n == 1 ? "y" : "ies");
	view_heading(stdout, color, heading);
	view_table_init(&t, 4, 0);
	for (i = 0; i < n; i++) {
		const eks_entry *e = &log->entries[idx[i]];

		eks_buf_clear(&when);
		eks_buf_clear(&who);
		eks_buf_clear(&what);
		view_short_time(&when, e->recorded_at);
		view_name_only(&who, e->recorded_by);
		eks_entry_summarise(&what, e, 45);
		strip_kind(&what, e->kind);
		if (eks_log_entry_superseded(log, e->id))
			eks_buf_puts(&what, " (superseded)");
		view_table_row(&t, eks_buf_cstr(&when), eks_entry_kind_name(e->kind),
			       eks_buf_cstr(&who), eks_buf_cstr(&what));
	}
	view_table_print(&t, stdout, 2);
	view_table_release(&t);
	eks_buf_dispose(&when);
	eks_buf_dispose(&who);
	eks_buf_dispose(&what);
}

static void print_text(const eks_experiment *e, const eks_cells *cells,
		       const eks_integrity *in)
{
	int color = cmd_use_color(stdout);

	print_overview(e, color);
	print_protocol_lists(e->protocol, color);
	print_data(e->protocol, cells, color);
	print_entries(e->log, color);
	view_print_integrity(stdout, e->id, in, color, 0);
}

/* ---- JSON ------------------------------------------------------------------- */

static void json_strings(eks_buf *j, char *const *items, size_t count)
{
	size_t i;

	eks_buf_putc(j, '[');
	for (i = 0; i < count; i++) {
		if (i)
			eks_buf_putc(j, ',');
		view_json_string(j, items[i]);
	}
	eks_buf_putc(j, ']');
}

static void json_optional_number(eks_buf *j, int has, double x)
{
	if (has)
		view_json_number(j, x);
	else
		eks_buf_puts(j, "null");
}

/* The extension fields (x-*), read from the protocol's text: they are not
 * part of the parsed protocol.  Scalars are given as strings. */
static void json_node(eks_buf *j, const eks_node *n)
{
	size_t i;

	if (!n || (n->kind == EKS_NODE_SCALAR && n->style == EKS_SCALAR_PLAIN &&
		   eks_node_is_null(n))) {
		eks_buf_puts(j, "null");
		return;
	}
	switch (n->kind) {
	case EKS_NODE_SCALAR:
		eks_buf_put_json_string(j, n->value);
		break;
	case EKS_NODE_SEQ:
		eks_buf_putc(j, '[');
		for (i = 0; i < n->count; i++) {
			if (i)
				eks_buf_putc(j, ',');
			json_node(j, n->items[i]);
		}
		eks_buf_putc(j, ']');
		break;
	case EKS_NODE_MAP:
		eks_buf_putc(j, '{');
		for (i = 0; i < n->count; i++) {
			view_json_key(j, n->keys[i]->value, i == 0);
			json_node(j, n->items[i]);
		}
		eks_buf_putc(j, '}');
		break;
	}
}

static void json_extensions(eks_buf *j, const eks_experiment *e)
{
	eks_diag_list ignored = EKS_DIAG_LIST_INIT;
	eks_yaml_file *file = NULL;
	const eks_node *root;
	size_t i;
	int first = 1;

	eks_buf_putc(j, '{');
	if (eks_yaml_parse(&file, e->protocol_path, e->protocol_text, e->protocol_len,
			   &ignored) == 0 && file->count &&
	    (root = file->documents[0]) && root->kind == EKS_NODE_MAP) {
		for (i = 0; i < root->count; i++) {
			if (strncmp(root->keys[i]->value, "x-", 2))
				continue;
			view_json_key(j, root->keys[i]->value, first);
			json_node(j, root->items[i]);
			first = 0;
		}
	}
	eks_buf_putc(j, '}');
	eks_yaml_file_free(file);
	eks_diag_list_clear(&ignored);
}

static void json_protocol(eks_buf *j, const eks_experiment *e)
{
	const eks_protocol *p = e->protocol;
	size_t i;

	view_json_key(j, "id", 1);
	view_json_string(j, p->id ? p->id : e->id);
	view_json_key(j, "schema", 0);
	view_json_string(j, p->schema);
	view_json_key(j, "title", 0);
	view_json_string(j, p->title);
	view_json_key(j, "title_nb", 0);
	view_json_string(j, p->title_nb);
	view_json_key(j, "summary", 0);
	view_json_string(j, p->summary);
	view_json_key(j, "challenge", 0);
	view_json_string(j, p->challenge);
	view_json_key(j, "phase", 0);
	view_json_string(j, p->phase);
	view_json_key(j, "evidence_level", 0);
	if (p->evidence_level)
		eks_buf_printf(j, "%d", p->evidence_level);
	else
		eks_buf_puts(j, "null");
	view_json_key(j, "status", 0);
	view_json_string(j, p->status ? eks_status_name(p->status) : NULL);
	view_json_key(j, "dates", 0);
	eks_buf_puts(j, "{\"start\":");
	view_json_string(j, p->start_date);
	eks_buf_puts(j, ",\"end\":");
	view_json_string(j, p->end_date);
	eks_buf_putc(j, '}');

	view_json_key(j, "partners", 0);
	eks_buf_putc(j, '[');
	for (i = 0; i < p->partners_count; i++) {
		const eks_partner *x = &p->partners[i];

		if (i)
			eks_buf_putc(j, ',');
		eks_buf_puts(j, "{\"name\":");
		view_json_string(j, x->name);
		eks_buf_puts(j, ",\"role\":");
		view_json_string(j, x->role);
		eks_buf_puts(j, ",\"kommunenummer\":");
		view_json_string(j, x->kommunenummer);
		eks_buf_puts(j, ",\"level\":");
		view_json_string(j, x->level);
		eks_buf_putc(j, '}');
	}
	eks_buf_putc(j, ']');

	view_json_key(j, "design", 0);
	eks_buf_puts(j, "{\"allocation\":");
	view_json_string(j, p->allocation);
	eks_buf_puts(j, ",\"model\":");
	view_json_string(j, p->model);
	eks_buf_puts(j, ",\"unit\":");
	view_json_string(j, p->unit);
	eks_buf_putc(j, '}');
	view_json_key(j, "existing_data", 0);
	view_json_string(j, p->existing_data);

	view_json_key(j, "interventions", 0);
	eks_buf_putc(j, '[');
	for (i = 0; i < p->interventions_count; i++) {
		const eks_intervention *x = &p->interventions[i];

		if (i)
			eks_buf_putc(j, ',');
		eks_buf_puts(j, "{\"id\":");
		view_json_string(j, x->id);
		eks_buf_puts(j, ",\"name\":");
		view_json_string(j, x->name);
		eks_buf_puts(j, ",\"description\":");
		view_json_string(j, x->description);
		eks_buf_putc(j, '}');
	}
	eks_buf_putc(j, ']');

	view_json_key(j, "arms", 0);
	eks_buf_putc(j, '[');
	for (i = 0; i < p->arms_count; i++) {
		const eks_arm *x = &p->arms[i];

		if (i)
			eks_buf_putc(j, ',');
		eks_buf_puts(j, "{\"id\":");
		view_json_string(j, x->id);
		eks_buf_puts(j, ",\"label\":");
		view_json_string(j, x->label);
		eks_buf_puts(j, ",\"type\":");
		view_json_string(j, x->type);
		eks_buf_puts(j, ",\"interventions\":");
		json_strings(j, x->interventions, x->interventions_count);
		eks_buf_puts(j, ",\"sites\":");
		json_strings(j, x->sites, x->sites_count);
		eks_buf_putc(j, '}');
	}
	eks_buf_putc(j, ']');

	view_json_key(j, "timepoints", 0);
	eks_buf_putc(j, '[');
	for (i = 0; i < p->timepoints_count; i++) {
		const eks_timepoint *x = &p->timepoints[i];

		if (i)
			eks_buf_putc(j, ',');
		eks_buf_puts(j, "{\"id\":");
		view_json_string(j, x->id);
		eks_buf_puts(j, ",\"label\":");
		view_json_string(j, x->label);
		eks_buf_puts(j, ",\"date\":");
		view_json_string(j, x->date);
		eks_buf_putc(j, '}');
	}
	eks_buf_putc(j, ']');

	view_json_key(j, "outcomes", 0);
	eks_buf_putc(j, '[');
	for (i = 0; i < p->outcomes_count; i++) {
		const eks_outcome *x = &p->outcomes[i];

		if (i)
			eks_buf_putc(j, ',');
		eks_buf_puts(j, "{\"id\":");
		view_json_string(j, x->id);
		eks_buf_puts(j, ",\"role\":");
		view_json_string(j, x->role);
		eks_buf_puts(j, ",\"title\":");
		view_json_string(j, x->title);
		eks_buf_puts(j, ",\"measure\":");
		view_json_string(j, x->measure ? eks_measure_name(x->measure) : NULL);
		eks_buf_puts(j, ",\"direction\":");
		view_json_string(j, x->direction ? eks_direction_name(x->direction) : NULL);
		eks_buf_puts(j, ",\"unit\":");
		view_json_string(j, x->unit);
		eks_buf_puts(j, ",\"minimum_effect\":");
		json_optional_number(j, x->has_minimum_effect, x->minimum_effect);
		eks_buf_puts(j, ",\"timepoints\":");
		json_strings(j, x->timepoints, x->timepoints_count);
		eks_buf_putc(j, '}');
	}
	eks_buf_putc(j, ']');

	view_json_key(j, "hypotheses", 0);
	eks_buf_putc(j, '[');
	for (i = 0; i < p->hypotheses_count; i++) {
		const eks_hypothesis *x = &p->hypotheses[i];

		if (i)
			eks_buf_putc(j, ',');
		eks_buf_puts(j, "{\"id\":");
		view_json_string(j, x->id);
		eks_buf_puts(j, ",\"statement\":");
		view_json_string(j, x->statement);
		eks_buf_puts(j, ",\"outcome\":");
		view_json_string(j, x->outcome);
		eks_buf_puts(j, ",\"compare\":{\"arm\":");
		view_json_string(j, x->arm);
		if (x->has_against_value) {
			eks_buf_puts(j, ",\"against_value\":");
			view_json_number(j, x->against_value);
		} else {
			eks_buf_puts(j, ",\"against\":");
			view_json_string(j, x->against);
		}
		eks_buf_puts(j, "},\"timepoint\":");
		view_json_string(j, x->timepoint);
		eks_buf_puts(j, ",\"baseline\":");
		view_json_string(j, x->baseline);
		eks_buf_puts(j, ",\"estimator\":");
		view_json_string(j, x->estimator ? eks_estimator_name(x->estimator) : NULL);
		eks_buf_puts(j, ",\"test\":");
		view_json_string(j, x->test ? eks_test_name(x->test) : NULL);
		eks_buf_puts(j, ",\"margin\":");
		json_optional_number(j, x->has_margin, x->margin);
		eks_buf_puts(j, ",\"minimum_effect\":");
		json_optional_number(j, x->has_minimum_effect, x->minimum_effect);
		eks_buf_puts(j, ",\"method\":");
		view_json_string(j, x->method ? eks_method_name(x->method) : NULL);
		eks_buf_puts(j, ",\"alpha\":");
		view_json_number(j, x->alpha);
		eks_buf_puts(j, ",\"family\":");
		view_json_string(j, x->family ? eks_family_name(x->family) : NULL);
		eks_buf_putc(j, '}');
	}
	eks_buf_putc(j, ']');

	view_json_key(j, "analysis", 0);
	eks_buf_puts(j, "{\"multiplicity\":");
	view_json_string(j, p->multiplicity ? eks_multiplicity_name(p->multiplicity) : NULL);
	eks_buf_puts(j, ",\"conf_level\":");
	view_json_number(j, p->conf_level);
	eks_buf_puts(j, ",\"plan\":");
	view_json_string(j, p->analysis_plan);
	eks_buf_putc(j, '}');

	view_json_key(j, "extensions", 0);
	json_extensions(j, e);
}

static void json_data(eks_buf *j, const eks_protocol *p, const eks_cells *cells)
{
	struct data_row *rows = NULL;
	size_t n = 0, i;

	eks_buf_putc(j, '[');
	if (data_rows(&rows, &n, p, cells, 0) < 0)
		n = 0;
	for (i = 0; i < n; i++) {
		const eks_cell *c = rows[i].cell;

		if (i)
			eks_buf_putc(j, ',');
		eks_buf_puts(j, "{\"outcome\":");
		view_json_string(j, rows[i].outcome_id);
		eks_buf_puts(j, ",\"arm\":");
		view_json_string(j, rows[i].arm);
		eks_buf_puts(j, ",\"timepoint\":");
		view_json_string(j, rows[i].timepoint);
		if (c->has_counts) {
			eks_buf_printf(j, ",\"n\":%lld,\"events\":%lld", c->n, c->events);
		} else {
			eks_buf_printf(j, ",\"n\":%lld,\"mean\":", c->summary.n);
			view_json_number(j, c->summary.mean);
			eks_buf_puts(j, ",\"sd\":");
			view_json_number(j, c->summary.sd);
		}
		eks_buf_printf(j, ",\"observations\":%zu}", c->observations);
	}
	eks_buf_putc(j, ']');
	free(rows);
}

static void json_entries(eks_buf *j, const eks_log *log)
{
	size_t idx[SHOW_ENTRIES], n, i;
	eks_buf what = EKS_BUF_INIT;

	n = last_entries(idx, SHOW_ENTRIES, log);
	eks_buf_putc(j, '[');
	for (i = 0; i < n; i++) {
		const eks_entry *e = &log->entries[idx[i]];

		if (i)
			eks_buf_putc(j, ',');
		eks_buf_clear(&what);
		eks_entry_summarise(&what, e, 0);
		eks_buf_puts(j, "{\"id\":");
		view_json_string(j, e->id);
		eks_buf_puts(j, ",\"kind\":");
		view_json_string(j, e->kind ? eks_entry_kind_name(e->kind) : NULL);
		eks_buf_puts(j, ",\"recorded_at\":");
		view_json_string(j, e->recorded_at);
		eks_buf_puts(j, ",\"recorded_by\":");
		view_json_string(j, e->recorded_by);
		eks_buf_puts(j, ",\"summary\":");
		view_json_string(j, eks_buf_cstr(&what));
		eks_buf_printf(j, ",\"superseded\":%s}",
			       eks_log_entry_superseded(log, e->id) ? "true" : "false");
	}
	eks_buf_putc(j, ']');
	eks_buf_dispose(&what);
}

static int print_json(const eks_experiment *e, const eks_cells *cells,
		      const eks_integrity *in)
{
	eks_buf j = EKS_BUF_INIT;
	int rc;

	eks_buf_puts(&j, "{\"revision\":");
	view_json_string(&j, e->commit);
	eks_buf_puts(&j, ",\"experiment\":{");
	json_protocol(&j, e);
	view_json_key(&j, "data", 0);
	json_data(&j, e->protocol, cells);
	view_json_key(&j, "n_entries", 0);
	eks_buf_printf(&j, "%zu", e->log->entries_count);
	view_json_key(&j, "entries", 0);
	json_entries(&j, e->log);
	view_integrity_json(&j, in, NULL);
	eks_buf_puts(&j, "}}\n");
	rc = eks_buf_oom(&j) ? EKS_ENOMEM : 0;
	if (rc == 0)
		fputs(eks_buf_cstr(&j), stdout);
	eks_buf_dispose(&j);
	return rc;
}

/* ---- the command -------------------------------------------------------- */

int cmd_show(int argc, char **argv)
{
	static const struct option options[] = {
		{ "rev",    required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	enum cmd_format format = FORMAT_TEXT;
	const char *id, *rev = NULL;
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_experiment *experiment = NULL;
	eks_cells *cells = NULL;
	eks_integrity *integrity = NULL;
	eks_repo *repo = NULL;
	char commit[EKS_COMMIT_HEX], **candidates = NULL;
	size_t candidates_count = 0;
	int c, rc, exit_code;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			rev = optarg;
			break;
		case 'f':
			if ((exit_code = cmd_parse_format(&format, "show", optarg,
							  ALLOW_TEXT | ALLOW_JSON)))
				return exit_code;
			break;
		default:
			return cmd_usage("show", "unknown option or missing value: '%s'",
					 argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage("show", "'show' needs exactly one experiment id");
	id = argv[optind];
	if (!eks_experiment_id_valid(id))
		return cmd_usage("show", "'%s' is not a valid experiment id", id);

	exit_code = cmd_open_repo(&repo);
	if (exit_code)
		goto done;
	rc = eks_repo_repair(repo);
	if (rc == 0)
		rc = eks_repo_resolve(commit, repo, rev ? rev : "HEAD");
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	view_warn_uncommitted(repo, id, commit);

	exit_code = EXIT_OK;
	rc = eks_experiment_load(&experiment, repo, commit, id, &diags);
	if (rc == EKS_EINVALID) {
		/* Show what can be read, and say what is wrong. */
		eks_diag_list errors = EKS_DIAG_LIST_INIT;
		size_t i;

		for (i = 0; i < diags.count; i++)
			if (diags.items[i].severity == EKS_DIAG_ERROR)
				eks_diag_add(&errors, EKS_DIAG_ERROR, diags.items[i].path,
					     diags.items[i].line, diags.items[i].col, "%s",
					     diags.items[i].message);
		cmd_print_diags(stderr, &errors, FORMAT_TEXT);
		eks_diag_list_clear(&errors);
		cmd_error("%s", eks_error_last()->message);
		exit_code = EXIT_PROBLEMS;
		if (!experiment || !experiment->protocol)
			goto done;
	} else if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}

	rc = eks_log_accumulate(&cells, experiment->log);
	if (rc < 0) {
		cmd_error("cannot add up the data of '%s': %s", id, eks_error_last()->message);
		exit_code = rc == EKS_ENOMEM ? EXIT_RUNTIME : EXIT_PROBLEMS;
		cells = NULL;
	}

	/* Deviations and rewrites, for the experiments that can have any. */
	rc = eks_integrity_candidates(&candidates, &candidates_count, repo, commit);
	if (rc == 0 && eks_integrity_is_candidate(candidates, candidates_count, id))
		rc = eks_integrity_load(&integrity, repo, commit, id);
	if (rc < 0 && rc != EKS_ENOTFOUND) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}

	if (format == FORMAT_JSON) {
		if (print_json(experiment, cells, integrity) < 0)
			exit_code = cmd_fail(EKS_ENOMEM, NULL);
	} else {
		print_text(experiment, cells, integrity);
	}
done:
	eks_strings_free(candidates, candidates_count);
	eks_integrity_free(integrity);
	eks_cells_free(cells);
	eks_experiment_free(experiment);
	eks_diag_list_clear(&diags);
	eks_repo_free(repo);
	return exit_code;
}
