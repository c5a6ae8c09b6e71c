/*
 * test_logwrite.c - entries written as YAML read back exactly, whatever
 * the text; ids and timestamps have their formats.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <string.h>

#include "eksperiment.h"

static eks_log *reread(const eks_buf *yaml)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_log *log = NULL;
	size_t i;

	eks_validate_log(&log, "log.yaml", yaml->ptr, yaml->len, NULL, NULL, &diags);
	for (i = 0; i < diags.count; i++)
		print_error("%d:%d: %s\n", diags.items[i].line, diags.items[i].col,
			    diags.items[i].message);
	assert_int_equal(eks_diag_count(&diags, EKS_DIAG_ERROR), 0);
	eks_diag_list_clear(&diags);
	return log;
}

static void test_logwrite_round_trips_awkward_text(void **state)
{
	static const char *const notes[] = {
		"plain words", "key: value with a colon", "# looks like a comment",
		"\"quoted\" and 'single'", "- a dash first", "0301", "true", "null", "1e5",
		"Bærum og Tromsø – «sitat»", "line one\nline two", "  leading spaces",
		"trailing spaces  ", "a backslash \\ here", "[not, a, list]", "{not: a map}",
		"&anchor *alias", "@at sign", "%percent", "!tag", "~", "", NULL
	};
	const char *const *note;

	(void)state;
	for (note = notes; *note; note++) {
		eks_entry e;
		eks_buf yaml = EKS_BUF_INIT;
		eks_log *log;

		memset(&e, 0, sizeof(e));
		e.id = "20260115T101500Z-8f3a";
		e.kind = EKS_ENTRY_NOTE;
		e.recorded_at = "2026-01-15T10:15:00Z";
		e.recorded_by = "Kari Nordmann <kari@molde.kommune.example>";
		e.note = (char *)*note;
		e.source = "SSB table 12423: \"Andel\"";
		assert_int_equal(eks_entry_write_yaml(&yaml, &e), 0);
		if (!**note) {
			/* an empty note is written, and the log rule (a note needs
			 * text) is the validator's to report */
			assert_non_null(strstr(yaml.ptr, "note: \"\""));
			eks_buf_dispose(&yaml);
			continue;
		}
		log = reread(&yaml);
		assert_int_equal(log->entries_count, 1);
		assert_string_equal(log->entries[0].note, *note);
		assert_string_equal(log->entries[0].source, e.source);
		assert_string_equal(log->entries[0].recorded_by, e.recorded_by);
		eks_log_free(log);
		eks_buf_dispose(&yaml);
	}
}

static void test_logwrite_observations_and_numbers(void **state)
{
	double values[] = { 0.1, 1e-300, 123456789.125, -2.5 };
	eks_observation obs[2];
	eks_entry e;
	eks_buf yaml = EKS_BUF_INIT;
	eks_log *log;

	(void)state;
	memset(obs, 0, sizeof(obs));
	obs[0].outcome = "neet";
	obs[0].arm = "molde";
	obs[0].timepoint = "t1";
	obs[0].fields = EKS_OBS_N | EKS_OBS_EVENTS;
	obs[0].n = 120;
	obs[0].events = 14;
	obs[1].outcome = "care_hours";
	obs[1].arm = "a";
	obs[1].timepoint = "t1";
	obs[1].fields = EKS_OBS_VALUES;
	obs[1].values = values;
	obs[1].values_count = 4;
	memset(&e, 0, sizeof(e));
	e.id = "20260115T101500Z-8f3a";
	e.kind = EKS_ENTRY_OBSERVATION;
	e.recorded_at = "2026-01-15T10:15:00Z";
	e.recorded_by = "T <t@kommune.example>";
	e.observations = obs;
	e.observations_count = 2;
	assert_int_equal(eks_entry_write_yaml(&yaml, &e), 0);
	assert_non_null(strstr(yaml.ptr, "{outcome: neet, arm: molde, timepoint: t1, n: 120, events: 14}"));
	log = reread(&yaml);
	assert_int_equal(log->entries[0].observations_count, 2);
	assert_int_equal(log->entries[0].observations[0].events, 14);
	assert_int_equal(log->entries[0].observations[1].values_count, 4);
	assert_true(log->entries[0].observations[1].values[0] == 0.1);
	assert_true(log->entries[0].observations[1].values[1] == 1e-300);
	assert_true(log->entries[0].observations[1].values[2] == 123456789.125);
	eks_log_free(log);
	eks_buf_dispose(&yaml);
}

static void test_logwrite_ids_and_timestamps(void **state)
{
	char id[EKS_ENTRY_ID_SIZE], other[EKS_ENTRY_ID_SIZE], stamp[EKS_TIMESTAMP_SIZE];
	regex_t re;
	int differ = 0, i;

	(void)state;
	eks_timestamp_format(stamp, 1768472100);   /* 2026-01-15 10:15:00 UTC */
	assert_string_equal(stamp, "2026-01-15T10:15:00Z");
	assert_int_equal(regcomp(&re, "^20260115T101500Z-[0-9a-f]{4}$", REG_EXTENDED), 0);
	assert_int_equal(eks_entry_id_generate(id, 1768472100), 0);
	assert_int_equal(regexec(&re, id, 0, NULL, 0), 0);
	/* the random part differs between calls (16 tries: 1 in 2^256 to fail) */
	for (i = 0; i < 16 && !differ; i++) {
		assert_int_equal(eks_entry_id_generate(other, 1768472100), 0);
		differ = strcmp(id, other) != 0;
	}
	assert_true(differ);
	regfree(&re);
}

static void test_logwrite_disclosure_round_trips(void **state)
{
	static const char *const texts[] = {
		"plain words", "key: value, with a colon", "\"quoted\" and 'single'",
		"line one\nline two", "Bærum og Tromsø – «sitat» æøå ÆØÅ", "- dash",
		"# hash", "[not, a, list]", "true", "0301", "a backslash \\ here", NULL
	};
	char *paths[2] = { "hypotheses[H1].margin", NULL };
	char *entries[2] = { "20260110T090000Z-1b2c", "20260111T090000Z-0000" };
	const char *const *t;
	const eks_entry *got;

	(void)state;
	for (t = texts; *t; t++) {
		eks_entry e;
		eks_buf yaml = EKS_BUF_INIT;
		eks_log *log;

		memset(&e, 0, sizeof(e));
		e.id = "20260115T101500Z-8f3a";
		e.kind = EKS_ENTRY_DISCLOSURE;
		e.recorded_at = "2026-01-15T10:15:00Z";
		e.recorded_by = "Kari \"K\" Nordmann <kari@molde.kommune.example>";
		e.disclosure_commit = "3f2a9c1d5e7b8a0f1c2d3e4f5a6b7c8d9e0f1a2b";
		paths[1] = (char *)*t;
		e.disclosure_paths = paths;
		e.disclosure_paths_count = 2;
		e.disclosure_entries = entries;
		e.disclosure_entries_count = 2;
		e.disclosure_reason = (char *)*t;
		e.disclosure_keep = "0123456";   /* all digits: written quoted */
		assert_int_equal(eks_entry_write_yaml(&yaml, &e), 0);
		/* one line, the keys in their order */
		assert_non_null(strstr(yaml.ptr, "--- {id: 20260115T101500Z-8f3a, kind: "
				       "disclosure, recorded_at: '2026-01-15T10:15:00Z', "
				       "recorded_by: "));
		assert_non_null(strstr(yaml.ptr, ", commit: 3f2a9c1d5e7b8a0f1c2d3e4f5a6b7c8d9e0f1a2b, paths: ["));
		assert_non_null(strstr(yaml.ptr, "], entries: [20260110T090000Z-1b2c, "
				       "20260111T090000Z-0000], reason: "));
		assert_non_null(strstr(yaml.ptr, ", keep: \"0123456\"}\n"));
		assert_ptr_equal(strchr(yaml.ptr, '\n'), yaml.ptr + yaml.len - 1);
		log = reread(&yaml);
		assert_int_equal(log->entries_count, 1);
		got = &log->entries[0];
		assert_int_equal(got->kind, EKS_ENTRY_DISCLOSURE);
		assert_string_equal(got->recorded_by, e.recorded_by);
		assert_string_equal(got->disclosure_commit, e.disclosure_commit);
		assert_int_equal(got->disclosure_paths_count, 2);
		assert_string_equal(got->disclosure_paths[0], paths[0]);
		assert_string_equal(got->disclosure_paths[1], *t);
		assert_int_equal(got->disclosure_entries_count, 2);
		assert_string_equal(got->disclosure_entries[1], entries[1]);
		assert_string_equal(got->disclosure_reason, *t);
		assert_string_equal(got->disclosure_keep, "0123456");
		eks_log_free(log);
		eks_buf_dispose(&yaml);
	}
}

static void test_logwrite_disclosure_empty_lists(void **state)
{
	eks_entry e;
	eks_buf yaml = EKS_BUF_INIT;
	eks_log *log;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.id = "20260115T101500Z-8f3a";
	e.kind = EKS_ENTRY_DISCLOSURE;
	e.recorded_at = "2026-01-15T10:15:00Z";
	e.recorded_by = "T <t@kommune.example>";
	e.disclosure_commit = "3f2a9c1";
	e.disclosure_reason = "both sides logged it";
	e.disclosure_keep = "abcdef0";
	assert_int_equal(eks_entry_write_yaml(&yaml, &e), 0);
	assert_string_equal(yaml.ptr, "--- {id: 20260115T101500Z-8f3a, kind: disclosure, "
			    "recorded_at: '2026-01-15T10:15:00Z', recorded_by: "
			    "T <t@kommune.example>, commit: 3f2a9c1, paths: [], "
			    "entries: [], reason: both sides logged it, keep: abcdef0}\n");
	log = reread(&yaml);
	assert_int_equal(log->entries[0].disclosure_paths_count, 0);
	assert_int_equal(log->entries[0].disclosure_entries_count, 0);
	assert_string_equal(log->entries[0].disclosure_keep, "abcdef0");
	eks_log_free(log);
	eks_buf_dispose(&yaml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logwrite_round_trips_awkward_text),
		cmocka_unit_test(test_logwrite_observations_and_numbers),
		cmocka_unit_test(test_logwrite_ids_and_timestamps),
		cmocka_unit_test(test_logwrite_disclosure_round_trips),
		cmocka_unit_test(test_logwrite_disclosure_empty_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
