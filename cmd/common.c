/*
 * common.c - what every command shares: error reporting, exit codes,
 * help pages, opening the repository, output formats and diagnostics.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "help.h"

static void vreport(const char *level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void vreport(const char *level, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("eksperiment: ", stderr);
	if (level)
		fputs(level, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cmd_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, fmt, ap);
	va_end(ap);
}

void cmd_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

int cmd_exit_code(int rc)
{
	switch (rc) {
	case EKS_OK:
		return EXIT_OK;
	case EKS_EINVALID:
	case EKS_EREFUSED:
		return EXIT_PROBLEMS;
	case EKS_EUSAGE:
	case EKS_ENOTFOUND:
	case EKS_EEXISTS:
		return EXIT_USAGE;
	default:
		return EXIT_RUNTIME;
	}
}

int cmd_fail(int rc, const char *context)
{
	const char *message = eks_error_last()->message;

	if (!*message)
		message = "unexpected failure";
	if (context)
		cmd_error("%s: %s", context, message);
	else
		cmd_error("%s", message);
	return cmd_exit_code(rc);
}

int cmd_usage(const char *command, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("eksperiment: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\neksperiment: see 'eksperiment help %s'\n", command);
	return EXIT_USAGE;
}

int cmd_is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

int cmd_print_help(FILE *out, const char *command)
{
	const struct eks_help_page *page;

	for (page = eks_help_pages; page->command; page++) {
		if (!strcmp(page->command, command)) {
			fputs(page->text, out);
			return 0;
		}
	}
	return -1;
}

int cmd_open_repo(eks_repo **out)
{
	char cwd[PATH_MAX];
	int rc;

	if (!getcwd(cwd, sizeof(cwd))) {
		cmd_error("cannot find the current directory: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	rc = eks_repo_discover(out, cwd);
	if (rc < 0)
		return cmd_fail(rc, NULL);
	return EXIT_OK;
}

void cmd_finish_registrations(eks_repo *repo, const char *author)
{
	eks_diag_list found = EKS_DIAG_LIST_INIT;
	char **made = NULL;
	size_t count = 0, i;
	int rc, refused;

	/* The tagger enters history: never one the command would refuse
	 * (SPEC 8.3; the command says why). */
	refused = author && eks_privacy_scan("author", author, strlen(author), &found) > 0;
	eks_diag_list_clear(&found);
	if (refused)
		return;
	rc = eks_registration_repair(&made, &count, repo, author);
	for (i = 0; i < count; i++) {
		fflush(stdout);
		fprintf(stderr, "eksperiment: made the tag %s, which an interrupted "
			"register left out\n", made[i]);
	}
	if (rc < 0)
		cmd_warning("cannot make the tag an interrupted register left out "
			    "(the next write command tries again): %s",
			    eks_error_last()->message);
	eks_strings_free(made, count);
}

int cmd_write_begin(struct write_session *w, const char *id, const char *author,
		    int lock_timeout)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	int exit_code, rc;

	memset(w, 0, sizeof(*w));
	exit_code = cmd_open_repo(&w->repo);
	if (exit_code)
		return exit_code;
	eks_repo_set_lock_timeout(w->repo, lock_timeout);
	rc = eks_repo_repair(w->repo);
	if (rc == 0)
		rc = eks_repo_lock(w->repo, lock_timeout);
	if (rc < 0)
		return cmd_fail(rc, NULL);
	w->locked = 1;
	rc = eks_repo_author(&w->author, w->repo, author);
	if (rc == 0)
		cmd_finish_registrations(w->repo, w->author);
	if (rc == 0)
		rc = eks_repo_resolve(w->head, w->repo, "HEAD");
	if (rc == 0)
		rc = eks_experiment_load(&w->experiment, w->repo, w->head, id, &diags);
	if (rc == EKS_EINVALID) {
		cmd_print_diags(stderr, &diags, FORMAT_TEXT);
		cmd_error("the committed files of '%s' have errors; fix them first (see 'eksperiment validate')", id);
		exit_code = EXIT_PROBLEMS;
	} else if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
	}
	eks_diag_list_clear(&diags);
	return exit_code;
}

void cmd_write_end(struct write_session *w)
{
	if (w->locked)
		eks_repo_unlock(w->repo);
	free(w->author);
	eks_experiment_free(w->experiment);
	eks_repo_free(w->repo);
	memset(w, 0, sizeof(*w));
}

int cmd_parse_format(enum cmd_format *out, const char *command,
		     const char *value, unsigned allowed)
{
	static const char *const names[] = { "text", "json", "csv", "github" };
	eks_buf list = EKS_BUF_INIT;
	unsigned i;
	int rc;

	for (i = 0; i < 4; i++) {
		if ((allowed & (1u << i)) && !strcmp(value, names[i])) {
			*out = (enum cmd_format)i;
			return EXIT_OK;
		}
	}
	for (i = 0; i < 4; i++)
		if (allowed & (1u << i))
			eks_buf_printf(&list, "%s%s", list.len ? ", " : "", names[i]);
	rc = cmd_usage(command, "unknown format '%s'; use one of: %s",
		       value, eks_buf_cstr(&list));
	eks_buf_dispose(&list);
	return rc;
}

int cmd_use_color(FILE *stream)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (no_color && *no_color)
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fileno(stream));
}

void cmd_print_diags(FILE *out, const eks_diag_list *diags, enum cmd_format format)
{
	int color = format == FORMAT_TEXT && cmd_use_color(out);
	size_t i;

	for (i = 0; i < diags->count; i++) {
		const eks_diag *d = &diags->items[i];
		int error = d->severity == EKS_DIAG_ERROR;

		if (format == FORMAT_GITHUB) {
			eks_buf msg = EKS_BUF_INIT;
			const char *p;

			/* GitHub's workflow commands escape %, CR and LF. */
			for (p = d->message; *p; p++) {
				if (*p == '%')
					eks_buf_puts(&msg, "%25");
				else if (*p == '\n')
					eks_buf_puts(&msg, "%0A");
				else if (*p == '\r')
					eks_buf_puts(&msg, "%0D");
				else
					eks_buf_putc(&msg, *p);
			}
			fprintf(out, "::%s file=%s,line=%d,col=%d::%s\n",
				error ? "error" : "warning", d->path,
				d->line > 0 ? d->line : 1, d->col > 0 ? d->col : 1,
				eks_buf_cstr(&msg));
			eks_buf_dispose(&msg);
			continue;
		}
		if (d->line > 0)
			fprintf(out, "%s:%d:%d: ", d->path, d->line, d->col > 0 ? d->col : 1);
		else
			fprintf(out, "%s: ", d->path);
		if (color)
			fprintf(out, "%s%s:\033[0m %s\n", error ? "\033[1;31m" : "\033[1;35m",
				error ? "error" : "warning", d->message);
		else
			fprintf(out, "%s: %s\n", error ? "error" : "warning", d->message);
	}
}

void cmd_put_diags_json(eks_buf *json, const eks_diag_list *diags)
{
	size_t i;

	eks_buf_putc(json, '[');
	for (i = 0; i < diags->count; i++) {
		const eks_diag *d = &diags->items[i];

		if (i)
			eks_buf_putc(json, ',');
		eks_buf_puts(json, "{\"path\":");
		eks_buf_put_json_string(json, d->path);
		eks_buf_printf(json, ",\"line\":%d,\"column\":%d,\"severity\":\"%s\",\"message\":",
			       d->line, d->col,
			       d->severity == EKS_DIAG_ERROR ? "error" : "warning");
		eks_buf_put_json_string(json, d->message);
		eks_buf_putc(json, '}');
	}
	eks_buf_putc(json, ']');
}

static int is_directory(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Templates are found, in order: $EKSPERIMENT_TEMPLATES; the source tree's
 * templates/ when the binary runs uninstalled from a build directory of the
 * source tree; the directory chosen at build time
 * ($(PREFIX)/share/eksperiment/templates); and, when that does not exist,
 * share/eksperiment/templates beside the binary's bin/ (an install under
 * another prefix).
 */
const char *cmd_template_dir(void)
{
	static char found[PATH_MAX];
	const char *env = getenv("EKSPERIMENT_TEMPLATES");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (snprintf(found, sizeof(found), "%s/../templates", exe) < (int)sizeof(found) &&
			    is_directory(found)) {
				char marker[PATH_MAX + 32];
				snprintf(marker, sizeof(marker), "%s/../Makefile", exe);
				if (access(marker, F_OK) == 0)
					return found;
			}
			/* installed under another prefix than the one built for */
			if (snprintf(found, sizeof(found), "%s/../share/eksperiment/templates", exe) <
			    (int)sizeof(found) && is_directory(found) && !is_directory(EKS_TEMPLATE_DIR))
				return found;
		}
	}
	return EKS_TEMPLATE_DIR;
}
