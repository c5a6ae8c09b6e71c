/*
 * test_log.c - log.yaml: entries, observations against the protocol, and
 * the small-cell warning.
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

static const char protocol_text[] =
	"schema: eksperiment/v1\n"
	"id: test-exp\n"
	"title: A protocol for tests\n"
	"challenge: demografi\n"
	"status: active\n"
	"partners: [{name: Molde kommune, role: lead}]\n"
	"design: {allocation: randomized, model: parallel, unit: person}\n"
	"existing_data: none\n"
	"interventions: [{id: outreach, name: Outreach team}]\n"
	"arms:\n"
	"  - {id: a, label: Outreach, type: experimental}\n"
	"  - {id: b, label: Usual services, type: comparison}\n"
	"timepoints: [{id: t0}, {id: t1}]\n"
	"outcomes:\n"
	"  - {id: neet, role: primary, title: NEET, measure: proportion, direction: decrease, timepoints: [t0, t1]}\n"
	"  - {id: score, role: secondary, title: Score, measure: mean, direction: increase, timepoints: [t1]}\n"
	"hypotheses:\n"
	"  - {id: H1, statement: Fewer NEET., outcome: neet, compare: {arm: a, against: b}, timepoint: t1, estimator: difference}\n";

#define HEAD(id, kind) \
	"---\nid: " id "\nkind: " kind "\nrecorded_at: 2026-01-15T10:15:00Z\n" \
	"recorded_by: Kari Nordmann <kari@example.no>\n"

static eks_protocol *protocol;

static int setup(void **state)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;

	(void)state;
	if (eks_validate_protocol(&protocol, "experiment.yaml", protocol_text,
				  strlen(protocol_text), "test-exp", 0, &diags) != 0)
		return -1;
	eks_diag_list_clear(&diags);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	eks_protocol_free(protocol);
	protocol = NULL;
	return 0;
}

struct run {
	eks_diag_list diags;
	eks_log *log;
	int rc;
};

static void run_log(struct run *r, const char *text, const eks_protocol *p,
		    const eks_settings *settings)
{
	eks_diag_list init = EKS_DIAG_LIST_INIT;

	r->diags = init;
	r->log = NULL;
	r->rc = eks_validate_log(&r->log, "log.yaml", text, strlen(text), p,
				 settings, &r->diags);
}

static void run_free(struct run *r)
{
	eks_log_free(r->log);
	eks_diag_list_clear(&r->diags);
}

static const eks_diag *find(const struct run *r, eks_severity sev, int line,
			    int col, const char *text)
{
	size_t i;

	for (i = 0; i < r->diags.count; i++) {
		const eks_diag *d = &r->diags.items[i];
		if (d->severity == sev && d->line == line && d->col == col &&
		    strstr(d->message, text))
			return d;
	}
	for (i = 0; i < r->diags.count; i++)
		fprintf(stderr, "  %d:%d %s %s\n", r->diags.items[i].line,
			r->diags.items[i].col,
			r->diags.items[i].severity ? "warning" : "error",
			r->diags.items[i].message);
	return NULL;
}

static void test_log_reads_entries(void **state)
{
	const char *text =
		HEAD("20260115T101500Z-8f3a", "observation")
		"source: SSB table 12423\n"
		"pre_registration: true\n"
		"observations:\n"
		"  - {outcome: neet, arm: a, timepoint: t1, n: 120, events: 14}\n"
		"  - {outcome: score, arm: a, timepoint: t1, n: 40, mean: 12.3, sd: 4.1}\n"
		"  - {outcome: score, arm: b, timepoint: t1, values: [11.2, 9.8, 14.1]}\n"
		HEAD("20260116T090000Z-0001", "status")
		"from: active\nto: suspended\nreason: Summer break.\n"
		HEAD("20260117T090000Z-0002", "registration")
		"protocol_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
		"commit_parent: 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12\n"
		HEAD("20260118T090000Z-0003", "amendment")
		"paths: [\"hypotheses[H1].margin\"]\nclass: major\nreason: Agreed.\n"
		HEAD("20260119T090000Z-0004", "note")
		"note: Team at full strength.\nsupersedes: 20260116T090000Z-0001\n";
	const eks_observation *o;
	const eks_entry *e;
	struct run r;

	(void)state;
	run_log(&r, text, protocol, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.count, 0);
	assert_int_equal(r.log->entries_count, 5);
	e = &r.log->entries[0];
	assert_string_equal(e->id, "20260115T101500Z-8f3a");
	assert_int_equal(e->kind, EKS_ENTRY_OBSERVATION);
	assert_string_equal(e->recorded_at, "2026-01-15T10:15:00Z");
	assert_string_equal(e->source, "SSB table 12423");
	assert_true(e->pre_registration);
	assert_int_equal(e->line, 2);
	assert_int_equal(e->observations_count, 3);
	o = &e->observations[0];
	assert_int_equal(o->fields, EKS_OBS_N | EKS_OBS_EVENTS);
	assert_int_equal(o->n, 120);
	assert_int_equal(o->events, 14);
	assert_int_equal(o->line, 9);
	o = &e->observations[1];
	assert_int_equal(o->fields, EKS_OBS_N | EKS_OBS_MEAN | EKS_OBS_SD);
	assert_true(o->mean == 12.3 && o->sd == 4.1);
	o = &e->observations[2];
	assert_int_equal(o->fields, EKS_OBS_VALUES);
	assert_int_equal(o->values_count, 3);
	assert_true(o->values[2] == 14.1);
	e = &r.log->entries[1];
	assert_string_equal(e->status_from, "active");
	assert_string_equal(e->status_to, "suspended");
	assert_string_equal(e->status_reason, "Summer break.");
	e = &r.log->entries[2];
	assert_int_equal(e->kind, EKS_ENTRY_REGISTRATION);
	assert_non_null(e->protocol_sha256);
	assert_non_null(e->commit_parent);
	e = &r.log->entries[3];
	assert_int_equal(e->amendment_paths_count, 1);
	assert_string_equal(e->amendment_paths[0], "hypotheses[H1].margin");
	assert_string_equal(e->amendment_class, "major");
	e = &r.log->entries[4];
	assert_string_equal(e->note, "Team at full strength.");
	assert_string_equal(e->supersedes, "20260116T090000Z-0001");
	run_free(&r);
}

static void test_log_empty_file_is_valid(void **state)
{
	struct run r;

	(void)state;
	run_log(&r, "", protocol, NULL);
	assert_int_equal(r.rc, 0);
	assert_non_null(r.log);
	assert_int_equal(r.log->entries_count, 0);
	run_free(&r);
}

static void test_log_empty_entry(void **state)
{
	struct run r;

	(void)state;
	run_log(&r, HEAD("20260115T101500Z-8f3a", "note") "note: x\n---\n", protocol,
		NULL);
	assert_int_equal(r.rc, EKS_EINVALID);
	assert_non_null(find(&r, EKS_DIAG_ERROR, 7, 1, "empty entry"));
	assert_int_equal(r.log->entries_count, 1);
	run_free(&r);
}

static void test_log_supersedes_earlier_only(void **state)
{
	struct run r;

	(void)state;
	run_log(&r, HEAD("20260115T101500Z-0001", "note") "note: a\n"
		"supersedes: 20260115T101500Z-0001\n", protocol, NULL);
	assert_non_null(find(&r, EKS_DIAG_ERROR, 7, 13, "this entry itself"));
	run_free(&r);
}

static void test_log_collects_every_problem(void **state)
{
	struct run r;

	(void)state;
	run_log(&r, "---\nid: nope\nkind: gossip\nrecorded_at: yesterday\n"
		"observations: [{outcome: neet, arm: a, timepoint: t1, n: 1, events: 0}]\n",
		protocol, NULL);
	assert_int_equal(r.rc, EKS_EINVALID);
	assert_non_null(find(&r, EKS_DIAG_ERROR, 2, 5, "'id' must be an entry id"));
	assert_non_null(find(&r, EKS_DIAG_ERROR, 3, 7, "'kind' must be one of"));
	assert_non_null(find(&r, EKS_DIAG_ERROR, 4, 14, "'recorded_at' must be a UTC time"));
	assert_non_null(find(&r, EKS_DIAG_ERROR, 2, 1, "missing required key 'recorded_by'"));
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_ERROR), 4);
	run_free(&r);
}

static void test_log_without_protocol_checks_form(void **state)
{
	struct run r;
	const char *text = HEAD("20260115T101500Z-8f3a", "observation")
		"observations:\n"
		"  - {outcome: anything, arm: x, timepoint: later, n: 10, events: 12}\n"
		"  - {outcome: other, arm: x, timepoint: later, n: 10, mean: 1, sd: 1, values: [1]}\n";

	(void)state;
	run_log(&r, text, NULL, NULL);
	assert_int_equal(r.rc, EKS_EINVALID);
	/* Unknown ids are not errors without a protocol; the form is. */
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_ERROR), 2);
	assert_non_null(find(&r, EKS_DIAG_ERROR, 7, 66, "'events' (12) is larger than 'n' (10)"));
	assert_non_null(find(&r, EKS_DIAG_ERROR, 8, 79, "not both"));
	run_free(&r);
}

static void test_log_observation_check_rows(void **state)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_observation obs;
	int errors;

	(void)state;
	memset(&obs, 0, sizeof(obs));
	obs.outcome = "neet";
	obs.arm = "c";
	obs.timepoint = "t1";
	obs.fields = EKS_OBS_N | EKS_OBS_EVENTS;
	obs.n = 0;
	obs.events = 0;
	obs.line = 3;
	obs.col = 1;
	errors = eks_observation_check(&obs, protocol, "data.csv", "row 3: ", &diags);
	assert_int_equal(errors, 2);
	assert_int_equal(diags.count, 2);
	assert_int_equal(diags.items[0].line, 3);
	assert_string_equal(diags.items[0].message, "row 3: the protocol has no arm "
			    "'c'; its arms are: a, b");
	assert_non_null(strstr(diags.items[1].message, "row 3: 'n' must be a "
			       "whole number ≥ 1"));
	eks_diag_list_clear(&diags);

	/* The same observation, right. */
	obs.arm = "a";
	obs.n = 30;
	obs.events = 30;
	assert_int_equal(eks_observation_check(&obs, protocol, "x", NULL, &diags), 0);
	/* A mean outcome given counts. */
	obs.outcome = "score";
	assert_int_equal(eks_observation_check(&obs, protocol, "x", NULL, &diags), 3);
	assert_non_null(strstr(diags.items[0].message, "'events' does not belong to "
			       "outcome 'score', which is a mean"));
	eks_diag_list_clear(&diags);
	/* Timepoint that exists but is not the outcome's. */
	obs.timepoint = "t0";
	obs.fields = EKS_OBS_N | EKS_OBS_MEAN | EKS_OBS_SD;
	obs.mean = 2;
	obs.sd = -1;
	assert_int_equal(eks_observation_check(&obs, protocol, "x", NULL, &diags), 2);
	assert_non_null(strstr(diags.items[0].message, "outcome 'score' is not "
			       "measured at timepoint 't0'"));
	assert_non_null(strstr(diags.items[1].message, "'sd' must be a number ≥ 0"));
	eks_diag_list_clear(&diags);
}

static void test_log_small_cells_warn(void **state)
{
	const char *text = HEAD("20260115T101500Z-8f3a", "observation")
		"observations:\n"
		"  - {outcome: neet, arm: a, timepoint: t1, n: 120, events: 3}\n"   /* 7 */
		"  - {outcome: neet, arm: b, timepoint: t1, n: 120, events: 0}\n"   /* 8 */
		"  - {outcome: neet, arm: a, timepoint: t0, n: 6, events: 4}\n"     /* 9 */
		"  - {outcome: neet, arm: b, timepoint: t0, n: 120, events: 5}\n"   /* 10 */
		"  - {outcome: score, arm: b, timepoint: t1, n: 2, mean: 1, sd: 1}\n";
	eks_settings settings = { NULL, 5 };
	struct run r;

	(void)state;
	run_log(&r, text, protocol, &settings);
	assert_int_equal(r.rc, 0);        /* warnings only */
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_ERROR), 0);
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_WARNING), 3);
	assert_non_null(find(&r, EKS_DIAG_WARNING, 7, 6, "only 3 events in this "
			     "cell (fewer than privacy.min_cell = 5): small counts "
			     "can identify people; combine groups or report as '<5'"));
	/* Zero events are not flagged (see eks_log_check_small_cells). */
	assert_non_null(find(&r, EKS_DIAG_WARNING, 9, 6, "only 2 non-events"));
	assert_non_null(find(&r, EKS_DIAG_WARNING, 9, 6, "only 4 events"));
	run_free(&r);

	/* 0 turns it off; the default is 5. */
	settings.min_cell = 0;
	run_log(&r, text, protocol, &settings);
	assert_int_equal(r.diags.count, 0);
	run_free(&r);
	run_log(&r, text, protocol, NULL);
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_WARNING), 3);
	run_free(&r);
	settings.min_cell = 4;
	run_log(&r, text, protocol, &settings);
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_WARNING), 2);
	run_free(&r);
}

/* SPEC 2.2, 5: an entry that a later entry supersedes no longer counts,
 * and its small cells are not warned about again; the entry that
 * replaces it is checked as any other. */
static void test_log_small_cells_skip_superseded_entries(void **state)
{
	const char *text = HEAD("20260115T101500Z-8f3a", "observation")
		"observations:\n"
		"  - {outcome: neet, arm: a, timepoint: t1, n: 120, events: 3}\n"   /* 7 */
		"---\nid: 20260116T090000Z-0001\nkind: observation\n"
		"recorded_at: 2026-01-16T09:00:00Z\n"
		"recorded_by: Kari Nordmann <kari@example.no>\n"
		"supersedes: 20260115T101500Z-8f3a\n"
		"observations:\n"
		"  - {outcome: neet, arm: a, timepoint: t1, n: 120, events: 30}\n"  /* 15 */
		"  - {outcome: neet, arm: b, timepoint: t1, n: 120, events: 2}\n";  /* 16 */
	eks_settings settings = { NULL, 5 };
	struct run r;

	(void)state;
	run_log(&r, text, protocol, &settings);
	assert_int_equal(r.rc, 0);
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_ERROR), 0);
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_WARNING), 1);
	assert_non_null(find(&r, EKS_DIAG_WARNING, 16, 6, "only 2 events"));
	assert_null(find(&r, EKS_DIAG_WARNING, 7, 6, "only 3 events"));
	run_free(&r);
}

static void test_log_kind_names(void **state)
{
	(void)state;
	assert_string_equal(eks_entry_kind_name(EKS_ENTRY_AMENDMENT), "amendment");
	assert_string_equal(eks_entry_kind_name(EKS_ENTRY_DISCLOSURE), "disclosure");
	assert_int_equal(eks_entry_kind_from_name("disclosure"), EKS_ENTRY_DISCLOSURE);
	assert_string_equal(eks_entry_kind_name(EKS_ENTRY_UNKNOWN), "?");
	assert_int_equal(eks_entry_kind_from_name("observation"), EKS_ENTRY_OBSERVATION);
	assert_int_equal(eks_entry_kind_from_name("adjustment"), EKS_ENTRY_ADJUSTMENT);
	assert_int_equal(eks_entry_kind_from_name("other"), EKS_ENTRY_UNKNOWN);
	assert_int_equal(eks_entry_kind_from_name(NULL), EKS_ENTRY_UNKNOWN);
	eks_log_free(NULL);
	eks_entry_release(NULL);
	eks_observation_release(NULL);
}

static void test_log_identity_number_refused(void **state)
{
	/* 311239 99935: born 31 December 2039 (individual number 999), so
	 * nobody has it; the control digits are right. */
	const char *text = HEAD("20260115T101500Z-8f3a", "note")
		"note: call back 31123999935\n";
	struct run r;
	size_t i;

	(void)state;
	run_log(&r, text, protocol, NULL);
	assert_int_equal(r.rc, EKS_EINVALID);
	assert_non_null(find(&r, EKS_DIAG_ERROR, 6, 17, "fødselsnummer"));
	for (i = 0; i < r.diags.count; i++)
		assert_null(strstr(r.diags.items[i].message, "31123999935"));
	run_free(&r);
}

#define COMMIT "3f2a9c1d5e7b8a0f1c2d3e4f5a6b7c8d9e0f1a2b"

static void test_log_reads_disclosures(void **state)
{
	const char *text =
		/* as log writes it: one line */
		"--- {id: 20260115T101500Z-8f3a, kind: disclosure, recorded_at: "
		"2026-01-15T10:15:00Z, recorded_by: \"Kari <k@x>\", commit: " COMMIT ", "
		"paths: [\"hypotheses[H1].margin\"], entries: [20260110T090000Z-1b2c], "
		"reason: \"why: a typo\"}\n"
		/* by hand: an abbreviated commit, keep, no lists at all */
		HEAD("20260116T090000Z-0001", "disclosure")
		"commit: 3f2a9c1\nreason: Both sides logged it.\nkeep: 0a1b2c3d\n"
		/* empty lists, with keep */
		HEAD("20260117T090000Z-0002", "disclosure")
		"commit: 1234567\npaths: []\nentries: []\nreason: x\nkeep: " COMMIT "\n"
		/* only entries; paths null */
		HEAD("20260118T090000Z-0003", "disclosure")
		"commit: abcdef0\npaths:\nentries: [20260110T090000Z-1b2c, 20260111T090000Z-0000]\n"
		"reason: Corrected a count.\nnote: and a note\n";
	const eks_entry *e;
	struct run r;

	(void)state;
	run_log(&r, text, protocol, NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.count, 0);
	assert_int_equal(r.log->entries_count, 4);
	e = &r.log->entries[0];
	assert_int_equal(e->kind, EKS_ENTRY_DISCLOSURE);
	assert_string_equal(e->disclosure_commit, COMMIT);
	assert_int_equal(e->disclosure_paths_count, 1);
	assert_string_equal(e->disclosure_paths[0], "hypotheses[H1].margin");
	assert_int_equal(e->disclosure_entries_count, 1);
	assert_string_equal(e->disclosure_entries[0], "20260110T090000Z-1b2c");
	assert_string_equal(e->disclosure_reason, "why: a typo");
	assert_null(e->disclosure_keep);
	e = &r.log->entries[1];
	assert_string_equal(e->disclosure_commit, "3f2a9c1");
	assert_int_equal(e->disclosure_paths_count, 0);
	assert_null(e->disclosure_paths);
	assert_int_equal(e->disclosure_entries_count, 0);
	assert_string_equal(e->disclosure_keep, "0a1b2c3d");
	e = &r.log->entries[2];
	assert_string_equal(e->disclosure_commit, "1234567");
	assert_string_equal(e->disclosure_keep, COMMIT);
	e = &r.log->entries[3];
	assert_int_equal(e->disclosure_paths_count, 0);
	assert_int_equal(e->disclosure_entries_count, 2);
	assert_string_equal(e->disclosure_entries[1], "20260111T090000Z-0000");
	assert_string_equal(e->note, "and a note");
	run_free(&r);
}

/* One broken disclosure: exactly one error, at line:col, saying `text`. */
static void expect_one_error(const char *fields, int line, int col,
			     const char *text)
{
	char log[2048];
	struct run r;

	snprintf(log, sizeof(log), "%s%s",
		 HEAD("20260115T101500Z-8f3a", "disclosure"), fields);
	run_log(&r, log, protocol, NULL);
	assert_int_equal(r.rc, EKS_EINVALID);
	if (!find(&r, EKS_DIAG_ERROR, line, col, text) ||
	    eks_diag_count(&r.diags, EKS_DIAG_ERROR) != 1)
		fail_msg("expected one error at %d:%d with '%s' for:\n%s", line,
			 col, text, log);
	run_free(&r);
}

static void test_log_disclosure_problems(void **state)
{
	(void)state;
	/* line 2 is the entry's first key, 6 the first field below */
	expect_one_error("paths: [x]\nreason: r\n", 2, 1,
			 "missing required key 'commit' in this entry");
	expect_one_error("commit:\npaths: [x]\nreason: r\n", 6, 1,
			 "'commit' has no value");
	expect_one_error("commit: xyz1234\npaths: [x]\nreason: r\n", 6, 9,
			 "'commit' must be a commit id: 7 to 40 hexadecimal digits");
	expect_one_error("commit: 3f2a9c\npaths: [x]\nreason: r\n", 6, 9,
			 "'commit' has 6 hexadecimal digits; a commit id has 7 to 40");
	expect_one_error("commit: " COMMIT "0\npaths: [x]\nreason: r\n", 6, 9,
			 "'commit' has 41 hexadecimal digits");
	expect_one_error("commit: 3F2A9C1\npaths: [x]\nreason: r\n", 6, 9,
			 "'commit' must be written in lowercase");
	expect_one_error("commit: [3f2a9c1]\npaths: [x]\nreason: r\n", 6, 9,
			 "'commit' must be the commit it discloses");
	expect_one_error("commit: 3f2a9c1\npaths: hypotheses\nreason: r\n", 7, 8,
			 "'paths' must be a list of the protocol fields");
	expect_one_error("commit: 3f2a9c1\npaths: [x, {a: b}]\nreason: r\n", 7, 12,
			 "item 2 of 'paths' must be the path of a changed field");
	expect_one_error("commit: 3f2a9c1\nentries: 20260110T090000Z-1b2c\nreason: r\n",
			 7, 10, "'entries' must be a list of the ids of rewritten");
	expect_one_error("commit: 3f2a9c1\nentries: [20260110T090000Z-1b2c, H1]\n"
			 "reason: r\n", 7, 34, "item 2 of 'entries' must be an entry id");
	expect_one_error("commit: 3f2a9c1\nentries: [\"\"]\nreason: r\n", 7, 11,
			 "item 1 of 'entries' must be an entry id");
	expect_one_error("commit: 3f2a9c1\npaths: []\nentries: []\nreason: r\n", 7, 8,
			 "a disclosure must name what it discloses");
	expect_one_error("commit: 3f2a9c1\nentries: []\nreason: r\n", 7, 10,
			 "a disclosure must name what it discloses");
	expect_one_error("commit: 3f2a9c1\nreason: r\n", 2, 1,
			 "a disclosure must name what it discloses");
	expect_one_error("commit: 3f2a9c1\npaths: [x]\n", 2, 1,
			 "missing required key 'reason' in this entry");
	expect_one_error("commit: 3f2a9c1\npaths: [x]\nreason: \"\"\n", 8, 9,
			 "'reason' is empty in this entry");
	expect_one_error("commit: 3f2a9c1\npaths: [x]\nreason:\n", 8, 1,
			 "'reason' has no value");
	expect_one_error("commit: 3f2a9c1\nreason: r\nkeep: main\n", 8, 7,
			 "'keep' must be a commit id");
	expect_one_error("commit: 3f2a9c1\npaths: [x]\nreason: r\nclass: minor\n", 9, 1,
			 "'class' belongs only in entries of kind amendment, and "
			 "this entry is kind disclosure");
	expect_one_error("commit: 3f2a9c1\npaths: [x]\nreason: r\nkeeep: 3f2a9c1\n", 9, 1,
			 "unknown key 'keeep'; did you mean 'keep'?");
}

static void test_log_disclosure_keys_elsewhere(void **state)
{
	struct run r;

	(void)state;
	run_log(&r, HEAD("20260115T101500Z-8f3a", "note") "note: x\ncommit: 3f2a9c1\n"
		"keep: 3f2a9c1\n" HEAD("20260116T090000Z-0001", "amendment")
		"paths: [x]\nclass: minor\nreason: r\nentries: []\n", protocol, NULL);
	assert_int_equal(r.rc, EKS_EINVALID);
	assert_non_null(find(&r, EKS_DIAG_ERROR, 7, 1, "'commit' belongs only in "
			     "entries of kind disclosure, and this entry is kind note"));
	assert_non_null(find(&r, EKS_DIAG_ERROR, 8, 1, "'keep' belongs only"));
	assert_non_null(find(&r, EKS_DIAG_ERROR, 17, 1, "'entries' belongs only in "
			     "entries of kind disclosure, and this entry is kind "
			     "amendment"));
	assert_int_equal(eks_diag_count(&r.diags, EKS_DIAG_ERROR), 3);
	run_free(&r);

	run_log(&r, HEAD("20260115T101500Z-8f3a", "note") "note: x\nreason: r\n"
		"paths: [x]\n", protocol, NULL);
	assert_non_null(find(&r, EKS_DIAG_ERROR, 7, 1, "'reason' belongs only in "
			     "entries of kind status, amendment or disclosure, "
			     "and this entry is kind note"));
	assert_non_null(find(&r, EKS_DIAG_ERROR, 8, 1, "'paths' belongs only in "
			     "entries of kind amendment or disclosure, and"));
	run_free(&r);
}

static void test_log_disclosure_reason_identity_number(void **state)
{
	/* the same synthetic number as test_log_identity_number_refused */
	const char *text = HEAD("20260115T101500Z-8f3a", "disclosure")
		"commit: 3f2a9c1\nentries: [20260110T090000Z-1b2c]\n"
		"reason: \"wrong person, 31123999935\"\n";
	struct run r;
	size_t i;

	(void)state;
	run_log(&r, text, protocol, NULL);
	assert_int_equal(r.rc, EKS_EINVALID);
	assert_non_null(find(&r, EKS_DIAG_ERROR, 8, 24, "fødselsnummer"));
	for (i = 0; i < r.diags.count; i++)
		assert_null(strstr(r.diags.items[i].message, "31123999935"));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_reads_entries),
		cmocka_unit_test(test_log_empty_file_is_valid),
		cmocka_unit_test(test_log_empty_entry),
		cmocka_unit_test(test_log_supersedes_earlier_only),
		cmocka_unit_test(test_log_collects_every_problem),
		cmocka_unit_test(test_log_without_protocol_checks_form),
		cmocka_unit_test(test_log_observation_check_rows),
		cmocka_unit_test(test_log_small_cells_warn),
		cmocka_unit_test(test_log_small_cells_skip_superseded_entries),
		cmocka_unit_test(test_log_kind_names),
		cmocka_unit_test(test_log_identity_number_refused),
		cmocka_unit_test(test_log_reads_disclosures),
		cmocka_unit_test(test_log_disclosure_problems),
		cmocka_unit_test(test_log_disclosure_keys_elsewhere),
		cmocka_unit_test(test_log_disclosure_reason_identity_number),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
