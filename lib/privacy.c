/*
 * privacy.c - finding Norwegian national identity numbers in files before
 * they reach git history (SPEC 8.3).
 */
#include <stddef.h>

#include "eksperiment/privacy.h"
#include "schema_internal.h"

/*
 * The control digits of a fødselsnummer (Skatteetaten, "Fødselsnummer";
 * the mod-11 scheme of the Folkeregister):
 *   k1 = 11 - (3 7 6 1 8 9 4 5 2 · d1..d9) mod 11
 *   k2 = 11 - (5 4 3 2 7 6 5 4 3 2 · d1..d9 k1) mod 11
 * where 11 gives 0 and 10 means no valid number has these nine digits.
 */
static int control_digit(const int *digits, const int *weights, int count)
{
	int i, sum = 0, k;

	for (i = 0; i < count; i++)
		sum += digits[i] * weights[i];
	k = 11 - sum % 11;
	if (k == 11)
		k = 0;
	return k;    /* 10: invalid */
}

/*
 * See privacy.h.  The date: DDMMYY, with 40 added to the day for a
 * D-number and to the month for an H-number.  The century comes from the
 * individual number (digits 7-9) by rules that cover 1854-2039; every year
 * in that range has the same day count as the year with the same last two
 * digits in 19xx or 20xx, and only 29 February differs between those two
 * (00 is a leap year in 2000, not in 1900).  So the date is accepted when
 * it exists in 19YY or in 20YY, which is exactly "valid in some century
 * the rules allow", without decoding the century.
 */
int eks_fnr_valid(const char d[11])
{
	static const int w1[9] = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
	static const int w2[10] = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };
	int v[11], i, day, month, year2;

	for (i = 0; i < 11; i++) {
		if (d[i] < '0' || d[i] > '9')
			return 0;
		v[i] = d[i] - '0';
	}
	day = v[0] * 10 + v[1];
	month = v[2] * 10 + v[3];
	year2 = v[4] * 10 + v[5];
	if (day > 40)           /* D-number */
		day -= 40;
	if (month > 40)         /* H-number */
		month -= 40;
	if (month < 1 || month > 12 || day < 1)
		return 0;
	if (day > eks_days_in_month(1900 + year2, month) &&
	    day > eks_days_in_month(2000 + year2, month))
		return 0;
	if (control_digit(v, w1, 9) != v[9])
		return 0;
	return control_digit(v, w2, 10) == v[10];
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex_letter(char c)
{
	return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * True when the digits [start, end) lie inside a run of 40 or more
 * hexadecimal characters with at least one letter: a git commit id or a
 * SHA-256 (registration entries carry both), never an identity number.
 */
static int inside_hash(const char *data, size_t len, size_t start, size_t end)
{
	size_t a = start, b = end;
	int letter = 0;

	while (a > 0 && (is_digit(data[a - 1]) || is_hex_letter(data[a - 1]))) {
		a--;
		letter |= is_hex_letter(data[a]);
	}
	while (b < len && (is_digit(data[b]) || is_hex_letter(data[b]))) {
		letter |= is_hex_letter(data[b]);
		b++;
	}
	return letter && b - a >= 40;
}

/*
 * See privacy.h.  One pass over the bytes; the column is counted in
 * characters (UTF-8), as the YAML loader counts it.
 */
int eks_privacy_scan(const char *path, const char *data, size_t len,
		     eks_diag_list *diags)
{
	size_t i = 0, line_start = 0, start, j;
	int line = 1, found = 0, col;

	while (i < len) {
		if (data[i] == '\n') {
			line++;
			line_start = ++i;
			continue;
		}
		if (!is_digit(data[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < len && is_digit(data[i]))
			i++;
		if (i - start != 11 || !eks_fnr_valid(data + start) ||
		    inside_hash(data, len, start, i))
			continue;
		col = 1;
		for (j = line_start; j < start; j++)
			if (((unsigned char)data[j] & 0xc0) != 0x80)
				col++;
		eks_diag_add(diags, EKS_DIAG_ERROR, path, line, col,
			     "this looks like a Norwegian national identity number "
			     "(fødselsnummer); personal data must never be stored "
			     "in experiment files: remove it");
		found++;
	}
	return found;
}
