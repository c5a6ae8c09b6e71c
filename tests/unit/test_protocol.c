/*
 * test_protocol.c - experiment.yaml: the model and its validation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment.h"

/* A small valid protocol; tests replace one line of it. */
static const char base[] =
	"schema: eksperiment/v1\n"
	"id: test-exp\n"
	"title: A protocol for tests\n"
	"challenge: demografi\n"
	"status: draft\n"
	"dates: {start: 2026-01-01, end: 2026-12-31}\n"
	"partners:\n"
	"  - {name: Molde kommune, role: lead, kommunenummer: \"1506\"}\n"
	"design: {allocation: randomized, model: parallel, unit: person}\n"
	"existing_data: none\n"
	"interventions:\n"
	"  - {id: outreach, name: Outreach team}\n"
	"arms:\n"
	"  - {id: a, label: Outreach, type: experimental, interventions: [outreach]}\n"
	"  - {id: b, label: Usual services, type: comparison}\n"
	"timepoints:\n"
	"  - {id: t0, label: baseline}\n"
	"  - {id: t1, label: 12 months}\n"
	"outcomes:\n"
	"  - {id: neet, role: primary, title: NEET share, measure: proportion, direction: decrease, timepoints: [t0, t1]}\n"
	"  - {id: score, role: secondary, title: Wellbeing, measure: mean, direction: increase, timepoints: [t1]}\n"
	"hypotheses:\n"
	"  - id: H1\n"
	"    statement: Fewer are NEET with outreach.\n"
	"    outcome: neet\n"
	"    compare: {arm: a, against: b}\n"
	"    timepoint: t1\n"
	"    estimator: difference\n";

struct run {
	eks_diag_list diags;
	eks_protocol *protocol;
	int rc;
};

/* Replace the first `old` in base by `new` (NULL: use base as is). */
static char *edit(const char *old, const char *new)
{
	const char *at;
	char *text;
	size_t len;

	if (!old)
		return strdup(base);
	at = strstr(base, old);
	assert_non_null(at);
	len = strlen(base) - strlen(old) + strlen(new) + 1;
	text = malloc(len);
	assert_non_null(text);
	snprintf(text, len, "%.*s%s%s", (int)(at - base), base, new,
		 at + strlen(old));
	return text;
}

static void run_text(struct run *r, const char *text, const char *expected_id,
		     int strict)
{
	eks_diag_list init = EKS_DIAG_LIST_INIT;

	r->diags = init;
	r->protocol = NULL;
	r->rc = eks_validate_protocol(&r->protocol, "experiments/x/experiment.yaml",
				      text, strlen(text), expected_id, strict,
				      &r->diags);
}

static void run_edit(struct run *r, const char *old, const char *new, int strict)
{
	char *text = edit(old, new);

	run_text(r, text, NULL, strict);
	free(text);
}

static void run_free(struct run *r)
{
	eks_protocol_free(r->protocol);
	eks_diag_list_clear(&r->diags);
}

/* The diagnostic at line:col whose message contains `text`, or NULL. */
static const eks_diag *find(const struct run *r, int line, int col,
			    const char *text)
{
	size_t i;

	for (i = 0; i < r->diags.count; i++) {
		const eks_diag *d = &r->diags.items[i];
		if ((line == 0 || (d->line == line && d->col == col)) &&
		    strstr(d->message, text))
			return d;
	}
	for (i = 0; i < r->diags.count; i++)
		fprintf(stderr, "  %d:%d %s\n", r->diags.items[i].line,
			r->diags.items[i].col, r->diags.items[i].message);
	return NULL;
}

static void test_protocol_base_is_valid(void **state)
{
	struct run r;

	(void)state;
	run_edit(&r, NULL, NULL, 0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.count, 0);
	run_free(&r);
	run_edit(&r, NULL, NULL, 1);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.count, 0);
	run_free(&r);
}

static void test_protocol_reads_fields_and_defaults(void **state)
{
	const eks_hypothesis *h;
	const eks_outcome *o;
	struct run r;

	(void)state;
	run_edit(&r, NULL, NULL, 0);
	assert_non_null(r.protocol);
	assert_string_equal(r.protocol->schema, EKS_SCHEMA);
	assert_string_equal(r.protocol->id, "test-exp");
	assert_string_equal(r.protocol->challenge, "demografi");
	assert_int_equal(r.protocol->status, EKS_STATUS_DRAFT);
	assert_string_equal(r.protocol->start_date, "2026-01-01");
	assert_string_equal(r.protocol->end_date, "2026-12-31");
	assert_int_equal(r.protocol->partners_count, 1);
	assert_string_equal(r.protocol->partners[0].kommunenummer, "1506");
	assert_string_equal(r.protocol->model, "parallel");
	assert_int_equal(r.protocol->arms_count, 2);
	assert_int_equal(r.protocol->arms[0].interventions_count, 1);
	assert_string_equal(r.protocol->arms[0].interventions[0], "outreach");
	o = eks_protocol_outcome(r.protocol, "score");
	assert_non_null(o);
	assert_int_equal(o->measure, EKS_MEASURE_MEAN);
	assert_int_equal(o->direction, EKS_DIRECTION_INCREASE);
	assert_false(o->has_minimum_effect);
	assert_true(eks_outcome_has_timepoint(o, "t1"));
	assert_false(eks_outcome_has_timepoint(o, "t0"));
	assert_non_null(eks_protocol_arm(r.protocol, "b"));
	assert_null(eks_protocol_arm(r.protocol, "c"));
	assert_non_null(eks_protocol_timepoint(r.protocol, "t0"));
	h = eks_protocol_hypothesis(r.protocol, "H1");
	assert_non_null(h);
	assert_string_equal(h->arm, "a");
	assert_string_equal(h->against, "b");
	assert_false(h->has_against_value);
	assert_int_equal(h->estimator, EKS_ESTIMATOR_DIFFERENCE);
	/* Defaults of SPEC 2.1. */
	assert_int_equal(h->test, EKS_TEST_SUPERIORITY);
	assert_int_equal(h->method, EKS_METHOD_AUTO);
	assert_true(h->alpha == 0.05);
	assert_int_equal(h->family, EKS_FAMILY_CONFIRMATORY);
	assert_int_equal(r.protocol->multiplicity, EKS_MULTIPLICITY_HOLM);
	assert_true(r.protocol->conf_level == 0.95);
	assert_int_equal(r.protocol->evidence_level, 0);
	run_free(&r);
}

static void test_protocol_reads_optional_hypothesis_fields(void **state)
{
	const eks_hypothesis *h;
	struct run r;

	(void)state;
	run_edit(&r, "    estimator: difference\n",
		 "    estimator: difference\n"
		 "    test: noninferiority\n"
		 "    margin: 0.03\n"
		 "    minimum_effect: 0.01\n"
		 "    method: yates\n"
		 "    alpha: 0.025\n"
		 "    family: exploratory\n"
		 "analysis: {multiplicity: bonferroni, conf_level: 0.9, plan: Simple.}\n"
		 "evidence_level: 4\n", 0);
	assert_int_equal(r.rc, 0);
	h = &r.protocol->hypotheses[0];
	assert_int_equal(h->test, EKS_TEST_NONINFERIORITY);
	assert_true(h->has_margin && h->margin == 0.03);
	assert_true(h->has_minimum_effect && h->minimum_effect == 0.01);
	assert_int_equal(h->method, EKS_METHOD_YATES);
	assert_true(h->alpha == 0.025);
	assert_int_equal(h->family, EKS_FAMILY_EXPLORATORY);
	assert_int_equal(r.protocol->multiplicity, EKS_MULTIPLICITY_BONFERRONI);
	assert_true(r.protocol->conf_level == 0.9);
	assert_string_equal(r.protocol->analysis_plan, "Simple.");
	assert_int_equal(r.protocol->evidence_level, 4);
	run_free(&r);
}

static void test_protocol_id_must_match_directory(void **state)
{
	struct run r;
	char *text = edit(NULL, NULL);

	(void)state;
	run_text(&r, text, "test-exp", 0);
	assert_int_equal(r.rc, 0);
	run_free(&r);
	run_text(&r, text, "other-dir", 0);
	assert_int_equal(r.rc, EKS_EINVALID);
	assert_non_null(find(&r, 2, 5, "'id' is 'test-exp' but the directory is "
			     "named 'other-dir'"));
	run_free(&r);
	free(text);
}

static void test_protocol_unknown_keys_did_you_mean(void **state)
{
	struct run r;

	(void)state;
	run_edit(&r, "hypotheses:\n", "hypothesis:\n", 0);
	assert_int_equal(r.rc, EKS_EINVALID);
	assert_non_null(find(&r, 22, 1, "unknown key 'hypothesis'; did you mean "
			     "'hypotheses'?"));
	run_free(&r);

	/* Nothing close: the valid keys are listed instead. */
	run_edit(&r, "status: draft\n", "status: draft\nfavourite_colour: blue\n", 0);
	assert_non_null(find(&r, 6, 1, "unknown key 'favourite_colour'; the keys "
			     "allowed here are schema, id, title"));
	run_free(&r);
}

static void test_protocol_extension_keys_accepted(void **state)
{
	struct run r;

	(void)state;
	run_edit(&r, "status: draft\n",
		 "status: draft\n"
		 "x-internal: {ticket: 42, tags: [a, b]}\n"
		 "x-note: anything\n", 0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.count, 0);
	run_free(&r);
	/* Also inside a nested mapping. */
	run_edit(&r, "title: NEET share,", "title: NEET share, x-ssb-table: 12423,", 0);
	assert_int_equal(r.rc, 0);
	run_free(&r);
}

static void test_protocol_collects_every_problem(void **state)
{
	struct run r;
	char *a = edit("challenge: demografi", "challenge: youth");
	char *b, *c;
	const char *at;

	(void)state;
	at = strstr(a, "status: draft");
	b = malloc(strlen(a) + 10);
	snprintf(b, strlen(a) + 10, "%.*sstatus: going%s", (int)(at - a), a,
		 at + strlen("status: draft"));
	at = strstr(b, "outcome: neet");
	c = malloc(strlen(b) + 10);
	snprintf(c, strlen(b) + 10, "%.*soutcome: nete%s", (int)(at - b), b,
		 at + strlen("outcome: neet"));
	run_text(&r, c, NULL, 0);
	assert_int_equal(r.rc, EKS_EINVALID);
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_ERROR), 3);
	/* Sorted by position. */
	assert_int_equal(r.diags.items[0].line, 4);
	assert_int_equal(r.diags.items[1].line, 5);
	assert_int_equal(r.diags.items[2].line, 25);
	assert_non_null(find(&r, 4, 12, "'challenge' must be one of "
			     "ungt_utenforskap, demografi, klima_miljo, annet; "
			     "found 'youth'"));
	assert_non_null(find(&r, 25, 14, "did you mean 'neet'?"));
	/* What could be read is still there. */
	assert_non_null(r.protocol);
	assert_string_equal(r.protocol->title, "A protocol for tests");
	run_free(&r);
	free(a);
	free(b);
	free(c);
}

static void test_protocol_kommunenummer_needs_quotes(void **state)
{
	struct run r;

	(void)state;
	run_edit(&r, "kommunenummer: \"1506\"", "kommunenummer: 0301", 0);
	assert_int_equal(r.rc, EKS_EINVALID);
	assert_non_null(find(&r, 8, 54, "write kommunenummer in quotes, as "
			     "\"0301\": without quotes YAML reads it as a number "
			     "and drops the leading zero"));
	run_free(&r);
	run_edit(&r, "kommunenummer: \"1506\"", "kommunenummer: '0301'", 0);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.protocol->partners[0].kommunenummer, "0301");
	run_free(&r);
}

static void test_protocol_numbers_must_be_plain(void **state)
{
	struct run r;

	(void)state;
	run_edit(&r, "status: draft\n", "status: draft\nevidence_level: \"5\"\n", 0);
	assert_non_null(find(&r, 6, 17, "must be a whole number from 1 to 5, "
			     "written without quotes; found the quoted text \"5\""));
	run_free(&r);
	run_edit(&r, "status: draft\n", "status: draft\nevidence_level: [5]\n", 0);
	assert_non_null(find(&r, 6, 17, "found a list"));
	run_free(&r);
	/* Text may be plain even when it looks like a number. */
	run_edit(&r, "title: A protocol for tests", "title: 2026", 0);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.protocol->title, "2026");
	run_free(&r);
}

static void test_protocol_dates(void **state)
{
	struct run r;

	(void)state;
	run_edit(&r, "start: 2026-01-01", "start: 2024-02-29", 0);
	assert_int_equal(r.rc, 0);          /* 2024 is a leap year */
	run_free(&r);
	run_edit(&r, "start: 2026-01-01", "start: 2025-02-29", 0);
	assert_non_null(find(&r, 6, 16, "a day that does not exist"));
	run_free(&r);
	run_edit(&r, "start: 2026-01-01", "start: 2026-13-01", 0);
	assert_non_null(find(&r, 6, 16, "does not exist"));
	run_free(&r);
	run_edit(&r, "end: 2026-12-31", "end: 2026-01-01", 0);
	assert_int_equal(r.rc, 0);          /* end == start is fine */
	run_free(&r);
}

static void test_protocol_strict_needs_completeness(void **state)
{
	struct run r;

	(void)state;
	/* Without dates: fine for a draft, not for registration. */
	run_edit(&r, "dates: {start: 2026-01-01, end: 2026-12-31}\n", "", 0);
	assert_int_equal(r.rc, 0);
	run_free(&r);
	run_edit(&r, "dates: {start: 2026-01-01, end: 2026-12-31}\n", "", 1);
	assert_int_equal(r.rc, EKS_EINVALID);
	assert_non_null(find(&r, 1, 1, "registration needs the planned start and end"));
	run_free(&r);
	run_edit(&r, "dates: {start: 2026-01-01, end: 2026-12-31}",
		 "dates: {start: 2026-01-01}", 1);
	assert_non_null(find(&r, 6, 9, "missing required key 'end'"));
	run_free(&r);

	/* An empty statement: a draft may have one, a registration not. */
	run_edit(&r, "statement: Fewer are NEET with outreach.", "statement:", 0);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.protocol->hypotheses[0].statement, "");
	run_free(&r);
	run_edit(&r, "statement: Fewer are NEET with outreach.", "statement: \"\"", 1);
	assert_non_null(find(&r, 24, 5, "the statement in hypothesis 'H1' is empty"));
	run_free(&r);
	/* Exploratory hypotheses are not held to it. */
	run_edit(&r, "statement: Fewer are NEET with outreach.",
		 "statement: \"\"\n    family: exploratory", 1);
	assert_int_equal(r.rc, 0);
	run_free(&r);
	/* A threshold test needs a minimum effect to compare with. */
	run_edit(&r, "    estimator: difference\n",
		 "    estimator: difference\n    test: threshold\n", 1);
	assert_non_null(find(&r, 23, 5, "a threshold test compares the estimate "
			     "with minimum_effect"));
	run_free(&r);
	run_edit(&r, "    estimator: difference\n",
		 "    estimator: difference\n    test: threshold\n", 0);
	assert_int_equal(r.rc, 0);
	run_free(&r);
}

static void test_protocol_method_must_fit(void **state)
{
	static const struct {
		const char *outcome, *compare, *method;
		int ok;
	} cases[] = {
		{ "neet", "{arm: a, against: b}", "newcombe", 1 },
		{ "neet", "{arm: a, against: b}", "yates", 1 },
		{ "neet", "{arm: a, against: b}", "fisher", 1 },
		{ "neet", "{arm: a, against: b}", "wilson", 0 },
		{ "neet", "{arm: a, against: b}", "welch", 0 },
		{ "neet", "{arm: a, against_value: 0.2}", "wilson", 1 },
		{ "neet", "{arm: a, against_value: 0.2}", "exact", 1 },
		{ "neet", "{arm: a, against_value: 0.2}", "newcombe", 0 },
		{ "score", "{arm: a, against: b}", "welch", 1 },
		{ "score", "{arm: a, against: b}", "student", 1 },
		{ "score", "{arm: a, against: b}", "fisher", 0 },
		{ "score", "{arm: a, against_value: 6.5}", "welch", 0 },
		{ "score", "{arm: a, against_value: 6.5}", "auto", 1 },
		{ "neet", "{arm: a, against_value: 0.2}", "auto", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;
		char text[2048];
		const char *hyp = strstr(base, "    outcome: neet");

		snprintf(text, sizeof(text), "%.*s    outcome: %s\n    compare: %s\n"
			 "    timepoint: t1\n    estimator: difference\n"
			 "    method: %s\n", (int)(hyp - base), base,
			 cases[i].outcome, cases[i].compare, cases[i].method);
		run_text(&r, text, NULL, 0);
		if (cases[i].ok) {
			if (r.rc)
				find(&r, 0, 0, "(print)");
			assert_int_equal(r.rc, 0);
		} else {
			assert_int_equal(r.rc, EKS_EINVALID);
			assert_non_null(find(&r, 29, 13, "does not fit this hypothesis"));
		}
		run_free(&r);
	}
}

static void test_protocol_against_value_of_proportion(void **state)
{
	struct run r;

	(void)state;
	run_edit(&r, "{arm: a, against: b}", "{arm: a, against_value: 0}", 0);
	assert_non_null(find(&r, 26, 38, "'against_value' must lie between 0 and 1"));
	run_free(&r);
	run_edit(&r, "{arm: a, against: b}", "{arm: a, against_value: 0.15}", 0);
	assert_int_equal(r.rc, 0);
	assert_true(r.protocol->hypotheses[0].has_against_value);
	assert_true(r.protocol->hypotheses[0].against_value == 0.15);
	assert_null(r.protocol->hypotheses[0].against);
	run_free(&r);
	run_edit(&r, "{arm: a, against: b}", "{arm: a, against_value: \"0.15\"}", 0);
	assert_non_null(find(&r, 26, 38, "written without quotes"));
	run_free(&r);
}

static void test_protocol_estimators_and_design(void **state)
{
	struct run r;

	(void)state;
	/* did with a baseline on the outcome's timepoints is fine. */
	run_edit(&r, "    estimator: difference", "    baseline: t0\n    estimator: did", 0);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.protocol->hypotheses[0].baseline, "t0");
	assert_int_equal(r.protocol->hypotheses[0].estimator, EKS_ESTIMATOR_DID);
	run_free(&r);
	run_edit(&r, "    estimator: difference", "    baseline: t1\n    estimator: did", 0);
	assert_non_null(find(&r, 28, 15, "the baseline must be the earlier"));
	run_free(&r);
	/* An empty value is as good as none. */
	run_edit(&r, "    estimator: difference", "    baseline:\n    estimator: did\n"
		 "    test: equivalence\n    margin: ~", 0);
	assert_non_null(find(&r, 23, 5, "missing required key 'baseline'"));
	assert_non_null(find(&r, 23, 5, "missing required key 'margin'"));
	run_free(&r);
	run_edit(&r, "    estimator: difference", "    estimator: odds_ratio", 0);
	assert_int_equal(r.rc, 0);
	run_free(&r);
	run_edit(&r, "{arm: a, against: b}", "{arm: a, against_value: 0.2}\n"
		 "    x-dummy: 1", 0);
	assert_int_equal(r.rc, 0);
	run_free(&r);
	run_edit(&r, "    estimator: difference", "    estimator: ratio\n"
		 "    margin: 0.1", 0);
	/* A margin with a superiority test is only a warning. */
	assert_int_equal(r.rc, 0);
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_WARNING), 1);
	assert_non_null(find(&r, 29, 13, "'margin' is used only by noninferiority"));
	run_free(&r);
	run_edit(&r, "model: parallel", "model: before_after", 0);
	assert_int_equal(r.rc, 0);
	run_free(&r);
}

/* SPEC 6.3: settings a margin test ignores are warned about, not errors. */
static void test_protocol_margin_tests_warn_about_what_they_ignore(void **state)
{
	struct run r;

	(void)state;
	run_edit(&r, "    estimator: difference", "    estimator: difference\n"
		 "    test: noninferiority\n    margin: 0.1\n    alpha: 0.1\n    method: fisher", 0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_WARNING), 2);
	assert_non_null(find(&r, 31, 12, "'alpha' has no effect on a noninferiority test"));
	assert_non_null(find(&r, 32, 13, "method 'fisher' gives only a p-value"));
	run_free(&r);
	/* alpha sets the TOST level of an equivalence test; fisher is a
	 * superiority test's own */
	run_edit(&r, "    estimator: difference", "    estimator: difference\n"
		 "    test: equivalence\n    margin: 0.1\n    alpha: 0.1", 0);
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_WARNING), 0);
	run_free(&r);
	run_edit(&r, "    estimator: difference", "    estimator: difference\n"
		 "    method: fisher", 0);
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_WARNING), 0);
	run_free(&r);
}

static void test_protocol_not_a_mapping(void **state)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_protocol *p = (eks_protocol *)1;

	(void)state;
	assert_int_equal(eks_protocol_parse(&p, NULL, "e.yaml", NULL, &diags),
			 EKS_EINVALID);
	assert_null(p);
	assert_int_equal(diags.count, 1);
	assert_int_equal(diags.items[0].line, 1);
	assert_non_null(strstr(diags.items[0].message, "is empty"));
	eks_diag_list_clear(&diags);
	eks_protocol_free(NULL);
}

static void test_protocol_id_rules(void **state)
{
	char long_id[70];

	(void)state;
	assert_true(eks_experiment_id_valid("uu-molde-outreach"));
	assert_true(eks_experiment_id_valid("0"));
	assert_false(eks_experiment_id_valid("-a"));
	assert_false(eks_experiment_id_valid("Abc"));
	assert_false(eks_experiment_id_valid("a_b"));
	assert_false(eks_experiment_id_valid("../etc"));
	assert_false(eks_experiment_id_valid(""));
	assert_false(eks_experiment_id_valid(NULL));
	memset(long_id, 'a', 64);
	long_id[64] = '\0';
	assert_true(eks_experiment_id_valid(long_id));
	assert_true(eks_local_id_valid(long_id));
	long_id[64] = 'a';
	long_id[65] = '\0';
	assert_false(eks_experiment_id_valid(long_id));
	assert_false(eks_local_id_valid(long_id));
	assert_true(eks_local_id_valid("H1"));
	assert_true(eks_local_id_valid("_x.y-z"));
	assert_false(eks_local_id_valid(".x"));
	assert_false(eks_local_id_valid("-x"));
	assert_false(eks_local_id_valid("a b"));
	assert_false(eks_local_id_valid("a/b"));
}

static void test_protocol_enum_names(void **state)
{
	(void)state;
	assert_string_equal(eks_status_name(EKS_STATUS_SUSPENDED), "suspended");
	assert_int_equal(eks_status_from_name("withdrawn"), EKS_STATUS_WITHDRAWN);
	assert_int_equal(eks_status_from_name("nope"), EKS_STATUS_UNKNOWN);
	assert_int_equal(eks_status_from_name(NULL), EKS_STATUS_UNKNOWN);
	assert_string_equal(eks_status_name(EKS_STATUS_UNKNOWN), "?");
	assert_string_equal(eks_measure_name(EKS_MEASURE_MEAN), "mean");
	assert_string_equal(eks_direction_name(EKS_DIRECTION_DECREASE), "decrease");
	assert_string_equal(eks_estimator_name(EKS_ESTIMATOR_ODDS_RATIO), "odds_ratio");
	assert_string_equal(eks_test_name(EKS_TEST_EQUIVALENCE), "equivalence");
	assert_string_equal(eks_method_name(EKS_METHOD_STUDENT), "student");
	assert_int_equal(eks_method_from_name("fisher"), EKS_METHOD_FISHER);
	assert_string_equal(eks_family_name(EKS_FAMILY_EXPLORATORY), "exploratory");
	assert_string_equal(eks_multiplicity_name(EKS_MULTIPLICITY_NONE), "none");
}

static void test_protocol_settings(void **state)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_settings *settings = NULL;
	const char *text = "schema: eksperiment/v1\nname: Pilots\n"
			   "privacy: {min_cell: 3}\nx-owner: KS\n";

	(void)state;
	assert_int_equal(eks_validate_settings(&settings, "eksperiment.yaml", text,
					       strlen(text), &diags), 0);
	assert_int_equal(diags.count, 0);
	assert_string_equal(settings->name, "Pilots");
	assert_int_equal(settings->min_cell, 3);
	eks_settings_free(settings);
	assert_int_equal(eks_settings_default(&settings), 0);
	assert_int_equal(settings->min_cell, EKS_DEFAULT_MIN_CELL);
	eks_settings_free(settings);
	eks_settings_free(NULL);
	eks_diag_list_clear(&diags);
}

static void test_protocol_list_limit(void **state)
{
	eks_buf text = EKS_BUF_INIT;
	const char *at = strstr(base, "  - {id: t0, label: baseline}\n");
	struct run r;
	int i;

	(void)state;
	eks_buf_put(&text, base, (size_t)(at - base));
	for (i = 0; i < EKS_PROTOCOL_MAX_ITEMS + 5; i++)
		eks_buf_printf(&text, "  - {id: p%d}\n", i);
	eks_buf_puts(&text, at);
	run_text(&r, eks_buf_cstr(&text), NULL, 0);
	assert_int_equal(r.rc, EKS_EINVALID);
	assert_non_null(find(&r, 17 + EKS_PROTOCOL_MAX_ITEMS, 5, "this list has "
			     "1007 items; eksperiment reads at most 1000"));
	assert_int_equal(r.protocol->timepoints_count, EKS_PROTOCOL_MAX_ITEMS);
	/* Look-ups go through the index. */
	assert_non_null(eks_protocol_timepoint(r.protocol, "p999"));
	assert_null(eks_protocol_timepoint(r.protocol, "p1000"));
	run_free(&r);
	eks_buf_dispose(&text);
}

/* A protocol built in memory (no index) answers look-ups too. */
static void test_protocol_lookups_without_index(void **state)
{
	eks_arm arms[2];
	eks_protocol p;

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(arms, 0, sizeof(arms));
	arms[0].id = "x";
	arms[1].id = "y";
	p.arms = arms;
	p.arms_count = 2;
	assert_ptr_equal(eks_protocol_arm(&p, "y"), &arms[1]);
	assert_null(eks_protocol_arm(&p, "z"));
	assert_null(eks_protocol_outcome(&p, "y"));
	assert_null(eks_protocol_arm(NULL, "y"));
}

static void test_protocol_file_kinds(void **state)
{
	(void)state;
	assert_int_equal(eks_file_kind_of("experiments/a/experiment.yaml"),
			 EKS_FILE_PROTOCOL);
	assert_int_equal(eks_file_kind_of("experiment.yaml"), EKS_FILE_PROTOCOL);
	assert_int_equal(eks_file_kind_of("experiments/a/log.yaml"), EKS_FILE_LOG);
	assert_int_equal(eks_file_kind_of("eksperiment.yaml"), EKS_FILE_SETTINGS);
	assert_int_equal(eks_file_kind_of("/repo/eksperiment.yaml"), EKS_FILE_SETTINGS);
	assert_int_equal(eks_file_kind_of("notes.yaml"), EKS_FILE_OTHER);
	assert_int_equal(eks_file_kind_of(NULL), EKS_FILE_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocol_base_is_valid),
		cmocka_unit_test(test_protocol_reads_fields_and_defaults),
		cmocka_unit_test(test_protocol_reads_optional_hypothesis_fields),
		cmocka_unit_test(test_protocol_id_must_match_directory),
		cmocka_unit_test(test_protocol_unknown_keys_did_you_mean),
		cmocka_unit_test(test_protocol_extension_keys_accepted),
		cmocka_unit_test(test_protocol_collects_every_problem),
		cmocka_unit_test(test_protocol_kommunenummer_needs_quotes),
		cmocka_unit_test(test_protocol_numbers_must_be_plain),
		cmocka_unit_test(test_protocol_dates),
		cmocka_unit_test(test_protocol_strict_needs_completeness),
		cmocka_unit_test(test_protocol_method_must_fit),
		cmocka_unit_test(test_protocol_against_value_of_proportion),
		cmocka_unit_test(test_protocol_estimators_and_design),
		cmocka_unit_test(test_protocol_margin_tests_warn_about_what_they_ignore),
		cmocka_unit_test(test_protocol_not_a_mapping),
		cmocka_unit_test(test_protocol_id_rules),
		cmocka_unit_test(test_protocol_enum_names),
		cmocka_unit_test(test_protocol_settings),
		cmocka_unit_test(test_protocol_list_limit),
		cmocka_unit_test(test_protocol_lookups_without_index),
		cmocka_unit_test(test_protocol_file_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
