/*
 * history.c - the timeline of one experiment (see history.h).
 *
 * The walk is cheap for the commits that did not touch the experiment:
 * the id of the experiments/<id> tree of a commit is compared with its
 * parent's, and equal ids end the work on that commit (no diff, no blob
 * is read).  For a commit that did touch it, git_diff_tree_to_tree with a
 * pathspec limited to experiments/<id> says which files changed, and only
 * those are read: experiment.yaml is parsed at both sides to compare its
 * top-level fields, and log.yaml is compared by entry id.  When the new
 * log starts with the old one byte for byte (the usual append), only the
 * appended part is parsed.
 *
 * The libgit2 repository handle is borrowed from the store through
 * store_internal.h, read-only: nothing here writes to the repository.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "eksperiment/buf.h"
#include "eksperiment/error.h"
#include "eksperiment/history.h"
#include "eksperiment/log.h"
#include "eksperiment/protocol.h"
#include "eksperiment/yaml.h"
#include "store_internal.h"

/* ---- comparing YAML trees ------------------------------------------------ */

static int scalar_plain(const eks_node *n)
{
	return n->style == EKS_SCALAR_PLAIN;
}

int eks_yaml_nodes_equal(const eks_node *a, const eks_node *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->kind == EKS_NODE_SCALAR && b->kind == EKS_NODE_SCALAR &&
	    eks_node_is_null(a) && eks_node_is_null(b))
		return 1;
	if (a->kind != b->kind || a->count != b->count)
		return 0;
	switch (a->kind) {
	case EKS_NODE_SCALAR:
		if (scalar_plain(a) != scalar_plain(b))
			return 0;
		if ((a->tag == NULL) != (b->tag == NULL) ||
		    (a->tag && strcmp(a->tag, b->tag)))
			return 0;
		return a->value_len == b->value_len &&
		       !memcmp(a->value, b->value, a->value_len);
	case EKS_NODE_SEQ:
		for (i = 0; i < a->count; i++)
			if (!eks_yaml_nodes_equal(a->items[i], b->items[i]))
				return 0;
		return 1;
	case EKS_NODE_MAP:
		/* A mapping has no order: the same keys with the same values. */
		for (i = 0; i < a->count; i++) {
			const eks_node *key = a->keys[i];
			const eks_node *other;

			if (!key || !key->value || !eks_node_get_key(b, key->value))
				return 0;
			other = eks_node_get(b, key->value);
			if (!eks_yaml_nodes_equal(a->items[i], other))
				return 0;
		}
		return 1;
	}
	return 0;
}

static int push_string(char ***list, size_t *count, size_t *alloc, const char *s)
{
	if (*count == *alloc) {
		size_t n = *alloc ? *alloc * 2 : 8;
		char **grown = realloc(*list, n * sizeof(**list));

		if (!grown)
			return eks_error_oom();
		*list = grown;
		*alloc = n;
	}
	if (!((*list)[*count] = strdup(s)))
		return eks_error_oom();
	(*count)++;
	return 0;
}

static int is_map(const eks_node *n)
{
	return n && n->kind == EKS_NODE_MAP;
}

int eks_yaml_changed_keys(char ***keys, size_t *count,
			  const eks_node *old_root, const eks_node *new_root)
{
	char **out = NULL;
	size_t n = 0, alloc = 0, i;
	int rc = 0;

	*keys = NULL;
	*count = 0;
	if (!is_map(old_root))
		old_root = NULL;
	if (!is_map(new_root))
		new_root = NULL;
	for (i = 0; new_root && i < new_root->count; i++) {
		const char *key = new_root->keys[i]->value;
		const eks_node *before = old_root && eks_node_get_key(old_root, key) ?
					 eks_node_get(old_root, key) : NULL;

		if (old_root && eks_node_get_key(old_root, key) &&
		    eks_yaml_nodes_equal(before, new_root->items[i]))
			continue;
		if ((rc = push_string(&out, &n, &alloc, key)) < 0)
			goto fail;
	}
	for (i = 0; old_root && i < old_root->count; i++) {
		const char *key = old_root->keys[i]->value;

		if (new_root && eks_node_get_key(new_root, key))
			continue;
		if ((rc = push_string(&out, &n, &alloc, key)) < 0)
			goto fail;
	}
	*keys = out;
	*count = n;
	return 0;
fail:
	eks_strings_free(out, n);
	return rc;
}

/* ---- entry summaries ----------------------------------------------------- */

/* Append the first line of `text`, cut to `width` characters (UTF-8). */
static void put_cut(eks_buf *out, const char *text, size_t width)
{
	size_t chars = 0;
	const char *p;

	if (!text)
		return;
	while (*text == ' ' || *text == '\n')
		text++;
	for (p = text; *p && *p != '\n'; p++) {
		if (((unsigned char)*p & 0xC0) != 0x80) {
			if (width && chars == width) {
				/* Drop trailing spaces before the mark. */
				while (out->len && out->ptr[out->len - 1] == ' ')
					out->ptr[--out->len] = '\0';
				eks_buf_puts(out, "...");
				return;
			}
			chars++;
		}
		eks_buf_putc(out, *p);
	}
	if (*p == '\n' && p[1 + strspn(p + 1, " \n")])
		eks_buf_puts(out, " ...");
}

int eks_entry_summarise(eks_buf *out, const eks_entry *e, size_t width)
{
	size_t i, j;

	switch (e->kind) {
	case EKS_ENTRY_OBSERVATION:
		eks_buf_printf(out, "%zu observation%s", e->observations_count,
			       e->observations_count == 1 ? "" : "s");
		if (!e->observations_count)
			break;
		eks_buf_puts(out, " (");
		for (i = 0; i < e->observations_count; i++) {
			const eks_observation *o = &e->observations[i];

			for (j = 0; j < i; j++)
				if (o->outcome && e->observations[j].outcome &&
				    o->timepoint && e->observations[j].timepoint &&
				    !strcmp(o->outcome, e->observations[j].outcome) &&
				    !strcmp(o->timepoint, e->observations[j].timepoint))
					break;
			if (j < i)
				continue;
			eks_buf_printf(out, "%s%s@%s", i ? ", " : "",
				       o->outcome ? o->outcome : "?",
				       o->timepoint ? o->timepoint : "?");
		}
		eks_buf_putc(out, ')');
		break;
	case EKS_ENTRY_STATUS:
		eks_buf_printf(out, "status %s -> %s",
			       e->status_from ? e->status_from : "?",
			       e->status_to ? e->status_to : "?");
		if (e->status_reason) {
			eks_buf_puts(out, ": ");
			put_cut(out, e->status_reason, width);
		}
		break;
	case EKS_ENTRY_NOTE:
	case EKS_ENTRY_ADJUSTMENT:
		eks_buf_printf(out, "%s: ", eks_entry_kind_name(e->kind));
		put_cut(out, e->note, width);
		break;
	case EKS_ENTRY_REGISTRATION:
		eks_buf_puts(out, "registration");
		break;
	case EKS_ENTRY_AMENDMENT:
		eks_buf_puts(out, "amendment");
		if (e->amendment_class)
			eks_buf_printf(out, " (%s)", e->amendment_class);
		for (i = 0; i < e->amendment_paths_count; i++)
			eks_buf_printf(out, "%s%s", i ? ", " : " of ",
				       e->amendment_paths[i]);
		if (e->amendment_reason) {
			eks_buf_puts(out, ": ");
			put_cut(out, e->amendment_reason, width);
		}
		break;
	case EKS_ENTRY_DISCLOSURE:
		eks_buf_puts(out, "disclosure");
		if (e->disclosure_commit)
			eks_buf_printf(out, " of commit %.7s", e->disclosure_commit);
		if (e->disclosure_reason) {
			eks_buf_puts(out, ": ");
			put_cut(out, e->disclosure_reason, width);
		}
		break;
	default:
		eks_buf_puts(out, "entry of unknown kind");
		break;
	}
	return eks_buf_oom(out) ? EKS_ENOMEM : 0;
}

/* ---- the history structure ----------------------------------------------- */

static void change_release(eks_change *c)
{
	eks_strings_free(c->fields, c->fields_count);
	free(c->entry_id);
	free(c->recorded_at);
	free(c->recorded_by);
	free(c->summary);
	free(c->path);
	eks_strings_free(c->outcomes, c->outcomes_count);
}

static void commit_release(eks_history_commit *c)
{
	size_t i;

	for (i = 0; i < c->changes_count; i++)
		change_release(&c->changes[i]);
	free(c->changes);
	free(c->author_name);
	free(c->author_email);
	free(c->subject);
}

void eks_history_free(eks_history *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->commits_count; i++)
		commit_release(&h->commits[i]);
	free(h->commits);
	free(h->id);
	free(h);
}

/* A new, zeroed change at the end of `c`'s list, or NULL. */
static eks_change *add_change(eks_history_commit *c, eks_change_kind kind)
{
	eks_change *ch;

	if (c->changes_count == c->changes_alloc) {
		size_t n = c->changes_alloc ? c->changes_alloc * 2 : 4;
		eks_change *grown = realloc(c->changes, n * sizeof(*grown));

		if (!grown)
			return NULL;
		c->changes = grown;
		c->changes_alloc = n;
	}
	ch = &c->changes[c->changes_count++];
	memset(ch, 0, sizeof(*ch));
	ch->kind = kind;
	return ch;
}

static int dup_or_null(char **out, const char *s)
{
	*out = NULL;
	if (s && !(*out = strdup(s)))
		return EKS_ENOMEM;
	return 0;
}

/* ---- reading trees and blobs --------------------------------------------- */

struct walker {
	eks_repo *repo;
	const char *id;
	char *dir;              /* experiments/<id> */
	char *protocol_path;    /* experiments/<id>/experiment.yaml */
	char *log_path;         /* experiments/<id>/log.yaml */
	/* The experiment tree of the last parent looked at: the walk visits
	 * that parent next in a linear history, so it is not looked up twice. */
	git_oid cached_commit;
	int cached_valid, cached_has;
	git_oid cached_dir;
};

/* The id of experiments/<id> in `commit`'s tree; *has = 0 when absent. */
static int dir_of(int *has, git_oid *dir, struct walker *w, git_commit *commit)
{
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	int err;

	if (w->cached_valid && git_oid_equal(&w->cached_commit, git_commit_id(commit))) {
		*has = w->cached_has;
		*dir = w->cached_dir;
		return 0;
	}
	*has = 0;
	if (git_commit_tree(&tree, commit) < 0)
		return eks_store_git_error(EKS_EGIT, "cannot read a commit's tree");
	err = git_tree_entry_bypath(&entry, tree, w->dir);
	if (err == 0 && git_tree_entry_type(entry) == GIT_OBJECT_TREE) {
		*has = 1;
		git_oid_cpy(dir, git_tree_entry_id(entry));
	} else if (err < 0 && err != GIT_ENOTFOUND) {
		git_tree_free(tree);
		return eks_store_git_error(EKS_EGIT, "cannot read a commit's tree");
	}
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_oid_cpy(&w->cached_commit, git_commit_id(commit));
	w->cached_valid = 1;
	w->cached_has = *has;
	if (*has)
		w->cached_dir = *dir;
	return 0;
}

/*
 * The content of the file `path` in `commit`.  *data is NULL when the
 * file is not there; *readable is 0 when it is there but cannot be read
 * as text (a symbolic link, a directory, over 16 MiB).
 */
static int read_file(char **data, size_t *len, int *present, int *readable,
		     struct walker *w, git_commit *commit, const char *path)
{
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int err, rc = 0;

	*data = NULL;
	*len = 0;
	*present = 0;
	*readable = 1;
	if (git_commit_tree(&tree, commit) < 0)
		return eks_store_git_error(EKS_EGIT, "cannot read a commit's tree");
	err = git_tree_entry_bypath(&entry, tree, path);
	if (err == GIT_ENOTFOUND)
		goto done;
	if (err < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read a commit's tree");
		goto done;
	}
	*present = 1;
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB ||
	    git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
		*readable = 0;
		goto done;
	}
	if (git_blob_lookup(&blob, w->repo->git, git_tree_entry_id(entry)) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read a file of a commit");
		goto done;
	}
	if ((size_t)git_blob_rawsize(blob) > EKS_YAML_MAX_BYTES) {
		*readable = 0;
		goto done;
	}
	*len = (size_t)git_blob_rawsize(blob);
	if (!(*data = malloc(*len + 1))) {
		rc = eks_error_oom();
		goto done;
	}
	memcpy(*data, git_blob_rawcontent(blob), *len);
	(*data)[*len] = '\0';
done:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	return rc;
}

/* One side of a comparison: the version of a file in one commit. */
struct version {
	char *data;
	size_t len;
	int present;
	int readable;
	eks_yaml_file *yaml;    /* parsed, or NULL when it is not valid YAML */
	eks_log *log;           /* entries (new side of a log only) */
};

static void version_release(struct version *v)
{
	free(v->data);
	eks_yaml_file_free(v->yaml);
	eks_log_free(v->log);
	memset(v, 0, sizeof(*v));
}

/* Read the file (not parsing it yet). */
static int version_load(struct version *v, struct walker *w, git_commit *commit,
			const char *path)
{
	memset(v, 0, sizeof(*v));
	return read_file(&v->data, &v->len, &v->present, &v->readable, w, commit, path);
}

/* Parse what was read as YAML; a file that does not parse is kept with
 * yaml = NULL.  `entries` also reads it as a log. */
static int version_parse(struct version *v, const char *path, int entries)
{
	eks_diag_list ignored = EKS_DIAG_LIST_INIT;
	int rc;

	if (!v->data || v->yaml)
		return 0;
	rc = eks_yaml_parse(&v->yaml, path, v->data, v->len, &ignored);
	if (rc == 0 && entries)
		rc = eks_log_parse(&v->log, v->yaml, NULL, &ignored);
	eks_diag_list_clear(&ignored);
	return rc == EKS_ENOMEM ? rc : 0;
}

/* ---- the protocol ---------------------------------------------------------- */

/* The first document of a version (NULL for an empty or absent file). */
static const eks_node *root_of(const struct version *v)
{
	return v->yaml && v->yaml->count ? v->yaml->documents[0] : NULL;
}

static int protocol_changes(eks_history_commit *hc, struct walker *w,
			    git_commit *commit, git_commit **parents, size_t np)
{
	struct version now, *before = NULL;
	char **fields = NULL;
	size_t fields_count = 0, i, j, k;
	int in_parents = 0, unreadable = 0, rc;
	eks_change *ch;

	rc = version_load(&now, w, commit, w->protocol_path);
	if (rc == 0)
		rc = version_parse(&now, w->protocol_path, 0);
	if (rc < 0) {
		version_release(&now);
		return rc;
	}
	if (np && !(before = calloc(np, sizeof(*before)))) {
		rc = eks_error_oom();
		goto done;
	}
	for (i = 0; i < np; i++) {
		if ((rc = version_load(&before[i], w, parents[i], w->protocol_path)) < 0 ||
		    (rc = version_parse(&before[i], w->protocol_path, 0)) < 0)
			goto done;
		in_parents |= before[i].present;
	}
	if (!now.present) {
		if (in_parents)
			rc = add_change(hc, EKS_CHANGE_DELETED) ? 0 : eks_error_oom();
		goto done;
	}
	if (!in_parents) {
		rc = add_change(hc, EKS_CHANGE_CREATED) ? 0 : eks_error_oom();
		goto done;
	}

	/* The fields that differ from every parent (a merge reports what it
	 * changed itself, not what one side brought). */
	unreadable = !now.yaml;
	for (i = 0; i < np && !unreadable; i++) {
		char **keys;
		size_t count;

		if (before[i].present && !before[i].yaml) {
			unreadable = 1;
			break;
		}
		rc = eks_yaml_changed_keys(&keys, &count, root_of(&before[i]), root_of(&now));
		if (rc < 0)
			goto done;
		if (i == 0) {
			fields = keys;
			fields_count = count;
			continue;
		}
		/* Keep the fields that changed against this parent too. */
		for (j = k = 0; j < fields_count; j++) {
			size_t m;
			for (m = 0; m < count; m++)
				if (!strcmp(fields[j], keys[m]))
					break;
			if (m < count)
				fields[k++] = fields[j];
			else
				free(fields[j]);
		}
		fields_count = k;
		eks_strings_free(keys, count);
	}
	if (!(ch = add_change(hc, EKS_CHANGE_PROTOCOL))) {
		rc = eks_error_oom();
		goto done;
	}
	ch->unreadable = unreadable;
	if (!unreadable) {
		ch->fields = fields;
		ch->fields_count = fields_count;
		fields = NULL;
		fields_count = 0;
	}
done:
	eks_strings_free(fields, fields_count);
	for (i = 0; before && i < np; i++)
		version_release(&before[i]);
	free(before);
	version_release(&now);
	return rc;
}

/* ---- the log ----------------------------------------------------------------- */

/* A log entry of one version: its document and, for the new version, the
 * entry as read. */
struct item {
	const char *id;          /* NULL when the document has no usable id */
	const eks_node *node;
	const eks_entry *entry;
	size_t order;            /* position in the file */
};

static int compare_items(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (!x->id || !y->id)
		return x->id ? -1 : y->id ? 1 : (x->order > y->order) - (x->order < y->order);
	return strcmp(x->id, y->id);
}

/* qsort, which must not be given a NULL array even for 0 items. */
static void sort_items(struct item *items, size_t n, size_t size,
		       int (*compare)(const void *, const void *))
{
	if (n > 1)
		qsort(items, n, size, compare);
}

static const char *node_id(const eks_node *doc)
{
	const eks_node *id = eks_node_get(doc, "id");

	if (id && id->kind == EKS_NODE_SCALAR && id->value && *id->value)
		return id->value;
	return NULL;
}

/* The entries of a parsed log, sorted by id (entries without an id last). */
static int items_of(struct item **out, size_t *count, const eks_yaml_file *yaml,
		    const eks_log *log)
{
	struct item *items;
	size_t i, n = 0, k = 0;

	*out = NULL;
	*count = 0;
	if (!yaml || !yaml->count)
		return 0;
	if (!(items = calloc(yaml->count, sizeof(*items))))
		return eks_error_oom();
	for (i = 0; i < yaml->count; i++) {
		const eks_node *doc = yaml->documents[i];

		if (!doc || doc->kind != EKS_NODE_MAP)
			continue;
		items[n].id = node_id(doc);
		items[n].node = doc;
		/* eks_log_parse makes one entry per mapping document. */
		items[n].entry = log && k < log->entries_count ? &log->entries[k] : NULL;
		items[n].order = n;
		k++;
		n++;
	}
	sort_items(items, n, sizeof(*items), compare_items);
	*out = items;
	*count = n;
	return 0;
}

static const struct item *find_item(const struct item *items, size_t n, const char *id)
{
	struct item key;

	memset(&key, 0, sizeof(key));
	key.id = id;
	if (!id || !n)
		return NULL;
	return bsearch(&key, items, n, sizeof(*items), compare_items);
}

static int entry_change(eks_history_commit *hc, eks_change_kind kind,
			const char *id, const eks_entry *entry)
{
	eks_change *ch = add_change(hc, kind);
	eks_buf summary = EKS_BUF_INIT;
	size_t i;

	if (!ch)
		return eks_error_oom();
	if (dup_or_null(&ch->entry_id, id) < 0)
		return eks_error_oom();
	if (!entry)
		return 0;
	ch->entry_kind = entry->kind;
	if (kind != EKS_CHANGE_ENTRY_ADDED)
		return 0;
	if (eks_entry_summarise(&summary, entry, 0) < 0) {
		eks_buf_dispose(&summary);
		return eks_error_oom();
	}
	ch->summary = eks_buf_detach(&summary);
	for (i = 0; i < entry->observations_count; i++) {
		const char *o = entry->observations[i].outcome;
		size_t k;

		for (k = 0; o && k < ch->outcomes_count && strcmp(ch->outcomes[k], o); k++)
			;
		if (o && k == ch->outcomes_count) {
			char **grown = realloc(ch->outcomes, (k + 1) * sizeof(*grown));

			if (!grown)
				return eks_error_oom();
			ch->outcomes = grown;
			if (!(grown[k] = strdup(o)))
				return eks_error_oom();
			ch->outcomes_count++;
		}
	}
	if (dup_or_null(&ch->recorded_at, entry->recorded_at) < 0 ||
	    dup_or_null(&ch->recorded_by, entry->recorded_by) < 0)
		return eks_error_oom();
	return 0;
}

/* The items sorted back into file order, for reporting. */
static int compare_order(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return (x->order > y->order) - (x->order < y->order);
}

/*
 * The usual case: one parent whose log is the start of this one.  Only
 * the appended text is parsed; everything in it is new.  Returns 1 when
 * it applied, 0 when the full comparison is needed.
 */
static int appended_only(eks_history_commit *hc, const struct version *now,
			 const struct version *before)
{
	eks_diag_list ignored = EKS_DIAG_LIST_INIT;
	eks_yaml_file *tail = NULL;
	eks_log *log = NULL;
	struct item *items = NULL;
	size_t n = 0, i;
	int rc;
	const char *added;

	/* The old log must end a line, and the new text must start a new
	 * document: text added to the last entry changes that entry. */
	if (!before->data || before->len >= now->len ||
	    memcmp(before->data, now->data, before->len) ||
	    (before->len && before->data[before->len - 1] != '\n'))
		return 0;
	added = now->data + before->len;
	if (strncmp(added, "---", 3) || !strchr(" \r\n", added[3]))
		return 0;
	rc = eks_yaml_parse(&tail, "log.yaml", added, now->len - before->len, &ignored);
	if (rc == 0)
		rc = eks_log_parse(&log, tail, NULL, &ignored);
	eks_diag_list_clear(&ignored);
	if (rc == EKS_ENOMEM)
		goto done;
	if (!tail) {
		rc = 0;                 /* not YAML on its own: compare fully */
		goto done;
	}
	if ((rc = items_of(&items, &n, tail, log)) < 0)
		goto done;
	sort_items(items, n, sizeof(*items), compare_order);
	for (i = 0; i < n; i++)
		if ((rc = entry_change(hc, EKS_CHANGE_ENTRY_ADDED, items[i].id,
				       items[i].entry)) < 0)
			goto done;
	rc = 1;
done:
	free(items);
	eks_log_free(log);
	eks_yaml_file_free(tail);
	return rc;
}

static int removed_already(const eks_history_commit *hc, const char *id)
{
	size_t i;

	for (i = 0; i < hc->changes_count; i++)
		if (hc->changes[i].kind == EKS_CHANGE_ENTRY_REMOVED &&
		    hc->changes[i].entry_id && !strcmp(hc->changes[i].entry_id, id))
			return 1;
	return 0;
}

static int log_changes(eks_history_commit *hc, struct walker *w,
		       git_commit *commit, git_commit **parents, size_t np)
{
	struct version now, *before = NULL;
	struct item *items = NULL, **parent_items = NULL;
	size_t n = 0, *parent_n = NULL, i, p;
	int rc;
	eks_change *ch;

	rc = version_load(&now, w, commit, w->log_path);
	if (rc < 0) {
		version_release(&now);
		return rc;
	}
	if (np && (!(before = calloc(np, sizeof(*before))) ||
		   !(parent_items = calloc(np, sizeof(*parent_items))) ||
		   !(parent_n = calloc(np, sizeof(*parent_n))))) {
		rc = eks_error_oom();
		goto done;
	}
	for (p = 0; p < np; p++)
		if ((rc = version_load(&before[p], w, parents[p], w->log_path)) < 0)
			goto done;

	/* The usual append: only the new text is parsed. */
	if (np == 1 && now.data) {
		rc = appended_only(hc, &now, &before[0]);
		if (rc != 0) {
			rc = rc < 0 ? rc : 0;
			goto done;
		}
	}

	if ((rc = version_parse(&now, w->log_path, 1)) < 0)
		goto done;
	for (p = 0; p < np; p++)
		if ((rc = version_parse(&before[p], w->log_path, 0)) < 0)
			goto done;
	if (now.present && !now.yaml) {
		/* Not YAML (or not a readable file): say that it changed. */
		if (!(ch = add_change(hc, EKS_CHANGE_FILE_CHANGED)) ||
		    !(ch->path = strdup("log.yaml"))) {
			rc = eks_error_oom();
			goto done;
		}
		ch->unreadable = 1;
		goto done;
	}

	if ((rc = items_of(&items, &n, now.yaml, now.log)) < 0)
		goto done;
	for (p = 0; p < np; p++) {
		if (before[p].present && !before[p].yaml)
			continue;       /* unreadable: it cannot be compared */
		if ((rc = items_of(&parent_items[p], &parent_n[p], before[p].yaml, NULL)) < 0)
			goto done;
	}

	/* Entries of this version: new, changed, or as in a parent. */
	sort_items(items, n, sizeof(*items), compare_order);
	for (i = 0; i < n; i++) {
		int found = 0, same = 0;

		for (p = 0; p < np && !same; p++) {
			const struct item *old = NULL;
			size_t k;

			if (before[p].present && !before[p].yaml)
				continue;
			if (items[i].id) {
				old = find_item(parent_items[p], parent_n[p], items[i].id);
				if (old) {
					found = 1;
					same = eks_yaml_nodes_equal(old->node, items[i].node);
				}
			} else {
				for (k = 0; k < parent_n[p] && !same; k++)
					if (!parent_items[p][k].id)
						same = eks_yaml_nodes_equal(parent_items[p][k].node,
									    items[i].node);
			}
		}
		if (same)
			continue;
		rc = entry_change(hc, found ? EKS_CHANGE_ENTRY_CHANGED : EKS_CHANGE_ENTRY_ADDED,
				  items[i].id, items[i].entry);
		if (rc < 0)
			goto done;
	}

	/* Entries of a parent that are gone. */
	sort_items(items, n, sizeof(*items), compare_items);
	for (p = 0; p < np; p++) {
		struct item *old = parent_items[p];

		if (!old)
			continue;
		sort_items(old, parent_n[p], sizeof(*old), compare_order);
		for (i = 0; i < parent_n[p]; i++) {
			if (!old[i].id) {
				size_t k;
				int kept = 0;

				for (k = 0; k < n && !kept; k++)
					if (!items[k].id)
						kept = eks_yaml_nodes_equal(items[k].node, old[i].node);
				if (!kept && (rc = entry_change(hc, EKS_CHANGE_ENTRY_REMOVED,
								NULL, NULL)) < 0)
					goto done;
				continue;
			}
			if (find_item(items, n, old[i].id) || removed_already(hc, old[i].id))
				continue;
			if ((rc = entry_change(hc, EKS_CHANGE_ENTRY_REMOVED, old[i].id, NULL)) < 0)
				goto done;
		}
	}
	rc = 0;
done:
	free(items);
	for (p = 0; parent_items && p < np; p++)
		free(parent_items[p]);
	free(parent_items);
	free(parent_n);
	for (p = 0; before && p < np; p++)
		version_release(&before[p]);
	free(before);
	version_release(&now);
	return rc;
}

/* ---- other files and the walk -------------------------------------------- */

struct path_change {
	char *path;
	git_delta_t status;
};

static void path_changes_free(struct path_change *pc, size_t n)
{
	size_t i;

	for (i = 0; pc && i < n; i++)
		free(pc[i].path);
	free(pc);
}

/* The tree of experiments/<id> in `commit`, or NULL when it has none. */
static int dir_tree(git_tree **out, struct walker *w, git_commit *commit)
{
	git_oid oid;
	int has, rc;

	*out = NULL;
	if (!commit)
		return 0;
	if ((rc = dir_of(&has, &oid, w, commit)) < 0)
		return rc;
	if (has && git_tree_lookup(out, w->repo->git, &oid) < 0)
		return eks_store_git_error(EKS_EGIT, "cannot read a commit's tree");
	return 0;
}

/* The files under experiments/<id>/ that differ between `parent` (NULL:
 * none) and `commit`.  Only the two trees of that directory are compared,
 * so the cost does not grow with the number of experiments. */
static int changed_paths(struct path_change **out, size_t *count,
			 struct walker *w, git_commit *parent, git_commit *commit)
{
	git_diff *diff = NULL;
	git_tree *old_tree = NULL, *new_tree = NULL;
	struct path_change *pc = NULL;
	size_t i, n = 0, total;
	int rc;

	*out = NULL;
	*count = 0;
	if ((rc = dir_tree(&old_tree, w, parent)) < 0 ||
	    (rc = dir_tree(&new_tree, w, commit)) < 0)
		goto done;
	if (git_diff_tree_to_tree(&diff, w->repo->git, old_tree, new_tree, NULL) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot compare two commits");
		goto done;
	}
	total = git_diff_num_deltas(diff);
	if (total && !(pc = calloc(total, sizeof(*pc)))) {
		rc = eks_error_oom();
		goto done;
	}
	for (i = 0; i < total; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *path = d->new_file.path ? d->new_file.path : d->old_file.path;

		if (!path)
			continue;
		if (!(pc[n].path = strdup(path))) {
			rc = eks_error_oom();
			goto done;
		}
		pc[n++].status = d->status;
	}
	*out = pc;
	*count = n;
	pc = NULL;
done:
	path_changes_free(pc, n);
	git_diff_free(diff);
	git_tree_free(old_tree);
	git_tree_free(new_tree);
	return rc;
}

static int has_path(const struct path_change *pc, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(pc[i].path, path))
			return 1;
	return 0;
}

/* Fill in what `commit` did to the experiment. */
static int describe(eks_history_commit *hc, struct walker *w, git_commit *commit,
		    git_commit **parents, size_t np)
{
	struct path_change *paths = NULL, *more = NULL;
	size_t n = 0, more_n = 0, i, p;
	int rc;

	rc = changed_paths(&paths, &n, w, np ? parents[0] : NULL, commit);
	/* A merge: only files that differ from every parent. */
	for (p = 1; rc == 0 && p < np; p++) {
		size_t k = 0;

		rc = changed_paths(&more, &more_n, w, parents[p], commit);
		if (rc < 0)
			break;
		for (i = 0; i < n; i++) {
			if (has_path(more, more_n, paths[i].path))
				paths[k++] = paths[i];
			else
				free(paths[i].path);
		}
		n = k;
		path_changes_free(more, more_n);
		more = NULL;
	}
	if (rc < 0)
		goto done;
	if (has_path(paths, n, "experiment.yaml") &&
	    (rc = protocol_changes(hc, w, commit, parents, np)) < 0)
		goto done;
	if (has_path(paths, n, "log.yaml") &&
	    (rc = log_changes(hc, w, commit, parents, np)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		eks_change *ch;
		eks_change_kind kind = paths[i].status == GIT_DELTA_ADDED ? EKS_CHANGE_FILE_ADDED :
				       paths[i].status == GIT_DELTA_DELETED ? EKS_CHANGE_FILE_REMOVED :
				       EKS_CHANGE_FILE_CHANGED;

		if (!strcmp(paths[i].path, "experiment.yaml"))
			continue;
		/* A log that appeared or went with its experiment is no news;
		 * a changed one was described above. */
		if (!strcmp(paths[i].path, "log.yaml") && kind == EKS_CHANGE_FILE_CHANGED)
			continue;
		if (!strcmp(paths[i].path, "log.yaml") && kind == EKS_CHANGE_FILE_ADDED)
			continue;
		if (!(ch = add_change(hc, kind)) || !(ch->path = strdup(paths[i].path))) {
			rc = eks_error_oom();
			goto done;
		}
	}
	rc = 0;
done:
	path_changes_free(paths, n);
	return rc;
}

static int history_add(eks_history *h, git_commit *commit, eks_history_commit **out)
{
	const git_signature *author = git_commit_author(commit);
	const char *subject = git_commit_summary(commit);
	eks_history_commit *c;

	if (h->commits_count == h->commits_alloc) {
		size_t n = h->commits_alloc ? h->commits_alloc * 2 : 16;
		eks_history_commit *grown = realloc(h->commits, n * sizeof(*grown));

		if (!grown)
			return eks_error_oom();
		h->commits = grown;
		h->commits_alloc = n;
	}
	c = &h->commits[h->commits_count++];
	memset(c, 0, sizeof(*c));
	git_oid_tostr(c->id, sizeof(c->id), git_commit_id(commit));
	c->parents_count = git_commit_parentcount(commit);
	if (author) {
		c->time = (long long)author->when.time;
		c->offset = author->when.offset;
	}
	if (dup_or_null(&c->author_name, author && author->name ? author->name : "") < 0 ||
	    dup_or_null(&c->author_email, author && author->email ? author->email : "") < 0 ||
	    dup_or_null(&c->subject, subject ? subject : "") < 0)
		return eks_error_oom();
	*out = c;
	return 0;
}

/* Look at one commit of the walk; add it to the history when it changed
 * the experiment. */
static int visit(eks_history *h, struct walker *w, git_commit *commit)
{
	git_commit **parents = NULL;
	size_t np = git_commit_parentcount(commit), i;
	eks_history_commit *hc = NULL;
	git_oid dir, parent_dir;
	int has, parent_has, rc = 0, same = 0;

	if ((rc = dir_of(&has, &dir, w, commit)) < 0)
		return rc;
	if (np && !(parents = calloc(np, sizeof(*parents))))
		return eks_error_oom();
	for (i = 0; i < np; i++) {
		if (git_commit_parent(&parents[i], commit, (unsigned)i) < 0) {
			rc = eks_store_git_error(EKS_EGIT, "cannot read a parent commit");
			goto done;
		}
	}
	/* Unchanged against a parent: nothing to report (git log's default
	 * history simplification does the same for merges).  The parents are
	 * looked at last to first so that the cache ends on the first parent,
	 * which the walk is most likely to visit next. */
	for (i = np; i-- > 0 && !same;) {
		if ((rc = dir_of(&parent_has, &parent_dir, w, parents[i])) < 0)
			goto done;
		same = parent_has == has && (!has || git_oid_equal(&dir, &parent_dir));
	}
	if (same || (!np && !has))
		goto done;
	if ((rc = history_add(h, commit, &hc)) < 0)
		goto done;
	if (!has) {
		/* The whole directory went: that says it all. */
		rc = add_change(hc, EKS_CHANGE_DELETED) ? 0 : eks_error_oom();
		goto done;
	}
	rc = describe(hc, w, commit, parents, np);
done:
	for (i = 0; parents && i < np; i++)
		git_commit_free(parents[i]);
	free(parents);
	return rc;
}

static char *path_join(const char *id, const char *file)
{
	eks_buf b = EKS_BUF_INIT;

	eks_buf_printf(&b, "experiments/%s%s%s", id, file ? "/" : "", file ? file : "");
	return eks_buf_oom(&b) ? NULL : eks_buf_detach(&b);
}

int eks_history_load(eks_history **out, eks_repo *repo, const char *rev,
		     const char *id)
{
	struct walker w;
	eks_history *h;
	git_revwalk *walk = NULL;
	git_oid start, oid;
	int err, rc;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	if (!eks_experiment_id_valid(id))
		return eks_error_set(EKS_EUSAGE, "'%s' is not a valid experiment id", id);
	if (!(h = calloc(1, sizeof(*h))) || !(h->id = strdup(id))) {
		free(h);
		return eks_error_oom();
	}
	w.repo = repo;
	w.id = id;
	w.dir = path_join(id, NULL);
	w.protocol_path = path_join(id, "experiment.yaml");
	w.log_path = path_join(id, "log.yaml");
	if (!w.dir || !w.protocol_path || !w.log_path) {
		rc = eks_error_oom();
		goto done;
	}
	if ((rc = eks_repo_resolve(h->revision, repo, rev ? rev : "HEAD")) < 0)
		goto done;
	if (git_oid_fromstr(&start, h->revision) < 0 ||
	    git_revwalk_new(&walk, repo->git) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) < 0 ||
	    git_revwalk_push(walk, &start) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot walk the history");
		goto done;
	}
	while ((err = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *commit = NULL;

		if (git_commit_lookup(&commit, repo->git, &oid) < 0) {
			rc = eks_store_git_error(EKS_EGIT, "cannot read a commit");
			goto done;
		}
		rc = visit(h, &w, commit);
		git_commit_free(commit);
		if (rc < 0)
			goto done;
	}
	if (err != GIT_ITEROVER) {
		rc = eks_store_git_error(EKS_EGIT, "cannot walk the history");
		goto done;
	}
	if (!h->commits_count) {
		rc = eks_error_set(EKS_ENOTFOUND, "there is no experiment '%s' in the "
				   "history of commit %.7s", id, h->revision);
		goto done;
	}
	*out = h;
	h = NULL;
	rc = 0;
done:
	git_revwalk_free(walk);
	free(w.dir);
	free(w.protocol_path);
	free(w.log_path);
	eks_history_free(h);
	return rc;
}
