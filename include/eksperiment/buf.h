/*
 * buf.h - the growable string buffer used wherever text is built.
 *
 *   eks_buf b = EKS_BUF_INIT;
 *   eks_buf_printf(&b, "%d", 42);
 *   ... use b.ptr (always NUL-terminated once anything was added) ...
 *   eks_buf_dispose(&b);
 *
 * Growth never fails silently: on allocation failure the buffer is marked
 * and every later call returns EKS_ENOMEM; eks_buf_oom() tells.
 */
#ifndef EKSPERIMENT_BUF_H
#define EKSPERIMENT_BUF_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eks_buf {
	char *ptr;     /* NUL-terminated contents, or NULL while empty */
	size_t len;    /* bytes used, not counting the NUL */
	size_t cap;    /* bytes allocated */
	int oom;       /* set when an allocation failed */
} eks_buf;

#define EKS_BUF_INIT { NULL, 0, 0, 0 }

int eks_buf_grow(eks_buf *b, size_t extra);
int eks_buf_put(eks_buf *b, const char *data, size_t len);
int eks_buf_puts(eks_buf *b, const char *s);
int eks_buf_putc(eks_buf *b, char c);
int eks_buf_printf(eks_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int eks_buf_vprintf(eks_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Append `s` as a JSON string literal, quotes included. */
int eks_buf_put_json_string(eks_buf *b, const char *s);
/* Append `s` as a CSV field, quoted when needed. */
int eks_buf_put_csv_field(eks_buf *b, const char *s);

/* Empty the buffer but keep its memory. */
void eks_buf_clear(eks_buf *b);
/* Free the memory; the buffer is EKS_BUF_INIT again.  NULL is fine. */
void eks_buf_dispose(eks_buf *b);
/* Hand the contents to the caller (free with free()); the buffer is reset.
 * Returns an empty string rather than NULL when nothing was added. */
char *eks_buf_detach(eks_buf *b);
/* Non-NULL contents: "" while empty. */
const char *eks_buf_cstr(const eks_buf *b);
int eks_buf_oom(const eks_buf *b);

#ifdef __cplusplus
}
#endif
#endif
