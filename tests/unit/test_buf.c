/*
 * test_buf.c - the growable string buffer.
 */
// WRAP: realloc calloc
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "eksperiment/buf.h"
#include "eksperiment/error.h"

void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t nmemb, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_calloc(size_t nmemb, size_t n);

static int fail_alloc;

void *__wrap_realloc(void *p, size_t n)
{
	return fail_alloc ? NULL : __real_realloc(p, n);
}

void *__wrap_calloc(size_t nmemb, size_t n)
{
	return fail_alloc ? NULL : __real_calloc(nmemb, n);
}

static void test_buf_starts_empty(void **state)
{
	eks_buf b = EKS_BUF_INIT;
	char *s;

	(void)state;
	assert_null(b.ptr);
	assert_string_equal(eks_buf_cstr(&b), "");
	assert_int_equal(eks_buf_oom(&b), 0);
	s = eks_buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	eks_buf_dispose(&b);
	eks_buf_dispose(NULL);
}

static void test_buf_grows(void **state)
{
	eks_buf b = EKS_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 100000; i++)
		assert_int_equal(eks_buf_putc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 100000);
	assert_true(b.cap > b.len);
	assert_int_equal(strlen(b.ptr), 100000);
	for (i = 0; i < 100000; i += 997)
		assert_int_equal(b.ptr[i], 'a' + i % 26);

	/* Growth is geometric: far fewer distinct capacities than appends. */
	assert_true(b.cap < 4 * b.len);
	eks_buf_dispose(&b);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void test_buf_put_keeps_bytes(void **state)
{
	eks_buf b = EKS_BUF_INIT;

	(void)state;
	assert_int_equal(eks_buf_put(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.ptr, "a\0b", 4);
	assert_int_equal(eks_buf_put(&b, NULL, 0), 0);
	assert_int_equal(b.len, 3);
	assert_int_equal(eks_buf_puts(&b, "cd"), 0);
	assert_memory_equal(b.ptr, "a\0bcd", 6);
	eks_buf_dispose(&b);
}

/* Appending the buffer's own contents while it grows (bug fixed here). */
static void test_buf_append_own_contents(void **state)
{
	eks_buf b = EKS_BUF_INIT;
	int i;

	(void)state;
	eks_buf_puts(&b, "0123456789");
	for (i = 0; i < 12; i++)
		assert_int_equal(eks_buf_put(&b, b.ptr, b.len), 0);
	assert_int_equal(b.len, 10 << 12);
	assert_memory_equal(b.ptr + b.len - 10, "0123456789", 10);
	assert_memory_equal(b.ptr + 20470, "0123456789", 10);
	/* A suffix of itself, too. */
	eks_buf_clear(&b);
	eks_buf_puts(&b, "abcdef");
	assert_int_equal(eks_buf_put(&b, b.ptr + 3, 3), 0);
	assert_string_equal(b.ptr, "abcdefdef");
	eks_buf_dispose(&b);
}

static void test_buf_printf(void **state)
{
	eks_buf b = EKS_BUF_INIT;
	char big[300];

	(void)state;
	assert_int_equal(eks_buf_printf(&b, "%d-%s", 42, "x"), 0);
	assert_string_equal(b.ptr, "42-x");
	assert_int_equal(eks_buf_printf(&b, "%.2f", 1.5), 0);
	assert_string_equal(b.ptr, "42-x1.50");
	assert_int_equal(b.len, 8);

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(eks_buf_printf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 8 + 2 + 299);
	assert_int_equal(b.ptr[b.len - 1], ']');
	assert_int_equal(b.ptr[b.len], '\0');
	eks_buf_dispose(&b);

	/* An empty result still gives a string. */
	assert_int_equal(eks_buf_printf(&b, "%s", ""), 0);
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	eks_buf_dispose(&b);
}

static void test_buf_json_string(void **state)
{
	eks_buf b = EKS_BUF_INIT;

	(void)state;
	eks_buf_put_json_string(&b, "say \"hi\"\\\n\r\t\b\f\x01\x1f end");
	assert_string_equal(b.ptr, "\"say \\\"hi\\\"\\\\\\n\\r\\t\\b\\f"
			    "\\u0001\\u001f end\"");
	eks_buf_clear(&b);
	eks_buf_put_json_string(&b, "Bærum / ✓");
	assert_string_equal(b.ptr, "\"Bærum / ✓\"");
	eks_buf_clear(&b);
	assert_int_equal(eks_buf_put_json_string(&b, NULL), 0);
	assert_string_equal(b.ptr, "\"\"");
	eks_buf_dispose(&b);
}

static void test_buf_csv_field(void **state)
{
	eks_buf b = EKS_BUF_INIT;

	(void)state;
	eks_buf_put_csv_field(&b, "plain text");
	eks_buf_putc(&b, ',');
	eks_buf_put_csv_field(&b, "a,b");
	eks_buf_putc(&b, ',');
	eks_buf_put_csv_field(&b, "say \"hi\"");
	eks_buf_putc(&b, ',');
	eks_buf_put_csv_field(&b, "two\nlines");
	eks_buf_putc(&b, ',');
	eks_buf_put_csv_field(&b, "cr\r");
	eks_buf_putc(&b, ',');
	eks_buf_put_csv_field(&b, NULL);
	eks_buf_putc(&b, ',');
	eks_buf_put_csv_field(&b, "Møre");
	assert_string_equal(b.ptr, "plain text,\"a,b\",\"say \"\"hi\"\"\","
			    "\"two\nlines\",\"cr\r\",,Møre");
	eks_buf_dispose(&b);
}

static void test_buf_clear_and_detach(void **state)
{
	eks_buf b = EKS_BUF_INIT;
	size_t cap;
	char *s;

	(void)state;
	eks_buf_puts(&b, "hello");
	cap = b.cap;
	eks_buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(eks_buf_cstr(&b), "");
	assert_int_equal(b.cap, cap);     /* memory kept */
	eks_buf_puts(&b, "world");
	s = eks_buf_detach(&b);
	assert_string_equal(s, "world");
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(s);
	/* The buffer is usable again. */
	eks_buf_puts(&b, "again");
	assert_string_equal(b.ptr, "again");
	eks_buf_dispose(&b);
}

static void test_buf_out_of_memory_is_sticky(void **state)
{
	eks_buf b = EKS_BUF_INIT;
	char *s;

	(void)state;
	eks_buf_puts(&b, "ok");
	eks_error_clear();
	fail_alloc = 1;
	assert_int_equal(eks_buf_printf(&b, "%0500d", 1), EKS_ENOMEM);
	fail_alloc = 0;
	assert_true(eks_buf_oom(&b));
	assert_int_equal(eks_error_last()->code, EKS_ENOMEM);
	/* Later calls fail too, even ones that would fit. */
	assert_int_equal(eks_buf_putc(&b, 'x'), EKS_ENOMEM);
	assert_int_equal(eks_buf_puts(&b, "y"), EKS_ENOMEM);
	assert_int_equal(eks_buf_put_json_string(&b, "z"), EKS_ENOMEM);
	assert_int_equal(eks_buf_put_csv_field(&b, "a,b"), EKS_ENOMEM);
	assert_string_equal(b.ptr, "ok");
	eks_buf_dispose(&b);
	assert_false(eks_buf_oom(&b));

	/* No memory on the first append. */
	fail_alloc = 1;
	assert_int_equal(eks_buf_puts(&b, "x"), EKS_ENOMEM);
	s = eks_buf_detach(&b);
	fail_alloc = 0;
	assert_null(s);
	assert_false(eks_buf_oom(&b));

	/* A size that cannot be represented. */
	assert_int_equal(eks_buf_grow(&b, SIZE_MAX), EKS_ENOMEM);
	assert_true(eks_buf_oom(&b));
	eks_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_starts_empty),
		cmocka_unit_test(test_buf_grows),
		cmocka_unit_test(test_buf_put_keeps_bytes),
		cmocka_unit_test(test_buf_append_own_contents),
		cmocka_unit_test(test_buf_printf),
		cmocka_unit_test(test_buf_json_string),
		cmocka_unit_test(test_buf_csv_field),
		cmocka_unit_test(test_buf_clear_and_detach),
		cmocka_unit_test(test_buf_out_of_memory_is_sticky),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
