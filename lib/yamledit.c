/*
 * yamledit.c - replace one scalar of a YAML text by its position.
 */
#include <string.h>

#include "eksperiment/error.h"
#include "eksperiment/yamledit.h"

static int plain_word(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* Byte offset of 1-based (line, col), columns counted in characters. */
static int offset_of(size_t *out, const char *text, size_t len, int line, int col)
{
	size_t i = 0;
	int l = 1, c = 1;

	while (i < len && l < line) {
		if (text[i++] == '\n')
			l++;
	}
	while (i < len && c < col && text[i] != '\n') {
		i++;
		while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
			i++;
		c++;
	}
	if (l != line || c != col)
		return -1;
	*out = i;
	return 0;
}

int eks_yaml_replace_scalar(eks_buf *out, const char *text, size_t len,
			    const eks_node *node, const char *value)
{
	size_t start, end;

	if (!node || node->kind != EKS_NODE_SCALAR || node->style == EKS_SCALAR_BLOCK)
		return eks_error_set(EKS_EUSAGE, "the value to change is not a simple value");
	if (!plain_word(value))
		return eks_error_set(EKS_EUSAGE, "'%s' cannot be written as a plain value", value);
	if (offset_of(&start, text, len, node->line, node->col) < 0)
		return eks_error_set(EKS_EUSAGE, "the value to change is not where the file says");

	if (node->style == EKS_SCALAR_QUOTED) {
		char quote = text[start];
		end = start + 1;
		while (end < len && text[end] != quote && text[end] != '\n') {
			if (quote == '"' && text[end] == '\\')
				end++;
			end++;
		}
		if (end >= len || text[end] != quote)
			return eks_error_set(EKS_EUSAGE, "the quoted value to change spans lines");
		end++;
	} else {
		end = start + node->value_len;
		if (end > len || memcmp(text + start, node->value, node->value_len))
			return eks_error_set(EKS_EUSAGE, "the value to change spans lines or is written specially");
	}
	eks_buf_put(out, text, start);
	eks_buf_puts(out, value);
	eks_buf_put(out, text + end, len - end);
	return eks_buf_oom(out) ? EKS_ENOMEM : 0;
}
