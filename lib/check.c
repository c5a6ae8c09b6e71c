/*
 * check.c - validate a work tree, a list of paths, or a commit.
 *
 * The per-file rules live in validate.c; this file finds the files, pairs
 * each log with its protocol, applies the repository settings and counts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksperiment/buf.h"
#include "eksperiment/check.h"
#include "eksperiment/error.h"
#include "eksperiment/protocol.h"
#include "eksperiment/validate.h"
#include "eksperiment/yaml.h"

#define WALK_MAX_DEPTH 32

/* Where files come from: the file system, or a commit. */
typedef struct source {
	eks_repo *repo;          /* NULL: the file system */
	const char *commit;
} source;

/*
 * Read a file for checking.  Returns 1 when read, 0 when it does not exist,
 * and adds a diagnostic (returning 0 too) when it is refused: a symbolic
 * link, not a regular file, or over the size limit.  Negative on failure.
 */
static int source_read(source *src, const char *path, const char *display,
		       char **data, size_t *len, eks_diag_list *diags)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd;

	*data = NULL;
	*len = 0;
	if (src->repo) {
		int rc = eks_repo_read(data, len, src->repo, src->commit, path);
		if (rc == EKS_ENOTFOUND)
			return 0;
		if (rc < 0)
			return rc;
		if (*len > EKS_YAML_MAX_BYTES) {
			free(*data);
			*data = NULL;
			eks_diag_add(diags, EKS_DIAG_ERROR, display, 1, 1,
				     "this file is larger than 16 MiB, the most eksperiment reads; split the log or remove data that does not belong here");
			return 0;
		}
		return 1;
	}

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return eks_error_set(EKS_EIO, "cannot read '%s': %s", display, strerror(errno));
	}
	if (S_ISLNK(st.st_mode)) {
		eks_diag_add(diags, EKS_DIAG_ERROR, display, 1, 1,
			     "symbolic links are not allowed for experiment files; put the file itself here");
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		eks_diag_add(diags, EKS_DIAG_ERROR, display, 1, 1, "this is not a regular file");
		return 0;
	}
	if ((size_t)st.st_size > EKS_YAML_MAX_BYTES) {
		eks_diag_add(diags, EKS_DIAG_ERROR, display, 1, 1,
			     "this file is larger than 16 MiB, the most eksperiment reads; split the log or remove data that does not belong here");
		return 0;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return eks_error_set(EKS_EIO, "cannot open '%s': %s", display, strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return eks_error_oom();
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			free(buf);
			close(fd);
			return eks_error_set(EKS_EIO, "cannot read '%s': %s", display, strerror(err));
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 1;
}

/* The last component of the directory part of `path` ("a/b/c.yaml" -> "b"). */
static char *parent_name(const char *path)
{
	const char *end = strrchr(path, '/'), *start;

	if (!end) {
		char cwd[4096], *slash;
		if (!getcwd(cwd, sizeof(cwd)))
			return NULL;
		slash = strrchr(cwd, '/');
		return strdup(slash ? slash + 1 : cwd);
	}
	start = end;
	while (start > path && start[-1] != '/')
		start--;
	return strndup(start, (size_t)(end - start));
}

/* Remember `id` when its log holds a registration (for deviation checks). */
static int note_registration(eks_check_result *result, const char *id, const eks_log *log)
{
	char **grown;
	size_t i;

	if (!id || !log)
		return 0;
	for (i = 0; i < log->entries_count; i++)
		if (log->entries[i].kind == EKS_ENTRY_REGISTRATION)
			break;
	if (i == log->entries_count)
		return 0;
	grown = realloc(result->registered, (result->registered_count + 1) * sizeof(char *));
	if (!grown)
		return eks_error_oom();
	result->registered = grown;
	if (!(grown[result->registered_count] = strdup(id)))
		return eks_error_oom();
	result->registered_count++;
	return 0;
}

void eks_check_result_release(eks_check_result *result)
{
	eks_strings_free(result->registered, result->registered_count);
	result->registered = NULL;
	result->registered_count = 0;
}

/*
 * Check one experiment directory: its protocol, then its log against it.
 * `report_protocol` is 0 when only the log was asked for: the protocol is
 * then read for reference, and its own problems are not reported.
 */
static int check_experiment(source *src, const char *protocol_path,
			    const char *protocol_display, const char *log_path,
			    const char *log_display, const char *expected_id,
			    int report_protocol, const eks_settings *settings,
			    const eks_check_options *opts, eks_check_result *result,
			    eks_diag_list *diags)
{
	eks_diag_list scratch = EKS_DIAG_LIST_INIT;
	eks_protocol *protocol = NULL;
	eks_log *log = NULL;
	char *data = NULL;
	size_t len;
	int rc = 0, found;

	if (protocol_path) {
		found = source_read(src, protocol_path, protocol_display, &data, &len,
				    report_protocol ? diags : &scratch);
		if (found < 0) {
			rc = found;
			goto done;
		}
		if (found) {
			eks_validate_protocol(&protocol, protocol_display, data, len,
					      expected_id, opts->strict,
					      report_protocol ? diags : &scratch);
			if (report_protocol)
				result->files++;
		} else if (report_protocol) {
			eks_diag_add(diags, EKS_DIAG_ERROR, protocol_display, 0, 0,
				     "this experiment has no experiment.yaml; create it with 'eksperiment new' or remove the directory");
		}
		free(data);
		data = NULL;
	}

	if (log_path) {
		found = source_read(src, log_path, log_display, &data, &len, diags);
		if (found < 0) {
			rc = found;
			goto done;
		}
		if (found) {
			eks_validate_log(&log, log_display, data, len, protocol, settings, diags);
			result->files++;
			rc = note_registration(result, expected_id, log);
		}
	}
done:
	free(data);
	eks_log_free(log);
	eks_protocol_free(protocol);
	eks_diag_list_clear(&scratch);
	return rc;
}

static int read_settings(eks_settings **settings, source *src, const char *path,
			 const char *display, const eks_check_options *opts,
			 eks_check_result *result, eks_diag_list *diags)
{
	char *data = NULL;
	size_t len;
	int found;

	*settings = NULL;
	found = path ? source_read(src, path, display, &data, &len, diags) : 0;
	if (found < 0)
		return found;
	if (found) {
		eks_validate_settings(settings, display, data, len, diags);
		result->files++;
		free(data);
	}
	if (!*settings && eks_settings_default(settings) < 0)
		return EKS_ENOMEM;
	if (opts->min_cell >= 0)
		(*settings)->min_cell = opts->min_cell;
	return 0;
}

static int finish(eks_check_result *result, eks_diag_list *diags,
		  const eks_check_options *opts, int rc)
{
	if (opts->strict)
		eks_diag_promote_warnings(diags);
	eks_diag_sort(diags);
	result->errors = eks_diag_count(diags, EKS_DIAG_ERROR);
	result->warnings = eks_diag_count(diags, EKS_DIAG_WARNING);
	if (rc < 0)
		return rc;
	return result->errors ? EKS_EINVALID : 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of directory `path`, sorted, without "." and "..". */
static int list_directory(char ***names, size_t *count, const char *path)
{
	char **list = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *e;
	DIR *d = opendir(path);

	*names = NULL;
	*count = 0;
	if (!d)
		return eks_error_set(EKS_EIO, "cannot read the directory '%s': %s",
				     path, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == alloc) {
			char **grown;
			alloc = alloc ? alloc * 2 : 16;
			grown = realloc(list, alloc * sizeof(*list));
			if (!grown)
				goto oom;
			list = grown;
		}
		if (!(list[n] = strdup(e->d_name)))
			goto oom;
		n++;
	}
	closedir(d);
	qsort(list, n, sizeof(*list), compare_names);
	*names = list;
	*count = n;
	return 0;
oom:
	closedir(d);
	eks_strings_free(list, n);
	return eks_error_oom();
}

/* Check experiments/<id>/ under `top` ("" or "dir/"), on disk or in a commit. */
static int check_experiment_dir(source *src, const char *top, const char *id,
				const eks_settings *settings,
				const eks_check_options *opts,
				eks_check_result *result, eks_diag_list *diags)
{
	eks_buf protocol = EKS_BUF_INIT, log = EKS_BUF_INIT, display_p = EKS_BUF_INIT,
		display_l = EKS_BUF_INIT;
	int rc;

	eks_buf_printf(&protocol, "%sexperiments/%s/experiment.yaml", top, id);
	eks_buf_printf(&log, "%sexperiments/%s/log.yaml", top, id);
	eks_buf_printf(&display_p, "experiments/%s/experiment.yaml", id);
	eks_buf_printf(&display_l, "experiments/%s/log.yaml", id);
	if (!eks_experiment_id_valid(id))
		eks_diag_add(diags, EKS_DIAG_ERROR, eks_buf_cstr(&display_p), 0, 0,
			     "the directory name '%s' is not a valid experiment id: use 1 to 64 lowercase letters, digits and '-', starting with a letter or digit",
			     id);
	rc = check_experiment(src, eks_buf_cstr(&protocol), eks_buf_cstr(&display_p),
			      eks_buf_cstr(&log), eks_buf_cstr(&display_l), id, 1,
			      settings, opts, result, diags);
	eks_buf_dispose(&protocol);
	eks_buf_dispose(&log);
	eks_buf_dispose(&display_p);
	eks_buf_dispose(&display_l);
	return rc;
}

int eks_check_worktree(eks_check_result *result, eks_diag_list *diags,
		       const char *workdir, const eks_check_options *opts)
{
	source src = { NULL, NULL };
	eks_settings *settings = NULL;
	eks_buf path = EKS_BUF_INIT;
	char **names = NULL;
	size_t count = 0, i;
	struct stat st;
	int rc;

	memset(result, 0, sizeof(*result));
	eks_buf_printf(&path, "%seksperiment.yaml", workdir);
	rc = read_settings(&settings, &src, eks_buf_cstr(&path), "eksperiment.yaml",
			   opts, result, diags);
	if (rc < 0)
		goto done;

	eks_buf_clear(&path);
	eks_buf_printf(&path, "%sexperiments", workdir);
	if (lstat(eks_buf_cstr(&path), &st) < 0)
		goto done;                      /* no experiments yet */
	if (!S_ISDIR(st.st_mode)) {
		eks_diag_add(diags, EKS_DIAG_ERROR, "experiments", 0, 0,
			     "'experiments' must be a directory, not a file or a symbolic link");
		goto done;
	}
	rc = list_directory(&names, &count, eks_buf_cstr(&path));
	if (rc < 0)
		goto done;
	for (i = 0; i < count && rc == 0; i++) {
		eks_buf entry = EKS_BUF_INIT;

		eks_buf_printf(&entry, "%sexperiments/%s", workdir, names[i]);
		if (lstat(eks_buf_cstr(&entry), &st) == 0) {
			if (S_ISLNK(st.st_mode))
				eks_diag_add(diags, EKS_DIAG_ERROR, eks_buf_cstr(&entry) + strlen(workdir), 0, 0,
					     "symbolic links are not allowed inside experiments/; put the directory itself here");
			else if (S_ISDIR(st.st_mode))
				rc = check_experiment_dir(&src, workdir, names[i], settings,
							  opts, result, diags);
		}
		eks_buf_dispose(&entry);
	}
done:
	eks_strings_free(names, count);
	eks_settings_free(settings);
	eks_buf_dispose(&path);
	return finish(result, diags, opts, rc);
}

int eks_check_revision(eks_check_result *result, eks_diag_list *diags,
		       eks_repo *repo, const char *commit,
		       const eks_check_options *opts)
{
	source src = { repo, commit };
	eks_settings *settings = NULL;
	char **ids = NULL;
	size_t count = 0, i;
	int rc;

	memset(result, 0, sizeof(*result));
	rc = read_settings(&settings, &src, "eksperiment.yaml", "eksperiment.yaml",
			   opts, result, diags);
	if (rc == 0)
		rc = eks_repo_experiments(&ids, &count, repo, commit);
	for (i = 0; i < count && rc == 0; i++)
		rc = check_experiment_dir(&src, "", ids[i], settings, opts, result, diags);
	eks_strings_free(ids, count);
	eks_settings_free(settings);
	return finish(result, diags, opts, rc);
}

/* The kind of a file whose name says nothing, from its content. */
static eks_file_kind sniff_kind(const char *path)
{
	eks_diag_list ignored = EKS_DIAG_LIST_INIT;
	eks_yaml_file *file = NULL;
	eks_file_kind kind = EKS_FILE_PROTOCOL;

	if (eks_yaml_load_file(&file, path, &ignored) == 0 && file->count > 0) {
		const eks_node *root = file->documents[0];
		if (eks_node_get(root, "privacy") ||
		    (eks_node_get(root, "name") && !eks_node_get(root, "title")))
			kind = EKS_FILE_SETTINGS;
		else if (eks_node_get(root, "schema") || eks_node_get(root, "title") ||
			 eks_node_get(root, "hypotheses") || eks_node_get(root, "outcomes"))
			kind = EKS_FILE_PROTOCOL;
		else if (file->count > 1 || eks_node_get(root, "kind") ||
			 eks_node_get(root, "recorded_at"))
			kind = EKS_FILE_LOG;
	}
	eks_yaml_file_free(file);
	eks_diag_list_clear(&ignored);
	return kind;
}

/* Add `path` and, for a directory, the experiment files below it. */
static int collect(char ***files, size_t *count, size_t *alloc,
		   const char *path, int depth, int named, eks_diag_list *diags)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (named)
			return eks_error_set(EKS_ENOTFOUND, "cannot check '%s': %s",
					     path, strerror(errno));
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		char **names;
		size_t n, i;
		int rc;

		if (depth >= WALK_MAX_DEPTH)
			return 0;
		rc = list_directory(&names, &n, path);
		if (rc < 0)
			return rc;
		for (i = 0; i < n && rc == 0; i++) {
			eks_buf child = EKS_BUF_INIT;

			if (!strcmp(names[i], ".git"))
				continue;
			eks_buf_printf(&child, "%s%s%s", path,
				       path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
			if (eks_buf_oom(&child))
				rc = EKS_ENOMEM;
			else
				rc = collect(files, count, alloc, eks_buf_cstr(&child),
					     depth + 1, 0, diags);
			eks_buf_dispose(&child);
		}
		eks_strings_free(names, n);
		return rc;
	}
	if (!named && eks_file_kind_of(path) == EKS_FILE_OTHER)
		return 0;
	if (*count == *alloc) {
		char **grown;
		*alloc = *alloc ? *alloc * 2 : 16;
		grown = realloc(*files, *alloc * sizeof(**files));
		if (!grown)
			return eks_error_oom();
		*files = grown;
	}
	if (!((*files)[*count] = strdup(path)))
		return eks_error_oom();
	(*count)++;
	return 0;
}

/* The path of the file named `name` beside `path`. */
static char *sibling(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');
	eks_buf b = EKS_BUF_INIT;

	if (slash)
		eks_buf_put(&b, path, (size_t)(slash - path + 1));
	eks_buf_puts(&b, name);
	return eks_buf_oom(&b) ? NULL : eks_buf_detach(&b);
}

int eks_check_paths(eks_check_result *result, eks_diag_list *diags,
		    char *const *paths, size_t count,
		    const eks_check_options *opts)
{
	source src = { NULL, NULL };
	eks_settings *settings = NULL;
	char **files = NULL;
	size_t n = 0, alloc = 0, i;
	int rc = 0;

	memset(result, 0, sizeof(*result));
	for (i = 0; i < count && rc == 0; i++)
		rc = collect(&files, &n, &alloc, paths[i], 0, 1, diags);
	if (rc == 0 && eks_settings_default(&settings) < 0)
		rc = EKS_ENOMEM;
	if (rc == 0 && opts->min_cell >= 0)
		settings->min_cell = opts->min_cell;

	for (i = 0; i < n && rc == 0; i++) {
		const char *path = files[i];
		eks_file_kind kind = eks_file_kind_of(path);
		char *protocol = NULL, *expected_id = NULL;

		if (kind == EKS_FILE_OTHER)
			kind = sniff_kind(path);
		switch (kind) {
		case EKS_FILE_PROTOCOL:
			if (eks_file_kind_of(path) == EKS_FILE_PROTOCOL)
				expected_id = parent_name(path);
			rc = check_experiment(&src, path, path, NULL, NULL, expected_id, 1,
					      settings, opts, result, diags);
			break;
		case EKS_FILE_LOG:
			/* The protocol beside it is read for reference; when it
			 * is checked too, its problems are reported there. */
			protocol = sibling(path, "experiment.yaml");
			if (!protocol) {
				rc = eks_error_oom();
				break;
			}
			rc = check_experiment(&src, protocol, protocol, path, path, NULL, 0,
					      settings, opts, result, diags);
			break;
		case EKS_FILE_SETTINGS:
		default: {
			eks_settings *own = NULL;
			rc = read_settings(&own, &src, path, path, opts, result, diags);
			eks_settings_free(own);
			break;
		}
		}
		free(protocol);
		free(expected_id);
	}
	eks_strings_free(files, n);
	eks_settings_free(settings);
	return finish(result, diags, opts, rc);
}
