/*
 * error.c - the thread-local last error.
 */
#include <stdio.h>
#include <string.h>

#include "eksperiment/error.h"

static _Thread_local eks_error last_error;

const eks_error *eks_error_last(void)
{
	return &last_error;
}

int eks_error_vset(int code, const char *fmt, va_list ap)
{
	last_error.code = code;
	vsnprintf(last_error.message, sizeof(last_error.message), fmt, ap);
	return code;
}

int eks_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	eks_error_vset(code, fmt, ap);
	va_end(ap);
	return code;
}

void eks_error_clear(void)
{
	last_error.code = EKS_OK;
	last_error.message[0] = '\0';
}

int eks_error_oom(void)
{
	return eks_error_set(EKS_ENOMEM, "out of memory");
}
