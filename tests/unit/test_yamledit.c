/*
 * test_yamledit.c - one value changed in place, every other byte kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "eksperiment.h"

static void replace(const char *text, const char *key, const char *value,
		    const char *expected, int expected_rc)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_yaml_file *file = NULL;
	eks_buf out = EKS_BUF_INIT;

	assert_int_equal(eks_yaml_parse(&file, "x.yaml", text, strlen(text), &diags), 0);
	assert_int_equal(eks_yaml_replace_scalar(&out, text, strlen(text),
						 eks_node_get(file->documents[0], key), value),
			 expected_rc);
	if (expected)
		assert_string_equal(eks_buf_cstr(&out), expected);
	eks_buf_dispose(&out);
	eks_yaml_file_free(file);
	eks_diag_list_clear(&diags);
}

static void test_yamledit_keeps_everything_else(void **state)
{
	(void)state;
	replace("# comment\ntitle: Bærum\nstatus: draft   # was planned\nx: 1\n", "status", "active",
		"# comment\ntitle: Bærum\nstatus: active   # was planned\nx: 1\n", 0);
	replace("status: 'draft'\n", "status", "registered", "status: registered\n", 0);
	replace("status: \"draft\"\n", "status", "withdrawn", "status: withdrawn\n", 0);
	replace("{title: Bærum, status: draft}\n", "status", "active",
		"{title: Bærum, status: active}\n", 0);
}

static void test_yamledit_refuses(void **state)
{
	(void)state;
	replace("status: [a, b]\n", "status", "active", NULL, EKS_EUSAGE);
	replace("status: draft\n", "status", "two words", NULL, EKS_EUSAGE);
	replace("status: |\n  draft\n", "status", "active", NULL, EKS_EUSAGE);
	replace("status: draft\n", "missing", "active", NULL, EKS_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yamledit_keeps_everything_else),
		cmocka_unit_test(test_yamledit_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
