/*
 * protocol.c - experiment.yaml: checking it against SPEC 2.1 and building
 * the in-memory protocol.
 *
 * One pass over the tree reads the fields in a fixed order (interventions
 * before arms, timepoints before outcomes, all of those before hypotheses),
 * so every reference can be resolved when it is read, whatever order the
 * file uses.  Lists are kept index-aligned with the file: an item with
 * problems still has its slot, with NULL where a field could not be read.
 */
#include <stdlib.h>
#include <string.h>

#include "eksperiment/error.h"
#include "eksperiment/protocol.h"
#include "schema_internal.h"

#define TITLE_MAX 300

/* Ids of each list -> index of the first item with that id. */
struct eks_protocol_index {
	eks_strmap interventions, arms, timepoints, outcomes, hypotheses;
};

/* ---- names of enumerations (index + 1 == enum value) ----------------- */

static const char *const status_names[] = {
	"draft", "registered", "active", "suspended", "completed",
	"terminated", "withdrawn", NULL
};
static const char *const measure_names[] = { "proportion", "mean", NULL };
static const char *const direction_names[] = { "increase", "decrease", NULL };
static const char *const estimator_names[] = {
	"difference", "ratio", "odds_ratio", "did", NULL
};
static const char *const test_names[] = {
	"superiority", "noninferiority", "equivalence", "threshold", NULL
};
static const char *const method_names[] = {
	"auto", "newcombe", "yates", "fisher", "wilson", "exact", "welch",
	"student", NULL
};
static const char *const family_names[] = { "confirmatory", "exploratory", NULL };
static const char *const multiplicity_names[] = {
	"holm", "bonferroni", "none", NULL
};
static const char *const challenge_names[] = {
	"ungt_utenforskap", "demografi", "klima_miljo", "annet", NULL
};
static const char *const phase_names[] = {
	"explore", "test", "adjust", "scale", NULL
};
static const char *const partner_role_names[] = {
	"lead", "partner", "comparison_site", "funder", "research", NULL
};
static const char *const allocation_names[] = {
	"randomized", "non_randomized", "none", NULL
};
static const char *const model_names[] = {
	"single_group", "parallel", "before_after", "stepped_wedge",
	"crossover", NULL
};
static const char *const existing_data_names[] = {
	"none", "exists_not_accessed", "accessed", NULL
};
static const char *const arm_type_names[] = {
	"experimental", "comparison", "no_intervention", "active_comparator",
	NULL
};
static const char *const outcome_role_names[] = {
	"primary", "secondary", "guardrail", "other", NULL
};

/* ---- keys allowed in each mapping ------------------------------------ */

static const char *const protocol_keys[] = {
	"schema", "id", "title", "title_nb", "summary", "challenge", "phase",
	"evidence_level", "status", "dates", "partners", "design",
	"existing_data", "interventions", "arms", "timepoints", "outcomes",
	"hypotheses", "analysis", NULL
};
static const char *const dates_keys[] = { "start", "end", NULL };
static const char *const partner_keys[] = {
	"name", "role", "kommunenummer", "level", NULL
};
static const char *const design_keys[] = { "allocation", "model", "unit", NULL };
static const char *const intervention_keys[] = {
	"id", "name", "description", NULL
};
static const char *const arm_keys[] = {
	"id", "label", "type", "interventions", "sites", NULL
};
static const char *const timepoint_keys[] = { "id", "label", "date", NULL };
static const char *const outcome_keys[] = {
	"id", "role", "title", "measure", "direction", "unit",
	"minimum_effect", "timepoints", NULL
};
static const char *const hypothesis_keys[] = {
	"id", "statement", "outcome", "compare", "timepoint", "baseline",
	"estimator", "test", "margin", "minimum_effect", "method", "alpha",
	"family", NULL
};
static const char *const compare_keys[] = { "arm", "against", "against_value", NULL };
static const char *const analysis_keys[] = {
	"multiplicity", "conf_level", "plan", NULL
};

#define LOCAL_ID_EXPECT "an id of letters, digits, '_', '.' and '-' " \
	"(up to 64, not starting with '.' or '-')"

/* ---- names <-> enums -------------------------------------------------- */

static const char *enum_name(const char *const *names, size_t count, int v)
{
	return v >= 1 && (size_t)v <= count ? names[v - 1] : "?";
}

static int enum_from(const char *const *names, const char *name)
{
	int i;

	if (!name)
		return 0;
	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return i + 1;
	return 0;
}

#define NAMES(a) (sizeof(a) / sizeof(a[0]) - 1)

const char *eks_status_name(eks_status s)
{
	return enum_name(status_names, NAMES(status_names), (int)s);
}

eks_status eks_status_from_name(const char *name)
{
	return (eks_status)enum_from(status_names, name);
}

const char *eks_measure_name(eks_measure m)
{
	return enum_name(measure_names, NAMES(measure_names), (int)m);
}

const char *eks_direction_name(eks_direction d)
{
	return enum_name(direction_names, NAMES(direction_names), (int)d);
}

const char *eks_estimator_name(eks_estimator e)
{
	return enum_name(estimator_names, NAMES(estimator_names), (int)e);
}

const char *eks_test_name(eks_test t)
{
	return enum_name(test_names, NAMES(test_names), (int)t);
}

const char *eks_method_name(eks_method m)
{
	return enum_name(method_names, NAMES(method_names), (int)m);
}

eks_method eks_method_from_name(const char *name)
{
	return (eks_method)enum_from(method_names, name);
}

const char *eks_family_name(eks_family f)
{
	return enum_name(family_names, NAMES(family_names), (int)f);
}

const char *eks_multiplicity_name(eks_multiplicity m)
{
	return enum_name(multiplicity_names, NAMES(multiplicity_names), (int)m);
}

/* ---- ids ---------------------------------------------------------------- */

/* ^[a-z0-9][a-z0-9-]{0,63}$ */
int eks_experiment_id_valid(const char *id)
{
	size_t i;

	if (!id || !id[0])
		return 0;
	for (i = 0; id[i]; i++) {
		char c = id[i];
		if (i >= 64)
			return 0;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (c == '-' && i > 0)
			continue;
		return 0;
	}
	return 1;
}

/* ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$ */
int eks_local_id_valid(const char *id)
{
	size_t i;

	if (!id || !id[0])
		return 0;
	for (i = 0; id[i]; i++) {
		char c = id[i];
		if (i >= 64)
			return 0;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_')
			continue;
		if ((c == '.' || c == '-') && i > 0)
			continue;
		return 0;
	}
	return 1;
}

/* ---- look-ups ----------------------------------------------------------- */

const eks_outcome *eks_protocol_outcome(const eks_protocol *p, const char *id)
{
	size_t i;

	if (!p || !id)
		return NULL;
	if (p->index)
		return eks_strmap_get(&p->index->outcomes, id, &i) ? &p->outcomes[i] : NULL;
	for (i = 0; i < p->outcomes_count; i++)
		if (p->outcomes[i].id && !strcmp(p->outcomes[i].id, id))
			return &p->outcomes[i];
	return NULL;
}

const eks_arm *eks_protocol_arm(const eks_protocol *p, const char *id)
{
	size_t i;

	if (!p || !id)
		return NULL;
	if (p->index)
		return eks_strmap_get(&p->index->arms, id, &i) ? &p->arms[i] : NULL;
	for (i = 0; i < p->arms_count; i++)
		if (p->arms[i].id && !strcmp(p->arms[i].id, id))
			return &p->arms[i];
	return NULL;
}

const eks_timepoint *eks_protocol_timepoint(const eks_protocol *p, const char *id)
{
	size_t i;

	if (!p || !id)
		return NULL;
	if (p->index)
		return eks_strmap_get(&p->index->timepoints, id, &i) ? &p->timepoints[i] : NULL;
	for (i = 0; i < p->timepoints_count; i++)
		if (p->timepoints[i].id && !strcmp(p->timepoints[i].id, id))
			return &p->timepoints[i];
	return NULL;
}

const eks_hypothesis *eks_protocol_hypothesis(const eks_protocol *p, const char *id)
{
	size_t i;

	if (!p || !id)
		return NULL;
	if (p->index)
		return eks_strmap_get(&p->index->hypotheses, id, &i) ? &p->hypotheses[i] : NULL;
	for (i = 0; i < p->hypotheses_count; i++)
		if (p->hypotheses[i].id && !strcmp(p->hypotheses[i].id, id))
			return &p->hypotheses[i];
	return NULL;
}

int eks_outcome_has_timepoint(const eks_outcome *o, const char *timepoint)
{
	size_t i;

	if (!o || !timepoint)
		return 0;
	for (i = 0; i < o->timepoints_count; i++)
		if (o->timepoints[i] && !strcmp(o->timepoints[i], timepoint))
			return 1;
	return 0;
}

/* ---- freeing ------------------------------------------------------------ */

static void strings_free(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void eks_protocol_free(eks_protocol *p)
{
	size_t i;

	if (!p)
		return;
	free(p->path);
	free(p->schema);
	free(p->id);
	free(p->title);
	free(p->title_nb);
	free(p->summary);
	free(p->challenge);
	free(p->phase);
	free(p->start_date);
	free(p->end_date);
	for (i = 0; i < p->partners_count; i++) {
		free(p->partners[i].name);
		free(p->partners[i].role);
		free(p->partners[i].kommunenummer);
		free(p->partners[i].level);
	}
	free(p->partners);
	free(p->allocation);
	free(p->model);
	free(p->unit);
	free(p->existing_data);
	for (i = 0; i < p->interventions_count; i++) {
		free(p->interventions[i].id);
		free(p->interventions[i].name);
		free(p->interventions[i].description);
	}
	free(p->interventions);
	for (i = 0; i < p->arms_count; i++) {
		free(p->arms[i].id);
		free(p->arms[i].label);
		free(p->arms[i].type);
		strings_free(p->arms[i].interventions, p->arms[i].interventions_count);
		strings_free(p->arms[i].sites, p->arms[i].sites_count);
	}
	free(p->arms);
	for (i = 0; i < p->timepoints_count; i++) {
		free(p->timepoints[i].id);
		free(p->timepoints[i].label);
		free(p->timepoints[i].date);
	}
	free(p->timepoints);
	for (i = 0; i < p->outcomes_count; i++) {
		free(p->outcomes[i].id);
		free(p->outcomes[i].role);
		free(p->outcomes[i].title);
		free(p->outcomes[i].unit);
		strings_free(p->outcomes[i].timepoints, p->outcomes[i].timepoints_count);
	}
	free(p->outcomes);
	for (i = 0; i < p->hypotheses_count; i++) {
		eks_hypothesis *h = &p->hypotheses[i];
		free(h->id);
		free(h->statement);
		free(h->outcome);
		free(h->arm);
		free(h->against);
		free(h->timepoint);
		free(h->baseline);
	}
	free(p->hypotheses);
	free(p->analysis_plan);
	if (p->index) {
		eks_strmap_dispose(&p->index->interventions);
		eks_strmap_dispose(&p->index->arms);
		eks_strmap_dispose(&p->index->timepoints);
		eks_strmap_dispose(&p->index->outcomes);
		eks_strmap_dispose(&p->index->hypotheses);
		free(p->index);
	}
	free(p);
}

/* ---- reading helpers ---------------------------------------------------- */

/* Read an enum field and keep its name as a string (for string fields). */
static void read_enum_string(eks_schema *s, const eks_node *map, const char *key,
			     unsigned flags, const char *const *names, char **out)
{
	int v = 0;

	if (eks_schema_enum(s, map, key, flags, names, &v) == EKS_FIELD_OK) {
		*out = strdup(names[v - 1]);
		if (!*out)
			s->oom = 1;
	}
}

/* A date field: YYYY-MM-DD that exists. */
static int read_date(eks_schema *s, const eks_node *map, const char *key,
		     unsigned flags, char **out)
{
	char *text = NULL;
	int rc = eks_schema_text(s, map, key, flags, 0,
				 "a date written YYYY-MM-DD", &text);

	if (rc != EKS_FIELD_OK)
		return rc;
	switch (eks_date_check(text)) {
	case 0:
		*out = text;
		return EKS_FIELD_OK;
	case 1:
		eks_schema_bad_value(s, s->last, key,
				     "a date written YYYY-MM-DD, such as 2026-01-15");
		break;
	default:
		eks_schema_error(s, s->last, "'%s' is %s, a day that does not "
				 "exist; write a real date (YYYY-MM-DD)", key, text);
		break;
	}
	free(text);
	return EKS_FIELD_BAD;
}

/* A local id field, checked against the pattern of SPEC 2. */
static int read_local_id(eks_schema *s, const eks_node *map, const char *key,
			 unsigned flags, char **out)
{
	char *text = NULL;
	int rc = eks_schema_text(s, map, key, flags, 0, LOCAL_ID_EXPECT, &text);

	if (rc != EKS_FIELD_OK)
		return rc;
	if (!eks_local_id_valid(text))
		eks_schema_bad_value(s, s->last, key, LOCAL_ID_EXPECT);
	/* Keep it even when malformed, so references to it still resolve. */
	*out = text;
	return EKS_FIELD_OK;
}

/* Allocate an index-aligned array for a list's items (at most
 * EKS_PROTOCOL_MAX_ITEMS of them). */
static void *alloc_items(eks_schema *s, const eks_node *list, size_t size,
			 size_t *count)
{
	size_t n;
	void *items;

	*count = 0;
	if (!list || !list->count)
		return NULL;
	n = list->count;
	if (n > EKS_PROTOCOL_MAX_ITEMS) {
		eks_schema_error(s, list->items[EKS_PROTOCOL_MAX_ITEMS], "this "
				 "list has %zu items; eksperiment reads at most %d "
				 "(split the experiment, or group the items)", n,
				 EKS_PROTOCOL_MAX_ITEMS);
		n = EKS_PROTOCOL_MAX_ITEMS;
	}
	items = calloc(n, size);
	if (!items) {
		s->oom = 1;
		return NULL;
	}
	*count = n;
	return items;
}

/* The i-th item of `list` when it is a mapping; reports it otherwise. */
static const eks_node *item_map(eks_schema *s, const eks_node *list, size_t i,
				const char *what, const char *example)
{
	const eks_node *item = list->items[i];
	eks_buf found = EKS_BUF_INIT;

	if (item && item->kind == EKS_NODE_MAP)
		return item;
	eks_schema_describe(&found, item);
	eks_schema_error(s, item ? item : list, "each %s must be a mapping such "
			 "as %s; found %s", what, example, eks_buf_cstr(&found));
	eks_buf_dispose(&found);
	return NULL;
}

/*
 * Read the id of list item `i`, check it is unique among the items before
 * it, and enter it in `ids`.  Sets s->where for the messages about the
 * item's other fields.
 */
static char *read_item_id(eks_schema *s, const eks_node *item, size_t i,
			  const char *what, eks_strmap *ids, eks_buf *where)
{
	char *id = NULL;
	int rc;

	eks_buf_clear(where);
	if (!eks_schema_find(item, "id", NULL))
		eks_buf_printf(where, " in %s number %zu", what, i + 1);
	s->where = eks_buf_cstr(where);
	if (read_local_id(s, item, "id", EKS_REQUIRED, &id) != EKS_FIELD_OK) {
		eks_buf_clear(where);
		eks_buf_printf(where, " in %s number %zu", what, i + 1);
		s->where = eks_buf_cstr(where);
		return NULL;
	}
	rc = eks_strmap_put(ids, id, i, NULL);
	if (rc < 0)
		s->oom = 1;
	else if (rc == 1)
		eks_schema_error(s, s->last, "duplicate %s id '%s': each %s needs "
				 "its own id", what, id, what);
	eks_buf_clear(where);
	eks_buf_printf(where, " in %s '%s'", what, id);
	s->where = eks_buf_cstr(where);
	return id;
}

/* Candidate ids of a list for "did you mean" (borrowed strings). */
static const char **ids_of(eks_schema *s, const void *items, size_t count,
			   size_t stride)
{
	const char **ids;
	size_t i;

	if (!count)
		return NULL;
	ids = calloc(count, sizeof(*ids));
	if (!ids) {
		s->oom = 1;
		return NULL;
	}
	for (i = 0; i < count; i++)
		ids[i] = *(char *const *)((const char *)items + i * stride);
	return ids;
}

/*
 * Report a reference `ref` (at node `at`) to a `what` that does not exist
 * among `count` items; names the closest id, or lists them all.
 */
static void bad_reference(eks_schema *s, const eks_node *at, const char *key,
			  const char *ref, const char *what, const void *items,
			  size_t count, size_t stride)
{
	/* Long lists are neither searched for a near miss nor listed. */
	const char **ids = count <= 50 ? ids_of(s, items, count, stride) : NULL;
	const char *hint = ids ? eks_schema_closest(ref, ids, count) : NULL;
	eks_buf list = EKS_BUF_INIT;

	if (count > 50) {
		eks_schema_error(s, at, "'%s' refers to %s '%s', which is not "
				 "defined", key, what, ref);
	} else if (hint) {
		eks_schema_error(s, at, "'%s' refers to %s '%s', which is not "
				 "defined; did you mean '%s'?", key, what, ref, hint);
	} else {
		if (ids)
			eks_schema_join(&list, ids, count);
		eks_schema_error(s, at, "'%s' refers to %s '%s', which is not "
				 "defined; the %ss are: %s", key, what, ref, what,
				 list.len ? eks_buf_cstr(&list) : "(none)");
	}
	eks_buf_dispose(&list);
	free(ids);
}

/* Read a list of references (arm interventions, outcome timepoints). */
static void read_refs(eks_schema *s, const eks_node *map, const char *key,
		      unsigned flags, const char *what, const void *targets,
		      size_t ntargets, size_t stride, const eks_strmap *target_ids,
		      int check, char ***out, size_t *out_count)
{
	eks_buf expect = EKS_BUF_INIT, name = EKS_BUF_INIT;
	eks_strmap seen = EKS_STRMAP_INIT;
	const eks_node *list;
	size_t i, count;
	int rc;

	list = eks_schema_find(map, key, NULL);
	if (!list || list->kind != EKS_NODE_SEQ || !list->count) {
		/* Only messages need this text. */
		eks_buf_printf(&expect, "a list of %s ids, such as [%s]", what,
			       ntargets && *(char *const *)targets ?
			       *(char *const *)targets : "a, b");
		list = eks_schema_list(s, map, key, flags, eks_buf_cstr(&expect));
	}
	if (!list || !list->count)
		goto done;
	count = list->count;
	if (count > EKS_PROTOCOL_MAX_ITEMS) {
		eks_schema_error(s, list->items[EKS_PROTOCOL_MAX_ITEMS], "this list "
				 "has %zu items; eksperiment reads at most %d",
				 count, EKS_PROTOCOL_MAX_ITEMS);
		count = EKS_PROTOCOL_MAX_ITEMS;
	}
	*out = calloc(count, sizeof(**out));
	if (!*out) {
		s->oom = 1;
		goto done;
	}
	*out_count = count;
	for (i = 0; i < count; i++) {
		const eks_node *item = list->items[i];
		char *ref = NULL;

		eks_buf_clear(&name);
		eks_buf_printf(&name, "item %zu of '%s'", i + 1, key);
		if (eks_schema_node_text(s, item, eks_buf_cstr(&name),
					 "an id", &ref) != EKS_FIELD_OK)
			continue;
		(*out)[i] = ref;
		rc = eks_strmap_put(&seen, ref, i, NULL);
		if (rc < 0)
			s->oom = 1;
		else if (rc == 1)
			eks_schema_error(s, item, "%s '%s' is listed twice in '%s'; "
					 "list it once", what, ref, key);
		if (check && !eks_strmap_get(target_ids, ref, NULL))
			bad_reference(s, item, key, ref, what, targets, ntargets, stride);
	}
done:
	eks_strmap_dispose(&seen);
	eks_buf_dispose(&expect);
	eks_buf_dispose(&name);
}

/* ---- the parts of the protocol ------------------------------------------ */

static void read_header(eks_schema *s, eks_protocol *p, const eks_node *root,
			const eks_protocol_options *opts)
{
	long long level;

	if (eks_schema_text(s, root, "schema", EKS_REQUIRED, 0, EKS_SCHEMA,
			    &p->schema) == EKS_FIELD_OK &&
	    strcmp(p->schema, EKS_SCHEMA) != 0)
		eks_schema_error(s, s->last, "'schema' must be %s (the file format "
				 "this version of eksperiment reads); found '%s'",
				 EKS_SCHEMA, p->schema);

	if (eks_schema_text(s, root, "id", EKS_REQUIRED, 0,
			    "the experiment id (lowercase letters, digits and '-')",
			    &p->id) == EKS_FIELD_OK) {
		if (!eks_experiment_id_valid(p->id))
			eks_schema_bad_value(s, s->last, "id", "an experiment id: "
					     "lowercase letters, digits and '-', "
					     "starting with a letter or digit, "
					     "up to 64 characters");
		else if (opts->expected_id && strcmp(p->id, opts->expected_id))
			eks_schema_error(s, s->last, "'id' is '%s' but the "
					 "directory is named '%s': the id must "
					 "equal the directory name (rename one "
					 "of them)", p->id, opts->expected_id);
	}

	eks_schema_text(s, root, "title", EKS_REQUIRED, TITLE_MAX,
			"a title (text up to 300 characters)", &p->title);
	eks_schema_text(s, root, "title_nb", 0, TITLE_MAX,
			"a Norwegian title (text up to 300 characters)", &p->title_nb);
	eks_schema_text(s, root, "summary", 0, 0, "text", &p->summary);
	read_enum_string(s, root, "challenge", EKS_REQUIRED, challenge_names,
			 &p->challenge);
	read_enum_string(s, root, "phase", 0, phase_names, &p->phase);
	if (eks_schema_integer(s, root, "evidence_level", 0, "a whole number "
			       "from 1 to 5", &level) == EKS_FIELD_OK) {
		if (level < 1 || level > 5)
			eks_schema_bad_value(s, s->last, "evidence_level",
					     "a whole number from 1 to 5 (the "
					     "Nesta standard of evidence)");
		else
			p->evidence_level = (int)level;
	}
	{
		int v = 0;
		if (eks_schema_enum(s, root, "status", EKS_REQUIRED, status_names,
				    &v) == EKS_FIELD_OK)
			p->status = (eks_status)v;
	}
}

static void read_dates(eks_schema *s, eks_protocol *p, const eks_node *root,
		       int strict)
{
	const eks_node *dates, *dates_key, *end_node;

	dates = eks_schema_map(s, root, "dates", 0,
			       "a mapping {start: YYYY-MM-DD, end: YYYY-MM-DD}");
	dates_key = s->last_key;
	if (!dates) {
		/* Registration needs the planned dates (completeness). */
		if (strict && (!dates_key || eks_schema_is_null(s->last)))
			eks_schema_error(s, eks_schema_anchor(root), "missing "
					 "'dates': registration needs the planned "
					 "start and end, as dates: {start: "
					 "2026-01-01, end: 2026-12-31}");
		return;
	}
	eks_schema_keys(s, dates, dates_keys);
	read_date(s, dates, "start", strict ? EKS_REQUIRED : 0, &p->start_date);
	read_date(s, dates, "end", strict ? EKS_REQUIRED : 0, &p->end_date);
	end_node = eks_schema_find(dates, "end", NULL);
	/* YYYY-MM-DD compares correctly as text. */
	if (p->start_date && p->end_date && strcmp(p->end_date, p->start_date) < 0)
		eks_schema_error(s, end_node, "'end' (%s) is before 'start' (%s): "
				 "the end date must be on or after the start",
				 p->end_date, p->start_date);
}

static void read_kommunenummer(eks_schema *s, const eks_node *item,
			       eks_partner *partner)
{
	const eks_node *v = eks_schema_find(item, "kommunenummer", NULL);
	size_t i;

	if (!v || eks_schema_is_null(v))
		return;
	if (v->kind == EKS_NODE_SCALAR && !eks_schema_is_string(v)) {
		eks_schema_error(s, v, "write kommunenummer in quotes, as \"0301\": "
				 "without quotes YAML reads it as a number and "
				 "drops the leading zero");
		return;
	}
	if (v->kind == EKS_NODE_SCALAR) {
		for (i = 0; v->value[i] && i < 4; i++)
			if (v->value[i] < '0' || v->value[i] > '9')
				break;
		if (i == 4 && !v->value[4]) {
			partner->kommunenummer = strdup(v->value);
			if (!partner->kommunenummer)
				s->oom = 1;
			return;
		}
	}
	eks_schema_bad_value(s, v, "kommunenummer",
			     "a 4-digit municipality number in quotes, as \"0301\"");
}

static void read_partners(eks_schema *s, eks_protocol *p, const eks_node *root)
{
	const eks_node *list = eks_schema_list(s, root, "partners", EKS_REQUIRED,
		"a list of partners, each {name: …, role: lead}");
	eks_buf where = EKS_BUF_INIT;
	size_t i;

	p->partners = alloc_items(s, list, sizeof(*p->partners), &p->partners_count);
	for (i = 0; i < p->partners_count; i++) {
		eks_partner *pa = &p->partners[i];
		const eks_node *item = item_map(s, list, i, "partner",
						"{name: Molde kommune, role: lead}");
		if (!item)
			continue;
		eks_buf_clear(&where);
		eks_buf_printf(&where, " in partner number %zu", i + 1);
		s->where = eks_buf_cstr(&where);
		eks_schema_keys(s, item, partner_keys);
		eks_schema_text(s, item, "name", EKS_REQUIRED, 0,
				"the partner's name", &pa->name);
		read_enum_string(s, item, "role", EKS_REQUIRED, partner_role_names,
				 &pa->role);
		read_kommunenummer(s, item, pa);
		eks_schema_text(s, item, "level", 0, 0, "text, such as municipality",
				&pa->level);
	}
	s->where = "";
	eks_buf_dispose(&where);
}

static void read_design(eks_schema *s, eks_protocol *p, const eks_node *root)
{
	const eks_node *design = eks_schema_map(s, root, "design", EKS_REQUIRED,
		"a mapping {allocation: …, model: …, unit: …}");

	if (!design)
		return;
	s->where = " in 'design'";
	eks_schema_keys(s, design, design_keys);
	read_enum_string(s, design, "allocation", EKS_REQUIRED, allocation_names,
			 &p->allocation);
	read_enum_string(s, design, "model", EKS_REQUIRED, model_names, &p->model);
	eks_schema_text(s, design, "unit", EKS_REQUIRED, 0,
			"the unit of allocation and analysis, such as person "
			"or school", &p->unit);
	s->where = "";
}

static void read_interventions(eks_schema *s, eks_protocol *p,
			       const eks_node *list)
{
	eks_buf where = EKS_BUF_INIT;
	size_t i;

	p->interventions = alloc_items(s, list, sizeof(*p->interventions),
				       &p->interventions_count);
	for (i = 0; i < p->interventions_count; i++) {
		eks_intervention *iv = &p->interventions[i];
		const eks_node *item = item_map(s, list, i, "intervention",
						"{id: outreach, name: …}");
		if (!item)
			continue;
		iv->id = read_item_id(s, item, i, "intervention",
				      &p->index->interventions, &where);
		eks_schema_keys(s, item, intervention_keys);
		eks_schema_text(s, item, "name", EKS_REQUIRED, 0, "the "
				"intervention's name", &iv->name);
		eks_schema_text(s, item, "description", 0, 0, "text",
				&iv->description);
	}
	s->where = "";
	eks_buf_dispose(&where);
}

static void read_arms(eks_schema *s, eks_protocol *p, const eks_node *list,
		      int have_interventions)
{
	eks_buf where = EKS_BUF_INIT;
	size_t i;

	p->arms = alloc_items(s, list, sizeof(*p->arms), &p->arms_count);
	for (i = 0; i < p->arms_count; i++) {
		eks_arm *arm = &p->arms[i];
		const eks_node *item = item_map(s, list, i, "arm",
			"{id: a, label: …, type: experimental}");
		const eks_node *sites;
		size_t j;

		if (!item)
			continue;
		arm->id = read_item_id(s, item, i, "arm", &p->index->arms, &where);
		eks_schema_keys(s, item, arm_keys);
		eks_schema_text(s, item, "label", EKS_REQUIRED, 0,
				"a short description of the arm", &arm->label);
		read_enum_string(s, item, "type", EKS_REQUIRED, arm_type_names,
				 &arm->type);
		read_refs(s, item, "interventions", 0, "intervention",
			  p->interventions ? (const void *)&p->interventions[0].id : NULL,
			  p->interventions_count, sizeof(eks_intervention),
			  &p->index->interventions, have_interventions,
			  &arm->interventions,
			  &arm->interventions_count);
		sites = eks_schema_list(s, item, "sites", 0,
					"a list of sites, such as [\"1506\"]");
		if (!sites || !sites->count)
			continue;
		arm->sites = calloc(sites->count, sizeof(*arm->sites));
		if (!arm->sites) {
			s->oom = 1;
			continue;
		}
		arm->sites_count = sites->count;
		for (j = 0; j < sites->count; j++)
			eks_schema_node_text(s, sites->items[j], "item of 'sites'",
					     "the name or number of a site",
					     &arm->sites[j]);
	}
	s->where = "";
	eks_buf_dispose(&where);
}

static void read_timepoints(eks_schema *s, eks_protocol *p, const eks_node *list)
{
	eks_buf where = EKS_BUF_INIT;
	size_t i;

	p->timepoints = alloc_items(s, list, sizeof(*p->timepoints),
				    &p->timepoints_count);
	for (i = 0; i < p->timepoints_count; i++) {
		eks_timepoint *tp = &p->timepoints[i];
		const eks_node *item = item_map(s, list, i, "timepoint",
						"{id: t1, label: 12 months}");
		if (!item)
			continue;
		tp->id = read_item_id(s, item, i, "timepoint",
				      &p->index->timepoints, &where);
		eks_schema_keys(s, item, timepoint_keys);
		eks_schema_text(s, item, "label", 0, 0, "text", &tp->label);
		read_date(s, item, "date", 0, &tp->date);
	}
	s->where = "";
	eks_buf_dispose(&where);
}

static void read_outcomes(eks_schema *s, eks_protocol *p, const eks_node *list,
			  const eks_node *list_key, int have_timepoints)
{
	eks_buf where = EKS_BUF_INIT;
	size_t i, primaries = 0;

	p->outcomes = alloc_items(s, list, sizeof(*p->outcomes), &p->outcomes_count);
	for (i = 0; i < p->outcomes_count; i++) {
		eks_outcome *o = &p->outcomes[i];
		const eks_node *item = item_map(s, list, i, "outcome",
			"{id: neet, role: primary, title: …, measure: proportion, …}");
		int v = 0;

		if (!item)
			continue;
		o->id = read_item_id(s, item, i, "outcome", &p->index->outcomes,
				     &where);
		eks_schema_keys(s, item, outcome_keys);
		read_enum_string(s, item, "role", EKS_REQUIRED, outcome_role_names,
				 &o->role);
		if (o->role && !strcmp(o->role, "primary"))
			primaries++;
		eks_schema_text(s, item, "title", EKS_REQUIRED, 0,
				"what is measured, in words", &o->title);
		if (eks_schema_enum(s, item, "measure", EKS_REQUIRED,
				    measure_names, &v) == EKS_FIELD_OK)
			o->measure = (eks_measure)v;
		if (eks_schema_enum(s, item, "direction", EKS_REQUIRED,
				    direction_names, &v) == EKS_FIELD_OK)
			o->direction = (eks_direction)v;
		eks_schema_text(s, item, "unit", 0, 0, "text, such as share",
				&o->unit);
		if (eks_schema_number(s, item, "minimum_effect", 0, "a number "
				      "≥ 0", &o->minimum_effect) == EKS_FIELD_OK) {
			if (o->minimum_effect < 0)
				eks_schema_bad_value(s, s->last, "minimum_effect",
						     "a number ≥ 0 (the smallest "
						     "effect of interest)");
			else
				o->has_minimum_effect = 1;
		}
		read_refs(s, item, "timepoints", EKS_REQUIRED, "timepoint",
			  p->timepoints ? (const void *)&p->timepoints[0].id : NULL,
			  p->timepoints_count, sizeof(eks_timepoint),
			  &p->index->timepoints, have_timepoints, &o->timepoints,
			  &o->timepoints_count);
	}
	s->where = "";
	if (p->outcomes_count && !primaries)
		eks_schema_error(s, list_key, "no outcome has role: primary; mark "
				 "the main outcome of the experiment with role: "
				 "primary");
	eks_buf_dispose(&where);
}

/* ---- hypotheses ---------------------------------------------------------- */

/* Methods that fit a hypothesis, from the outcome's measure and whether it
 * compares two arms (SPEC 6.2); NULL-terminated. */
static const char *const *methods_that_fit(eks_measure m, int two_arms,
					   const char **what)
{
	static const char *const two_props[] = { "newcombe", "yates", "fisher", NULL };
	static const char *const one_prop[] = { "wilson", "exact", NULL };
	static const char *const two_means[] = { "welch", "student", NULL };
	static const char *const none[] = { NULL };

	if (m == EKS_MEASURE_PROPORTION) {
		*what = two_arms ? "two proportions" : "one proportion against a value";
		return two_arms ? two_props : one_prop;
	}
	*what = two_arms ? "two means" : "one mean against a value (one-sample t test)";
	return two_arms ? two_means : none;
}

static void check_method(eks_schema *s, const eks_hypothesis *h,
			 const eks_outcome *o, const eks_node *method_node)
{
	const char *const *fit;
	const char *what;
	eks_buf list = EKS_BUF_INIT;
	size_t i;

	if (h->method == EKS_METHOD_AUTO || h->method == EKS_METHOD_UNKNOWN ||
	    !o || o->measure == EKS_MEASURE_UNKNOWN ||
	    (!h->against && !h->has_against_value))
		return;
	/* Ratios, odds ratios and did have one method each (SPEC 6.2), which
	 * evaluate uses whatever is written: say so rather than ignore it. */
	if (h->estimator == EKS_ESTIMATOR_RATIO || h->estimator == EKS_ESTIMATOR_ODDS_RATIO ||
	    h->estimator == EKS_ESTIMATOR_DID) {
		eks_schema_error(s, method_node, "method '%s' cannot be chosen for the "
				 "estimator '%s', which is always computed one way (%s); "
				 "leave out 'method' or write 'method: auto'",
				 eks_method_name(h->method), eks_estimator_name(h->estimator),
				 h->estimator == EKS_ESTIMATOR_RATIO ? "Katz log-scale interval" :
				 h->estimator == EKS_ESTIMATOR_ODDS_RATIO ? "Woolf log-scale interval" :
				 "normal or Welch interval of the difference in differences");
		return;
	}
	fit = methods_that_fit(o->measure, h->against != NULL, &what);
	for (i = 0; fit[i]; i++)
		if (!strcmp(fit[i], eks_method_name(h->method)))
			return;
	for (i = 0; fit[i]; i++)
		eks_buf_printf(&list, "%s, ", fit[i]);
	eks_schema_error(s, method_node, "method '%s' does not fit this "
			 "hypothesis (%s, outcome '%s'); use %sor auto",
			 eks_method_name(h->method), what, o->id ? o->id : "?",
			 eks_buf_cstr(&list));
	eks_buf_dispose(&list);
}

/* A timepoint of a hypothesis: defined, and one of its outcome's. */
static void check_hyp_timepoint(eks_schema *s, const eks_protocol *p,
				const eks_outcome *o, const char *key,
				const char *tp, const eks_node *at,
				int have_timepoints)
{
	eks_buf list = EKS_BUF_INIT;

	if (!tp)
		return;
	if (!eks_protocol_timepoint(p, tp)) {
		if (have_timepoints)
			bad_reference(s, at, key, tp, "timepoint",
				      p->timepoints ? (const void *)&p->timepoints[0].id : NULL,
				      p->timepoints_count, sizeof(eks_timepoint));
		return;
	}
	if (!o || !o->timepoints || eks_outcome_has_timepoint(o, tp))
		return;
	eks_schema_join(&list, (const char *const *)o->timepoints,
			o->timepoints_count);
	eks_schema_error(s, at, "outcome '%s' is not measured at timepoint '%s' "
			 "(its timepoints are %s): use one of them as '%s', or "
			 "add '%s' to the outcome's timepoints", o->id, tp,
			 eks_buf_cstr(&list), key, tp);
	eks_buf_dispose(&list);
}

static void check_arm_ref(eks_schema *s, const eks_protocol *p, const char *key,
			  const char *ref, const eks_node *at, int have_arms)
{
	if (!ref || !have_arms || eks_protocol_arm(p, ref))
		return;
	bad_reference(s, at, key, ref, "arm",
		      p->arms ? (const void *)&p->arms[0].id : NULL,
		      p->arms_count, sizeof(eks_arm));
}

struct have {
	int arms, timepoints, outcomes;
};

static void read_compare(eks_schema *s, const eks_protocol *p,
			 eks_hypothesis *h, const eks_node *item,
			 const struct have *have)
{
	const eks_node *cmp, *against_key, *value_key, *v;

	cmp = eks_schema_map(s, item, "compare", EKS_REQUIRED,
			     "{arm: A, against: B} or {arm: A, against_value: x}");
	if (!cmp)
		return;
	eks_schema_keys(s, cmp, compare_keys);
	if (eks_schema_text(s, cmp, "arm", EKS_REQUIRED, 0, "an arm id",
			    &h->arm) == EKS_FIELD_OK)
		check_arm_ref(s, p, "arm", h->arm, s->last, have->arms);
	eks_schema_find(cmp, "against", &against_key);
	eks_schema_find(cmp, "against_value", &value_key);
	if (against_key && value_key) {
		eks_schema_error(s, value_key, "give either 'against' (another "
				 "arm) or 'against_value' (a benchmark number), "
				 "not both");
	} else if (!against_key && !value_key) {
		eks_schema_error(s, eks_schema_anchor(cmp), "missing 'against' or "
				 "'against_value'%s: compare the arm with another "
				 "arm (against: B) or with a benchmark number "
				 "(against_value: 0.2)", s->where);
		return;
	}
	if (against_key &&
	    eks_schema_text(s, cmp, "against", EKS_REQUIRED, 0, "an arm id",
			    &h->against) == EKS_FIELD_OK) {
		v = s->last;
		if (h->arm && !strcmp(h->arm, h->against))
			eks_schema_error(s, v, "'against' is the same arm as 'arm' "
					 "('%s'): compare the arm with another one",
					 h->arm);
		else
			check_arm_ref(s, p, "against", h->against, v, have->arms);
	}
	if (value_key && !against_key &&
	    eks_schema_number(s, cmp, "against_value", EKS_REQUIRED,
			      "a number (the benchmark)", &h->against_value) ==
	    EKS_FIELD_OK)
		h->has_against_value = 1;
}

static void read_hypothesis(eks_schema *s, const eks_protocol *p,
			    eks_hypothesis *h, const eks_node *item,
			    const struct have *have, int strict)
{
	const eks_outcome *o = NULL;
	const eks_node *outcome_node = NULL, *timepoint_node = NULL,
		*baseline_node = NULL, *estimator_node = NULL, *method_node = NULL,
		*value_node, *margin_node = NULL, *alpha_node = NULL;
	int v = 0, baseline_rc, margin_rc;

	eks_schema_keys(s, item, hypothesis_keys);
	eks_schema_text(s, item, "statement", EKS_REQUIRED | EKS_MAY_EMPTY, 0,
			"what you expect, in one sentence", &h->statement);
	if (eks_schema_text(s, item, "outcome", EKS_REQUIRED, 0, "an outcome id",
			    &h->outcome) == EKS_FIELD_OK) {
		outcome_node = s->last;
		o = eks_protocol_outcome(p, h->outcome);
		if (!o && have->outcomes)
			bad_reference(s, outcome_node, "outcome", h->outcome,
				      "outcome", p->outcomes ?
				      (const void *)&p->outcomes[0].id : NULL,
				      p->outcomes_count, sizeof(eks_outcome));
	}
	read_compare(s, p, h, item, have);
	if (eks_schema_text(s, item, "timepoint", EKS_REQUIRED, 0,
			    "the timepoint where the comparison is made",
			    &h->timepoint) == EKS_FIELD_OK)
		timepoint_node = s->last;
	baseline_rc = eks_schema_text(s, item, "baseline", 0, 0, "a timepoint id",
				      &h->baseline);
	if (baseline_rc == EKS_FIELD_OK)
		baseline_node = s->last;
	if (eks_schema_enum(s, item, "estimator", EKS_REQUIRED, estimator_names,
			    &v) == EKS_FIELD_OK) {
		h->estimator = (eks_estimator)v;
		estimator_node = s->last;
	}
	if (eks_schema_enum(s, item, "test", 0, test_names, &v) == EKS_FIELD_OK)
		h->test = (eks_test)v;
	margin_rc = eks_schema_number(s, item, "margin", 0, "a number > 0",
				      &h->margin);
	if (margin_rc == EKS_FIELD_OK) {
		margin_node = s->last;
		if (h->margin <= 0)
			eks_schema_bad_value(s, margin_node, "margin",
					     "a number > 0 (the largest difference "
					     "that still counts as no worse)");
		else
			h->has_margin = 1;
	}
	if (eks_schema_number(s, item, "minimum_effect", 0, "a number ≥ 0",
			      &h->minimum_effect) == EKS_FIELD_OK) {
		if (h->minimum_effect < 0)
			eks_schema_bad_value(s, s->last, "minimum_effect",
					     "a number ≥ 0 (the smallest effect "
					     "of interest)");
		else
			h->has_minimum_effect = 1;
	}
	if (eks_schema_enum(s, item, "method", 0, method_names, &v) == EKS_FIELD_OK) {
		h->method = (eks_method)v;
		method_node = s->last;
	}
	if (eks_schema_number(s, item, "alpha", 0, "a number between 0 and 0.5",
			      &h->alpha) == EKS_FIELD_OK) {
		alpha_node = s->last;
		if (!(h->alpha > 0 && h->alpha < 0.5)) {
			eks_schema_bad_value(s, s->last, "alpha", "a number greater than "
					     "0 and less than 0.5, such as 0.05");
			h->alpha = 0.05;
		}
	}
	if (eks_schema_enum(s, item, "family", 0, family_names, &v) == EKS_FIELD_OK)
		h->family = (eks_family)v;

	/* Timepoints: defined, and measured for the outcome. */
	check_hyp_timepoint(s, p, o, "timepoint", h->timepoint, timepoint_node,
			    have->timepoints);
	check_hyp_timepoint(s, p, o, "baseline", h->baseline, baseline_node,
			    have->timepoints);
	if (h->baseline && h->timepoint && !strcmp(h->baseline, h->timepoint))
		eks_schema_error(s, baseline_node, "'baseline' and 'timepoint' are "
				 "both '%s': the baseline must be the earlier "
				 "(pre) timepoint", h->timepoint);

	/* Estimator, units and design (SPEC 2.1). */
	if (h->estimator == EKS_ESTIMATOR_DID && baseline_rc == EKS_FIELD_ABSENT)
		eks_schema_error(s, eks_schema_anchor(item), "missing required key "
				 "'baseline'%s: estimator did compares the change "
				 "from a baseline; write 'baseline:' followed by the "
				 "pre timepoint", s->where);
	if (h->baseline && h->estimator && h->estimator != EKS_ESTIMATOR_DID)
		eks_schema_error(s, baseline_node, "'baseline' is used only with "
				 "estimator: did; remove it, or use estimator: did");
	if ((h->estimator == EKS_ESTIMATOR_RATIO ||
	     h->estimator == EKS_ESTIMATOR_ODDS_RATIO) &&
	    o && o->measure == EKS_MEASURE_MEAN)
		eks_schema_error(s, estimator_node, "estimator '%s' works only "
				 "with proportion outcomes, and outcome '%s' is "
				 "a mean: use difference (or did)",
				 eks_estimator_name(h->estimator), o->id);
	if (h->has_against_value && (h->estimator == EKS_ESTIMATOR_DID ||
				     h->estimator == EKS_ESTIMATOR_RATIO ||
				     h->estimator == EKS_ESTIMATOR_ODDS_RATIO))
		eks_schema_error(s, estimator_node, "estimator '%s' compares two "
				 "arms: give compare.against (another arm), not "
				 "against_value, or use estimator: difference",
				 eks_estimator_name(h->estimator));
	value_node = eks_schema_find(eks_schema_find(item, "compare", NULL),
				     "against_value", NULL);
	if (h->has_against_value && o && o->measure == EKS_MEASURE_PROPORTION &&
	    !(h->against_value > 0 && h->against_value < 1))
		eks_schema_error(s, value_node, "'against_value' must lie between "
				 "0 and 1 (not 0 or 1 themselves) for outcome '%s', "
				 "which is a proportion; found %s", o->id,
				 value_node->value);

	/* Tests and their margin. */
	if ((h->test == EKS_TEST_NONINFERIORITY || h->test == EKS_TEST_EQUIVALENCE) &&
	    margin_rc == EKS_FIELD_ABSENT)
		eks_schema_error(s, eks_schema_anchor(item), "missing required key "
				 "'margin'%s: a %s test needs a margin > 0; write "
				 "'margin:' followed by a number", s->where,
				 eks_test_name(h->test));
	if (h->has_margin && (h->test == EKS_TEST_SUPERIORITY ||
			      h->test == EKS_TEST_THRESHOLD))
		eks_schema_warning(s, margin_node, "'margin' is used only by "
				   "noninferiority and equivalence tests; with "
				   "test: %s it has no effect (remove it)",
				   eks_test_name(h->test));
	/* SPEC 6.3: noninferiority is decided on the conf_level interval. */
	if (alpha_node && h->test == EKS_TEST_NONINFERIORITY)
		eks_schema_warning(s, alpha_node, "'alpha' has no effect on a "
				   "noninferiority test, which is decided with the "
				   "analysis.conf_level interval (conf_level 0.95 means "
				   "one-sided 0.025); remove it, or change conf_level");
	if (h->method == EKS_METHOD_FISHER && h->test != EKS_TEST_SUPERIORITY &&
	    h->test != EKS_TEST_UNKNOWN && h->against)
		eks_schema_warning(s, method_node, "method 'fisher' gives only a "
				   "p-value, which %s, so evaluate uses and reports "
				   "Newcombe's interval; write method: newcombe to say so",
				   h->test == EKS_TEST_THRESHOLD ?
				   "a threshold test does not use" :
				   h->test == EKS_TEST_EQUIVALENCE ?
				   "an equivalence test is not decided on" :
				   "a noninferiority test is not decided on");
	check_method(s, h, o, method_node);

	/* Completeness for registration (validate --strict, register). */
	if (strict && h->family == EKS_FAMILY_CONFIRMATORY) {
		const eks_node *key;

		eks_schema_find(item, "statement", &key);
		if (h->statement && !h->statement[0])
			eks_schema_error(s, key ? key : item, "the statement%s is "
					 "empty: write what you expect in one "
					 "sentence before registering", s->where);
		if (h->test == EKS_TEST_THRESHOLD && !h->has_minimum_effect &&
		    o && !o->has_minimum_effect)
			eks_schema_error(s, eks_schema_anchor(item), "a threshold "
					 "test compares the estimate with "
					 "minimum_effect%s: give minimum_effect in the "
					 "hypothesis or its outcome before registering",
					 s->where);
	}
}

static void read_hypotheses(eks_schema *s, eks_protocol *p, const eks_node *list,
			    const struct have *have, int strict)
{
	eks_buf where = EKS_BUF_INIT;
	size_t i;

	p->hypotheses = alloc_items(s, list, sizeof(*p->hypotheses),
				    &p->hypotheses_count);
	for (i = 0; i < p->hypotheses_count; i++) {
		eks_hypothesis *h = &p->hypotheses[i];
		const eks_node *item = item_map(s, list, i, "hypothesis",
			"{id: H1, statement: …, outcome: …, compare: {arm: A, "
			"against: B}, timepoint: t1, estimator: difference}");

		h->test = EKS_TEST_SUPERIORITY;
		h->method = EKS_METHOD_AUTO;
		h->alpha = 0.05;
		h->family = EKS_FAMILY_CONFIRMATORY;
		if (!item)
			continue;
		h->id = read_item_id(s, item, i, "hypothesis",
				     &p->index->hypotheses, &where);
		read_hypothesis(s, p, h, item, have, strict);
	}
	s->where = "";
	eks_buf_dispose(&where);
}

static void read_analysis(eks_schema *s, eks_protocol *p, const eks_node *root)
{
	const eks_node *analysis = eks_schema_map(s, root, "analysis", 0,
		"a mapping {multiplicity: holm, conf_level: 0.95, plan: …}");
	int v = 0;

	if (!analysis)
		return;
	eks_schema_keys(s, analysis, analysis_keys);
	if (eks_schema_enum(s, analysis, "multiplicity", 0, multiplicity_names,
			    &v) == EKS_FIELD_OK)
		p->multiplicity = (eks_multiplicity)v;
	if (eks_schema_number(s, analysis, "conf_level", 0,
			      "a number from 0.5 to 0.999", &p->conf_level) ==
	    EKS_FIELD_OK && !(p->conf_level >= 0.5 && p->conf_level <= 0.999)) {
		eks_schema_bad_value(s, s->last, "conf_level",
				     "a number from 0.5 to 0.999, such as 0.95");
		p->conf_level = 0.95;
	}
	eks_schema_text(s, analysis, "plan", 0, 0, "text", &p->analysis_plan);
}

/* parallel needs >= 2 arms, single_group exactly 1 (SPEC 2.1). */
static void check_design(eks_schema *s, const eks_protocol *p,
			 const eks_node *root, const eks_node *arms_list)
{
	const eks_node *model = eks_schema_find(eks_schema_find(root, "design", NULL),
						"model", NULL);

	if (!p->model || !arms_list)
		return;
	if (!strcmp(p->model, "parallel") && p->arms_count < 2)
		eks_schema_error(s, model, "design model 'parallel' compares arms "
				 "side by side and needs at least 2 arms; the "
				 "protocol has %zu (add an arm, or use model: "
				 "single_group)", p->arms_count);
	if (!strcmp(p->model, "single_group") && p->arms_count != 1)
		eks_schema_error(s, model, "design model 'single_group' needs exactly "
				 "1 arm; the protocol has %zu (use model: parallel "
				 "for several arms)", p->arms_count);
}

/* ---- entry point ------------------------------------------------------- */

/*
 * See protocol.h.  Reads every field, reports every problem, and returns
 * the protocol as far as it could be read.
 */
int eks_protocol_parse(eks_protocol **out, const eks_node *root,
		       const char *path, const eks_protocol_options *opts,
		       eks_diag_list *diags)
{
	static const eks_protocol_options defaults = EKS_PROTOCOL_OPTIONS_INIT;
	const eks_node *interventions, *arms, *timepoints, *outcomes, *outcomes_key,
		*hypotheses;
	eks_protocol *p = NULL;
	struct have have;
	eks_schema s;
	eks_buf found = EKS_BUF_INIT;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	eks_schema_init(&s, path, diags);
	if (!root || eks_schema_is_null(root)) {
		eks_schema_error_pos(&s, 1, 1, "the experiment file is empty: it "
				     "needs schema, id, title, challenge, status, "
				     "partners, design, existing_data, "
				     "interventions, arms, timepoints, outcomes "
				     "and hypotheses");
		goto done;
	}
	if (root->kind != EKS_NODE_MAP) {
		eks_schema_describe(&found, root);
		eks_schema_error(&s, root, "the experiment file must be a mapping "
				 "of keys (schema: …, id: …, title: …); found %s",
				 eks_buf_cstr(&found));
		goto done;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->path = strdup(path ? path : ""))) {
		s.oom = 1;
		goto done;
	}
	p->index = calloc(1, sizeof(*p->index));
	if (!p->index) {
		s.oom = 1;
		goto done;
	}
	p->root = root;
	p->multiplicity = EKS_MULTIPLICITY_HOLM;
	p->conf_level = 0.95;

	eks_schema_keys(&s, root, protocol_keys);
	read_header(&s, p, root, opts);
	read_dates(&s, p, root, opts->strict);
	read_partners(&s, p, root);
	read_design(&s, p, root);
	read_enum_string(&s, root, "existing_data", EKS_REQUIRED,
			 existing_data_names, &p->existing_data);

	interventions = eks_schema_list(&s, root, "interventions", EKS_REQUIRED,
		"a list of interventions, each {id: …, name: …}");
	read_interventions(&s, p, interventions);
	arms = eks_schema_list(&s, root, "arms", EKS_REQUIRED,
		"a list of arms, each {id: …, label: …, type: …}");
	read_arms(&s, p, arms, interventions != NULL);
	timepoints = eks_schema_list(&s, root, "timepoints", EKS_REQUIRED,
		"a list of timepoints, each {id: t1, label: …}");
	read_timepoints(&s, p, timepoints);
	outcomes = eks_schema_list(&s, root, "outcomes", EKS_REQUIRED,
		"a list of outcomes, each {id, role, title, measure, direction, "
		"timepoints}");
	outcomes_key = s.last_key;
	read_outcomes(&s, p, outcomes, outcomes_key, timepoints != NULL);
	hypotheses = eks_schema_list(&s, root, "hypotheses", EKS_REQUIRED,
		"a list of hypotheses, each {id, statement, outcome, compare, "
		"timepoint, estimator}");
	have.arms = arms != NULL;
	have.timepoints = timepoints != NULL;
	have.outcomes = outcomes != NULL;
	read_hypotheses(&s, p, hypotheses, &have, opts->strict);
	read_analysis(&s, p, root);
	check_design(&s, p, root, arms);

done:
	eks_buf_dispose(&found);
	if (s.oom) {
		eks_protocol_free(p);
		return eks_error_oom();
	}
	*out = p;
	rc = s.errors ? EKS_EINVALID : 0;
	if (rc)
		eks_error_set(rc, "%s: %zu problem%s found", path ? path : "",
			      s.errors, s.errors == 1 ? "" : "s");
	return rc;
}
