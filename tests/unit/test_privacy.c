/*
 * test_privacy.c - identity numbers (fødselsnummer, D- and H-numbers).
 *
 * Every number here is synthetic: the test computes the control digits
 * itself, and the dates are in the future (2039) or are 29 February 2000
 * with an individual number of the 2000s, so they name nobody.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "eksperiment.h"

/* Mod-11 control digit over `count` digits; 10 when none exists. */
static int control(const char *d, const int *weights, int count)
{
	int i, sum = 0, k;

	for (i = 0; i < count; i++)
		sum += (d[i] - '0') * weights[i];
	k = 11 - sum % 11;
	return k == 11 ? 0 : k;
}

/*
 * Complete six date digits with the first individual number from `from`
 * (counting down) whose control digits exist.  out gets 11 digits + NUL.
 */
static void make_number(char out[12], const char *date, int from)
{
	static const int w1[9] = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
	static const int w2[10] = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };
	int ind, k1, k2;

	for (ind = from; ind >= 0; ind--) {
		snprintf(out, 12, "%s%03d", date, ind);
		k1 = control(out, w1, 9);
		if (k1 == 10)
			continue;
		out[9] = (char)('0' + k1);
		k2 = control(out, w2, 10);
		if (k2 == 10)
			continue;
		out[10] = (char)('0' + k2);
		out[11] = '\0';
		return;
	}
	fail_msg("no individual number for %s", date);
}

static void test_privacy_valid_numbers(void **state)
{
	char n[12];

	(void)state;
	make_number(n, "311239", 999);          /* fødselsnummer, 2039 */
	assert_true(eks_fnr_valid(n));
	make_number(n, "711239", 999);          /* D-number: day + 40 */
	assert_true(eks_fnr_valid(n));
	make_number(n, "315239", 999);          /* H-number: month + 40 */
	assert_true(eks_fnr_valid(n));
	make_number(n, "290200", 999);          /* 29 Feb 2000: a leap year */
	assert_true(eks_fnr_valid(n));
	make_number(n, "010139", 599);
	assert_true(eks_fnr_valid(n));
}

static void test_privacy_invalid_dates(void **state)
{
	static const char *const dates[] = {
		"001239",   /* day 0 */
		"321239",   /* day 32 */
		"311139",   /* 31 November */
		"300239",   /* 30 February */
		"290239",   /* 29 Feb 1939 and 2039: no leap year */
		"310039",   /* month 0 */
		"311339",   /* month 13 */
		"721239",   /* D-number with day 32 */
		"405239",   /* D/H confusion: day 40 is day 0 */
		"315339",   /* H-number with month 13 */
		"318239",   /* month + 80 (synthetic test numbers): no date */
	};
	char n[12];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		make_number(n, dates[i], 999);
		if (eks_fnr_valid(n))
			fail_msg("%s accepted", dates[i]);
	}
}

static void test_privacy_control_digits(void **state)
{
	char n[12], bad[12];
	int d;

	(void)state;
	make_number(n, "311239", 999);
	/* Any other first control digit is wrong ... */
	for (d = 0; d <= 9; d++) {
		if (d == n[9] - '0')
			continue;
		memcpy(bad, n, 12);
		bad[9] = (char)('0' + d);
		assert_false(eks_fnr_valid(bad));
	}
	/* ... and so is any other second one. */
	for (d = 0; d <= 9; d++) {
		if (d == n[10] - '0')
			continue;
		memcpy(bad, n, 12);
		bad[10] = (char)('0' + d);
		assert_false(eks_fnr_valid(bad));
	}
	/* A digit swapped in the individual number breaks the check. */
	memcpy(bad, n, 12);
	bad[6] = n[7];
	bad[7] = n[6];
	if (bad[6] != bad[7])
		assert_false(eks_fnr_valid(bad));
	/* Not digits. */
	memcpy(bad, n, 12);
	bad[3] = 'x';
	assert_false(eks_fnr_valid(bad));
}

/* When the first control digit comes out as 10, no number exists. */
static void test_privacy_remainder_ten(void **state)
{
	static const int w1[9] = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
	char n[12];
	int ind, k2, found = 0;

	(void)state;
	for (ind = 999; ind >= 500 && !found; ind--) {
		snprintf(n, sizeof(n), "311239%03d00", ind);
		if (control(n, w1, 9) != 10)
			continue;
		found = 1;
		/* Whatever digits follow, nothing is valid. */
		for (k2 = 0; k2 < 100; k2++) {
			n[9] = (char)('0' + k2 / 10);
			n[10] = (char)('0' + k2 % 10);
			assert_false(eks_fnr_valid(n));
		}
	}
	assert_true(found);
}

static void test_privacy_scan_finds_and_hides(void **state)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	char n[12], text[512];
	int found;

	(void)state;
	make_number(n, "311239", 999);
	snprintf(text, sizeof(text),
		 "title: Test\n"
		 "# call %s back\n"             /* line 2, col 8: in a comment */
		 "note: \"Bærum: %s\"\n"        /* line 3: after a 2-byte character */
		 "n: 1%s\n"                     /* 12 digits: not a number of 11 */
		 "x: %.10s\n"                   /* 10 digits */
		 "y: ab%scd\n"                  /* letters around: still a number */
		 "%s", n, n, n, n, n, n);
	found = eks_privacy_scan("experiments/x/log.yaml", text, strlen(text),
				 &diags);
	assert_int_equal(found, 4);
	assert_int_equal(diags.count, 4);
	assert_int_equal(diags.items[0].line, 2);
	assert_int_equal(diags.items[0].col, 8);
	assert_int_equal(diags.items[1].line, 3);
	assert_int_equal(diags.items[1].col, 15);  /* characters, not bytes */
	assert_int_equal(diags.items[2].line, 6);
	assert_int_equal(diags.items[2].col, 6);
	assert_int_equal(diags.items[3].line, 7);  /* at the very end */
	assert_int_equal(diags.items[3].col, 1);
	assert_int_equal(diags.items[0].severity, EKS_DIAG_ERROR);
	assert_string_equal(diags.items[0].message,
			    "this looks like a Norwegian national identity number "
			    "(fødselsnummer); personal data must never be stored "
			    "in experiment files: remove it");
	assert_string_equal(diags.items[0].path, "experiments/x/log.yaml");
	for (size_t i = 0; i < diags.count; i++)
		assert_null(strstr(diags.items[i].message, n));
	eks_diag_list_clear(&diags);
}

static void test_privacy_scan_respects_length(void **state)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	char n[12], text[64];

	(void)state;
	make_number(n, "311239", 999);
	snprintf(text, sizeof(text), "id: %s", n);
	/* Cut one digit short: 10 digits are no identity number. */
	assert_int_equal(eks_privacy_scan("f", text, strlen(text) - 1, &diags), 0);
	assert_int_equal(eks_privacy_scan("f", text, strlen(text), &diags), 1);
	assert_int_equal(eks_privacy_scan("f", "", 0, &diags), 0);
	eks_diag_list_clear(&diags);
}

static void test_privacy_scan_skips_hashes(void **state)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	char n[12], text[256];

	(void)state;
	make_number(n, "311239", 999);
	/* Inside a SHA-256 (64 hexadecimal characters): not a number. */
	snprintf(text, sizeof(text), "protocol_sha256: ab%s"
		 "c0123456789abcdef0123456789abcdef0123456789abcdef0a\n", n);
	assert_int_equal(strlen(text), strlen("protocol_sha256: ") + 64 + 1);
	assert_int_equal(eks_privacy_scan("f", text, strlen(text), &diags), 0);
	/* A short hex word around it does not hide it. */
	snprintf(text, sizeof(text), "ref: ab%scd\n", n);
	assert_int_equal(eks_privacy_scan("f", text, strlen(text), &diags), 1);
	eks_diag_list_clear(&diags);
}

static void test_privacy_validate_refuses(void **state)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_settings *settings = NULL;
	char n[12], text[256];

	(void)state;
	make_number(n, "711239", 999);
	snprintf(text, sizeof(text), "schema: eksperiment/v1\nname: %s\n", n);
	assert_int_equal(eks_validate_settings(&settings, "eksperiment.yaml", text,
					       strlen(text), &diags), EKS_EINVALID);
	assert_int_equal(diags.count, 1);
	assert_int_equal(diags.items[0].line, 2);
	assert_int_equal(diags.items[0].col, 7);
	eks_settings_free(settings);
	eks_diag_list_clear(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privacy_valid_numbers),
		cmocka_unit_test(test_privacy_invalid_dates),
		cmocka_unit_test(test_privacy_control_digits),
		cmocka_unit_test(test_privacy_remainder_ten),
		cmocka_unit_test(test_privacy_scan_finds_and_hides),
		cmocka_unit_test(test_privacy_scan_respects_length),
		cmocka_unit_test(test_privacy_scan_skips_hashes),
		cmocka_unit_test(test_privacy_validate_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
