/*
 * log.c - log.yaml: checking each entry against SPEC 2.2 (and its
 * observations against the protocol) and building the in-memory log.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/accumulate.h"
#include "eksperiment/error.h"
#include "eksperiment/log.h"
#include "schema_internal.h"

static const char *const kind_names[] = {
	"observation", "note", "adjustment", "status", "registration",
	"amendment", "disclosure", NULL
};
static const char *const class_names[] = { "major", "minor", NULL };

static const char *const entry_keys[] = {
	"id", "kind", "recorded_at", "recorded_by", "observations", "source",
	"note", "supersedes", "pre_registration", "from", "to", "reason",
	"protocol_sha256", "commit_parent", "paths", "class", "commit", "entries",
	"keep", NULL
};

static const char *const observation_keys[] = {
	"outcome", "arm", "timepoint", "n", "events", "mean", "sd", "values",
	NULL
};

#define KIND_BIT(k) (1u << (k))

/* Keys that belong to some kinds of entry only. */
static const struct {
	const char *key;
	unsigned kinds;
} kind_keys[] = {
	{ "observations", KIND_BIT(EKS_ENTRY_OBSERVATION) },
	{ "from", KIND_BIT(EKS_ENTRY_STATUS) },
	{ "to", KIND_BIT(EKS_ENTRY_STATUS) },
	{ "reason", KIND_BIT(EKS_ENTRY_STATUS) | KIND_BIT(EKS_ENTRY_AMENDMENT) |
		    KIND_BIT(EKS_ENTRY_DISCLOSURE) },
	{ "protocol_sha256", KIND_BIT(EKS_ENTRY_REGISTRATION) },
	{ "commit_parent", KIND_BIT(EKS_ENTRY_REGISTRATION) },
	{ "paths", KIND_BIT(EKS_ENTRY_AMENDMENT) | KIND_BIT(EKS_ENTRY_DISCLOSURE) },
	{ "class", KIND_BIT(EKS_ENTRY_AMENDMENT) },
	{ "commit", KIND_BIT(EKS_ENTRY_DISCLOSURE) },
	{ "entries", KIND_BIT(EKS_ENTRY_DISCLOSURE) },
	{ "keep", KIND_BIT(EKS_ENTRY_DISCLOSURE) },
};

const char *eks_entry_kind_name(eks_entry_kind kind)
{
	if (kind >= EKS_ENTRY_OBSERVATION && kind <= EKS_ENTRY_DISCLOSURE)
		return kind_names[kind - 1];
	return "?";
}

eks_entry_kind eks_entry_kind_from_name(const char *name)
{
	int i;

	if (!name)
		return EKS_ENTRY_UNKNOWN;
	for (i = 0; kind_names[i]; i++)
		if (!strcmp(kind_names[i], name))
			return (eks_entry_kind)(i + 1);
	return EKS_ENTRY_UNKNOWN;
}

/* ---- freeing ------------------------------------------------------------ */

void eks_observation_release(eks_observation *obs)
{
	if (!obs)
		return;
	free(obs->outcome);
	free(obs->arm);
	free(obs->timepoint);
	free(obs->values);
	memset(obs, 0, sizeof(*obs));
}

void eks_entry_release(eks_entry *e)
{
	size_t i;

	if (!e)
		return;
	free(e->id);
	free(e->recorded_at);
	free(e->recorded_by);
	free(e->source);
	free(e->note);
	free(e->supersedes);
	for (i = 0; i < e->observations_count; i++)
		eks_observation_release(&e->observations[i]);
	free(e->observations);
	free(e->status_from);
	free(e->status_to);
	free(e->status_reason);
	free(e->protocol_sha256);
	free(e->commit_parent);
	for (i = 0; i < e->amendment_paths_count; i++)
		free(e->amendment_paths[i]);
	free(e->amendment_paths);
	free(e->amendment_class);
	free(e->amendment_reason);
	free(e->disclosure_commit);
	for (i = 0; i < e->disclosure_paths_count; i++)
		free(e->disclosure_paths[i]);
	free(e->disclosure_paths);
	for (i = 0; i < e->disclosure_entries_count; i++)
		free(e->disclosure_entries[i]);
	free(e->disclosure_entries);
	free(e->disclosure_reason);
	free(e->disclosure_keep);
	memset(e, 0, sizeof(*e));
}

void eks_log_free(eks_log *log)
{
	size_t i;

	if (!log)
		return;
	for (i = 0; i < log->entries_count; i++)
		eks_entry_release(&log->entries[i]);
	free(log->entries);
	free(log->path);
	free(log);
}

/* ---- forms of values ---------------------------------------------------- */

/* ^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}$ */
static int entry_id_valid(const char *id)
{
	static const char form[] = "ddddddddTddddddZ-hhhh";
	size_t i;

	if (strlen(id) != sizeof(form) - 1)
		return 0;
	for (i = 0; form[i]; i++) {
		char c = id[i], f = form[i];
		if (f == 'd' && !(c >= '0' && c <= '9'))
			return 0;
		if (f == 'h' && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
		if (f != 'd' && f != 'h' && c != f)
			return 0;
	}
	return 1;
}

/*
 * RFC 3339 in UTC as the tool writes it: YYYY-MM-DDTHH:MM:SSZ.
 * 0 valid, 1 wrong form, 2 no such date or time.
 */
static int timestamp_check(const char *t)
{
	char date[11];
	int i, rc;

	if (strlen(t) != 20 || t[10] != 'T' || t[13] != ':' || t[16] != ':' ||
	    t[19] != 'Z')
		return 1;
	for (i = 11; i < 19; i++)
		if (i != 13 && i != 16 && !(t[i] >= '0' && t[i] <= '9'))
			return 1;
	memcpy(date, t, 10);
	date[10] = '\0';
	rc = eks_date_check(date);
	if (rc)
		return rc;
	if ((t[11] - '0') * 10 + (t[12] - '0') > 23 ||
	    (t[14] - '0') * 10 + (t[15] - '0') > 59 ||
	    (t[17] - '0') * 10 + (t[18] - '0') > 59)
		return 2;
	return 0;
}

static int hex_valid(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[len] == '\0';
}

/* ---- checking one observation -------------------------------------------- */

static eks_pos obs_pos(const eks_observation *obs, eks_obs_field f)
{
	eks_pos p = obs->pos[f];

	if (!p.line) {
		p.line = obs->line;
		p.col = obs->col;
	}
	return p;
}

static const char *const field_names[EKS_OBS_FIELD_COUNT] = {
	"outcome", "arm", "timepoint", "n", "events", "mean", "sd", "values"
};

static const unsigned field_bits[EKS_OBS_FIELD_COUNT] = {
	0, 0, 0, EKS_OBS_N, EKS_OBS_EVENTS, EKS_OBS_MEAN, EKS_OBS_SD,
	EKS_OBS_VALUES
};

#define SKIP(f) (1u << (16 + (f)))   /* a field already reported as bad */

struct obs_check {
	eks_schema *s;
	const eks_observation *obs;
	const char *where;
};

static void obs_error(struct obs_check *c, eks_obs_field f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void obs_error(struct obs_check *c, eks_obs_field f, const char *fmt, ...)
{
	eks_buf msg = EKS_BUF_INIT;
	eks_pos p = obs_pos(c->obs, f);
	va_list ap;

	eks_buf_puts(&msg, c->where);
	va_start(ap, fmt);
	eks_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	eks_schema_error_pos(c->s, p.line, p.col, "%s", eks_buf_cstr(&msg));
	eks_buf_dispose(&msg);
}

/* "no arm 'x' in the protocol; did you mean 'y'?" */
static void obs_unknown(struct obs_check *c, eks_obs_field f, const char *ref,
			const void *items, size_t count, size_t stride)
{
	const char *what = field_names[f];
	const char **ids = NULL;
	const char *hint = NULL;
	eks_buf list = EKS_BUF_INIT;
	size_t i;

	/* Long lists are neither searched for a near miss nor listed. */
	if (count > 50) {
		obs_error(c, f, "the protocol has no %s '%s'", what, ref);
		return;
	}
	if (count && (ids = calloc(count, sizeof(*ids))) != NULL) {
		for (i = 0; i < count; i++)
			ids[i] = *(char *const *)((const char *)items + i * stride);
		hint = eks_schema_closest(ref, ids, count);
		eks_schema_join(&list, ids, count);
	} else if (count) {
		c->s->oom = 1;
	}
	if (hint)
		obs_error(c, f, "the protocol has no %s '%s'; did you mean '%s'?",
			  what, ref, hint);
	else
		obs_error(c, f, "the protocol has no %s '%s'; its %ss are: %s",
			  what, ref, what, list.len ? eks_buf_cstr(&list) : "(none)");
	eks_buf_dispose(&list);
	free(ids);
}

static void obs_missing(struct obs_check *c, unsigned skip, eks_obs_field f,
			const char *why)
{
	if (skip & SKIP(f))
		return;
	obs_error(c, f, "missing '%s': %s", field_names[f], why);
}

static void obs_refs(struct obs_check *c, const eks_protocol *p, unsigned skip,
		     const eks_outcome **outcome)
{
	const eks_observation *obs = c->obs;
	const eks_outcome *o = NULL;
	eks_buf list = EKS_BUF_INIT;

	if (!obs->outcome)
		obs_missing(c, skip, EKS_OBS_FIELD_OUTCOME, "name the outcome id");
	if (!obs->arm)
		obs_missing(c, skip, EKS_OBS_FIELD_ARM, "name the arm id");
	if (!obs->timepoint)
		obs_missing(c, skip, EKS_OBS_FIELD_TIMEPOINT, "name the timepoint id");
	*outcome = NULL;
	if (!p)
		return;
	/* A list the protocol could not give (it has problems of its own)
	 * is not held against the observations. */
	if (obs->outcome && p->outcomes_count) {
		o = eks_protocol_outcome(p, obs->outcome);
		if (!o)
			obs_unknown(c, EKS_OBS_FIELD_OUTCOME, obs->outcome,
				    p->outcomes ? (const void *)&p->outcomes[0].id : NULL,
				    p->outcomes_count, sizeof(eks_outcome));
	}
	if (obs->arm && p->arms_count && !eks_protocol_arm(p, obs->arm))
		obs_unknown(c, EKS_OBS_FIELD_ARM, obs->arm,
			    p->arms ? (const void *)&p->arms[0].id : NULL,
			    p->arms_count, sizeof(eks_arm));
	if (obs->timepoint && p->timepoints_count) {
		if (!eks_protocol_timepoint(p, obs->timepoint)) {
			obs_unknown(c, EKS_OBS_FIELD_TIMEPOINT, obs->timepoint,
				    p->timepoints ? (const void *)&p->timepoints[0].id : NULL,
				    p->timepoints_count, sizeof(eks_timepoint));
		} else if (o && o->timepoints &&
			   !eks_outcome_has_timepoint(o, obs->timepoint)) {
			eks_schema_join(&list, (const char *const *)o->timepoints,
					o->timepoints_count);
			obs_error(c, EKS_OBS_FIELD_TIMEPOINT, "outcome '%s' is not "
				  "measured at timepoint '%s'; its timepoints are %s",
				  o->id, obs->timepoint, eks_buf_cstr(&list));
		}
	}
	eks_buf_dispose(&list);
	*outcome = o;
}

/* The fields that fit the outcome's measure (SPEC 2.1, 3.1). */
static void obs_shape(struct obs_check *c, const eks_outcome *o, unsigned skip)
{
	const eks_observation *obs = c->obs;
	unsigned have = obs->fields;
	eks_measure m = o ? o->measure : EKS_MEASURE_UNKNOWN;
	int f;

	if (m == EKS_MEASURE_PROPORTION) {
		for (f = EKS_OBS_FIELD_MEAN; f <= EKS_OBS_FIELD_VALUES; f++)
			if (have & field_bits[f])
				obs_error(c, (eks_obs_field)f, "'%s' does not belong "
					  "to outcome '%s', which is a proportion: "
					  "give n and events", field_names[f], o->id);
		if (!(have & EKS_OBS_N))
			obs_missing(c, skip, EKS_OBS_FIELD_N, "a proportion outcome "
				    "needs n (how many) and events (how many of "
				    "them had the event)");
		if (!(have & EKS_OBS_EVENTS))
			obs_missing(c, skip, EKS_OBS_FIELD_EVENTS, "a proportion "
				    "outcome needs n (how many) and events (how "
				    "many of them had the event)");
		return;
	}
	if (m == EKS_MEASURE_MEAN) {
		unsigned summary = have & (EKS_OBS_N | EKS_OBS_MEAN | EKS_OBS_SD);

		if (have & EKS_OBS_EVENTS)
			obs_error(c, EKS_OBS_FIELD_EVENTS, "'events' does not belong "
				  "to outcome '%s', which is a mean: give n, mean "
				  "and sd, or values", o->id);
		if ((have & EKS_OBS_VALUES) && summary) {
			obs_error(c, EKS_OBS_FIELD_VALUES, "give either n, mean and "
				  "sd, or values, not both");
			return;
		}
		if (have & EKS_OBS_VALUES || skip & SKIP(EKS_OBS_FIELD_VALUES))
			return;
		if (!summary && !(skip & (SKIP(EKS_OBS_FIELD_N) |
					  SKIP(EKS_OBS_FIELD_MEAN) |
					  SKIP(EKS_OBS_FIELD_SD)))) {
			obs_error(c, EKS_OBS_FIELD_OUTCOME, "outcome '%s' is a mean: "
				  "give n, mean and sd, or a list of values", o->id);
			return;
		}
		for (f = EKS_OBS_FIELD_N; f <= EKS_OBS_FIELD_SD; f++)
			if (f != EKS_OBS_FIELD_EVENTS && !(have & field_bits[f]))
				obs_missing(c, skip, (eks_obs_field)f, "a mean "
					    "outcome needs n, mean and sd together "
					    "(or a list of values)");
		return;
	}
	/* No protocol to tell the measure: check only that the fields do
	 * not mix the two kinds. */
	if ((have & EKS_OBS_EVENTS) &&
	    (have & (EKS_OBS_MEAN | EKS_OBS_SD | EKS_OBS_VALUES)))
		obs_error(c, EKS_OBS_FIELD_EVENTS, "give either n and events (a "
			  "proportion) or n, mean and sd or values (a mean), not "
			  "a mix");
	else if ((have & EKS_OBS_VALUES) && (have & (EKS_OBS_N | EKS_OBS_MEAN |
						     EKS_OBS_SD)))
		obs_error(c, EKS_OBS_FIELD_VALUES, "give either n, mean and sd, "
			  "or values, not both");
}

static void obs_ranges(struct obs_check *c)
{
	const eks_observation *obs = c->obs;

	if ((obs->fields & EKS_OBS_N) && obs->n < 1)
		obs_error(c, EKS_OBS_FIELD_N, "'n' must be a whole number ≥ 1 (how "
			  "many units were measured); found %lld", obs->n);
	if ((obs->fields & EKS_OBS_EVENTS) && obs->events < 0)
		obs_error(c, EKS_OBS_FIELD_EVENTS, "'events' must be a whole number "
			  "≥ 0; found %lld", obs->events);
	else if ((obs->fields & EKS_OBS_EVENTS) && (obs->fields & EKS_OBS_N) &&
		 obs->events > obs->n)
		obs_error(c, EKS_OBS_FIELD_EVENTS, "'events' (%lld) is larger than "
			  "'n' (%lld): events counts the units among the n that "
			  "had the event", obs->events, obs->n);
	if ((obs->fields & EKS_OBS_SD) && !(obs->sd >= 0))
		obs_error(c, EKS_OBS_FIELD_SD, "'sd' must be a number ≥ 0 (a "
			  "standard deviation); found %g", obs->sd);
	if ((obs->fields & EKS_OBS_VALUES) && !obs->values_count)
		obs_error(c, EKS_OBS_FIELD_VALUES, "'values' is empty: list at "
			  "least one number, as values: [11.2, 9.8]");
}

/* Check one observation; `skip` marks fields already reported. */
static size_t observation_check(eks_schema *s, const eks_observation *obs,
				const eks_protocol *protocol, const char *where,
				unsigned skip)
{
	struct obs_check c;
	const eks_outcome *o;
	size_t before = s->errors;

	c.s = s;
	c.obs = obs;
	c.where = where ? where : "";
	obs_refs(&c, protocol, skip, &o);
	obs_shape(&c, o, skip);
	obs_ranges(&c);
	return s->errors - before;
}

/*
 * See log.h.  Used by eks_log_parse for each observation of a file, and by
 * the log command for rows given on the command line or in a CSV file.
 */
int eks_observation_check(const eks_observation *obs,
			  const eks_protocol *protocol, const char *path,
			  const char *where, eks_diag_list *diags)
{
	eks_schema s;

	eks_schema_init(&s, path, diags);
	return (int)observation_check(&s, obs, protocol, where, 0);
}

/* ---- reading entries ----------------------------------------------------- */

struct log_reader {
	eks_schema s;
	const eks_protocol *protocol;
	eks_strmap ids;           /* entry id -> index */
	eks_buf where;
};

static void set_pos(eks_observation *obs, eks_obs_field f, const eks_node *v)
{
	if (v) {
		obs->pos[f].line = v->line;
		obs->pos[f].col = v->col;
	}
}

static void read_values(eks_schema *s, eks_observation *obs,
			const eks_node *list, unsigned *skip)
{
	eks_buf name = EKS_BUF_INIT;
	size_t i;

	obs->fields |= EKS_OBS_VALUES;
	if (!list->count)
		return;
	obs->values = calloc(list->count, sizeof(*obs->values));
	if (!obs->values) {
		s->oom = 1;
		return;
	}
	for (i = 0; i < list->count; i++) {
		const eks_node *v = list->items[i];

		/* The common case without building message text. */
		if (v && v->kind == EKS_NODE_SCALAR && !eks_schema_is_string(v) &&
		    eks_parse_number(v->value, &obs->values[i]) == 0)
			continue;
		eks_buf_clear(&name);
		eks_buf_printf(&name, "item %zu of 'values'", i + 1);
		if (eks_schema_node_number(s, list->items[i], eks_buf_cstr(&name),
					   "a number", &obs->values[i]) != EKS_FIELD_OK)
			*skip |= SKIP(EKS_OBS_FIELD_VALUES);
	}
	obs->values_count = list->count;
	eks_buf_dispose(&name);
}

static void read_observation(struct log_reader *r, eks_observation *obs,
			     const eks_node *item)
{
	eks_schema *s = &r->s;
	unsigned skip = 0;
	const eks_node *list;
	double d;

	/* The observation's position is that of its first key, where a
	 * missing field of it is reported too. */
	obs->line = eks_schema_anchor(item)->line;
	obs->col = eks_schema_anchor(item)->col;
	s->where = " in this observation";
	eks_schema_keys(s, item, observation_keys);
	if (eks_schema_text(s, item, "outcome", EKS_REQUIRED, 0, "an outcome id",
			    &obs->outcome) != EKS_FIELD_OK)
		skip |= SKIP(EKS_OBS_FIELD_OUTCOME);
	set_pos(obs, EKS_OBS_FIELD_OUTCOME, s->last);
	if (eks_schema_text(s, item, "arm", EKS_REQUIRED, 0, "an arm id",
			    &obs->arm) != EKS_FIELD_OK)
		skip |= SKIP(EKS_OBS_FIELD_ARM);
	set_pos(obs, EKS_OBS_FIELD_ARM, s->last);
	if (eks_schema_text(s, item, "timepoint", EKS_REQUIRED, 0,
			    "a timepoint id", &obs->timepoint) != EKS_FIELD_OK)
		skip |= SKIP(EKS_OBS_FIELD_TIMEPOINT);
	set_pos(obs, EKS_OBS_FIELD_TIMEPOINT, s->last);

	switch (eks_schema_integer(s, item, "n", 0, "a whole number ≥ 1", &obs->n)) {
	case EKS_FIELD_OK: obs->fields |= EKS_OBS_N; break;
	case EKS_FIELD_BAD: skip |= SKIP(EKS_OBS_FIELD_N); break;
	}
	set_pos(obs, EKS_OBS_FIELD_N, s->last);
	switch (eks_schema_integer(s, item, "events", 0, "a whole number ≥ 0",
				   &obs->events)) {
	case EKS_FIELD_OK: obs->fields |= EKS_OBS_EVENTS; break;
	case EKS_FIELD_BAD: skip |= SKIP(EKS_OBS_FIELD_EVENTS); break;
	}
	set_pos(obs, EKS_OBS_FIELD_EVENTS, s->last);
	switch (eks_schema_number(s, item, "mean", 0, "a number", &d)) {
	case EKS_FIELD_OK: obs->fields |= EKS_OBS_MEAN; obs->mean = d; break;
	case EKS_FIELD_BAD: skip |= SKIP(EKS_OBS_FIELD_MEAN); break;
	}
	set_pos(obs, EKS_OBS_FIELD_MEAN, s->last);
	switch (eks_schema_number(s, item, "sd", 0, "a number ≥ 0", &d)) {
	case EKS_FIELD_OK: obs->fields |= EKS_OBS_SD; obs->sd = d; break;
	case EKS_FIELD_BAD: skip |= SKIP(EKS_OBS_FIELD_SD); break;
	}
	set_pos(obs, EKS_OBS_FIELD_SD, s->last);
	list = eks_schema_list(s, item, "values", 0, "a list of numbers, as "
			       "[11.2, 9.8, 14.1]");
	set_pos(obs, EKS_OBS_FIELD_VALUES, s->last);
	if (list)
		read_values(s, obs, list, &skip);
	else if (s->last_key && !eks_schema_is_null(s->last))
		skip |= SKIP(EKS_OBS_FIELD_VALUES);
	observation_check(s, obs, r->protocol, NULL, skip);
	s->where = " in this entry";
}

static void read_observations(struct log_reader *r, eks_entry *e,
			      const eks_node *doc)
{
	eks_schema *s = &r->s;
	const eks_node *list;
	size_t i;

	list = eks_schema_list(s, doc, "observations", EKS_REQUIRED, "a list of "
			       "observations, each {outcome, arm, timepoint, n, "
			       "events} or {…, n, mean, sd} or {…, values}");
	if (!list)
		return;
	e->observations = calloc(list->count, sizeof(*e->observations));
	if (!e->observations) {
		s->oom = 1;
		return;
	}
	e->observations_count = list->count;
	for (i = 0; i < list->count; i++) {
		const eks_node *item = list->items[i];
		eks_buf found = EKS_BUF_INIT;

		if (item && item->kind == EKS_NODE_MAP) {
			read_observation(r, &e->observations[i], item);
			continue;
		}
		eks_schema_describe(&found, item);
		eks_schema_error(s, item ? item : list, "each observation must be a "
				 "mapping such as {outcome: neet, arm: a, "
				 "timepoint: t1, n: 120, events: 14}; found %s",
				 eks_buf_cstr(&found));
		eks_buf_dispose(&found);
	}
}

static void read_status_fields(struct log_reader *r, eks_entry *e,
			       const eks_node *doc)
{
	const char *names[8];
	int i, v;

	for (i = 0; i < 7; i++)
		names[i] = eks_status_name((eks_status)(i + 1));
	names[7] = NULL;
	if (eks_schema_enum(&r->s, doc, "from", EKS_REQUIRED, names, &v) ==
	    EKS_FIELD_OK && !(e->status_from = strdup(names[v - 1])))
		r->s.oom = 1;
	if (eks_schema_enum(&r->s, doc, "to", EKS_REQUIRED, names, &v) ==
	    EKS_FIELD_OK && !(e->status_to = strdup(names[v - 1])))
		r->s.oom = 1;
	eks_schema_text(&r->s, doc, "reason", EKS_REQUIRED, 0,
			"why the status changed", &e->status_reason);
}

static void read_registration_fields(struct log_reader *r, eks_entry *e,
				     const eks_node *doc)
{
	eks_schema *s = &r->s;

	if (eks_schema_text(s, doc, "protocol_sha256", EKS_REQUIRED, 0,
			    "the SHA-256 of the protocol (64 hexadecimal digits)",
			    &e->protocol_sha256) == EKS_FIELD_OK &&
	    !hex_valid(e->protocol_sha256, 64))
		eks_schema_bad_value(s, s->last, "protocol_sha256", "64 lowercase "
				     "hexadecimal digits (0-9, a-f)");
	if (eks_schema_text(s, doc, "commit_parent", 0, 0, "a commit id",
			    &e->commit_parent) == EKS_FIELD_OK &&
	    !hex_valid(e->commit_parent, 40) && !hex_valid(e->commit_parent, 64))
		eks_schema_bad_value(s, s->last, "commit_parent", "a full commit id "
				     "(40 or 64 lowercase hexadecimal digits)");
}

static void read_amendment_fields(struct log_reader *r, eks_entry *e,
				  const eks_node *doc)
{
	eks_schema *s = &r->s;
	const eks_node *paths;
	int v;
	size_t i;

	paths = eks_schema_list(s, doc, "paths", EKS_REQUIRED, "a list of the "
				"changed fields, as [hypotheses[H1].margin]");
	if (paths) {
		e->amendment_paths = calloc(paths->count, sizeof(char *));
		if (!e->amendment_paths) {
			s->oom = 1;
		} else {
			e->amendment_paths_count = paths->count;
			for (i = 0; i < paths->count; i++)
				eks_schema_node_text(s, paths->items[i], "item of "
						     "'paths'", "the path of a "
						     "changed field",
						     &e->amendment_paths[i]);
		}
	}
	if (eks_schema_enum(s, doc, "class", EKS_REQUIRED, class_names, &v) ==
	    EKS_FIELD_OK && !(e->amendment_class = strdup(class_names[v - 1])))
		s->oom = 1;
	eks_schema_text(s, doc, "reason", EKS_REQUIRED, 0,
			"why the protocol was changed", &e->amendment_reason);
}

/*
 * A commit id as git prints it, whole or abbreviated: 7 to 40 lowercase
 * hexadecimal digits.  The messages do not repeat the value: a malformed
 * one may hold an identity number, which no output may echo (SPEC 8.3).
 * Returns what eks_schema_text does; a malformed id is EKS_FIELD_BAD and
 * leaves *out NULL.
 */
static int read_commit_id(eks_schema *s, const eks_node *doc, const char *key,
			  unsigned flags, const char *expect, char **out)
{
	size_t len, i, upper = 0;
	int rc;

	rc = eks_schema_text(s, doc, key, flags, 0, expect, out);
	if (rc != EKS_FIELD_OK)
		return rc;
	len = strlen(*out);
	for (i = 0; i < len; i++) {
		char c = (*out)[i];

		if (c >= 'A' && c <= 'F')
			upper++;
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			break;
	}
	if (i < len)
		eks_schema_error(s, s->last, "'%s' must be a commit id: 7 to 40 "
				 "hexadecimal digits (0-9, a-f), as git log shows "
				 "it", key);
	else if (len < 7 || len > 40)
		eks_schema_error(s, s->last, "'%s' has %zu hexadecimal digit%s; a "
				 "commit id has 7 to 40, as git log shows it",
				 key, len, len == 1 ? "" : "s");
	else if (upper)
		eks_schema_error(s, s->last, "'%s' must be written in lowercase "
				 "(0-9, a-f), as git writes commit ids", key);
	else
		return EKS_FIELD_OK;
	free(*out);
	*out = NULL;
	return EKS_FIELD_BAD;
}

/*
 * An optional list of text (absent or null: none).  *list gets the list
 * node, *out and *count its items.  Returns EKS_FIELD_OK, EKS_FIELD_ABSENT,
 * or EKS_FIELD_BAD when the value is not a list (reported); a bad item is
 * reported and left NULL.
 */
static int read_text_list(eks_schema *s, const eks_node *doc, const char *key,
			  const char *expect, const char *item_expect,
			  const eks_node **list, char ***out, size_t *count)
{
	eks_buf name = EKS_BUF_INIT;
	size_t i;

	*list = eks_schema_list(s, doc, key, 0, expect);
	if (!*list)
		return s->last_key && !eks_schema_is_null(s->last) ?
			EKS_FIELD_BAD : EKS_FIELD_ABSENT;
	if (!(*list)->count)
		return EKS_FIELD_OK;
	*out = calloc((*list)->count, sizeof(char *));
	if (!*out) {
		s->oom = 1;
		return EKS_FIELD_BAD;
	}
	*count = (*list)->count;
	for (i = 0; i < (*list)->count; i++) {
		eks_buf_clear(&name);
		eks_buf_printf(&name, "item %zu of '%s'", i + 1, key);
		eks_schema_node_text(s, (*list)->items[i], eks_buf_cstr(&name),
				     item_expect, &(*out)[i]);
	}
	eks_buf_dispose(&name);
	return EKS_FIELD_OK;
}

/*
 * kind: disclosure (SPEC 2.2, 5): {commit, paths[], entries[], reason,
 * keep?}.  `paths` and `entries` may each be absent or empty, but not
 * both unless `keep` is given.  The ids in `entries` need not be in the
 * log: the rewrite it discloses may have removed the entry.
 */
static void read_disclosure_fields(struct log_reader *r, eks_entry *e,
				   const eks_node *doc)
{
	eks_schema *s = &r->s;
	const eks_node *paths, *entries;
	int paths_rc, entries_rc, keep_rc;
	size_t i;

	read_commit_id(s, doc, "commit", EKS_REQUIRED, "the commit it "
		       "discloses, as 3f2a9c1", &e->disclosure_commit);
	paths_rc = read_text_list(s, doc, "paths", "a list of the protocol "
				  "fields changed without an amendment, as "
				  "[\"hypotheses[H1].margin\"], or []",
				  "the path of a changed field", &paths,
				  &e->disclosure_paths,
				  &e->disclosure_paths_count);
	entries_rc = read_text_list(s, doc, "entries", "a list of the ids of "
				    "rewritten log entries, as "
				    "[20260110T090000Z-1b2c], or []",
				    "an entry id, as 20260110T090000Z-1b2c",
				    &entries, &e->disclosure_entries,
				    &e->disclosure_entries_count);
	for (i = 0; i < e->disclosure_entries_count; i++)
		if (e->disclosure_entries[i] &&
		    !entry_id_valid(e->disclosure_entries[i]))
			eks_schema_error(s, entries->items[i], "item %zu of "
					 "'entries' must be an entry id: the UTC "
					 "time and 4 hexadecimal digits, as "
					 "20260110T090000Z-1b2c", i + 1);
	eks_schema_text(s, doc, "reason", EKS_REQUIRED, 0, "why the protocol "
			"or the log was changed so", &e->disclosure_reason);
	keep_rc = read_commit_id(s, doc, "keep", 0, "the commit whose content "
				 "of the entry counts, as 3f2a9c1",
				 &e->disclosure_keep);

	/* Nothing disclosed, said where the lists are (or would be).  A
	 * list or keep already reported as malformed is not held against
	 * the entry twice. */
	if (e->disclosure_paths_count || e->disclosure_entries_count ||
	    keep_rc != EKS_FIELD_ABSENT || paths_rc == EKS_FIELD_BAD ||
	    entries_rc == EKS_FIELD_BAD)
		return;
	eks_schema_error(s, paths ? paths : entries ? entries :
			 eks_schema_anchor(doc), "a disclosure must name what "
			 "it discloses: the protocol fields in 'paths' (as "
			 "[\"hypotheses[H1].margin\"]), the rewritten entries "
			 "in 'entries' (as [20260110T090000Z-1b2c]), or with "
			 "'keep' the commit whose content of a doubled entry "
			 "counts");
}

/* Report keys that belong to other kinds of entry. */
static void check_kind_keys(struct log_reader *r, const eks_node *doc,
			    eks_entry_kind kind)
{
	size_t i, j;

	for (i = 0; i < sizeof(kind_keys) / sizeof(kind_keys[0]); i++) {
		const eks_node *key;
		eks_buf kinds = EKS_BUF_INIT;

		eks_schema_find(doc, kind_keys[i].key, &key);
		if (!key || (kind_keys[i].kinds & KIND_BIT(kind)))
			continue;
		/* "status, amendment or disclosure" */
		for (j = EKS_ENTRY_OBSERVATION; j <= EKS_ENTRY_DISCLOSURE; j++)
			if (kind_keys[i].kinds & KIND_BIT(j))
				eks_buf_printf(&kinds, "%s%s", !kinds.len ? "" :
					       kind_keys[i].kinds >> (j + 1) ? ", " :
					       " or ",
					       eks_entry_kind_name((eks_entry_kind)j));
		eks_schema_error(&r->s, key, "'%s' belongs only in entries of kind "
				 "%s, and this entry is kind %s: remove it",
				 kind_keys[i].key, eks_buf_cstr(&kinds),
				 eks_entry_kind_name(kind));
		eks_buf_dispose(&kinds);
	}
}

static void read_entry(struct log_reader *r, eks_log *log, const eks_node *doc,
		       size_t index)
{
	eks_entry *e = &log->entries[index];
	eks_schema *s = &r->s;
	size_t other;
	int v = 0, rc;

	e->line = eks_schema_anchor(doc)->line;
	e->col = eks_schema_anchor(doc)->col;
	eks_schema_keys(s, doc, entry_keys);

	s->where = " in this entry";
	if (eks_schema_text(s, doc, "id", EKS_REQUIRED, 0, "the entry id, as "
			    "20260115T101500Z-8f3a", &e->id) == EKS_FIELD_OK) {
		if (!entry_id_valid(e->id))
			eks_schema_bad_value(s, s->last, "id", "an entry id: the UTC "
					     "time and 4 hexadecimal digits, as "
					     "20260115T101500Z-8f3a");
		rc = eks_strmap_put(&r->ids, e->id, index, &other);
		if (rc < 0)
			s->oom = 1;
		else if (rc == 1)
			eks_schema_error(s, s->last, "duplicate entry id '%s' (the "
					 "entry at line %d has it too): every entry "
					 "needs its own id", e->id,
					 log->entries[other].line);
	}
	if (eks_schema_enum(s, doc, "kind", EKS_REQUIRED, kind_names, &v) ==
	    EKS_FIELD_OK)
		e->kind = (eks_entry_kind)v;
	if (eks_schema_text(s, doc, "recorded_at", EKS_REQUIRED, 0, "the UTC "
			    "time, as 2026-01-15T10:15:00Z", &e->recorded_at) ==
	    EKS_FIELD_OK) {
		rc = timestamp_check(e->recorded_at);
		if (rc == 1)
			eks_schema_bad_value(s, s->last, "recorded_at", "a UTC time "
					     "written YYYY-MM-DDTHH:MM:SSZ, as "
					     "2026-01-15T10:15:00Z");
		else if (rc == 2)
			eks_schema_error(s, s->last, "'recorded_at' is %s, a date or "
					 "time that does not exist; write a real UTC "
					 "time (YYYY-MM-DDTHH:MM:SSZ)", e->recorded_at);
	}
	eks_schema_text(s, doc, "recorded_by", EKS_REQUIRED, 0, "who recorded "
			"it, as Kari Nordmann <kari@example.no>", &e->recorded_by);
	eks_schema_text(s, doc, "source", 0, 0, "text", &e->source);
	eks_schema_text(s, doc, "note", (e->kind == EKS_ENTRY_NOTE ||
					 e->kind == EKS_ENTRY_ADJUSTMENT) ?
			EKS_REQUIRED : 0, 0, "the note, as text", &e->note);
	eks_schema_text(s, doc, "supersedes", 0, 0, "the id of an earlier entry",
			&e->supersedes);
	eks_schema_bool(s, doc, "pre_registration", 0, &e->pre_registration);

	if (e->kind != EKS_ENTRY_UNKNOWN)
		check_kind_keys(r, doc, e->kind);
	switch (e->kind) {
	case EKS_ENTRY_OBSERVATION:
		read_observations(r, e, doc);
		break;
	case EKS_ENTRY_STATUS:
		read_status_fields(r, e, doc);
		break;
	case EKS_ENTRY_REGISTRATION:
		read_registration_fields(r, e, doc);
		break;
	case EKS_ENTRY_AMENDMENT:
		read_amendment_fields(r, e, doc);
		break;
	case EKS_ENTRY_DISCLOSURE:
		read_disclosure_fields(r, e, doc);
		break;
	default:
		break;
	}
	s->where = "";
}

/* supersedes must name an entry recorded before this one. */
static void check_supersedes(struct log_reader *r, const eks_log *log,
			     const eks_yaml_file *file, const size_t *doc_of)
{
	size_t i, target;

	for (i = 0; i < log->entries_count; i++) {
		const eks_entry *e = &log->entries[i];
		const eks_node *at;

		if (!e->supersedes)
			continue;
		at = eks_schema_find(file->documents[doc_of[i]], "supersedes", NULL);
		if (!eks_strmap_get(&r->ids, e->supersedes, &target))
			eks_schema_error(&r->s, at, "'supersedes' names '%s', but no "
					 "entry of this log has that id: give the id "
					 "of the earlier entry this one replaces",
					 e->supersedes);
		else if (target >= i)
			eks_schema_error(&r->s, at, "'supersedes' names '%s', which "
					 "is %s: an entry can only replace one "
					 "recorded before it", e->supersedes,
					 target == i ? "this entry itself" :
					 "a later entry");
	}
}

/*
 * See log.h.  Every document is an entry; all problems of all entries are
 * reported.  *out receives every entry that was a mapping.
 */
int eks_log_parse(eks_log **out, const eks_yaml_file *file,
		  const eks_protocol *protocol, eks_diag_list *diags)
{
	struct log_reader r;
	eks_log *log = NULL;
	size_t *doc_of = NULL, i;
	const char *path = file && file->path ? file->path : "";
	int rc;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	eks_schema_init(&r.s, path, diags);
	r.protocol = protocol;
	log = calloc(1, sizeof(*log));
	if (!log || !(log->path = strdup(path))) {
		r.s.oom = 1;
		goto done;
	}
	if (!file || !file->count)
		goto done;
	log->entries = calloc(file->count, sizeof(*log->entries));
	doc_of = calloc(file->count, sizeof(*doc_of));
	if (!log->entries || !doc_of) {
		r.s.oom = 1;
		goto done;
	}
	log->entries_alloc = file->count;
	for (i = 0; i < file->count; i++) {
		const eks_node *doc = file->documents[i];
		int line = file->document_lines ? file->document_lines[i] : 0;
		eks_buf found = EKS_BUF_INIT;

		if (!doc || eks_schema_is_null(doc)) {
			eks_schema_error_pos(&r.s, line, 1, "empty entry: each '---' "
					     "must be followed by an entry (id, kind, "
					     "recorded_at, recorded_by, …); remove "
					     "the extra '---'");
			continue;
		}
		if (doc->kind != EKS_NODE_MAP) {
			eks_schema_describe(&found, doc);
			eks_schema_error(&r.s, doc, "each entry of the log must be a "
					 "mapping of keys (id, kind, recorded_at, "
					 "recorded_by, …); found %s",
					 eks_buf_cstr(&found));
			eks_buf_dispose(&found);
			continue;
		}
		doc_of[log->entries_count] = i;
		read_entry(&r, log, doc, log->entries_count);
		log->entries_count++;
	}
	check_supersedes(&r, log, file, doc_of);
done:
	free(doc_of);
	eks_strmap_dispose(&r.ids);
	eks_buf_dispose(&r.where);
	if (r.s.oom) {
		eks_log_free(log);
		return eks_error_oom();
	}
	*out = log;
	rc = r.s.errors ? EKS_EINVALID : 0;
	if (rc)
		eks_error_set(rc, "%s: %zu problem%s found", path, r.s.errors,
			      r.s.errors == 1 ? "" : "s");
	return rc;
}

/*
 * See log.h.  Warns about proportion cells with fewer than min_cell events
 * or non-events.
 *
 * Zero counts are not flagged.  Statistics Norway and the Norwegian health
 * registries suppress small NONZERO counts (1 to min_cell - 1): a count of
 * 0 tells that nobody in the group had the event, but it points at no
 * individual, and flagging it would warn about every rare outcome.  This
 * follows that practice; a user who wants more can raise min_cell.
 */
static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether `e` supersedes an entry, as eks_log_entry_superseded counts it
 * (an entry naming itself supersedes nothing). */
static int supersedes_another(const eks_entry *e)
{
	return e->supersedes && e->id && strcmp(e->supersedes, e->id);
}

void eks_log_check_small_cells(const eks_log *log, const eks_protocol *protocol,
			       long min_cell, eks_diag_list *diags)
{
	eks_schema s;
	const char **superseded = NULL;
	size_t i, j, n_superseded = 0;

	if (!log || min_cell <= 0)
		return;
	/* An entry that a later one supersedes no longer counts (SPEC 2.2),
	 * and its cells are not warned about again (SPEC 5).  The ids named
	 * by `supersedes`, sorted, so that a long log costs n log k; should
	 * the list not fit in memory, eks_log_entry_superseded answers. */
	for (i = 0; i < log->entries_count; i++)
		n_superseded += supersedes_another(&log->entries[i]);
	if (n_superseded && (superseded = malloc(n_superseded * sizeof(*superseded)))) {
		for (i = 0, j = 0; i < log->entries_count; i++)
			if (supersedes_another(&log->entries[i]))
				superseded[j++] = log->entries[i].supersedes;
		qsort(superseded, n_superseded, sizeof(*superseded), compare_strings);
	}
	eks_schema_init(&s, log->path, diags);
	for (i = 0; i < log->entries_count; i++) {
		const eks_entry *e = &log->entries[i];

		if (n_superseded && e->observations_count && e->id &&
		    (superseded ? bsearch(&e->id, superseded, n_superseded,
					  sizeof(*superseded), compare_strings) != NULL
				: eks_log_entry_superseded(log, e->id)))
			continue;
		for (j = 0; j < e->observations_count; j++) {
			const eks_observation *obs = &e->observations[j];
			const eks_outcome *o;
			long long events, non_events;

			if ((obs->fields & (EKS_OBS_N | EKS_OBS_EVENTS)) !=
			    (EKS_OBS_N | EKS_OBS_EVENTS))
				continue;
			if (protocol) {
				o = eks_protocol_outcome(protocol, obs->outcome);
				if (o && o->measure != EKS_MEASURE_PROPORTION)
					continue;
			}
			events = obs->events;
			non_events = obs->n - obs->events;
			if (events > 0 && events < min_cell)
				eks_schema_warning_pos(&s, obs->line, obs->col,
					"only %lld event%s in this cell (fewer than "
					"privacy.min_cell = %ld): small counts can "
					"identify people; combine groups or report "
					"as '<%ld'", events, events == 1 ? "" : "s",
					min_cell, min_cell);
			if (non_events > 0 && non_events < min_cell)
				eks_schema_warning_pos(&s, obs->line, obs->col,
					"only %lld non-event%s (n - events) in this "
					"cell (fewer than privacy.min_cell = %ld): "
					"small counts can identify people; combine "
					"groups or report as '<%ld'", non_events,
					non_events == 1 ? "" : "s", min_cell,
					min_cell);
		}
	}
	free(superseded);
}
