/*
 * integrity.c - registration, amendments, deviations and post-hoc changes
 * from the history of one experiment (SPEC 5).  See integrity.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/buf.h"
#include "eksperiment/diff.h"
#include "eksperiment/error.h"
#include "eksperiment/history.h"
#include "eksperiment/integrity.h"
#include "eksperiment/log.h"
#include "eksperiment/yaml.h"
#include "store_internal.h"

#include <git2.h>

/* A growable list of strings without duplicates. */
typedef struct string_set {
	char **items;
	size_t count, alloc;
} string_set;

static int set_has(const string_set *s, const char *v)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		if (!strcmp(s->items[i], v))
			return 1;
	return 0;
}

static int set_add(string_set *s, const char *v)
{
	if (!v || set_has(s, v))
		return 0;
	if (s->count == s->alloc) {
		size_t alloc = s->alloc ? s->alloc * 2 : 8;
		char **items = realloc(s->items, alloc * sizeof(*items));
		if (!items)
			return eks_error_oom();
		s->items = items;
		s->alloc = alloc;
	}
	if (!(s->items[s->count] = strdup(v)))
		return eks_error_oom();
	s->count++;
	return 0;
}

static void set_dispose(string_set *s)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

/* One side of a commit: the parsed experiment.yaml and log.yaml. */
typedef struct snapshot {
	eks_yaml_file *protocol;
	eks_log *log;
} snapshot;

static void snapshot_release(snapshot *s)
{
	eks_yaml_file_free(s->protocol);
	eks_log_free(s->log);
	memset(s, 0, sizeof(*s));
}

/* Read what can be read; broken files in old commits are not an error. */
static void snapshot_read(snapshot *s, eks_repo *repo, const char *rev,
			  const char *id, int want_log)
{
	eks_diag_list ignored = EKS_DIAG_LIST_INIT;
	eks_buf path = EKS_BUF_INIT;
	char *data = NULL;
	size_t len = 0;

	memset(s, 0, sizeof(*s));
	eks_buf_printf(&path, "experiments/%s/experiment.yaml", id);
	if (eks_repo_read(&data, &len, repo, rev, eks_buf_cstr(&path)) == 0)
		eks_yaml_parse(&s->protocol, eks_buf_cstr(&path), data, len, &ignored);
	free(data);
	data = NULL;
	if (want_log) {
		eks_yaml_file *file = NULL;

		eks_buf_clear(&path);
		eks_buf_printf(&path, "experiments/%s/log.yaml", id);
		if (eks_repo_read(&data, &len, repo, rev, eks_buf_cstr(&path)) == 0 &&
		    eks_yaml_parse(&file, eks_buf_cstr(&path), data, len, &ignored) == 0)
			eks_log_parse(&s->log, file, NULL, &ignored);
		eks_yaml_file_free(file);
		free(data);
	}
	eks_buf_dispose(&path);
	eks_diag_list_clear(&ignored);
}

static const eks_node *root_of(const snapshot *s)
{
	return s->protocol && s->protocol->count ? s->protocol->documents[0] : NULL;
}

static const eks_entry *find_entry(const eks_log *log, const char *entry_id)
{
	size_t i;

	for (i = 0; log && entry_id && i < log->entries_count; i++)
		if (log->entries[i].id && !strcmp(log->entries[i].id, entry_id))
			return &log->entries[i];
	return NULL;
}

/* The outcome of hypothesis `hyp` in a protocol tree, or NULL. */
static const char *outcome_of(const eks_node *root, const char *hyp)
{
	const eks_node *list = eks_node_get(root, "hypotheses");
	size_t i;

	if (!list || list->kind != EKS_NODE_SEQ)
		return NULL;
	for (i = 0; i < list->count; i++) {
		const eks_node *id = eks_node_get(list->items[i], "id");
		const eks_node *outcome = eks_node_get(list->items[i], "outcome");
		if (id && id->kind == EKS_NODE_SCALAR && !strcmp(id->value, hyp) &&
		    outcome && outcome->kind == EKS_NODE_SCALAR)
			return outcome->value;
	}
	return NULL;
}

/* The id inside "hypotheses[H1].margin" after `prefix` ("hypotheses["). */
static char *bracket_id(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *end;

	if (strncmp(path, prefix, n))
		return NULL;
	end = strchr(path + n, ']');
	return end ? strndup(path + n, (size_t)(end - path - n)) : NULL;
}

/* Mark the hypotheses that `change` touches, when their outcome had been
 * observed before this commit. */
static int mark_post_hoc(string_set *post_hoc, const eks_field_change *change,
			 const eks_node *old_root, const eks_node *new_root,
			 const string_set *observed)
{
	const eks_node *roots[2] = { old_root, new_root };
	char *hyp = bracket_id(change->path, "hypotheses[");
	char *outcome = bracket_id(change->path, "outcomes[");
	int rc = 0, r;

	if (hyp) {
		for (r = 0; r < 2; r++) {
			const char *o = roots[r] ? outcome_of(roots[r], hyp) : NULL;
			if (o && set_has(observed, o))
				rc = set_add(post_hoc, hyp);
		}
	} else if (outcome && set_has(observed, outcome)) {
		/* every hypothesis about that outcome, before or after */
		for (r = 0; r < 2 && rc == 0; r++) {
			const eks_node *list = roots[r] ? eks_node_get(roots[r], "hypotheses") : NULL;
			size_t i;

			for (i = 0; list && list->kind == EKS_NODE_SEQ && i < list->count; i++) {
				const eks_node *id = eks_node_get(list->items[i], "id");
				const char *o;
				if (!id || id->kind != EKS_NODE_SCALAR)
					continue;
				o = outcome_of(roots[r], id->value);
				if (o && !strcmp(o, outcome))
					rc = set_add(post_hoc, id->value);
			}
		}
	} else if (!strcmp(change->path, "hypotheses") || !strcmp(change->path, "outcomes")) {
		/* lists that could not be compared by id: every hypothesis
		 * whose outcome was observed */
		const eks_node *list = new_root ? eks_node_get(new_root, "hypotheses") : NULL;
		size_t i;

		for (i = 0; list && list->kind == EKS_NODE_SEQ && i < list->count; i++) {
			const eks_node *id = eks_node_get(list->items[i], "id");
			const char *o;
			if (!id || id->kind != EKS_NODE_SCALAR)
				continue;
			o = outcome_of(new_root, id->value);
			if (o && set_has(observed, o))
				rc = set_add(post_hoc, id->value);
		}
	}
	free(hyp);
	free(outcome);
	return rc;
}

/* Whether hypothesis `hyp` of a protocol tree is confirmatory superiority
 * (the defaults when the keys are absent), i.e. in the family. */
static int in_family(const eks_node *root, const char *hyp)
{
	const eks_node *list = root ? eks_node_get(root, "hypotheses") : NULL;
	size_t i;

	for (i = 0; list && list->kind == EKS_NODE_SEQ && i < list->count; i++) {
		const eks_node *id = eks_node_get(list->items[i], "id");
		const eks_node *family = eks_node_get(list->items[i], "family");
		const eks_node *test = eks_node_get(list->items[i], "test");

		if (!id || id->kind != EKS_NODE_SCALAR || strcmp(id->value, hyp))
			continue;
		return (!family || (family->kind == EKS_NODE_SCALAR &&
				    !strcmp(family->value, "confirmatory"))) &&
			(!test || (test->kind == EKS_NODE_SCALAR &&
				   !strcmp(test->value, "superiority")));
	}
	return 0;
}

/* The family of the protocol as registered. */
static int family_at_registration(string_set *family, const eks_node *root)
{
	const eks_node *list = root ? eks_node_get(root, "hypotheses") : NULL;
	size_t i;
	int rc = 0;

	for (i = 0; list && list->kind == EKS_NODE_SEQ && i < list->count && rc == 0; i++) {
		const eks_node *id = eks_node_get(list->items[i], "id");

		if (id && id->kind == EKS_NODE_SCALAR && in_family(root, id->value))
			rc = set_add(family, id->value);
	}
	return rc;
}

static void set_remove(string_set *s, const char *v)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		if (!strcmp(s->items[i], v)) {
			free(s->items[i]);
			memmove(&s->items[i], &s->items[i + 1],
				(s->count - i - 1) * sizeof(*s->items));
			s->count--;
			return;
		}
	}
}

/* Move hypothesis `hyp` into or out of the family as the protocol
 * `root` of amending commit `c` has it. */
static int amend_family(eks_integrity *in, string_set *family,
			const eks_history_commit *c, const eks_node *root,
			const char *hyp)
{
	int now = in_family(root, hyp), before = set_has(family, hyp);
	eks_family_change *change;

	if (now == before)
		return 0;
	if (now && set_add(family, hyp) < 0)
		return eks_error_oom();
	if (!now)
		set_remove(family, hyp);
	if (in->family_changes_count % 8 == 0) {
		eks_family_change *grown = realloc(in->family_changes,
						   (in->family_changes_count + 8) * sizeof(*grown));
		if (!grown)
			return eks_error_oom();
		in->family_changes = grown;
	}
	change = &in->family_changes[in->family_changes_count];
	snprintf(change->commit, sizeof(change->commit), "%s", c->id);
	change->added = now;
	if (!(change->hypothesis = strdup(hyp)))
		return eks_error_oom();
	in->family_changes_count++;
	return 0;
}

/* An amended change of the hypotheses (hypotheses[H]..., or the whole
 * list) moves each hypothesis it names in or out of the family. */
static int family_amended(eks_integrity *in, string_set *family,
			  const eks_history_commit *c, const eks_field_change *ch,
			  const eks_node *new_root)
{
	char *hyp = bracket_id(ch->path, "hypotheses[");
	const eks_node *list;
	size_t i;
	int rc = 0;

	if (hyp) {
		rc = amend_family(in, family, c, new_root, hyp);
		free(hyp);
		return rc;
	}
	if (strcmp(ch->path, "hypotheses"))
		return 0;
	/* a list that could not be compared by id: every id on either side */
	for (i = family->count; i-- > 0 && rc == 0;) {
		char *id = strdup(family->items[i]);

		if (!id)
			return eks_error_oom();
		rc = amend_family(in, family, c, new_root, id);
		free(id);
	}
	list = new_root ? eks_node_get(new_root, "hypotheses") : NULL;
	for (i = 0; list && list->kind == EKS_NODE_SEQ && i < list->count && rc == 0; i++) {
		const eks_node *id = eks_node_get(list->items[i], "id");

		if (id && id->kind == EKS_NODE_SCALAR)
			rc = amend_family(in, family, c, new_root, id->value);
	}
	return rc;
}

static int add_deviation(eks_integrity *in, const eks_history_commit *c,
			 const eks_field_change *ch)
{
	eks_deviation *d;

	if (in->deviations_count % 8 == 0) {
		eks_deviation *grown = realloc(in->deviations,
					       (in->deviations_count + 8) * sizeof(*grown));
		if (!grown)
			return eks_error_oom();
		in->deviations = grown;
	}
	d = &in->deviations[in->deviations_count];
	memset(d, 0, sizeof(*d));
	snprintf(d->commit, sizeof(d->commit), "%s", c->id);
	d->subject = strdup(c->subject ? c->subject : "");
	d->path = strdup(ch->path);
	d->old_value = ch->old_value ? strdup(ch->old_value) : NULL;
	d->new_value = ch->new_value ? strdup(ch->new_value) : NULL;
	d->kind = ch->kind;
	d->amend_class = ch->amend_class;
	d->line = ch->line;
	d->col = ch->col;
	in->deviations_count++;
	if (!d->subject || !d->path)
		return eks_error_oom();
	return 0;
}

static int add_amendment(eks_integrity *in, const eks_history_commit *c,
			 const eks_field_change *ch)
{
	eks_amendment_record *a;

	if (in->amendments_count % 8 == 0) {
		eks_amendment_record *grown = realloc(in->amendments,
						      (in->amendments_count + 8) * sizeof(*grown));
		if (!grown)
			return eks_error_oom();
		in->amendments = grown;
	}
	a = &in->amendments[in->amendments_count];
	snprintf(a->commit, sizeof(a->commit), "%s", c->id);
	a->path = strdup(ch->path);
	a->amend_class = ch->amend_class;
	in->amendments_count++;
	return a->path ? 0 : eks_error_oom();
}

/* The protocol changes of commit `c` against its first parent. */
static int protocol_changes(eks_integrity *in, eks_repo *repo, const eks_history_commit *c,
			    const snapshot *now, const eks_log *added_log,
			    string_set *post_hoc, const string_set *observed,
			    string_set *family)
{
	eks_buf parent = EKS_BUF_INIT;
	snapshot before;
	eks_diff *diff = NULL;
	size_t i, j;
	int rc;

	eks_buf_printf(&parent, "%s^", c->id);
	snapshot_read(&before, repo, eks_buf_cstr(&parent), in->id, 0);
	eks_buf_dispose(&parent);
	rc = eks_protocol_diff(&diff, root_of(&before), root_of(now));
	if (rc < 0) {
		/* a side that is not a protocol at all: nothing to compare */
		snapshot_release(&before);
		return rc == EKS_ENOMEM ? rc : 0;
	}

	/* the amendment entries this commit adds cover what they name */
	for (i = 0; i < c->changes_count; i++) {
		const eks_change *ch = &c->changes[i];
		const eks_entry *e;

		if (ch->kind != EKS_CHANGE_ENTRY_ADDED || ch->entry_kind != EKS_ENTRY_AMENDMENT)
			continue;
		e = find_entry(added_log, ch->entry_id);
		if (e && e->amendment_paths_count)
			eks_diff_mark_amended(diff, (const char *const *)e->amendment_paths,
					      e->amendment_paths_count);
	}
	for (j = 0; j < diff->count && rc == 0; j++) {
		const eks_field_change *ch = &diff->changes[j];

		if (in->registered && ch->frozen)
			rc = ch->amended ? add_amendment(in, c, ch) : add_deviation(in, c, ch);
		if (rc == 0 && in->registered && ch->frozen && ch->amended)
			rc = family_amended(in, family, c, ch, root_of(now));
		if (rc == 0 && observed->count)
			rc = mark_post_hoc(post_hoc, ch, root_of(&before), root_of(now), observed);
	}
	eks_diff_free(diff);
	snapshot_release(&before);
	return rc;
}

int eks_integrity_load(eks_integrity **out, eks_repo *repo, const char *rev,
		       const char *id)
{
	eks_history *history = NULL;
	eks_integrity *in;
	string_set observed = { 0 }, post_hoc = { 0 }, family = { 0 };
	size_t k, i, j;
	int rc;

	*out = NULL;
	rc = eks_history_load(&history, repo, rev, id);
	if (rc < 0)
		return rc;
	in = calloc(1, sizeof(*in));
	if (!in || !(in->id = strdup(id))) {
		free(in);
		eks_history_free(history);
		return eks_error_oom();
	}

	for (k = history->commits_count; k-- > 0 && rc == 0;) {
		const eks_history_commit *c = &history->commits[k];
		int protocol_changed = 0, adds_entries = 0;
		snapshot now;

		for (i = 0; i < c->changes_count; i++) {
			if (c->changes[i].kind == EKS_CHANGE_PROTOCOL)
				protocol_changed = 1;
			if (c->changes[i].kind == EKS_CHANGE_ENTRY_ADDED)
				adds_entries = 1;
		}
		if (!protocol_changed && !adds_entries)
			continue;
		snapshot_read(&now, repo, c->id, id, adds_entries);

		/* first what the commit changed in the protocol ... */
		if (protocol_changed)
			rc = protocol_changes(in, repo, c, &now, now.log, &post_hoc, &observed,
					      &family);

		/* ... then what its new entries start from this commit on */
		for (i = 0; i < c->changes_count && rc == 0; i++) {
			const eks_change *ch = &c->changes[i];
			const eks_entry *e;

			if (ch->kind != EKS_CHANGE_ENTRY_ADDED)
				continue;
			e = find_entry(now.log, ch->entry_id);
			if (!e)
				continue;
			if (e->kind == EKS_ENTRY_REGISTRATION && !in->registered) {
				in->registered = 1;
				snprintf(in->registration_commit, sizeof(in->registration_commit), "%s", c->id);
				in->registered_at = e->recorded_at ? strdup(e->recorded_at) : NULL;
				in->protocol_sha256 = e->protocol_sha256 ? strdup(e->protocol_sha256) : NULL;
				rc = family_at_registration(&family, root_of(&now));
			}
			if (e->kind == EKS_ENTRY_OBSERVATION)
				for (j = 0; j < e->observations_count && rc == 0; j++)
					rc = set_add(&observed, e->observations[j].outcome);
		}
		snapshot_release(&now);
	}

	eks_history_free(history);
	set_dispose(&observed);
	in->post_hoc = post_hoc.items;
	in->post_hoc_count = post_hoc.count;
	in->family = family.items;
	in->family_count = family.count;
	if (rc < 0) {
		eks_integrity_free(in);
		return rc;
	}
	*out = in;
	return 0;
}

int eks_integrity_is_post_hoc(const eks_integrity *in, const char *hypothesis)
{
	size_t i;

	for (i = 0; in && i < in->post_hoc_count; i++)
		if (!strcmp(in->post_hoc[i], hypothesis))
			return 1;
	return 0;
}

void eks_integrity_free(eks_integrity *in)
{
	size_t i;

	if (!in)
		return;
	for (i = 0; i < in->deviations_count; i++) {
		free(in->deviations[i].subject);
		free(in->deviations[i].path);
		free(in->deviations[i].old_value);
		free(in->deviations[i].new_value);
	}
	free(in->deviations);
	for (i = 0; i < in->amendments_count; i++)
		free(in->amendments[i].path);
	free(in->amendments);
	for (i = 0; i < in->post_hoc_count; i++)
		free(in->post_hoc[i]);
	free(in->post_hoc);
	for (i = 0; i < in->family_count; i++)
		free(in->family[i]);
	free(in->family);
	for (i = 0; i < in->family_changes_count; i++)
		free(in->family_changes[i].hypothesis);
	free(in->family_changes);
	free(in->id);
	free(in->registered_at);
	free(in->protocol_sha256);
	free(in);
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the ids of the experiment.yaml files that `commit` modified. */
static int modified_protocols(string_set *ids, git_repository *git, git_commit *commit)
{
	static char pattern[] = "experiments/*/experiment.yaml";
	char *patterns[] = { pattern };
	git_diff_options opts;
	git_tree *tree = NULL, *parent_tree = NULL;
	git_commit *parent = NULL;
	git_diff *diff = NULL;
	size_t i, n;
	int rc = 0;

	/* A merge brings commits that are walked on their own; a root commit
	 * only creates. */
	if (git_commit_parentcount(commit) != 1)
		return 0;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.pathspec.strings = patterns;
	opts.pathspec.count = 1;
	if (git_commit_parent(&parent, commit, 0) < 0 ||
	    git_commit_tree(&parent_tree, parent) < 0 ||
	    git_commit_tree(&tree, commit) < 0 ||
	    git_diff_tree_to_tree(&diff, git, parent_tree, tree, &opts) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot compare commits");
		goto done;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n && rc == 0; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *path = d->new_file.path, *start, *end;
		char *id;

		if (d->status != GIT_DELTA_MODIFIED)
			continue;
		start = path + strlen("experiments/");
		end = strchr(start, '/');
		if (!end)
			continue;
		id = strndup(start, (size_t)(end - start));
		if (!id) {
			rc = eks_error_oom();
			break;
		}
		rc = set_add(ids, id);
		free(id);
	}
done:
	git_diff_free(diff);
	git_tree_free(tree);
	git_tree_free(parent_tree);
	git_commit_free(parent);
	return rc;
}

int eks_integrity_candidates(char ***out, size_t *count, eks_repo *repo, const char *rev)
{
	string_set ids = { 0 };
	git_revwalk *walk = NULL;
	git_object *start = NULL;
	git_oid oid;
	int rc = 0;

	*out = NULL;
	*count = 0;
	if (git_revparse_single(&start, repo->git, rev ? rev : "HEAD") < 0)
		return eks_store_git_error(EKS_ENOTFOUND, "cannot find the revision");
	if (git_revwalk_new(&walk, repo->git) < 0 ||
	    git_revwalk_push(walk, git_object_id(start)) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot walk the history");
		goto done;
	}
	while (rc == 0 && git_revwalk_next(&oid, walk) == 0) {
		git_commit *commit = NULL;

		if (git_commit_lookup(&commit, repo->git, &oid) < 0) {
			rc = eks_store_git_error(EKS_EGIT, "cannot read a commit");
			break;
		}
		rc = modified_protocols(&ids, repo->git, commit);
		git_commit_free(commit);
	}
done:
	git_revwalk_free(walk);
	git_object_free(start);
	if (rc < 0) {
		set_dispose(&ids);
		return rc;
	}
	if (ids.count)
		qsort(ids.items, ids.count, sizeof(char *), compare_ids);
	*out = ids.items;
	*count = ids.count;
	return 0;
}

int eks_integrity_is_candidate(char *const *ids, size_t count, const char *id)
{
	return ids && bsearch(&id, ids, count, sizeof(char *), compare_ids) != NULL;
}
