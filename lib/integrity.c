/*
 * integrity.c - registration, amendments, deviations and post-hoc changes
 * from the history of one experiment (SPEC 5).  See integrity.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eksperiment/accumulate.h"
#include "eksperiment/buf.h"
#include "eksperiment/diff.h"
#include "eksperiment/error.h"
#include "eksperiment/history.h"
#include "eksperiment/integrity.h"
#include "eksperiment/log.h"
#include "eksperiment/yaml.h"
#include "store_internal.h"

#include <git2.h>

static int compare_ids(const void *a, const void *b);

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

/* Append without looking for a duplicate (for lists known to have none). */
static int set_append(string_set *s, const char *v)
{
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

static int set_add(string_set *s, const char *v)
{
	if (!v || set_has(s, v))
		return 0;
	return set_append(s, v);
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
	eks_yaml_file *log_file;   /* the log's documents */
	eks_log *log;
} snapshot;

static void snapshot_release(snapshot *s)
{
	eks_yaml_file_free(s->protocol);
	eks_yaml_file_free(s->log_file);
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
		eks_buf_clear(&path);
		eks_buf_printf(&path, "experiments/%s/log.yaml", id);
		if (eks_repo_read(&data, &len, repo, rev, eks_buf_cstr(&path)) == 0 &&
		    eks_yaml_parse(&s->log_file, eks_buf_cstr(&path), data, len, &ignored) == 0)
			eks_log_parse(&s->log, s->log_file, NULL, &ignored);
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

/*
 * For a merge, keep only the changes in `diff` (against its first
 * parent) that it made against every other parent too: a change that a
 * side brought as it was belongs to that side's commit, which is looked
 * at on its own (and was amended there or not).  A parent whose protocol
 * cannot be compared leaves the changes as they are.
 */
static int keep_own_changes(eks_diff *diff, eks_repo *repo, const eks_history_commit *c,
			    const char *id, const snapshot *now)
{
	size_t p, i, j, k;
	int rc = 0;

	for (p = 1; p < c->parents_count && rc == 0; p++) {
		eks_buf rev = EKS_BUF_INIT;
		eks_diff *other = NULL;
		snapshot s;

		eks_buf_printf(&rev, "%s^%zu", c->id, p + 1);
		snapshot_read(&s, repo, eks_buf_cstr(&rev), id, 0);
		eks_buf_dispose(&rev);
		rc = eks_protocol_diff(&other, root_of(&s), root_of(now));
		snapshot_release(&s);
		if (rc < 0) {
			rc = rc == EKS_ENOMEM ? rc : 0;
			continue;
		}
		for (i = k = 0; i < diff->count; i++) {
			eks_field_change *ch = &diff->changes[i];

			for (j = 0; j < other->count; j++)
				if (eks_diff_path_covers(other->changes[j].path, ch->path) ||
				    eks_diff_path_covers(ch->path, other->changes[j].path))
					break;
			if (j < other->count) {
				diff->changes[k++] = *ch;
				continue;
			}
			free(ch->path);
			free(ch->old_value);
			free(ch->new_value);
		}
		diff->count = k;
		eks_diff_free(other);
	}
	return rc;
}

/* The protocol changes of commit `c` against its first parent (for a
 * merge, those it made against every parent). */
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
	if ((rc = keep_own_changes(diff, repo, c, in->id, now)) < 0) {
		eks_diff_free(diff);
		snapshot_release(&before);
		return rc;
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


/* ---- log rewrites ------------------------------------------------------ */

/* The document of entry `entry_id` in a parsed log file, or NULL. */
static const eks_node *entry_node(const eks_yaml_file *file, const char *entry_id)
{
	size_t i;

	for (i = 0; file && entry_id && i < file->count; i++) {
		const eks_node *id = eks_node_get(file->documents[i], "id");

		if (id && id->kind == EKS_NODE_SCALAR && id->value &&
		    !strcmp(id->value, entry_id))
			return file->documents[i];
	}
	return NULL;
}

/* Record that the data of `outcome` came from entry `entry_id`, which a
 * rewrite touched: "<entry id>\x1f<outcome>" in `touched`. */
static int touch(string_set *touched, const char *entry_id, const char *outcome, size_t len)
{
	eks_buf b = EKS_BUF_INIT;
	int rc;

	eks_buf_printf(&b, "%s\x1f", entry_id);
	eks_buf_put(&b, outcome, len);
	rc = eks_buf_oom(&b) ? eks_error_oom() : set_add(touched, eks_buf_cstr(&b));
	eks_buf_dispose(&b);
	return rc;
}

/* Every outcome an entry's observations are about. */
static int touch_entry(string_set *touched, const char *entry_id, const eks_entry *e)
{
	size_t i;
	int rc = 0;

	for (i = 0; e && i < e->observations_count && rc == 0; i++)
		if (e->observations[i].outcome)
			rc = touch(touched, entry_id, e->observations[i].outcome,
				   strlen(e->observations[i].outcome));
	return rc;
}

/* The outcomes whose data a changed field of an entry can move: one
 * observation's outcome (observations[neet/molde/t1]...), none for the
 * fields that hold no data, else all of the entry's, before and after. */
static int touch_field(string_set *touched, const char *entry_id, const char *path,
		       const eks_entry *old_entry, const eks_entry *new_entry)
{
	static const char *const no_data[] = {
		"note", "source", "recorded_by", "recorded_at", "source_sha256", NULL
	};
	const char *const *f;
	int rc;

	if (!strncmp(path, "observations[", 13)) {
		const char *start = path + 13, *slash = strchr(start, '/');
		if (slash)
			return touch(touched, entry_id, start, (size_t)(slash - start));
	}
	for (f = no_data; *f; f++)
		if (!strcmp(path, *f) || (!strncmp(path, *f, strlen(*f)) && path[strlen(*f)] == '.'))
			return 0;
	if (!strncmp(path, "x-", 2))
		return 0;
	rc = touch_entry(touched, entry_id, old_entry);
	return rc ? rc : touch_entry(touched, entry_id, new_entry);
}

static eks_rewrite *add_rewrite(eks_integrity *in, const eks_history_commit *c,
				const char *entry_id, int removed, int line, int col)
{
	eks_rewrite *r;

	if (in->rewrites_count % 8 == 0) {
		eks_rewrite *grown = realloc(in->rewrites,
					     (in->rewrites_count + 8) * sizeof(*grown));
		if (!grown)
			return NULL;
		in->rewrites = grown;
	}
	r = &in->rewrites[in->rewrites_count];
	memset(r, 0, sizeof(*r));
	snprintf(r->commit, sizeof(r->commit), "%s", c->id);
	r->removed = removed;
	r->line = line;
	r->col = col;
	in->rewrites_count++;
	if (!(r->subject = strdup(c->subject ? c->subject : "")) ||
	    !(r->entry_id = strdup(entry_id)))
		return NULL;
	return r;
}

/* The entries that commit `c` changed or removed: one record per field
 * changed, one per entry removed.  `now` is the commit's own log; the
 * parents' are read here.  The old versions' outcomes go to `touched`
 * (entry id -> outcomes, see rewritten_outcomes). */
static int log_rewrites(eks_integrity *in, eks_repo *repo, const eks_history_commit *c,
			const snapshot *now, string_set *touched)
{
	snapshot *parents = NULL;
	size_t np = c->parents_count, i, p;
	int rc = 0;

	if (np && !(parents = calloc(np, sizeof(*parents))))
		return eks_error_oom();
	for (p = 0; p < np; p++) {
		eks_buf rev = EKS_BUF_INIT;

		eks_buf_printf(&rev, "%s^%zu", c->id, p + 1);
		snapshot_read(&parents[p], repo, eks_buf_cstr(&rev), in->id, 1);
		eks_buf_dispose(&rev);
	}
	for (i = 0; i < c->changes_count && rc == 0; i++) {
		const eks_change *ch = &c->changes[i];
		const eks_node *old_node = NULL, *new_node;
		const eks_entry *old_entry = NULL;
		eks_diff *diff = NULL;
		size_t j;

		if ((ch->kind != EKS_CHANGE_ENTRY_CHANGED &&
		     ch->kind != EKS_CHANGE_ENTRY_REMOVED) || !ch->entry_id)
			continue;
		for (p = 0; p < np && !old_node; p++) {
			old_node = entry_node(parents[p].log_file, ch->entry_id);
			old_entry = old_node ? find_entry(parents[p].log, ch->entry_id) : NULL;
		}
		if (ch->kind == EKS_CHANGE_ENTRY_REMOVED) {
			if ((rc = touch_entry(touched, ch->entry_id, old_entry)) < 0)
				break;
			eks_buf summary = EKS_BUF_INIT;
			eks_rewrite *r = add_rewrite(in, c, ch->entry_id, 1,
						     old_node ? old_node->line : 0,
						     old_node ? old_node->col : 0);

			if (!r) {
				rc = eks_error_oom();
				break;
			}
			if (old_entry)
				eks_entry_summarise(&summary, old_entry, 0);
			else
				eks_buf_puts(&summary, "an entry");
			if (eks_buf_oom(&summary))
				rc = eks_error_oom();
			else
				r->old_value = eks_buf_detach(&summary);
			continue;
		}
		new_node = entry_node(now->log_file, ch->entry_id);
		rc = eks_entry_diff(&diff, old_node, new_node);
		if (rc < 0)
			break;
		for (j = 0; j < diff->count && rc == 0; j++) {
			const eks_field_change *f = &diff->changes[j];
			eks_rewrite *r = add_rewrite(in, c, ch->entry_id, 0,
						     f->line, f->col);

			if (!r || !(r->path = strdup(f->path)) ||
			    (f->old_value && !(r->old_value = strdup(f->old_value))) ||
			    (f->new_value && !(r->new_value = strdup(f->new_value))))
				rc = eks_error_oom();
			else
				rc = touch_field(touched, ch->entry_id, f->path, old_entry,
						 find_entry(now->log, ch->entry_id));
		}
		eks_diff_free(diff);
	}
	for (p = 0; p < np; p++)
		snapshot_release(&parents[p]);
	free(parents);
	return rc;
}

/*
 * The outcomes whose data in `log` (the log of the revision) come from a
 * rewritten entry: those `touched` names for entries still there and not
 * superseded, or removed.
 */
static int rewritten_outcomes(eks_integrity *in, const eks_log *log,
			      const string_set *touched)
{
	string_set outcomes = { 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < touched->count && rc == 0; i++) {
		char *pair = strdup(touched->items[i]), *sep;

		if (!pair)
			return eks_error_oom();
		sep = strchr(pair, '\x1f');
		*sep = '\0';
		if (!(find_entry(log, pair) && eks_log_entry_superseded(log, pair)))
			rc = set_add(&outcomes, sep + 1);
		free(pair);
	}
	if (outcomes.count)
		qsort(outcomes.items, outcomes.count, sizeof(char *), compare_ids);
	in->rewritten_outcomes = outcomes.items;
	in->rewritten_outcomes_count = outcomes.count;
	return rc;
}

/* Whether a disclosure's commit (7 to 40 hex digits) names `commit`. */
static int names_commit(const char *named, const char *commit)
{
	size_t n = named ? strlen(named) : 0;

	return n >= 7 && !strncmp(named, commit, n);
}

/* Mark what the disclosure entries of `log` cover. */
static int apply_disclosures(eks_integrity *in, const eks_log *log)
{
	size_t i, j, k;

	for (i = 0; log && i < log->entries_count; i++) {
		const eks_entry *e = &log->entries[i];

		if (e->kind != EKS_ENTRY_DISCLOSURE || !e->id ||
		    eks_log_entry_superseded(log, e->id))
			continue;
		for (j = 0; j < in->deviations_count; j++) {
			eks_deviation *d = &in->deviations[j];

			if (d->disclosure_entry || !names_commit(e->disclosure_commit, d->commit))
				continue;
			for (k = 0; k < e->disclosure_paths_count; k++)
				if (eks_diff_path_covers(e->disclosure_paths[k], d->path))
					break;
			if (k == e->disclosure_paths_count)
				continue;
			if (!(d->disclosure_entry = strdup(e->id)) ||
			    !(d->disclosure_reason = strdup(e->disclosure_reason ?
							    e->disclosure_reason : "")))
				return eks_error_oom();
		}
		for (j = 0; j < in->rewrites_count; j++) {
			eks_rewrite *r = &in->rewrites[j];

			if (r->disclosure_entry || !names_commit(e->disclosure_commit, r->commit))
				continue;
			for (k = 0; k < e->disclosure_entries_count; k++)
				if (!strcmp(e->disclosure_entries[k], r->entry_id))
					break;
			if (k == e->disclosure_entries_count)
				continue;
			if (!(r->disclosure_entry = strdup(e->id)) ||
			    !(r->disclosure_reason = strdup(e->disclosure_reason ?
							    e->disclosure_reason : "")))
				return eks_error_oom();
		}
	}
	return 0;
}

int eks_integrity_load(eks_integrity **out, eks_repo *repo, const char *rev,
		       const char *id)
{
	eks_history *history = NULL;
	eks_integrity *in;
	string_set observed = { 0 }, post_hoc = { 0 }, family = { 0 };
	string_set touched = { 0 };
	snapshot final;
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
		int protocol_changed = 0, registers = 0, rewrites = 0;
		snapshot now;

		for (i = 0; i < c->changes_count && rc == 0; i++) {
			const eks_change *ch = &c->changes[i];

			if (ch->kind == EKS_CHANGE_PROTOCOL)
				protocol_changed = 1;
			if (ch->kind == EKS_CHANGE_ENTRY_ADDED &&
			    ch->entry_kind == EKS_ENTRY_REGISTRATION)
				registers = 1;
			if (ch->kind == EKS_CHANGE_ENTRY_CHANGED ||
			    ch->kind == EKS_CHANGE_ENTRY_REMOVED)
				rewrites = 1;
		}
		/* What a commit that only appends observations starts is in
		 * the history's record of it; the files are read only for
		 * the rest. */
		if (!protocol_changed && !registers && !rewrites) {
			for (i = 0; i < c->changes_count && rc == 0; i++)
				if (c->changes[i].kind == EKS_CHANGE_ENTRY_ADDED)
					for (j = 0; j < c->changes[i].outcomes_count && rc == 0; j++)
						rc = set_add(&observed, c->changes[i].outcomes[j]);
			continue;
		}
		snapshot_read(&now, repo, c->id, id, 1);

		/* entries already committed that this commit changed */
		if (rewrites)
			rc = log_rewrites(in, repo, c, &now, &touched);

		/* what the commit changed in the protocol ... */
		if (rc == 0 && protocol_changed)
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

	/* what the log of the revision discloses, and where its data come
	 * from rewritten entries */
	if (rc == 0 && (in->deviations_count || in->rewrites_count)) {
		snapshot_read(&final, repo, rev ? rev : "HEAD", id, 1);
		rc = apply_disclosures(in, final.log);
		if (rc == 0 && touched.count)
			rc = rewritten_outcomes(in, final.log, &touched);
		snapshot_release(&final);
	}
	set_dispose(&touched);
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

int eks_integrity_is_rewritten(const eks_integrity *in, const char *outcome)
{
	return in && outcome && in->rewritten_outcomes_count &&
		bsearch(&outcome, in->rewritten_outcomes, in->rewritten_outcomes_count,
			sizeof(char *), compare_ids) != NULL;
}

size_t eks_integrity_undisclosed(const eks_integrity *in)
{
	size_t i, n = 0;

	for (i = 0; in && i < in->deviations_count; i++)
		n += !in->deviations[i].disclosure_entry;
	for (i = 0; in && i < in->rewrites_count; i++)
		n += !in->rewrites[i].disclosure_entry;
	return n;
}

void eks_integrity_free(eks_integrity *in)
{
	size_t i;

	if (!in)
		return;
	for (i = 0; i < in->rewrites_count; i++) {
		free(in->rewrites[i].subject);
		free(in->rewrites[i].entry_id);
		free(in->rewrites[i].path);
		free(in->rewrites[i].old_value);
		free(in->rewrites[i].new_value);
		free(in->rewrites[i].disclosure_entry);
		free(in->rewrites[i].disclosure_reason);
	}
	free(in->rewrites);
	for (i = 0; i < in->rewritten_outcomes_count; i++)
		free(in->rewritten_outcomes[i]);
	free(in->rewritten_outcomes);
	for (i = 0; i < in->deviations_count; i++) {
		free(in->deviations[i].disclosure_entry);
		free(in->deviations[i].disclosure_reason);
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

/* Whether blob `new_id` is blob `old_id` with whole documents appended. */
static int appended(git_repository *git, const git_oid *old_id, const git_oid *new_id)
{
	git_blob *old_blob = NULL, *new_blob = NULL;
	const char *o, *n;
	size_t ol, nl;
	int yes = 0;

	if (git_blob_lookup(&old_blob, git, old_id) < 0 ||
	    git_blob_lookup(&new_blob, git, new_id) < 0) {
		git_error_clear();
		goto done;
	}
	o = git_blob_rawcontent(old_blob);
	n = git_blob_rawcontent(new_blob);
	ol = (size_t)git_blob_rawsize(old_blob);
	nl = (size_t)git_blob_rawsize(new_blob);
	/* the old text ends a line and the new text starts a document */
	yes = nl > ol + 3 && !memcmp(o, n, ol) && (!ol || o[ol - 1] == '\n') &&
		!memcmp(n + ol, "---", 3) && strchr(" \r\n", n[ol + 3]) && n[ol + 3];
done:
	git_blob_free(old_blob);
	git_blob_free(new_blob);
	return yes;
}

int eks_integrity_log_appended(eks_repo *repo, const char *old_blob, const char *new_blob)
{
	git_oid a, b;

	if (!old_blob || !new_blob || git_oid_fromstr(&a, old_blob) < 0 ||
	    git_oid_fromstr(&b, new_blob) < 0)
		return 0;
	return appended(repo->git, &a, &b);
}

/* The experiment id in "experiments/<id>/<file>", added to `ids`. */
static int add_id_of(string_set *ids, const char *path)
{
	const char *start = path + strlen("experiments/"), *end = strchr(start, '/');
	char *id;
	int rc;

	if (!end)
		return 0;
	if (!(id = strndup(start, (size_t)(end - start))))
		return eks_error_oom();
	rc = set_add(ids, id);
	free(id);
	return rc;
}

/* The blob of `path` in `commit`'s tree: 1 with *id set, 0 when none. */
static int blob_in(git_oid *id, git_commit *commit, const char *path)
{
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	int found = 0;

	if (git_commit_tree(&tree, commit) == 0 &&
	    git_tree_entry_bypath(&entry, tree, path) == 0) {
		git_oid_cpy(id, git_tree_entry_id(entry));
		found = 1;
	}
	git_error_clear();
	git_tree_entry_free(entry);
	git_tree_free(tree);
	return found;
}

/*
 * Whether the log `now` of a merge, already known to be its first
 * parent's log `first` with documents `t` appended, holds the other
 * parent's log `other` too: `other` is a start of `first` that ends where
 * a document ends, followed by the same `t`.  That is what git's union
 * merge writes when both branches appended; every entry is then as in a
 * parent and none is gone.  Anything else is left to eks_integrity_load.
 */
static int union_appended(git_repository *git, const git_oid *first_id,
			  const git_oid *other_id, const git_oid *now_id)
{
	git_blob *first = NULL, *other = NULL, *now = NULL;
	const char *f, *o, *t;
	size_t fl, ol, tl, xl;
	int yes = 0;

	if (git_blob_lookup(&first, git, first_id) < 0 ||
	    git_blob_lookup(&other, git, other_id) < 0 ||
	    git_blob_lookup(&now, git, now_id) < 0) {
		git_error_clear();
		goto done;
	}
	f = git_blob_rawcontent(first);
	o = git_blob_rawcontent(other);
	fl = (size_t)git_blob_rawsize(first);
	ol = (size_t)git_blob_rawsize(other);
	t = (const char *)git_blob_rawcontent(now) + fl;
	tl = (size_t)git_blob_rawsize(now) - fl;
	if (ol < tl || memcmp(o + ol - tl, t, tl))
		goto done;
	xl = ol - tl;
	yes = xl <= fl && !memcmp(o, f, xl) &&
		(xl == 0 || xl == fl ||
		 (f[xl - 1] == '\n' && fl - xl > 3 && !memcmp(f + xl, "---", 3) &&
		  f[xl + 3] && strchr(" \r\n", f[xl + 3])));
done:
	git_blob_free(first);
	git_blob_free(other);
	git_blob_free(now);
	return yes;
}

/*
 * Add the ids of the experiments whose experiment.yaml `commit` modified,
 * or whose log.yaml it changed otherwise than by appending.  A merge is
 * compared with its first parent, and a file counts unless it equals some
 * other parent's: a merge can change what a branch brought, even when it
 * looks like an append from the first parent's side.  A merge's log
 * counts unless it is the union of its two parents' appends (see
 * union_appended); eks_integrity_load decides whether it rewrote
 * anything.
 */
/* The tree experiments/ of `commit`, or NULL when it has none. */
static int experiments_tree(git_tree **out, git_repository *git, git_commit *commit)
{
	git_tree *root = NULL;
	const git_tree_entry *e;
	int rc = 0;

	*out = NULL;
	if (git_commit_tree(&root, commit) < 0)
		return eks_store_git_error(EKS_EGIT, "cannot read a commit's tree");
	e = git_tree_entry_byname(root, "experiments");
	if (e && git_tree_entry_type(e) == GIT_OBJECT_TREE &&
	    git_tree_lookup(out, git, git_tree_entry_id(e)) < 0)
		rc = eks_store_git_error(EKS_EGIT, "cannot read a commit's tree");
	git_tree_free(root);
	return rc;
}

static int modified_files(string_set *ids, git_repository *git, git_commit *commit)
{
	git_tree *tree = NULL, *parent_tree = NULL;
	git_commit *parent = NULL;
	git_diff *diff = NULL;
	size_t i, n, np = git_commit_parentcount(commit);
	int rc = 0;

	if (np == 0)
		return 0;       /* a root commit only creates */
	/* The experiments/ trees compared directly: subtrees that are the
	 * same object are not entered, and no pattern is matched against
	 * every path, so one commit costs what it changed. */
	if (git_commit_parent(&parent, commit, 0) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot compare commits");
		goto done;
	}
	if ((rc = experiments_tree(&parent_tree, git, parent)) < 0 ||
	    (rc = experiments_tree(&tree, git, commit)) < 0)
		goto done;
	if (git_diff_tree_to_tree(&diff, git, parent_tree, tree, NULL) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot compare commits");
		goto done;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n && rc == 0; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *rel = d->new_file.path ? d->new_file.path : d->old_file.path;
		const char *slash = strchr(rel, '/');
		char path[256];
		size_t len;
		int is_log, in_other = 0, same = 0;
		git_oid other_id = { { 0 } };
		unsigned p;

		/* only experiments/<id>/experiment.yaml and log.yaml */
		if (!slash || strchr(slash + 1, '/') ||
		    (strcmp(slash + 1, "experiment.yaml") && strcmp(slash + 1, "log.yaml")) ||
		    snprintf(path, sizeof(path), "experiments/%s", rel) >= (int)sizeof(path))
			continue;
		len = strlen(path);
		is_log = len > 9 && !strcmp(path + len - 9, "/log.yaml");

		/* what the other parents of a merge have there */
		for (p = 1; p < np && !same; p++) {
			git_commit *other = NULL;
			git_oid id;

			if (git_commit_parent(&other, commit, p) == 0 && blob_in(&id, other, path)) {
				if (!in_other)
					git_oid_cpy(&other_id, &id);
				in_other = 1;
				same = d->status != GIT_DELTA_DELETED &&
					git_oid_equal(&id, &d->new_file.id);
			}
			git_error_clear();
			git_commit_free(other);
		}
		if (same)
			continue;       /* as a merged branch had it */
		if (d->status == GIT_DELTA_ADDED && !in_other)
			continue;       /* created */
		if (!is_log) {
			if (d->status == GIT_DELTA_MODIFIED || d->status == GIT_DELTA_ADDED)
				rc = add_id_of(ids, path);
			continue;
		}
		if (d->status == GIT_DELTA_MODIFIED &&
		    appended(git, &d->old_file.id, &d->new_file.id) &&
		    (np == 1 || (np == 2 && in_other &&
				 union_appended(git, &d->old_file.id, &other_id,
						&d->new_file.id))))
			continue;
		rc = add_id_of(ids, path);
	}
done:
	git_diff_free(diff);
	git_tree_free(tree);
	git_tree_free(parent_tree);
	git_commit_free(parent);
	return rc;
}

/* ---- the candidates, remembered -----------------------------------------
 *
 * .git/eksperiment/candidates:
 *     eksperiment-candidates 1
 *     <the commit the list holds for, 40 hex digits>
 *     <an experiment id per line, sorted>
 * Anything else in the file, or a file that cannot be read, is ignored
 * and the history walked in full.
 */

static char *candidates_path(eks_repo *repo)
{
	eks_buf b = EKS_BUF_INIT;

	eks_buf_printf(&b, "%scandidates", eks_repo_eksdir(repo));
	return eks_buf_oom(&b) ? NULL : eks_buf_detach(&b);
}

/* Read the remembered list: 1 with `commit` and `ids` filled, else 0. */
static int candidates_read(string_set *ids, git_oid *commit, eks_repo *repo)
{
	char *path = candidates_path(repo), *data = NULL, *line, *next;
	size_t len = 0, cap = 0;
	int fd, ok = 0;
	ssize_t got;

	if (!path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(path);
	if (fd < 0)
		return 0;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *grown;
			if (cap > 64u * 1024 * 1024)
				goto done;      /* not a file this program wrote */
			cap = cap ? cap * 2 : 65536;
			if (!(grown = realloc(data, cap)))
				goto done;
			data = grown;
		}
		got = read(fd, data + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto done;
		if (got == 0)
			break;
		len += (size_t)got;
	}
	data[len] = '\0';
	if (strncmp(data, "eksperiment-candidates 1\n", 25))
		goto done;
	line = data + 25;
	next = strchr(line, '\n');
	if (!next || next - line != 40)
		goto done;
	*next = '\0';
	if (git_oid_fromstr(commit, line) < 0)
		goto done;
	for (line = next + 1; *line; line = next + 1) {
		if (!(next = strchr(line, '\n')))
			goto done;
		*next = '\0';
		/* written sorted and unique: anything else is not ours */
		if (!eks_experiment_id_valid(line) ||
		    (ids->count && strcmp(ids->items[ids->count - 1], line) >= 0) ||
		    set_append(ids, line) < 0)
			goto done;
	}
	ok = 1;
done:
	if (!ok)
		set_dispose(ids);
	git_error_clear();
	free(data);
	close(fd);
	return ok;
}

/* Remember the list for `commit`; a failure only costs the next walk. */
static void candidates_write(eks_repo *repo, const git_oid *commit, const string_set *ids)
{
	char *path = candidates_path(repo);
	eks_buf text = EKS_BUF_INIT, tmp = EKS_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;
	int fd;

	if (!path)
		return;
	git_oid_tostr(hex, sizeof(hex), commit);
	eks_buf_printf(&text, "eksperiment-candidates 1\n%s\n", hex);
	for (i = 0; i < ids->count; i++)
		eks_buf_printf(&text, "%s\n", ids->items[i]);
	eks_buf_printf(&tmp, "%s.%ld.tmp", path, (long)getpid());
	if (eks_buf_oom(&text) || eks_buf_oom(&tmp) ||
	    eks_store_mkdirs(eks_repo_eksdir(repo)) < 0)
		goto done;
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0)
		goto done;
	if (write(fd, text.ptr, text.len) != (ssize_t)text.len || close(fd) < 0 ||
	    rename(tmp.ptr, path) < 0)
		unlink(tmp.ptr);
done:
	eks_error_clear();
	eks_buf_dispose(&text);
	eks_buf_dispose(&tmp);
	free(path);
}

int eks_integrity_candidates(char ***out, size_t *count, eks_repo *repo, const char *rev)
{
	string_set ids = { 0 };
	git_revwalk *walk = NULL;
	git_object *start = NULL;
	git_oid oid, known;
	int rc = 0, have_known;

	*out = NULL;
	*count = 0;
	if (git_revparse_single(&start, repo->git, rev ? rev : "HEAD") < 0)
		return eks_store_git_error(EKS_ENOTFOUND, "cannot find the revision");
	if (git_object_type(start) != GIT_OBJECT_COMMIT) {
		git_object *peeled = NULL;

		if (git_object_peel(&peeled, start, GIT_OBJECT_COMMIT) < 0) {
			git_object_free(start);
			return eks_store_git_error(EKS_ENOTFOUND, "cannot find the revision");
		}
		git_object_free(start);
		start = peeled;
	}
	have_known = candidates_read(&ids, &known, repo);
	if (have_known && git_oid_equal(&known, git_object_id(start)))
		goto done;      /* remembered for this very commit */
	if (have_known && git_graph_descendant_of(repo->git, git_object_id(start), &known) != 1) {
		set_dispose(&ids);
		have_known = 0;
	}
	git_error_clear();
	if (git_revwalk_new(&walk, repo->git) < 0 ||
	    git_revwalk_push(walk, git_object_id(start)) < 0 ||
	    (have_known && git_revwalk_hide(walk, &known) < 0)) {
		rc = eks_store_git_error(EKS_EGIT, "cannot walk the history");
		goto done;
	}
	while (rc == 0 && git_revwalk_next(&oid, walk) == 0) {
		git_commit *commit = NULL;

		if (git_commit_lookup(&commit, repo->git, &oid) < 0) {
			rc = eks_store_git_error(EKS_EGIT, "cannot read a commit");
			break;
		}
		rc = modified_files(&ids, repo->git, commit);
		git_commit_free(commit);
	}
	if (rc == 0) {
		if (ids.count)
			qsort(ids.items, ids.count, sizeof(char *), compare_ids);
		candidates_write(repo, git_object_id(start), &ids);
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
