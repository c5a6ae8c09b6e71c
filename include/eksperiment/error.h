/*
 * error.h - error codes and the thread-local "last error" of the library.
 *
 * Every library function returns 0 on success or a negative EKS_E* code.
 * On failure it also sets a message that eks_error_last() returns until the
 * next failure on the same thread.  Messages from libgit2, SQLite and
 * libyaml are copied at once, because those libraries overwrite theirs.
 */
#ifndef EKSPERIMENT_ERROR_H
#define EKSPERIMENT_ERROR_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	EKS_OK        =  0,
	EKS_ERROR     = -1,  /* generic runtime failure */
	EKS_EINVALID  = -2,  /* input has problems (diagnostics say which) */
	EKS_EUSAGE    = -3,  /* bad argument from the caller / user */
	EKS_ENOTFOUND = -4,  /* no such experiment, file or revision */
	EKS_EEXISTS   = -5,  /* already exists */
	EKS_EIO       = -6,  /* reading or writing a file failed */
	EKS_EGIT      = -7,  /* libgit2 reported an error */
	EKS_ELOCKED   = -8,  /* the repository lock could not be taken in time */
	EKS_ENOMEM    = -9,  /* out of memory */
	EKS_ECORRUPT  = -10, /* stored data is damaged */
	EKS_EREFUSED  = -11, /* the action is not allowed (status, privacy, ...) */
	EKS_ENOREPO   = -12, /* not inside an eksperiment repository */
	EKS_ESQL      = -13  /* SQLite reported an error */
} eks_error_code;

typedef struct eks_error {
	int code;            /* one of eks_error_code */
	char message[1024];  /* plain-language message, no trailing newline */
} eks_error;

/*
 * The last error set on this thread.  Never NULL: when no error was set the
 * code is EKS_OK and the message empty.  Borrowed; valid until the next
 * failure on this thread.
 */
const eks_error *eks_error_last(void);

/* Set the last error; returns `code` so callers can `return eks_error_set(...)`. */
int eks_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int eks_error_vset(int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Forget the last error. */
void eks_error_clear(void);

/* Convenience for allocation failures. */
int eks_error_oom(void);

#ifdef __cplusplus
}
#endif
#endif
