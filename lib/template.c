/*
 * template.c - listing and filling in protocol templates.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/buf.h"
#include "eksperiment/error.h"
#include "eksperiment/protocol.h"
#include "eksperiment/template.h"
#include "eksperiment/yaml.h"

#define TEMPLATE_MAX_BYTES (1024 * 1024)

static int read_small_file(eks_buf *out, const char *path)
{
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return eks_error_set(errno == ENOENT ? EKS_ENOTFOUND : EKS_EIO,
				     "cannot read '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > TEMPLATE_MAX_BYTES) {
			fclose(f);
			return eks_error_set(EKS_EIO, "template '%s' is larger than 1 MiB", path);
		}
		if (eks_buf_put(out, chunk, n) < 0) {
			fclose(f);
			return EKS_ENOMEM;
		}
	}
	if (ferror(f)) {
		fclose(f);
		return eks_error_set(EKS_EIO, "cannot read '%s'", path);
	}
	fclose(f);
	return 0;
}

static char *description_of(const char *text)
{
	static const char prefix[] = "# description:";
	const char *start, *end;
	char *d;

	if (strncmp(text, prefix, sizeof(prefix) - 1))
		return strdup("");
	start = text + sizeof(prefix) - 1;
	while (*start == ' ')
		start++;
	end = strchr(start, '\n');
	if (!end)
		end = start + strlen(start);
	d = strndup(start, (size_t)(end - start));
	return d;
}

static int compare_templates(const void *a, const void *b)
{
	return strcmp(((const eks_template *)a)->name, ((const eks_template *)b)->name);
}

int eks_template_list(eks_template **out, size_t *count, const char *dir)
{
	eks_template *list = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	*out = NULL;
	*count = 0;
	d = opendir(dir);
	if (!d)
		return eks_error_set(EKS_EIO, "cannot read the template directory '%s': %s",
				     dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		eks_buf path = EKS_BUF_INIT, text = EKS_BUF_INIT;

		if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") || e->d_name[0] == '.')
			continue;
		if (n == alloc) {
			eks_template *grown;
			alloc = alloc ? alloc * 2 : 8;
			grown = realloc(list, alloc * sizeof(*list));
			if (!grown) {
				rc = eks_error_oom();
				break;
			}
			list = grown;
		}
		eks_buf_printf(&path, "%s/%s", dir, e->d_name);
		rc = read_small_file(&text, eks_buf_cstr(&path));
		eks_buf_dispose(&path);
		if (rc < 0) {
			eks_buf_dispose(&text);
			break;
		}
		list[n].name = strndup(e->d_name, len - 5);
		list[n].description = description_of(eks_buf_cstr(&text));
		eks_buf_dispose(&text);
		if (!list[n].name || !list[n].description) {
			free(list[n].name);
			free(list[n].description);
			rc = eks_error_oom();
			break;
		}
		n++;
	}
	closedir(d);
	if (rc < 0) {
		eks_template_list_free(list, n);
		return rc;
	}
	qsort(list, n, sizeof(*list), compare_templates);
	*out = list;
	*count = n;
	return 0;
}

void eks_template_list_free(eks_template *templates, size_t count)
{
	size_t i;

	if (!templates)
		return;
	for (i = 0; i < count; i++) {
		free(templates[i].name);
		free(templates[i].description);
	}
	free(templates);
}

/* Append `title` escaped for a double-quoted YAML scalar. */
static void put_yaml_double_quoted_body(eks_buf *out, const char *title)
{
	const unsigned char *p;

	for (p = (const unsigned char *)title; *p; p++) {
		if (*p == '"' || *p == '\\')
			eks_buf_putc(out, '\\');
		if (*p == '\n')
			eks_buf_puts(out, "\\n");
		else if (*p == '\t')
			eks_buf_puts(out, "\\t");
		else if (*p < 0x20)
			eks_buf_printf(out, "\\x%02x", *p);
		else
			eks_buf_putc(out, (char)*p);
	}
}

static int unknown_template(const char *dir, const char *name)
{
	eks_template *list;
	size_t count, i;
	eks_buf names = EKS_BUF_INIT;
	int rc;

	if (eks_template_list(&list, &count, dir) < 0)
		return eks_error_set(EKS_ENOTFOUND, "no template named '%s'", name);
	for (i = 0; i < count; i++)
		eks_buf_printf(&names, "%s%s", i ? ", " : "", list[i].name);
	rc = eks_error_set(EKS_ENOTFOUND, "no template named '%s'; the templates are: %s",
			   name, count ? eks_buf_cstr(&names) : "(none)");
	eks_buf_dispose(&names);
	eks_template_list_free(list, count);
	return rc;
}

int eks_template_render(char **out, size_t *len, const char *dir,
			const char *name, const char *id, const char *title)
{
	eks_buf path = EKS_BUF_INIT, text = EKS_BUF_INIT, result = EKS_BUF_INIT;
	const char *p, *mark;
	int rc;

	*out = NULL;
	*len = 0;
	if (!eks_local_id_valid(name) || strchr(name, '/') || name[0] == '.')
		return eks_error_set(EKS_EUSAGE, "'%s' is not a template name", name);

	eks_buf_printf(&path, "%s/%s.yaml", dir, name);
	rc = read_small_file(&text, eks_buf_cstr(&path));
	if (rc == EKS_ENOTFOUND)
		rc = unknown_template(dir, name);
	if (rc < 0)
		goto done;

	p = eks_buf_cstr(&text);
	while ((mark = strchr(p, '@')) != NULL) {
		eks_buf_put(&result, p, (size_t)(mark - p));
		if (!strncmp(mark, "@ID@", 4)) {
			eks_buf_puts(&result, id);
			p = mark + 4;
		} else if (!strncmp(mark, "@TITLE@", 7)) {
			put_yaml_double_quoted_body(&result, title);
			p = mark + 7;
		} else {
			eks_buf_putc(&result, '@');
			p = mark + 1;
		}
	}
	eks_buf_puts(&result, p);
	if (eks_buf_oom(&result)) {
		rc = EKS_ENOMEM;
		goto done;
	}
	*len = result.len;
	*out = eks_buf_detach(&result);
done:
	eks_buf_dispose(&path);
	eks_buf_dispose(&text);
	eks_buf_dispose(&result);
	return rc;
}
