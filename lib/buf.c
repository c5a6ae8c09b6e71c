/*
 * buf.c - the growable string buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/buf.h"
#include "eksperiment/error.h"

int eks_buf_grow(eks_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return EKS_ENOMEM;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->ptr, cap);
	if (!p)
		goto fail;
	if (!b->ptr)
		p[0] = '\0';
	b->ptr = p;
	b->cap = cap;
	return 0;
fail:
	b->oom = 1;
	return eks_error_oom();
}

int eks_buf_put(eks_buf *b, const char *data, size_t len)
{
	/* `data` may point into the buffer itself, which growing moves. */
	int inside = b->ptr && (uintptr_t)data >= (uintptr_t)b->ptr &&
		     (uintptr_t)data <= (uintptr_t)(b->ptr + b->len);
	size_t off = inside ? (size_t)(data - b->ptr) : 0;

	if (eks_buf_grow(b, len) < 0)
		return EKS_ENOMEM;
	if (inside)
		data = b->ptr + off;
	if (len)
		memmove(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int eks_buf_puts(eks_buf *b, const char *s)
{
	return eks_buf_put(b, s, strlen(s));
}

int eks_buf_putc(eks_buf *b, char c)
{
	return eks_buf_put(b, &c, 1);
}

int eks_buf_vprintf(eks_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return eks_error_set(EKS_ERROR, "cannot format text");
	if (eks_buf_grow(b, (size_t)n) < 0)
		return EKS_ENOMEM;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int eks_buf_printf(eks_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = eks_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int eks_buf_put_json_string(eks_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	eks_buf_putc(b, '"');
	for (; *p; p++) {
		switch (*p) {
		case '"':  eks_buf_puts(b, "\\\""); break;
		case '\\': eks_buf_puts(b, "\\\\"); break;
		case '\n': eks_buf_puts(b, "\\n"); break;
		case '\r': eks_buf_puts(b, "\\r"); break;
		case '\t': eks_buf_puts(b, "\\t"); break;
		case '\b': eks_buf_puts(b, "\\b"); break;
		case '\f': eks_buf_puts(b, "\\f"); break;
		default:
			if (*p < 0x20)
				eks_buf_printf(b, "\\u%04x", *p);
			else
				eks_buf_putc(b, (char)*p);
		}
	}
	return eks_buf_putc(b, '"');
}

int eks_buf_put_csv_field(eks_buf *b, const char *s)
{
	const char *p;

	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n"))
		return eks_buf_puts(b, s);
	eks_buf_putc(b, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			eks_buf_putc(b, '"');
		eks_buf_putc(b, *p);
	}
	return eks_buf_putc(b, '"');
}

void eks_buf_clear(eks_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void eks_buf_dispose(eks_buf *b)
{
	if (!b)
		return;
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

char *eks_buf_detach(eks_buf *b)
{
	char *p = b->ptr;

	if (!p)
		p = calloc(1, 1);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
	return p;
}

const char *eks_buf_cstr(const eks_buf *b)
{
	return b->ptr ? b->ptr : "";
}

int eks_buf_oom(const eks_buf *b)
{
	return b->oom;
}
