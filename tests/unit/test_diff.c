/*
 * test_diff.c - field-level diffs of protocols, amendment coverage, and
 * diffs of logs (diff.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment.h"

/* A small registered protocol, in the layout of the shipped example. */
static const char base[] =
	"schema: eksperiment/v1\n"                                   /* 1 */
	"id: demo\n"
	"title: Outreach and NEET\n"
	"status: registered\n"
	"dates: {start: 2025-02-01, end: 2026-12-31}\n"              /* 5 */
	"partners:\n"
	"  - {name: Molde kommune, role: lead, kommunenummer: \"1506\"}\n"
	"  - {name: KS, role: funder}\n"
	"design: {allocation: non_randomized, model: parallel, unit: person}\n"
	"existing_data: none\n"                                      /* 10 */
	"interventions:\n"
	"  - {id: outreach, name: Outreach team}\n"
	"arms:\n"
	"  - {id: molde, label: Outreach, type: experimental, interventions: [outreach], sites: [\"1506\"]}\n"
	"  - {id: kristiansund, label: Usual, type: comparison}\n"  /* 15 */
	"timepoints:\n"
	"  - {id: t0, label: baseline}\n"
	"  - {id: t1, label: 12 months}\n"
	"outcomes:\n"
	"  - id: neet\n"                                             /* 20 */
	"    role: primary\n"
	"    measure: proportion\n"
	"    direction: decrease\n"
	"    minimum_effect: 0.05\n"
	"    timepoints: [t0, t1]\n"                                 /* 25 */
	"hypotheses:\n"
	"  - id: H1\n"
	"    outcome: neet\n"
	"    compare: {arm: molde, against: kristiansund}\n"
	"    timepoint: t1\n"                                        /* 30 */
	"    estimator: difference\n"
	"  - id: H2\n"
	"    outcome: neet\n"
	"    compare: {arm: molde, against: kristiansund}\n"
	"    timepoint: t1\n"                                        /* 35 */
	"    baseline: t0\n"
	"    estimator: did\n"
	"    family: exploratory\n"
	"analysis:\n"
	"  plan: Holm across H1.\n";                                 /* 40 */

typedef struct fixture {
	eks_yaml_file *old_file;
	eks_yaml_file *new_file;
	eks_diff *diff;
} fixture;

static eks_yaml_file *parse(const char *text)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_yaml_file *file = NULL;
	size_t i;

	if (eks_yaml_parse(&file, "t.yaml", text, strlen(text), &diags) != 0) {
		for (i = 0; i < diags.count; i++)
			fprintf(stderr, "%d:%d: %s\n", diags.items[i].line,
				diags.items[i].col, diags.items[i].message);
		fail_msg("test YAML does not parse");
	}
	eks_diag_list_clear(&diags);
	return file;
}

/* `text` with the first occurrence of `from` replaced by `to`. */
static char *edit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	eks_buf b = EKS_BUF_INIT;

	if (!at)
		fail_msg("'%s' is not in the text", from);
	eks_buf_put(&b, text, (size_t)(at - text));
	eks_buf_puts(&b, to);
	eks_buf_puts(&b, at + strlen(from));
	return eks_buf_detach(&b);
}

static void diff_texts(fixture *f, const char *old_text, const char *new_text)
{
	f->old_file = old_text ? parse(old_text) : NULL;
	f->new_file = new_text ? parse(new_text) : NULL;
	assert_int_equal(eks_protocol_diff(&f->diff,
					   f->old_file ? f->old_file->documents[0] : NULL,
					   f->new_file ? f->new_file->documents[0] : NULL), 0);
	assert_non_null(f->diff);
}

/* Diff `base` against `base` with one edit. */
static void diff_edit(fixture *f, const char *from, const char *to)
{
	char *changed = edit(base, from, to);

	diff_texts(f, base, changed);
	free(changed);
}

static void release(fixture *f)
{
	eks_diff_free(f->diff);
	eks_yaml_file_free(f->old_file);
	eks_yaml_file_free(f->new_file);
	memset(f, 0, sizeof(*f));
}

static const eks_field_change *find(const fixture *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->diff->count; i++)
		if (!strcmp(f->diff->changes[i].path, path))
			return &f->diff->changes[i];
	for (i = 0; i < f->diff->count; i++)
		fprintf(stderr, "  have %s\n", f->diff->changes[i].path);
	fail_msg("no change at '%s'", path);
	return NULL;
}

static void assert_change(const eks_field_change *c, eks_diff_kind kind,
			  const char *old_value, const char *new_value,
			  int frozen, eks_diff_class amend_class)
{
	assert_int_equal(c->kind, kind);
	if (old_value)
		assert_string_equal(c->old_value, old_value);
	else
		assert_null(c->old_value);
	if (new_value)
		assert_string_equal(c->new_value, new_value);
	else
		assert_null(c->new_value);
	assert_int_equal(c->frozen, frozen);
	assert_int_equal(c->amend_class, amend_class);
	assert_int_equal(c->amended, 0);
}

static void test_diff_identical_and_reformatted(void **state)
{
	fixture f = { 0 };
	/* The same data in block style, other key order, comments, other
	 * quoting and number spellings. */
	static const char reformatted[] =
		"# the protocol\n"
		"id: 'demo'\n"
		"schema: eksperiment/v1\n"
		"status: registered\n"
		"title: \"Outreach and NEET\"\n"
		"dates:\n  end: 2026-12-31\n  start: 2025-02-01\n"
		"partners: [{name: Molde kommune, kommunenummer: '1506', role: lead},\n"
		"           {role: funder, name: KS}]\n"
		"design:\n  model: parallel\n  allocation: non_randomized\n  unit: person\n"
		"existing_data: none\n"
		"interventions: [{name: Outreach team, id: outreach}]\n"
		"arms:\n"
		"  - id: molde\n    label: Outreach\n    type: experimental\n"
		"    interventions:\n      - outreach\n    sites: ['1506']\n"
		"  - {id: kristiansund, label: Usual, type: comparison, sites: ~}\n"
		"timepoints: [{id: t0, label: baseline}, {id: t1, label: 12 months}]\n"
		"outcomes:\n"
		"  - {id: neet, role: primary, measure: proportion, direction: decrease,\n"
		"     minimum_effect: 5e-2, timepoints: [t0, t1]}\n"
		"hypotheses:\n"
		"  - {id: H1, outcome: neet, compare: {against: kristiansund, arm: molde},\n"
		"     timepoint: t1, estimator: difference}\n"
		"  - {id: H2, outcome: neet, compare: {arm: molde, against: kristiansund},\n"
		"     timepoint: t1, baseline: t0, estimator: did, family: exploratory}\n"
		"analysis: {plan: Holm across H1.}\n";

	(void)state;
	diff_texts(&f, base, base);
	assert_int_equal(f.diff->count, 0);
	release(&f);
	diff_texts(&f, base, reformatted);
	assert_int_equal(f.diff->count, 0);
	assert_int_equal(eks_diff_frozen_count(f.diff), 0);
	release(&f);
}

/* Writing a documented default explicitly is no change. */
static void test_diff_explicit_defaults_not_a_change(void **state)
{
	fixture f = { 0 };
	const eks_field_change *c;
	char *a, *b;

	(void)state;
	a = edit(base, "    estimator: difference\n",
		 "    estimator: difference\n    test: superiority\n    method: auto\n"
		 "    alpha: 0.050\n    family: confirmatory\n");
	b = edit(a, "analysis:\n", "analysis:\n  multiplicity: holm\n  conf_level: .95\n");
	diff_texts(&f, base, b);
	assert_int_equal(f.diff->count, 0);
	release(&f);
	/* Back from an explicit default to nothing: no change either. */
	diff_texts(&f, b, base);
	assert_int_equal(f.diff->count, 0);
	release(&f);
	free(a);
	free(b);

	/* Leaving out a value that differs from the default changes the
	 * field to the default, and says so. */
	a = edit(base, "    family: exploratory\n", "");
	diff_texts(&f, base, a);
	assert_int_equal(f.diff->count, 1);
	c = find(&f, "hypotheses[H2].family");
	assert_change(c, EKS_DIFF_CHANGED, "exploratory", "confirmatory", 1,
		      EKS_DIFF_CLASS_MAJOR);
	assert_int_equal(c->old_default, 0);
	assert_int_equal(c->new_default, 1);
	/* A filled-in default is placed at its hypothesis. */
	assert_int_equal(c->line, 32);
	release(&f);
	free(a);
}

static void test_diff_path_forms(void **state)
{
	fixture f = { 0 };
	const eks_field_change *c;

	(void)state;
	/* A top-level scalar. */
	diff_edit(&f, "title: Outreach and NEET", "title: Outreach teams and NEET");
	assert_int_equal(f.diff->count, 1);
	c = find(&f, "title");
	assert_change(c, EKS_DIFF_CHANGED, "Outreach and NEET",
		      "Outreach teams and NEET", 1, EKS_DIFF_CLASS_MINOR);
	assert_int_equal(c->line, 3);
	assert_int_equal(c->col, 1);
	release(&f);

	/* Fields of nested mappings, frozen or not. */
	diff_edit(&f, "model: parallel", "model: before_after");
	c = find(&f, "design.model");
	assert_change(c, EKS_DIFF_CHANGED, "parallel", "before_after", 1,
		      EKS_DIFF_CLASS_MAJOR);
	assert_int_equal(c->line, 9);
	assert_int_equal(c->col, 38);
	release(&f);
	diff_edit(&f, "end: 2026-12-31", "end: 2027-06-30");
	assert_change(find(&f, "dates.end"), EKS_DIFF_CHANGED, "2026-12-31",
		      "2027-06-30", 0, EKS_DIFF_CLASS_NONE);
	release(&f);
	diff_edit(&f, "analysis:\n", "analysis:\n  multiplicity: bonferroni\n");
	assert_change(find(&f, "analysis.multiplicity"), EKS_DIFF_CHANGED, "holm",
		      "bonferroni", 1, EKS_DIFF_CLASS_MAJOR);
	assert_int_equal(find(&f, "analysis.multiplicity")->old_default, 1);
	release(&f);

	/* List elements by id, and fields inside them. */
	diff_edit(&f, "    minimum_effect: 0.05\n", "    minimum_effect: 0.1\n");
	c = find(&f, "outcomes[neet].minimum_effect");
	assert_change(c, EKS_DIFF_CHANGED, "0.05", "0.1", 1, EKS_DIFF_CLASS_MAJOR);
	assert_int_equal(c->line, 24);
	assert_int_equal(c->col, 5);
	release(&f);
	diff_edit(&f, "    estimator: difference\n",
		  "    estimator: difference\n    test: noninferiority\n    margin: 0.03\n");
	assert_int_equal(f.diff->count, 2);
	assert_change(find(&f, "hypotheses[H1].test"), EKS_DIFF_CHANGED,
		      "superiority", "noninferiority", 1, EKS_DIFF_CLASS_MAJOR);
	c = find(&f, "hypotheses[H1].margin");
	assert_change(c, EKS_DIFF_ADDED, NULL, "0.03", 1, EKS_DIFF_CLASS_MAJOR);
	assert_int_equal(c->line, 33);
	release(&f);
	diff_edit(&f, "compare: {arm: molde, against: kristiansund}\n    timepoint: t1\n    estimator: difference",
		  "compare: {arm: molde, against_value: 0.2}\n    timepoint: t1\n    estimator: difference");
	assert_int_equal(f.diff->count, 2);
	assert_change(find(&f, "hypotheses[H1].compare.against"), EKS_DIFF_REMOVED,
		      "kristiansund", NULL, 1, EKS_DIFF_CLASS_MAJOR);
	assert_int_equal(find(&f, "hypotheses[H1].compare.against")->line, 29);
	assert_change(find(&f, "hypotheses[H1].compare.against_value"), EKS_DIFF_ADDED,
		      NULL, "0.2", 1, EKS_DIFF_CLASS_MAJOR);
	release(&f);

	/* Partners are named by name, and are not frozen. */
	diff_edit(&f, "{name: KS, role: funder}", "{name: KS, role: partner}");
	assert_change(find(&f, "partners[KS].role"), EKS_DIFF_CHANGED, "funder",
		      "partner", 0, EKS_DIFF_CLASS_NONE);
	release(&f);
	/* A number and the same digits as text differ, and look different. */
	diff_edit(&f, "kommunenummer: \"1506\"", "kommunenummer: 1506");
	assert_change(find(&f, "partners[Molde kommune].kommunenummer"),
		      EKS_DIFF_CHANGED, "\"1506\"", "1506", 0, EKS_DIFF_CLASS_NONE);
	release(&f);
	/* Top-level fields that are not frozen. */
	diff_edit(&f, "status: registered", "status: active");
	assert_change(find(&f, "status"), EKS_DIFF_CHANGED, "registered", "active",
		      0, EKS_DIFF_CLASS_NONE);
	assert_int_equal(eks_diff_frozen_count(f.diff), 0);
	release(&f);
}

/* Lists of scalars are compared as one value. */
static void test_diff_scalar_lists_whole(void **state)
{
	fixture f = { 0 };

	(void)state;
	diff_edit(&f, "timepoints: [t0, t1]", "timepoints: [t1]");
	assert_int_equal(f.diff->count, 1);
	assert_change(find(&f, "outcomes[neet].timepoints"), EKS_DIFF_CHANGED,
		      "[\"t0\",\"t1\"]", "[\"t1\"]", 1, EKS_DIFF_CLASS_MAJOR);
	release(&f);
	diff_edit(&f, "interventions: [outreach], sites", "interventions: [], sites");
	assert_change(find(&f, "arms[molde].interventions"), EKS_DIFF_CHANGED,
		      "[\"outreach\"]", "[]", 1, EKS_DIFF_CLASS_MAJOR);
	release(&f);
	/* The order of a list counts. */
	diff_edit(&f, "timepoints: [t0, t1]", "timepoints: [t1, t0]");
	assert_int_equal(f.diff->count, 1);
	release(&f);
	/* A field of an arm added. */
	diff_edit(&f, "type: comparison}", "type: comparison, sites: [\"1505\"]}");
	assert_change(find(&f, "arms[kristiansund].sites"), EKS_DIFF_ADDED, NULL,
		      "[\"1505\"]", 1, EKS_DIFF_CLASS_MAJOR);
	release(&f);
}

static void test_diff_elements_added_and_removed(void **state)
{
	fixture f = { 0 };
	const eks_field_change *c;
	char *without;

	(void)state;
	diff_edit(&f, "analysis:\n",
		  "  - {id: H4, outcome: neet, compare: {arm: molde, against: kristiansund},"
		  " timepoint: t1, estimator: ratio, x-note: later}\n"
		  "analysis:\n");
	assert_int_equal(f.diff->count, 1);
	c = find(&f, "hypotheses[H4]");
	/* The element as compact canonical JSON, defaults in, x-* out. */
	assert_change(c, EKS_DIFF_ADDED, NULL,
		      "{\"alpha\":0.05,\"compare\":{\"against\":\"kristiansund\","
		      "\"arm\":\"molde\"},\"estimator\":\"ratio\",\"family\":\"confirmatory\","
		      "\"id\":\"H4\",\"method\":\"auto\",\"outcome\":\"neet\","
		      "\"test\":\"superiority\",\"timepoint\":\"t1\"}",
		      1, EKS_DIFF_CLASS_MAJOR);
	assert_int_equal(c->line, 39);
	assert_int_equal(c->col, 5);
	release(&f);

	/* Removed: placed in the old version. */
	without = edit(base, "  - {id: t0, label: baseline}\n", "");
	diff_texts(&f, base, without);
	assert_int_equal(f.diff->count, 1);
	c = find(&f, "timepoints[t0]");
	assert_change(c, EKS_DIFF_REMOVED, "{\"id\":\"t0\",\"label\":\"baseline\"}",
		      NULL, 1, EKS_DIFF_CLASS_MAJOR);
	assert_int_equal(c->line, 17);
	release(&f);
	free(without);

	/* A renamed id is one element removed and another added. */
	diff_edit(&f, "{id: outreach, name: Outreach team}", "{id: outreach2, name: Outreach team}");
	assert_int_equal(f.diff->count, 2);
	assert_int_equal(find(&f, "interventions[outreach2]")->kind, EKS_DIFF_ADDED);
	assert_int_equal(find(&f, "interventions[outreach]")->kind, EKS_DIFF_REMOVED);
	/* New things first, then what was removed. */
	assert_string_equal(f.diff->changes[0].path, "interventions[outreach2]");
	release(&f);

	/* A list without usable ids (a duplicate) is compared whole. */
	diff_edit(&f, "{id: t1, label: 12 months}", "{id: t0, label: 12 months}");
	assert_int_equal(f.diff->count, 1);
	assert_change(find(&f, "timepoints"), EKS_DIFF_CHANGED,
		      "[{\"id\":\"t0\",\"label\":\"baseline\"},{\"id\":\"t1\",\"label\":\"12 months\"}]",
		      "[{\"id\":\"t0\",\"label\":\"baseline\"},{\"id\":\"t0\",\"label\":\"12 months\"}]",
		      1, EKS_DIFF_CLASS_MAJOR);
	release(&f);
}

static void test_diff_extensions_never_frozen(void **state)
{
	fixture f = { 0 };
	const eks_field_change *c;
	char *a, *b;

	(void)state;
	a = edit(base, "    family: exploratory\n",
		 "    family: exploratory\n    x-note: {why: pilot}\n");
	b = edit(a, "x-note: {why: pilot}", "x-note: {why: full}");
	diff_texts(&f, a, b);
	assert_int_equal(f.diff->count, 1);
	c = find(&f, "hypotheses[H2].x-note.why");
	assert_change(c, EKS_DIFF_CHANGED, "pilot", "full", 0, EKS_DIFF_CLASS_NONE);
	release(&f);
	diff_texts(&f, base, a);
	assert_change(find(&f, "hypotheses[H2].x-note"), EKS_DIFF_ADDED, NULL,
		      "{\"why\":\"pilot\"}", 0, EKS_DIFF_CLASS_NONE);
	release(&f);
	free(a);
	free(b);
	diff_edit(&f, "schema: eksperiment/v1\n", "schema: eksperiment/v1\nx-owner: [a, {x-b: 1}]\n");
	/* Inside an x-* value nothing is left out. */
	assert_change(find(&f, "x-owner"), EKS_DIFF_ADDED, NULL,
		      "[\"a\",{\"x-b\":1}]", 0, EKS_DIFF_CLASS_NONE);
	release(&f);
}

/* A missing file on either side: every field added or removed. */
static void test_diff_absent_side(void **state)
{
	fixture f = { 0 };

	(void)state;
	diff_texts(&f, NULL, "id: demo\ntitle: T\nstatus: draft\n");
	assert_int_equal(f.diff->count, 4);
	assert_change(find(&f, "id"), EKS_DIFF_ADDED, NULL, "demo", 1,
		      EKS_DIFF_CLASS_MINOR);
	assert_change(find(&f, "status"), EKS_DIFF_ADDED, NULL, "draft", 0,
		      EKS_DIFF_CLASS_NONE);
	assert_change(find(&f, "analysis"), EKS_DIFF_ADDED, NULL,
		      "{\"conf_level\":0.95,\"multiplicity\":\"holm\"}", 1,
		      EKS_DIFF_CLASS_MAJOR);
	assert_int_equal(find(&f, "analysis")->new_default, 1);
	release(&f);
	diff_texts(&f, "id: demo\ntitle: ''\n", NULL);
	assert_int_equal(f.diff->count, 3);
	assert_change(find(&f, "title"), EKS_DIFF_REMOVED, "\"\"", NULL, 1,
		      EKS_DIFF_CLASS_MINOR);
	assert_int_equal(find(&f, "title")->line, 2);
	release(&f);
	/* Invalid files are diffed too. */
	diff_texts(&f, "- a\n", "title: {a: .inf}\n");
	assert_change(find(&f, "title"), EKS_DIFF_ADDED, NULL, "{\"a\":.inf}", 1,
		      EKS_DIFF_CLASS_MINOR);
	release(&f);
	diff_texts(&f, "outcomes: [{id: o, minimum_effect: .inf}]\n",
		   "outcomes: [{id: o, minimum_effect: .Inf}]\n");
	assert_int_equal(f.diff->count, 0);
	release(&f);
	diff_texts(&f, "outcomes: [{id: o, minimum_effect: .inf}]\n",
		   "outcomes: [{id: o, minimum_effect: '.inf'}]\n");
	assert_change(find(&f, "outcomes[o].minimum_effect"), EKS_DIFF_CHANGED,
		      ".inf", "\".inf\"", 1, EKS_DIFF_CLASS_MAJOR);
	release(&f);
}

static void test_diff_path_covers(void **state)
{
	(void)state;
	assert_true(eks_diff_path_covers("hypotheses[H1].margin", "hypotheses[H1].margin"));
	assert_true(eks_diff_path_covers("hypotheses[H1]", "hypotheses[H1].margin"));
	assert_true(eks_diff_path_covers("hypotheses", "hypotheses[H1].margin"));
	assert_true(eks_diff_path_covers("hypotheses[H1].compare", "hypotheses[H1].compare.against"));
	assert_true(eks_diff_path_covers("outcomes[a.b]", "outcomes[a.b].unit"));
	assert_true(eks_diff_path_covers("design", "design.model"));
	assert_false(eks_diff_path_covers("hypotheses[H1]", "hypotheses[H10]"));
	assert_false(eks_diff_path_covers("hypotheses[H1]", "hypotheses[H10].margin"));
	assert_false(eks_diff_path_covers("hypotheses[H1", "hypotheses[H1].margin"));
	assert_false(eks_diff_path_covers("outcomes[a", "outcomes[a.b].unit"));
	assert_false(eks_diff_path_covers("hyp", "hypotheses[H1]"));
	assert_false(eks_diff_path_covers("hypotheses[H1].m", "hypotheses[H1].margin"));
	assert_false(eks_diff_path_covers("hypotheses[H1].margin", "hypotheses[H1]"));
	assert_false(eks_diff_path_covers("design.model", "design"));
	assert_false(eks_diff_path_covers("", "title"));
	assert_false(eks_diff_path_covers(NULL, "title"));
}

/* An amendment must name every changed frozen field; what it does not
 * name is a deviation. */
static void test_diff_amendment_coverage(void **state)
{
	static const char *const one[] = { "hypotheses[H1]" };
	static const char *const other[] = { "outcomes[neet].minimum_effect", "status" };
	static const char *const wrong[] = { "hypotheses[H2]", "outcomes[neet].unit" };
	fixture f = { 0 };
	char *a, *b;
	size_t i;

	(void)state;
	a = edit(base, "    estimator: difference\n",
		 "    estimator: difference\n    test: noninferiority\n    margin: 0.03\n");
	b = edit(a, "minimum_effect: 0.05", "minimum_effect: 0.04");
	free(a);
	a = edit(b, "status: registered", "status: active");
	diff_texts(&f, base, a);
	assert_int_equal(f.diff->count, 4);
	assert_int_equal(eks_diff_frozen_count(f.diff), 3);
	/* Nothing named: three deviations. */
	assert_int_equal(eks_diff_mark_amended(f.diff, NULL, 0), 3);
	assert_int_equal(eks_diff_mark_amended(f.diff, wrong, 2), 3);
	/* One amendment entry covers the hypothesis by prefix ... */
	assert_int_equal(eks_diff_mark_amended(f.diff, one, 1), 1);
	assert_int_equal(find(&f, "hypotheses[H1].test")->amended, 1);
	assert_int_equal(find(&f, "hypotheses[H1].margin")->amended, 1);
	assert_int_equal(find(&f, "outcomes[neet].minimum_effect")->amended, 0);
	/* ... a second one the rest; unfrozen fields never need it. */
	assert_int_equal(eks_diff_mark_amended(f.diff, other, 2), 0);
	for (i = 0; i < f.diff->count; i++)
		if (f.diff->changes[i].frozen)
			assert_int_equal(f.diff->changes[i].amended, 1);
	assert_int_equal(find(&f, "status")->amended, 0);
	release(&f);
	free(a);
	free(b);
	assert_int_equal(eks_diff_mark_amended(NULL, one, 1), 0);
}

static void test_diff_names(void **state)
{
	(void)state;
	assert_string_equal(eks_diff_kind_name(EKS_DIFF_ADDED), "added");
	assert_string_equal(eks_diff_kind_name(EKS_DIFF_REMOVED), "removed");
	assert_string_equal(eks_diff_kind_name(EKS_DIFF_CHANGED), "changed");
	assert_string_equal(eks_diff_class_name(EKS_DIFF_CLASS_MAJOR), "major");
	assert_string_equal(eks_diff_class_name(EKS_DIFF_CLASS_MINOR), "minor");
	assert_string_equal(eks_diff_class_name(EKS_DIFF_CLASS_NONE), "");
	eks_diff_free(NULL);
	eks_log_delta_free(NULL);
}

/* ---- log entries ----------------------------------------------------- */

static const char entry_base[] =
	"id: 20260210T091000Z-0e5f\n"                                /* 1 */
	"kind: observation\n"
	"recorded_at: 2026-02-10T09:10:00Z\n"
	"recorded_by: Kari Nordmann <kari@example>\n"
	"source: NAV follow-up\n"                                     /* 5 */
	"observations:\n"
	"  - {outcome: neet, arm: molde, timepoint: t1, n: 120, events: 14}\n"
	"  - {outcome: neet, arm: kristiansund, timepoint: t1, n: 118, events: 25}\n"
	"  - {outcome: wellbeing, arm: molde, timepoint: t1, n: 96, mean: 6.9, sd: 1.8}\n";

static void entry_texts(fixture *f, const char *old_text, const char *new_text)
{
	f->old_file = old_text ? parse(old_text) : NULL;
	f->new_file = new_text ? parse(new_text) : NULL;
	assert_int_equal(eks_entry_diff(&f->diff,
					f->old_file ? f->old_file->documents[0] : NULL,
					f->new_file ? f->new_file->documents[0] : NULL), 0);
	assert_non_null(f->diff);
}

/* Diff `entry_base` against itself with one edit. */
static void entry_edit(fixture *f, const char *from, const char *to)
{
	char *changed = edit(entry_base, from, to);

	entry_texts(f, entry_base, changed);
	free(changed);
}

/* The paths of the changes, joined with ' ', in their order. */
static const char *paths_of(const fixture *f)
{
	static char text[1024];
	eks_buf b = EKS_BUF_INIT;
	size_t i;

	for (i = 0; i < f->diff->count; i++)
		eks_buf_printf(&b, "%s%s", i ? " " : "", f->diff->changes[i].path);
	snprintf(text, sizeof(text), "%s", eks_buf_cstr(&b));
	eks_buf_dispose(&b);
	return text;
}

static void test_diff_entry_observations_by_label(void **state)
{
	fixture f = { 0 };
	const eks_field_change *c;

	(void)state;
	/* a count inside an observation, named by outcome/arm/timepoint */
	entry_edit(&f, "n: 120, events: 14", "n: 90, events: 12");
	assert_string_equal(paths_of(&f),
			    "observations[neet/molde/t1].n observations[neet/molde/t1].events");
	c = find(&f, "observations[neet/molde/t1].n");
	assert_change(c, EKS_DIFF_CHANGED, "120", "90", 0, EKS_DIFF_CLASS_NONE);
	assert_int_equal(c->line, 7);
	assert_int_equal(c->col, 48);
	assert_change(find(&f, "observations[neet/molde/t1].events"), EKS_DIFF_CHANGED,
		      "14", "12", 0, EKS_DIFF_CLASS_NONE);
	release(&f);

	/* the same arm and timepoint of another outcome is another label */
	entry_edit(&f, "mean: 6.9", "mean: 7.1");
	assert_string_equal(paths_of(&f), "observations[wellbeing/molde/t1].mean");
	assert_change(&f.diff->changes[0], EKS_DIFF_CHANGED, "6.9", "7.1", 0,
		      EKS_DIFF_CLASS_NONE);
	release(&f);

	/* a field added to and one removed from an observation */
	entry_edit(&f, "n: 96, mean: 6.9, sd: 1.8", "n: 96, mean: 6.9, values: [6, 7]");
	assert_string_equal(paths_of(&f),
			    "observations[wellbeing/molde/t1].values "
			    "observations[wellbeing/molde/t1].sd");
	assert_change(&f.diff->changes[0], EKS_DIFF_ADDED, NULL, "[6,7]", 0, EKS_DIFF_CLASS_NONE);
	assert_change(&f.diff->changes[1], EKS_DIFF_REMOVED, "1.8", NULL, 0, EKS_DIFF_CLASS_NONE);
	release(&f);

	/* observations are paired by label, not by position */
	entry_texts(&f, entry_base,
		    "id: 20260210T091000Z-0e5f\n"
		    "kind: observation\n"
		    "recorded_at: 2026-02-10T09:10:00Z\n"
		    "recorded_by: Kari Nordmann <kari@example>\n"
		    "source: NAV follow-up\n"
		    "observations:\n"
		    "  - {outcome: wellbeing, arm: molde, timepoint: t1, n: 96, mean: 6.9, sd: 1.8}\n"
		    "  - {outcome: neet, arm: kristiansund, timepoint: t1, n: 118, events: 25}\n"
		    "  - {outcome: neet, arm: molde, timepoint: t1, n: 121, events: 14}\n");
	assert_string_equal(paths_of(&f), "observations[neet/molde/t1].n");
	assert_change(&f.diff->changes[0], EKS_DIFF_CHANGED, "120", "121", 0, EKS_DIFF_CLASS_NONE);
	assert_int_equal(f.diff->changes[0].line, 9);
	release(&f);
}

static void test_diff_entry_observation_added_and_removed(void **state)
{
	fixture f = { 0 };
	const eks_field_change *c;

	(void)state;
	/* one taken out: the whole observation, where it was */
	entry_edit(&f, "  - {outcome: neet, arm: kristiansund, timepoint: t1, n: 118, events: 25}\n",
		   "");
	assert_string_equal(paths_of(&f), "observations[neet/kristiansund/t1]");
	c = &f.diff->changes[0];
	assert_change(c, EKS_DIFF_REMOVED,
		      "{\"arm\":\"kristiansund\",\"events\":25,\"n\":118,"
		      "\"outcome\":\"neet\",\"timepoint\":\"t1\"}",
		      NULL, 0, EKS_DIFF_CLASS_NONE);
	assert_int_equal(c->line, 8);
	release(&f);

	/* one added, one whose arm changed (a new label, the old one gone):
	 * new ones in the new order, removed ones last */
	entry_texts(&f, entry_base,
		    "id: 20260210T091000Z-0e5f\n"
		    "kind: observation\n"
		    "recorded_at: 2026-02-10T09:10:00Z\n"
		    "recorded_by: Kari Nordmann <kari@example>\n"
		    "source: NAV follow-up\n"
		    "observations:\n"
		    "  - {outcome: neet, arm: molde, timepoint: t0, n: 120, events: 41}\n"
		    "  - {outcome: neet, arm: molde, timepoint: t1, n: 120, events: 14}\n"
		    "  - {outcome: neet, arm: aalesund, timepoint: t1, n: 118, events: 25}\n"
		    "  - {outcome: wellbeing, arm: molde, timepoint: t1, n: 96, mean: 6.9, sd: 1.8}\n");
	assert_string_equal(paths_of(&f),
			    "observations[neet/molde/t0] observations[neet/aalesund/t1] "
			    "observations[neet/kristiansund/t1]");
	c = &f.diff->changes[0];
	assert_change(c, EKS_DIFF_ADDED, NULL,
		      "{\"arm\":\"molde\",\"events\":41,\"n\":120,"
		      "\"outcome\":\"neet\",\"timepoint\":\"t0\"}", 0, EKS_DIFF_CLASS_NONE);
	assert_int_equal(c->line, 7);
	assert_int_equal(f.diff->changes[1].kind, EKS_DIFF_ADDED);
	assert_int_equal(f.diff->changes[1].line, 9);
	assert_int_equal(f.diff->changes[2].kind, EKS_DIFF_REMOVED);
	assert_int_equal(f.diff->changes[2].line, 8);
	release(&f);
}

static void test_diff_entry_fields(void **state)
{
	static const char note[] =
		"id: 20260211T080000Z-77b0\n"
		"kind: adjustment\n"
		"recorded_at: 2026-02-11T08:00:00Z\n"
		"recorded_by: Ola Hansen <ola@example>\n"
		"note: Home visits also on Saturdays.\n"
		"x-case: {ref: 17, site: \"1506\"}\n";
	fixture f = { 0 };
	char *changed, *more;

	(void)state;
	/* the note, by its name */
	changed = edit(note, "also on Saturdays.", "also on Sundays.");
	entry_texts(&f, note, changed);
	assert_string_equal(paths_of(&f), "note");
	assert_change(&f.diff->changes[0], EKS_DIFF_CHANGED, "Home visits also on Saturdays.",
		      "Home visits also on Sundays.", 0, EKS_DIFF_CLASS_NONE);
	assert_int_equal(f.diff->changes[0].line, 5);
	assert_int_equal(f.diff->changes[0].col, 1);
	release(&f);

	/* fields of a mapping inside an entry, x-* included; a number is
	 * not the text of its digits; a field added, one removed */
	more = edit(changed, "x-case: {ref: 17, site: \"1506\"}\n",
		    "x-case: {ref: 18, site: 1506}\nsupersedes: 20260210T091000Z-0e5f\n");
	free(changed);
	changed = edit(more, "recorded_by: Ola Hansen <ola@example>\n", "");
	entry_texts(&f, note, changed);
	assert_string_equal(paths_of(&f), "note x-case.ref x-case.site supersedes recorded_by");
	assert_change(find(&f, "x-case.ref"), EKS_DIFF_CHANGED, "17", "18", 0,
		      EKS_DIFF_CLASS_NONE);
	assert_change(find(&f, "x-case.site"), EKS_DIFF_CHANGED, "\"1506\"", "1506", 0,
		      EKS_DIFF_CLASS_NONE);
	assert_change(find(&f, "supersedes"), EKS_DIFF_ADDED, NULL, "20260210T091000Z-0e5f", 0,
		      EKS_DIFF_CLASS_NONE);
	assert_change(find(&f, "recorded_by"), EKS_DIFF_REMOVED, "Ola Hansen <ola@example>",
		      NULL, 0, EKS_DIFF_CLASS_NONE);
	assert_int_equal(find(&f, "recorded_by")->line, 4);
	assert_int_equal(eks_diff_frozen_count(f.diff), 0);
	release(&f);
	free(more);
	free(changed);

	/* the kind of an entry is a field like the others */
	changed = edit(note, "kind: adjustment", "kind: note");
	entry_texts(&f, note, changed);
	assert_string_equal(paths_of(&f), "kind");
	assert_change(&f.diff->changes[0], EKS_DIFF_CHANGED, "adjustment", "note", 0,
		      EKS_DIFF_CLASS_NONE);
	release(&f);
	free(changed);
}

/* Observations whose labels repeat (or are missing) cannot be paired:
 * the list is compared as one value. */
static void test_diff_entry_repeated_labels(void **state)
{
	static const char twice[] =
		"id: 20260212T080000Z-aaaa\n"
		"kind: observation\n"
		"observations:\n"
		"  - {outcome: neet, arm: molde, timepoint: t1, n: 60, events: 7}\n"
		"  - {outcome: neet, arm: molde, timepoint: t1, n: 60, events: 8}\n";
	fixture f = { 0 };
	char *changed;

	(void)state;
	changed = edit(twice, "events: 8", "events: 9");
	entry_texts(&f, twice, changed);
	assert_string_equal(paths_of(&f), "observations");
	assert_change(&f.diff->changes[0], EKS_DIFF_CHANGED,
		      "[{\"arm\":\"molde\",\"events\":7,\"n\":60,\"outcome\":\"neet\",\"timepoint\":\"t1\"},"
		      "{\"arm\":\"molde\",\"events\":8,\"n\":60,\"outcome\":\"neet\",\"timepoint\":\"t1\"}]",
		      "[{\"arm\":\"molde\",\"events\":7,\"n\":60,\"outcome\":\"neet\",\"timepoint\":\"t1\"},"
		      "{\"arm\":\"molde\",\"events\":9,\"n\":60,\"outcome\":\"neet\",\"timepoint\":\"t1\"}]",
		      0, EKS_DIFF_CLASS_NONE);
	assert_int_equal(f.diff->changes[0].line, 3);   /* the key */
	release(&f);
	free(changed);

	/* a repeat on one side only is enough */
	changed = edit(entry_base, "arm: kristiansund", "arm: molde");
	entry_texts(&f, entry_base, changed);
	assert_string_equal(paths_of(&f), "observations");
	assert_int_equal(f.diff->changes[0].kind, EKS_DIFF_CHANGED);
	release(&f);
	free(changed);

	/* an observation without an arm has no label */
	changed = edit(entry_base, "arm: kristiansund, ", "");
	entry_texts(&f, entry_base, changed);
	assert_string_equal(paths_of(&f), "observations");
	release(&f);
	free(changed);

	/* the same list, unchanged, is no change */
	entry_texts(&f, twice, twice);
	assert_int_equal(f.diff->count, 0);
	release(&f);
}

static void test_diff_entry_reformatted_not_a_change(void **state)
{
	/* block style, other key order, quoting, number spellings, a
	 * folded note, comments */
	static const char reformatted[] =
		"# the NAV data\n"
		"kind: \"observation\"\n"
		"id: '20260210T091000Z-0e5f'\n"
		"recorded_by: \"Kari Nordmann <kari@example>\"\n"
		"recorded_at: 2026-02-10T09:10:00Z\n"
		"source: >-\n"
		"  NAV\n"
		"  follow-up\n"
		"observations:\n"
		"  - outcome: neet\n"
		"    arm: molde\n"
		"    timepoint: t1\n"
		"    events: 0x0E   # hexadecimal 14\n"
		"    n: 120.0\n"
		"  - {outcome: neet, arm: kristiansund, timepoint: t1, n: +118, events: 25}\n"
		"  - outcome: wellbeing\n"
		"    arm: molde\n"
		"    timepoint: t1\n"
		"    n: 96\n"
		"    mean: 69e-1\n"
		"    sd: 1.80\n";
	fixture f = { 0 };

	(void)state;
	entry_texts(&f, entry_base, reformatted);
	assert_int_equal(f.diff->count, 0);
	release(&f);
	entry_texts(&f, "{id: x, kind: note, note: a}\n", "id: x\nkind: note\nnote: 'a'\n");
	assert_int_equal(f.diff->count, 0);
	release(&f);
}

static void test_diff_entry_absent_side(void **state)
{
	fixture f = { 0 };

	(void)state;
	entry_texts(&f, NULL, "id: x\nkind: note\nnote: a\n");
	assert_string_equal(paths_of(&f), "id kind note");
	assert_change(&f.diff->changes[2], EKS_DIFF_ADDED, NULL, "a", 0, EKS_DIFF_CLASS_NONE);
	release(&f);
	entry_texts(&f, "id: x\nkind: note\nnote: a\n", NULL);
	assert_string_equal(paths_of(&f), "id kind note");
	assert_change(&f.diff->changes[0], EKS_DIFF_REMOVED, "x", NULL, 0, EKS_DIFF_CLASS_NONE);
	release(&f);
	/* a document that is not a mapping counts as empty */
	entry_texts(&f, "[1, 2]\n", "id: x\n");
	assert_string_equal(paths_of(&f), "id");
	release(&f);
	entry_texts(&f, NULL, NULL);
	assert_int_equal(f.diff->count, 0);
	release(&f);
}

/* ---- logs ------------------------------------------------------------ */

static const char log_base[] =
	"---\n"
	"id: 20260115T101500Z-8f3a\n"
	"kind: observation\n"
	"recorded_at: 2026-01-15T10:15:00Z\n"
	"recorded_by: Kari Nordmann <kari@example>\n"
	"observations:\n"
	"  - {outcome: neet, arm: molde, timepoint: t1, n: 120, events: 14}\n"
	"---\n"
	"id: 20260116T090000Z-1b2c\n"
	"kind: note\n"
	"recorded_at: 2026-01-16T09:00:00Z\n"
	"recorded_by: Kari Nordmann <kari@example>\n"
	"note: first data in\n";

static eks_log_delta *log_diff(const char *old_text, const char *new_text)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_log_delta *d = NULL;

	assert_int_equal(eks_log_diff_bytes(&d, old_text,
					    old_text ? strlen(old_text) : 0,
					    new_text,
					    new_text ? strlen(new_text) : 0,
					    &diags), 0);
	assert_int_equal(diags.count, 0);
	assert_non_null(d);
	return d;
}

static void test_diff_log_append_only(void **state)
{
	eks_log_delta *d;
	char *appended;

	(void)state;
	d = log_diff(log_base, log_base);
	assert_int_equal(d->count, 0);
	eks_log_delta_free(d);

	appended = edit(log_base, "note: first data in\n",
			"note: first data in\n"
			"---\n"
			"id: 20260120T120000Z-aaaa\n"
			"kind: amendment\n"
			"recorded_at: 2026-01-20T12:00:00Z\n"
			"recorded_by: Kari <k@example>\n"
			"paths: [\"hypotheses[H1].margin\"]\n"
			"class: major\n"
			"reason: better margin\n");
	d = log_diff(log_base, appended);
	assert_int_equal(d->count, 1);
	assert_int_equal(d->added, 1);
	assert_int_equal(d->changed + d->removed, 0);
	assert_int_equal(d->changes[0].kind, EKS_DIFF_ADDED);
	assert_string_equal(d->changes[0].id, "20260120T120000Z-aaaa");
	assert_int_equal(d->changes[0].document, 2);
	assert_int_equal(d->changes[0].line, 15);
	assert_int_equal(d->changes[0].col, 1);
	eks_log_delta_free(d);
	free(appended);

	/* A new log: every entry added. */
	d = log_diff(NULL, log_base);
	assert_int_equal(d->added, 2);
	assert_string_equal(d->changes[0].id, "20260115T101500Z-8f3a");
	eks_log_delta_free(d);
}

static void test_diff_log_rewritten(void **state)
{
	eks_log_delta *d;
	char *changed, *removed;

	(void)state;
	/* A number in an old entry changed. */
	changed = edit(log_base, "n: 120", "n: 121");
	d = log_diff(log_base, changed);
	assert_int_equal(d->count, 1);
	assert_int_equal(d->changed, 1);
	assert_int_equal(d->changes[0].kind, EKS_DIFF_CHANGED);
	assert_string_equal(d->changes[0].id, "20260115T101500Z-8f3a");
	assert_int_equal(d->changes[0].line, 2);
	eks_log_delta_free(d);
	free(changed);

	/* An entry taken out. */
	removed = edit(log_base, "---\nid: 20260115T101500Z-8f3a\nkind: observation\n"
		       "recorded_at: 2026-01-15T10:15:00Z\n"
		       "recorded_by: Kari Nordmann <kari@example>\n"
		       "observations:\n"
		       "  - {outcome: neet, arm: molde, timepoint: t1, n: 120, events: 14}\n", "");
	d = log_diff(log_base, removed);
	assert_int_equal(d->count, 1);
	assert_int_equal(d->removed, 1);
	assert_int_equal(d->changes[0].kind, EKS_DIFF_REMOVED);
	assert_string_equal(d->changes[0].id, "20260115T101500Z-8f3a");
	assert_int_equal(d->changes[0].document, 0);
	assert_int_equal(d->changes[0].line, 2);
	eks_log_delta_free(d);
	free(removed);
}

/* Reformatting an entry, or reordering entries, is no change. */
static void test_diff_log_reformatted_not_a_change(void **state)
{
	static const char reformatted[] =
		"# reordered and restyled\n"
		"--- {id: 20260116T090000Z-1b2c, kind: note, recorded_at: 2026-01-16T09:00:00Z,\n"
		"     recorded_by: 'Kari Nordmann <kari@example>', note: \"first data in\"}\n"
		"---\n"
		"kind: observation\n"
		"id: \"20260115T101500Z-8f3a\"\n"
		"recorded_by: Kari Nordmann <kari@example>\n"
		"recorded_at: 2026-01-15T10:15:00Z\n"
		"observations:\n"
		"  - outcome: neet\n"
		"    arm: molde\n"
		"    timepoint: t1\n"
		"    n: 120.0\n"
		"    events: 0x0E\n"
		"---\n";
	eks_log_delta *d;

	(void)state;
	d = log_diff(log_base, reformatted);
	assert_int_equal(d->count, 0);
	eks_log_delta_free(d);
}

static void test_diff_log_without_ids_and_duplicates(void **state)
{
	eks_log_delta *d;

	(void)state;
	/* Entries without an id are matched by content. */
	d = log_diff("---\nkind: note\nnote: a\n---\nkind: note\nnote: b\n",
		     "---\n{note: b, kind: note}\n---\nkind: note\nnote: c\n");
	assert_int_equal(d->count, 2);
	assert_int_equal(d->changes[0].kind, EKS_DIFF_ADDED);
	assert_null(d->changes[0].id);
	assert_int_equal(d->changes[0].document, 1);
	assert_int_equal(d->changes[1].kind, EKS_DIFF_REMOVED);
	assert_int_equal(d->changes[1].document, 0);
	eks_log_delta_free(d);
	/* A repeated id: matched occurrence by occurrence. */
	d = log_diff("---\nid: a\nnote: 1\n",
		     "---\nid: a\nnote: 1\n---\nid: a\nnote: 2\n");
	assert_int_equal(d->count, 1);
	assert_int_equal(d->changes[0].kind, EKS_DIFF_ADDED);
	assert_string_equal(d->changes[0].id, "a");
	assert_int_equal(d->changes[0].document, 1);
	eks_log_delta_free(d);
}

static void test_diff_log_invalid_yaml(void **state)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_log_delta *d = NULL;
	const char *bad = "---\nid: [unclosed\n";

	(void)state;
	assert_int_equal(eks_log_diff_bytes(&d, log_base, strlen(log_base), bad,
					    strlen(bad), &diags), EKS_EINVALID);
	assert_null(d);
	assert_true(diags.count > 0);
	assert_string_equal(diags.items[0].path, "new log.yaml");
	eks_diag_list_clear(&diags);
	/* Files given as parsed trees; NULL on both sides is an empty diff. */
	assert_int_equal(eks_log_diff(&d, NULL, NULL), 0);
	assert_int_equal(d->count, 0);
	eks_log_delta_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_identical_and_reformatted),
		cmocka_unit_test(test_diff_explicit_defaults_not_a_change),
		cmocka_unit_test(test_diff_path_forms),
		cmocka_unit_test(test_diff_scalar_lists_whole),
		cmocka_unit_test(test_diff_elements_added_and_removed),
		cmocka_unit_test(test_diff_extensions_never_frozen),
		cmocka_unit_test(test_diff_absent_side),
		cmocka_unit_test(test_diff_path_covers),
		cmocka_unit_test(test_diff_amendment_coverage),
		cmocka_unit_test(test_diff_names),
		cmocka_unit_test(test_diff_entry_observations_by_label),
		cmocka_unit_test(test_diff_entry_observation_added_and_removed),
		cmocka_unit_test(test_diff_entry_fields),
		cmocka_unit_test(test_diff_entry_repeated_labels),
		cmocka_unit_test(test_diff_entry_reformatted_not_a_change),
		cmocka_unit_test(test_diff_entry_absent_side),
		cmocka_unit_test(test_diff_log_append_only),
		cmocka_unit_test(test_diff_log_rewritten),
		cmocka_unit_test(test_diff_log_reformatted_not_a_change),
		cmocka_unit_test(test_diff_log_without_ids_and_duplicates),
		cmocka_unit_test(test_diff_log_invalid_yaml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
