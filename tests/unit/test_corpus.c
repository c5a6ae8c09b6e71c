/*
 * test_corpus.c - the corpus of broken files in tests/data/bad.
 *
 * Every protocol-*, log-* and settings-* file there breaks one validation
 * rule, and tests/data/bad/EXPECTED says where the problem must be
 * reported and what the message must say:
 *
 *   <file> <line>:<col> <substring of the message>
 *
 * Protocols are checked with no expected id (the id in the file counts);
 * logs against tests/data/examples/uu-molde-outreach/experiment.yaml.
 * The two examples must pass with no problem at all.
 *
 * EKS_TEST_DATA overrides the location of tests/data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment.h"

static const char *data_dir(void)
{
	const char *dir = getenv("EKS_TEST_DATA");

	return dir && *dir ? dir : "tests/data";
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *p;
			cap = cap ? cap * 2 : 8192;
			p = realloc(data, cap);
			assert_non_null(p);
			data = p;
		}
		got = fread(data + n, 1, cap - n - 1, f);
		n += got;
		if (!got)
			break;
	}
	fclose(f);
	data[n] = '\0';
	*len = n;
	return data;
}

static char *path_join(const char *a, const char *b, const char *c)
{
	size_t len = strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 3;
	char *p = malloc(len);

	assert_non_null(p);
	snprintf(p, len, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");
	return p;
}

static eks_protocol *load_reference_protocol(void)
{
	char *path = path_join(data_dir(), "examples/uu-molde-outreach",
			       "experiment.yaml");
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_protocol *protocol = NULL;
	size_t len;
	char *data = slurp(path, &len);

	assert_non_null(data);
	assert_int_equal(eks_validate_protocol(&protocol, path, data, len,
					       "uu-molde-outreach", 0, &diags), 0);
	assert_non_null(protocol);
	eks_diag_list_clear(&diags);
	free(data);
	free(path);
	return protocol;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Validate one corpus file the way its name says. */
static int validate_file(const char *name, const char *path,
			 const eks_protocol *reference, eks_diag_list *diags)
{
	size_t len;
	char *data = slurp(path, &len);
	int rc;

	if (!data)
		return 1;
	if (starts_with(name, "protocol-"))
		rc = eks_validate_protocol(NULL, path, data, len, NULL, 0, diags);
	else if (starts_with(name, "log-"))
		rc = eks_validate_log(NULL, path, data, len, reference, NULL, diags);
	else
		rc = eks_validate_settings(NULL, path, data, len, diags);
	free(data);
	return rc;
}

static void print_diags(const eks_diag_list *diags)
{
	size_t i;

	for (i = 0; i < diags->count; i++)
		fprintf(stderr, "      got %d:%d %s\n", diags->items[i].line,
			diags->items[i].col, diags->items[i].message);
}

/* Each EXPECTED line of our files: the diagnostic is there, and the file
 * is invalid.  All mismatches are listed before the test fails. */
static void test_corpus_expected_diagnostics(void **state)
{
	char *expected_path = path_join(data_dir(), "bad", "EXPECTED");
	eks_protocol *reference = load_reference_protocol();
	char *text, *line, *save = NULL;
	size_t len;
	int checked = 0, failed = 0;

	(void)state;
	text = slurp(expected_path, &len);
	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		eks_diag_list diags = EKS_DIAG_LIST_INIT;
		char name[256], *path, *substring;
		int want_line, want_col, consumed = 0, rc, ok = 0;
		size_t i;

		if (!starts_with(line, "protocol-") && !starts_with(line, "log-") &&
		    !starts_with(line, "settings-"))
			continue;
		if (sscanf(line, "%255s %d:%d %n", name, &want_line, &want_col,
			   &consumed) != 3 || !consumed) {
			fprintf(stderr, "    malformed EXPECTED line: %s\n", line);
			failed++;
			continue;
		}
		substring = line + consumed;
		path = path_join(data_dir(), "bad", name);
		rc = validate_file(name, path, reference, &diags);
		for (i = 0; i < diags.count; i++)
			if (diags.items[i].line == want_line &&
			    diags.items[i].col == want_col &&
			    diags.items[i].severity == EKS_DIAG_ERROR &&
			    strstr(diags.items[i].message, substring))
				ok = 1;
		if (rc != EKS_EINVALID || !ok) {
			fprintf(stderr, "    %s: want %d:%d '%s' and EKS_EINVALID, "
				"rc %d\n", name, want_line, want_col, substring, rc);
			print_diags(&diags);
			failed++;
		}
		checked++;
		eks_diag_list_clear(&diags);
		free(path);
	}
	fprintf(stderr, "    %d expectations checked\n", checked);
	assert_true(checked >= 30);
	assert_int_equal(failed, 0);
	free(text);
	free(expected_path);
	eks_protocol_free(reference);
}

/* Every corpus file of ours is named in EXPECTED: none goes unchecked. */
static void test_corpus_every_file_expected(void **state)
{
	char *dir_path = path_join(data_dir(), "bad", NULL);
	char *expected_path = path_join(data_dir(), "bad", "EXPECTED");
	DIR *dir = opendir(dir_path);
	struct dirent *de;
	size_t len;
	char *expected = slurp(expected_path, &len);
	int files = 0, missing = 0;

	(void)state;
	assert_non_null(dir);
	assert_non_null(expected);
	while ((de = readdir(dir)) != NULL) {
		char key[300];

		if (!starts_with(de->d_name, "protocol-") &&
		    !starts_with(de->d_name, "log-") &&
		    !starts_with(de->d_name, "settings-"))
			continue;
		files++;
		snprintf(key, sizeof(key), "\n%s ", de->d_name);
		if (!strstr(expected, key) &&
		    !(starts_with(expected, key + 1))) {
			fprintf(stderr, "    %s has no line in EXPECTED\n", de->d_name);
			missing++;
		}
	}
	closedir(dir);
	assert_true(files >= 30);
	assert_int_equal(missing, 0);
	free(expected);
	free(expected_path);
	free(dir_path);
}

/* The shipped examples: no error and no warning, even with --strict. */
static void test_corpus_examples_clean(void **state)
{
	static const char *const examples[] = {
		"uu-molde-outreach", "demo-velferdsteknologi"
	};
	size_t k;

	(void)state;
	for (k = 0; k < 2; k++) {
		eks_diag_list diags = EKS_DIAG_LIST_INIT;
		eks_protocol *protocol = NULL;
		eks_log *log = NULL;
		char *ppath = path_join(data_dir(), "examples", examples[k]);
		char *epath = path_join(ppath, "experiment.yaml", NULL);
		char *lpath = path_join(ppath, "log.yaml", NULL);
		size_t len;
		char *data;
		int strict;

		for (strict = 0; strict <= 1; strict++) {
			data = slurp(epath, &len);
			assert_non_null(data);
			eks_protocol_free(protocol);
			protocol = NULL;
			assert_int_equal(eks_validate_protocol(&protocol, epath, data,
							       len, examples[k], strict,
							       &diags), 0);
			free(data);
		}
		assert_non_null(protocol);
		assert_string_equal(protocol->id, examples[k]);
		data = slurp(lpath, &len);
		assert_non_null(data);
		assert_int_equal(eks_validate_log(&log, lpath, data, len, protocol,
						  NULL, &diags), 0);
		assert_non_null(log);
		assert_true(log->entries_count >= 2);
		if (diags.count)
			print_diags(&diags);
		assert_int_equal(diags.count, 0);
		free(data);
		eks_log_free(log);
		eks_protocol_free(protocol);
		eks_diag_list_clear(&diags);
		free(ppath);
		free(epath);
		free(lpath);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_expected_diagnostics),
		cmocka_unit_test(test_corpus_every_file_expected),
		cmocka_unit_test(test_corpus_examples_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
