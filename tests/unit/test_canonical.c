/*
 * test_canonical.c - the canonical JSON of protocols and YAML values, and
 * the protocol hash (canonical.h).
 *
 * The hash of the shipped example is pinned, and recomputed by
 * tests/unit/canonical_check.py, an independent Python implementation of
 * the documented rules: when both agree, the rules in canonical.h are
 * precise enough for anyone to recompute a registered hash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eksperiment.h"

/* The protocol hash of tests/data/examples/uu-molde-outreach/experiment.yaml.
 * It changes only when the canonical form or the example changes; either
 * is a change of contract (registered hashes would no longer match). */
#define MOLDE_HASH "3fc8cd619dc21f275ac660b8e4e3ddd8a400d026fd77c67438255c9420b81276"

static const char *data_dir(void)
{
	const char *dir = getenv("EKS_TEST_DATA");

	return dir && *dir ? dir : "tests/data";
}

static eks_yaml_file *parse(const char *text)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_yaml_file *file = NULL;

	assert_int_equal(eks_yaml_parse(&file, "t.yaml", text, strlen(text),
					&diags), 0);
	eks_diag_list_clear(&diags);
	return file;
}

/* Canonical JSON of a whole YAML value (no defaults, x-* kept). */
static void assert_any(const char *yaml, const char *json)
{
	eks_yaml_file *file = parse(yaml);
	eks_buf out = EKS_BUF_INIT;

	assert_int_equal(eks_yaml_canonical_json(&out, file->documents[0]), 0);
	assert_string_equal(eks_buf_cstr(&out), json);
	eks_buf_dispose(&out);
	eks_yaml_file_free(file);
}

/* Canonical JSON of a protocol's frozen fields; returns the rc. */
static int protocol_json(const char *yaml, char **json)
{
	eks_yaml_file *file = parse(yaml);
	eks_buf out = EKS_BUF_INIT;
	int rc;

	rc = eks_protocol_canonical_json(&out, file->documents[0]);
	*json = eks_buf_detach(&out);
	eks_yaml_file_free(file);
	return rc;
}

static void assert_protocol(const char *yaml, const char *expected)
{
	char *json;

	assert_int_equal(protocol_json(yaml, &json), 0);
	assert_string_equal(json, expected);
	free(json);
}

static void hash_of(const char *yaml, char out[EKS_SHA256_HEX_SIZE])
{
	eks_yaml_file *file = parse(yaml);

	assert_int_equal(eks_protocol_hash(out, file->documents[0]), 0);
	eks_yaml_file_free(file);
}

#define ANALYSIS_DEFAULTS "\"analysis\":{\"conf_level\":0.95,\"multiplicity\":\"holm\"}"

static void test_canonical_keys_sorted_by_bytes(void **state)
{
	(void)state;
	assert_any("b: 1\na: 2\nB: 3\n\xc3\xa9: 4\naa: 5\n\"\": 6\n",
		   "{\"\":6,\"B\":3,\"a\":2,\"aa\":5,\"b\":1,\"\xc3\xa9\":4}");
	/* Nested mappings too; lists keep their order; no whitespace. */
	assert_any("z:\n  - {y: 1, x: 2}\n  - [3, 1, 2]\na: {}\n",
		   "{\"a\":{},\"z\":[{\"x\":2,\"y\":1},[3,1,2]]}");
}

static void test_canonical_string_escapes(void **state)
{
	(void)state;
	assert_any("- \"quote \\\" backslash \\\\ slash /\"\n"
		   "- \"\\b\\f\\n\\r\\t\"\n"
		   "- \"\\x01\\x1f\\x7f\"\n"
		   "- \"\\0\"\n"
		   "- \"bl\xc3\xa5" "b\xc3\xa6" "r \xf0\x9f\x98\x80\"\n",
		   "[\"quote \\\" backslash \\\\ slash /\","
		   "\"\\b\\f\\n\\r\\t\","
		   "\"\\u0001\\u001f\x7f\","
		   "\"\\u0000\","
		   "\"bl\xc3\xa5" "b\xc3\xa6" "r \xf0\x9f\x98\x80\"]");
	/* Block scalars are text as folded by YAML. */
	assert_any("a: |\n  line 1\n  line 2\nb: >-\n  folded\n  text\n",
		   "{\"a\":\"line 1\\nline 2\\n\",\"b\":\"folded text\"}");
}

static void test_canonical_numbers(void **state)
{
	(void)state;
	assert_any("[1, 1.0, +1, 1.]", "[1,1,1,1]");
	assert_any("[0.05, 5e-2, 5E-2, .05, 0.050]",
		   "[0.05,0.05,0.05,0.05,0.05]");
	assert_any("[1e10, 1e20, 1e21, 1.5e21, 123e-2]",
		   "[10000000000,100000000000000000000,1e+21,1.5e+21,1.23]");
	assert_any("[-0, -0.0, 0, -1.5, -2e-7]", "[0,0,0,-1.5,-2e-7]");
	assert_any("[0.000001, 0.0000001, 1.25e-7, 0.1, 0.3]",
		   "[0.000001,1e-7,1.25e-7,0.1,0.3]");
	/* Shortest round trip of a double, and the limits. */
	assert_any("[0.30000000000000004, 5e-324, 1.7976931348623157e308]",
		   "[0.30000000000000004,5e-324,1.7976931348623157e+308]");
	/* Beyond 2^53 integers round to the nearest double. */
	assert_any("[9007199254740993, 123456789012345678901234]",
		   "[9007199254740992,1.2345678901234569e+23]");
	/* YAML 1.2 core schema: leading zeros are decimal; 0o and 0x. */
	assert_any("[0301, \"0301\", '0301', 0o17, 0x1F, 0xff]",
		   "[301,\"0301\",\"0301\",15,31,255]");
	/* Not numbers in the core schema: text. */
	assert_any("[1_000, 0b101, 1e, +.5e+3x, 12:30, 2025-02-01]",
		   "[\"1_000\",\"0b101\",\"1e\",\"+.5e+3x\",\"12:30\",\"2025-02-01\"]");
}

static void test_canonical_bools_nulls_tags(void **state)
{
	(void)state;
	assert_any("[true, True, TRUE, false, False, FALSE, yes, no, on, \"true\"]",
		   "[true,true,true,false,false,false,\"yes\",\"no\",\"on\",\"true\"]");
	/* Null items of a list stay; null entries of a mapping are absent. */
	assert_any("[~, null, Null, NULL, '', \"null\"]",
		   "[null,null,null,null,\"\",\"null\"]");
	assert_any("a: ~\nb:\nc: null\nd: ''\ne: !!null ''\n", "{\"d\":\"\"}");
	assert_any("[!!str 12, !!str true, ! 5, !!float 3, !!int 0x10, "
		   "!!bool False, !custom 7, !!int \"42\"]",
		   "[\"12\",\"true\",\"5\",3,16,false,\"7\",42]");
}

static void test_canonical_frozen_fields_only(void **state)
{
	(void)state;
	assert_protocol("schema: eksperiment/v1\n"
			"id: demo\n"
			"title: Demo\n"
			"title_nb: Demo nb\n"
			"summary: s\n"
			"challenge: annet\n"
			"phase: test\n"
			"evidence_level: 2\n"
			"status: draft\n"
			"dates: {start: 2025-01-01}\n"
			"partners: [{name: P, role: lead}]\n"
			"design: {allocation: none, model: single_group, unit: person}\n"
			"existing_data: none\n"
			"unknown_key: 1\n",
			"{" ANALYSIS_DEFAULTS ","
			"\"design\":{\"allocation\":\"none\",\"model\":\"single_group\","
			"\"unit\":\"person\"},\"existing_data\":\"none\","
			"\"id\":\"demo\",\"title\":\"Demo\"}");
}

static void test_canonical_extensions_left_out(void **state)
{
	(void)state;
	assert_protocol("id: demo\n"
			"x-top: 1\n"
			"design: {unit: person, x-note: hidden}\n"
			"arms:\n"
			"  - {id: a, x-extra: [1, 2], label: A}\n"
			"analysis: {x-a: 1, plan: p}\n",
			"{\"analysis\":{\"conf_level\":0.95,\"multiplicity\":\"holm\","
			"\"plan\":\"p\"},\"arms\":[{\"id\":\"a\",\"label\":\"A\"}],"
			"\"design\":{\"unit\":\"person\"},\"id\":\"demo\"}");
	/* ... but eks_yaml_canonical_json keeps them (a log entry). */
	assert_any("{x-a: 1, b: 2}", "{\"b\":2,\"x-a\":1}");
}

static void test_canonical_defaults_filled(void **state)
{
	char plain[EKS_SHA256_HEX_SIZE], explicit_[EKS_SHA256_HEX_SIZE];
	char other[EKS_SHA256_HEX_SIZE];

	(void)state;
	assert_protocol("id: d\nhypotheses:\n  - {id: H1}\n  - {id: H2, test: equivalence, alpha: 0.1}\n"
			"  - not a mapping\n",
			"{" ANALYSIS_DEFAULTS ",\"hypotheses\":["
			"{\"alpha\":0.05,\"family\":\"confirmatory\",\"id\":\"H1\","
			"\"method\":\"auto\",\"test\":\"superiority\"},"
			"{\"alpha\":0.1,\"family\":\"confirmatory\",\"id\":\"H2\","
			"\"method\":\"auto\",\"test\":\"equivalence\"},"
			"\"not a mapping\"],\"id\":\"d\"}");
	/* Writing a default explicitly (or leaving it null) does not
	 * change the hash; another value does. */
	hash_of("id: d\nhypotheses:\n  - {id: H1, outcome: o}\n", plain);
	hash_of("id: d\nhypotheses:\n  - {id: H1, outcome: o, test: superiority, "
		"method: auto, alpha: 5e-2, family: confirmatory}\n"
		"analysis: {multiplicity: holm, conf_level: 0.950}\n", explicit_);
	assert_string_equal(plain, explicit_);
	hash_of("id: d\nhypotheses:\n  - {id: H1, outcome: o, test: ~, method: }\n"
		"analysis:\n", explicit_);
	assert_string_equal(plain, explicit_);
	hash_of("id: d\nhypotheses:\n  - {id: H1, outcome: o, alpha: 0.01}\n", other);
	assert_string_not_equal(plain, other);
	hash_of("id: d\nhypotheses:\n  - {id: H1, outcome: o}\n"
		"analysis: {multiplicity: bonferroni}\n", other);
	assert_string_not_equal(plain, other);
}

static void test_canonical_hash_ignores_layout(void **state)
{
	char a[EKS_SHA256_HEX_SIZE], b[EKS_SHA256_HEX_SIZE];

	(void)state;
	hash_of("id: d\ntitle: T\nstatus: draft\n"
		"outcomes:\n  - id: o\n    timepoints: [t0, t1]\n    minimum_effect: 0.5\n", a);
	hash_of("# a comment\noutcomes: [{minimum_effect: .5, timepoints: [\"t0\", 't1'],\n"
		"  id: o}]\nstatus: active\ntitle: \"T\"\nid: d\nsummary: changed\n", b);
	assert_string_equal(a, b);
	/* Frozen content does count: a title, a list's order. */
	hash_of("id: d\ntitle: T2\noutcomes:\n  - {id: o, timepoints: [t0, t1], minimum_effect: 0.5}\n", b);
	assert_string_not_equal(a, b);
	hash_of("id: d\ntitle: T\noutcomes:\n  - {id: o, timepoints: [t1, t0], minimum_effect: 0.5}\n", b);
	assert_string_not_equal(a, b);
	/* A number and the same digits as text differ. */
	hash_of("id: d\ntitle: T\noutcomes:\n  - {id: o, timepoints: [t0, t1], minimum_effect: '0.5'}\n", b);
	assert_string_not_equal(a, b);
}

static void test_canonical_refuses_what_json_cannot_hold(void **state)
{
	char *json;
	char hex[EKS_SHA256_HEX_SIZE] = "x";
	eks_yaml_file *file;

	(void)state;
	assert_int_equal(protocol_json("id: d\noutcomes:\n  - {id: o, minimum_effect: .inf}\n",
				       &json), EKS_EINVALID);
	free(json);
	assert_non_null(strstr(eks_error_last()->message, "line 3, column 29"));
	assert_non_null(strstr(eks_error_last()->message, ".inf"));
	assert_int_equal(protocol_json("id: d\nanalysis: {conf_level: -.Inf}\n", &json),
			 EKS_EINVALID);
	free(json);
	assert_int_equal(protocol_json("id: d\nanalysis: {conf_level: .NaN}\n", &json),
			 EKS_EINVALID);
	free(json);
	assert_int_equal(protocol_json("id: d\nanalysis: {conf_level: 1e999}\n", &json),
			 EKS_EINVALID);
	free(json);
	assert_int_equal(protocol_json("id: d\nanalysis: {conf_level: !!int abc}\n", &json),
			 EKS_EINVALID);
	free(json);
	/* Outside the frozen fields they do no harm. */
	assert_protocol("id: d\nevidence_level: .inf\nx-a: .nan\ndesign: {x-b: .inf}\n",
			"{" ANALYSIS_DEFAULTS ",\"design\":{},\"id\":\"d\"}");
	/* A root that is not a mapping cannot be hashed. */
	file = parse("- a\n- b\n");
	assert_int_equal(eks_protocol_hash(hex, file->documents[0]), EKS_EINVALID);
	assert_string_equal(hex, "");
	eks_yaml_file_free(file);
	assert_int_equal(eks_protocol_hash(hex, NULL), EKS_EINVALID);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return data;
}

static eks_yaml_file *load_example(const char *name)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_yaml_file *file = NULL;
	char path[512];

	snprintf(path, sizeof(path), "%s/examples/%s/experiment.yaml",
		 data_dir(), name);
	assert_int_equal(eks_yaml_load_file(&file, path, &diags), 0);
	eks_diag_list_clear(&diags);
	return file;
}

static void test_canonical_example_hash_is_stable(void **state)
{
	eks_yaml_file *file = load_example("uu-molde-outreach");
	char hex[EKS_SHA256_HEX_SIZE], again[EKS_SHA256_HEX_SIZE];
	eks_buf json = EKS_BUF_INIT;

	(void)state;
	assert_int_equal(eks_protocol_hash(hex, file->documents[0]), 0);
	assert_string_equal(hex, MOLDE_HASH);
	assert_int_equal(eks_protocol_hash(again, file->documents[0]), 0);
	assert_string_equal(hex, again);
	/* The hash is the SHA-256 of the canonical JSON's bytes. */
	assert_int_equal(eks_protocol_canonical_json(&json, file->documents[0]), 0);
	eks_sha256_hex(again, json.ptr, json.len);
	assert_string_equal(hex, again);
	assert_true(strncmp(json.ptr, "{\"analysis\":{\"conf_level\":0.95,", 31) == 0);
	assert_null(strstr(json.ptr, "\"status\""));
	assert_null(strstr(json.ptr, "partners"));
	eks_buf_dispose(&json);
	eks_yaml_file_free(file);
}

/* Run canonical_check.py with `args`; its output goes to *out.  Returns
 * the exit status, or -1 when Python or PyYAML is not there. */
static int run_python(const char *args, char **out)
{
	eks_buf cmd = EKS_BUF_INIT, text = EKS_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *p;
	int status;

	eks_buf_printf(&cmd, "python3 %s/../unit/canonical_check.py %s 2>/dev/null",
		       data_dir(), args);
	p = popen(cmd.ptr, "r");
	eks_buf_dispose(&cmd);
	if (!p)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		eks_buf_put(&text, chunk, n);
	status = pclose(p);
	*out = eks_buf_detach(&text);
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 77 ||
	    WEXITSTATUS(status) == 127) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return WEXITSTATUS(status);
}

static void test_canonical_python_agrees_on_examples(void **state)
{
	static const char *const examples[] = { "uu-molde-outreach",
						"demo-velferdsteknologi" };
	size_t k;

	(void)state;
	for (k = 0; k < 2; k++) {
		eks_yaml_file *file = load_example(examples[k]);
		char hex[EKS_SHA256_HEX_SIZE], args[512], *py = NULL;
		int rc;

		assert_int_equal(eks_protocol_hash(hex, file->documents[0]), 0);
		snprintf(args, sizeof(args), "%s/examples/%s/experiment.yaml",
			 data_dir(), examples[k]);
		rc = run_python(args, &py);
		eks_yaml_file_free(file);
		if (rc < 0)
			skip();
		assert_int_equal(rc, 0);
		assert_non_null(py);
		assert_int_equal(strlen(py), 65);
		py[64] = '\0';
		assert_string_equal(py, hex);
		if (k == 0)
			assert_string_equal(py, MOLDE_HASH);
		free(py);
	}
}

/* Documents that exercise every rule: the C library and the Python
 * script must give the same bytes. */
static void test_canonical_python_agrees_on_edge_cases(void **state)
{
	static const char *const docs[] = {
		"id: \"x\"\n"
		"title: 'Tab\tand \"quotes\" \\ back \xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80'\n"
		"x-top: 1\n"
		"design: {unit: \"0301\", model: 0301, allocation: ~, z: 1e21, y: 1e20,\n"
		"  w: 123456789012345678901234, v: 0o17, u: 0xFF, t: -0, s: +1.50, r: .5,\n"
		"  q: 1.e-7, p: 0.000001, o: 1e-7, n: 2.5e-7, m: 5e-324,\n"
		"  l: 1.7976931348623157e308, k: 0.1, j: 100, i: 1.0, h: 9007199254740993,\n"
		"  g: !!str 12, f: !!float 3, e: !!int 0x10, d: !!bool True, c: yes,\n"
		"  b: FALSE, a: [null, ~, \"\", ''], B: 0.30000000000000004, \xc3\xa5: 1}\n"
		"existing_data: !!null\n"
		"arms:\n"
		"  - {id: a, x-note: hidden, list: [1, 2.0, \"3\"],\n"
		"     \"quoted key\": \"\\u0001\\u001f\\u007f\\n\\r\\b\\f\\0\"}\n"
		"hypotheses:\n"
		"  - {id: H1, test: noninferiority, alpha: 5e-2}\n"
		"  - {id: H2, method: }\n"
		"  - notamap\n"
		"analysis: {conf_level: 0.90, x-y: 2}\n"
		"timepoints: []\n"
		"outcomes: {}\n"
		"status: draft\n",

		"id: y\nhypotheses: []\nanalysis: not a mapping\n",

		"id: z\ntitle: |\n  two\n  lines\ninterventions:\n"
		"  - id: i\n    description: >\n      folded\n      text\n",
	};
	char path[] = "/tmp/eks-canonical-XXXXXX";
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(docs) / sizeof(docs[0]); k++) {
		eks_yaml_file *file = parse(docs[k]);
		eks_buf json = EKS_BUF_INIT, args = EKS_BUF_INIT;
		char *py = NULL;
		int fd, rc;

		assert_int_equal(eks_protocol_canonical_json(&json, file->documents[0]), 0);
		eks_yaml_file_free(file);
		fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, docs[k], strlen(docs[k])),
				 (ssize_t)strlen(docs[k]));
		close(fd);
		eks_buf_printf(&args, "--json %s", path);
		rc = run_python(args.ptr, &py);
		unlink(path);
		strcpy(path, "/tmp/eks-canonical-XXXXXX");
		eks_buf_dispose(&args);
		if (rc < 0) {
			eks_buf_dispose(&json);
			skip();
		}
		assert_int_equal(rc, 0);
		assert_string_equal(py, json.ptr);
		free(py);
		eks_buf_dispose(&json);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_keys_sorted_by_bytes),
		cmocka_unit_test(test_canonical_string_escapes),
		cmocka_unit_test(test_canonical_numbers),
		cmocka_unit_test(test_canonical_bools_nulls_tags),
		cmocka_unit_test(test_canonical_frozen_fields_only),
		cmocka_unit_test(test_canonical_extensions_left_out),
		cmocka_unit_test(test_canonical_defaults_filled),
		cmocka_unit_test(test_canonical_hash_ignores_layout),
		cmocka_unit_test(test_canonical_refuses_what_json_cannot_hold),
		cmocka_unit_test(test_canonical_example_hash_is_stable),
		cmocka_unit_test(test_canonical_python_agrees_on_examples),
		cmocka_unit_test(test_canonical_python_agrees_on_edge_cases),
	};

	(void)slurp;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
