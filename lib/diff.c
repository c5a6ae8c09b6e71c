/*
 * diff.c - field-level differences of protocols and logs (diff.h).
 *
 * Both versions are normalised into eks_cv trees (canonical_internal.h),
 * which settle what "the same value" means once for the hash and the
 * diff alike; the walk below then only decides how to name and group the
 * differences.
 */
#include <stdlib.h>
#include <string.h>

#include "eksperiment/diff.h"
#include "eksperiment/error.h"
#include "canonical_internal.h"

/* ---- protocol diff --------------------------------------------------- */

typedef struct field_rule {
	const char *key;
	eks_diff_class amend_class;
} field_rule;

/* SPEC 2.1, column "frozen"; the classes are documented in diff.h. */
static const field_rule frozen_rules[] = {
	{ "id", EKS_DIFF_CLASS_MINOR },
	{ "title", EKS_DIFF_CLASS_MINOR },
	{ "design", EKS_DIFF_CLASS_MAJOR },
	{ "existing_data", EKS_DIFF_CLASS_MAJOR },
	{ "interventions", EKS_DIFF_CLASS_MAJOR },
	{ "arms", EKS_DIFF_CLASS_MAJOR },
	{ "timepoints", EKS_DIFF_CLASS_MAJOR },
	{ "outcomes", EKS_DIFF_CLASS_MAJOR },
	{ "hypotheses", EKS_DIFF_CLASS_MAJOR },
	{ "analysis", EKS_DIFF_CLASS_MAJOR },
	{ NULL, EKS_DIFF_CLASS_NONE }
};

/* Where a value is, and what rules apply below it. */
typedef struct walk_ctx {
	eks_diff *diff;
	eks_diff_class amend_class;  /* NONE: not frozen */
	int in_ext;                  /* below an x-* key */
	int entry;                   /* a log entry: observations by label */
} walk_ctx;

static unsigned show_flags(const walk_ctx *w)
{
	return w->in_ext ? 0 : EKS_CV_SKIP_EXT;
}

static eks_diff_class frozen_class(const char *key, size_t len)
{
	const field_rule *r;

	for (r = frozen_rules; r->key; r++)
		if (strlen(r->key) == len && !memcmp(r->key, key, len))
			return r->amend_class;
	return EKS_DIFF_CLASS_NONE;
}

static char *show(const eks_cv *cv, unsigned flags)
{
	eks_buf b = EKS_BUF_INIT;

	if (eks_cv_show(&b, cv, flags) < 0 || eks_buf_oom(&b)) {
		eks_buf_dispose(&b);
		return NULL;
	}
	return eks_buf_detach(&b);
}

/* Record one change; `old_cv` or `new_cv` is NULL for added/removed; the
 * position is `at` (with its key position when it is a member). */
static int add_change(walk_ctx *w, const char *path, eks_diff_kind kind,
		      const eks_cv *old_cv, const eks_cv *new_cv,
		      const eks_cv *at, int at_member)
{
	eks_diff *d = w->diff;
	eks_field_change *c;

	if (d->count == d->alloc) {
		size_t alloc = d->alloc ? 2 * d->alloc : 16;
		eks_field_change *p = realloc(d->changes, alloc * sizeof(*p));

		if (!p)
			return eks_error_oom();
		d->changes = p;
		d->alloc = alloc;
	}
	c = &d->changes[d->count];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->frozen = w->amend_class != EKS_DIFF_CLASS_NONE;
	c->amend_class = w->amend_class;
	c->line = at_member ? at->key_line : at->line;
	c->col = at_member ? at->key_col : at->col;
	c->path = strdup(path);
	if (old_cv) {
		c->old_value = show(old_cv, show_flags(w));
		c->old_default = old_cv->filled;
	}
	if (new_cv) {
		c->new_value = show(new_cv, show_flags(w));
		c->new_default = new_cv->filled;
	}
	d->count++;
	if (!c->path || (old_cv && !c->old_value) || (new_cv && !c->new_value))
		return eks_error_oom();
	return 0;
}

/* An index of cv pointers sorted by a key text, for look-ups by key
 * without quadratic work on big inputs. */
typedef struct keyed {
	const char *key;
	size_t len;
	const eks_cv *cv;
} keyed;

static int compare_keyed(const void *a, const void *b)
{
	const keyed *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static const eks_cv *keyed_find(const keyed *index, size_t count,
				const char *key, size_t len)
{
	keyed probe = { key, len, NULL };
	const keyed *hit;

	if (!count)
		return NULL;
	hit = bsearch(&probe, index, count, sizeof(*index), compare_keyed);
	return hit ? hit->cv : NULL;
}

/* Index the members of an object by key. */
static int index_members(keyed **out, const eks_cv *obj)
{
	size_t i;

	*out = NULL;
	if (!obj || !obj->count)
		return 0;
	*out = malloc(obj->count * sizeof(**out));
	if (!*out)
		return eks_error_oom();
	for (i = 0; i < obj->count; i++) {
		(*out)[i].key = obj->items[i].key;
		(*out)[i].len = obj->items[i].key_len;
		(*out)[i].cv = &obj->items[i];
	}
	qsort(*out, obj->count, sizeof(**out), compare_keyed);
	return 0;
}

/* The id of a list element (the scalar `field` of a mapping), or NULL. */
static const eks_cv *element_id(const eks_cv *element, const char *field)
{
	const eks_cv *id;

	if (element->type != EKS_CV_OBJECT)
		return NULL;
	id = eks_cv_member(element, field, strlen(field));
	if (!id || id->type == EKS_CV_OBJECT || id->type == EKS_CV_ARRAY ||
	    id->type == EKS_CV_NULL || !id->raw_len)
		return NULL;
	return id;
}

/*
 * Index a list of mappings by the ids of its elements.  Returns 1 with
 * *out set when every element has a distinct id, 0 when it does not (the
 * list is then compared as a whole), EKS_ENOMEM.
 */
static int index_elements(keyed **out, const eks_cv *list, const char *field)
{
	const eks_cv *id;
	keyed *index;
	size_t i;

	*out = NULL;
	if (!list->count)
		return 1;
	index = malloc(list->count * sizeof(*index));
	if (!index)
		return eks_error_oom();
	for (i = 0; i < list->count; i++) {
		id = element_id(&list->items[i], field);
		if (!id)
			goto whole;
		index[i].key = id->raw;
		index[i].len = id->raw_len;
		index[i].cv = &list->items[i];
	}
	qsort(index, list->count, sizeof(*index), compare_keyed);
	for (i = 1; i < list->count; i++)
		if (!compare_keyed(&index[i - 1], &index[i]))
			goto whole;
	*out = index;
	return 1;
whole:
	free(index);
	return 0;
}

static int compare_values(walk_ctx *w, eks_buf *path, const eks_cv *o,
			  const eks_cv *n, const char *name, int at_member);

/* Append ".key" (or "key" at the top) to `path`. */
static int push_key(eks_buf *path, const eks_cv *member)
{
	if (path->len)
		eks_buf_putc(path, '.');
	return eks_buf_put(path, member->key, member->key_len);
}

static int walk_object(walk_ctx *w, eks_buf *path, const eks_cv *o,
		       const eks_cv *n, int top)
{
	static const eks_cv empty = { .type = EKS_CV_OBJECT };
	keyed *old_index = NULL, *new_index = NULL;
	walk_ctx saved = *w;
	size_t i, base = path->len;
	const eks_cv *m, *other;
	int rc;

	if (!o)
		o = &empty;
	if (!n)
		n = &empty;
	rc = index_members(&old_index, o);
	if (rc == 0)
		rc = index_members(&new_index, n);
	for (i = 0; rc == 0 && i < n->count + o->count; i++) {
		int removed = i >= n->count;

		m = removed ? &o->items[i - n->count] : &n->items[i];
		other = removed ?
			keyed_find(new_index, n->count, m->key, m->key_len) :
			keyed_find(old_index, o->count, m->key, m->key_len);
		if (removed && other)
			continue;
		if (top)
			w->amend_class = frozen_class(m->key, m->key_len);
		if (m->ext) {
			w->in_ext = 1;
			w->amend_class = EKS_DIFF_CLASS_NONE;
		}
		push_key(path, m);
		if (eks_buf_oom(path))
			rc = EKS_ENOMEM;
		else if (removed)
			rc = add_change(w, path->ptr, EKS_DIFF_REMOVED, m, NULL, m, 1);
		else if (!other)
			rc = add_change(w, path->ptr, EKS_DIFF_ADDED, NULL, m, m, 1);
		else
			rc = compare_values(w, path, other, m,
					    !strcmp(path->ptr, "partners") ?
					    "name" : "id", 1);
		path->len = base;
		path->ptr[base] = '\0';
		*w = saved;
	}
	free(old_index);
	free(new_index);
	return rc;
}

/* Compare two lists of mappings element by element (both indexed). */
static int walk_list(walk_ctx *w, eks_buf *path, const eks_cv *o,
		     const eks_cv *n, const keyed *old_index,
		     const keyed *new_index, const char *field)
{
	size_t i, base = path->len;
	const eks_cv *m, *id, *other;
	int rc = 0;

	for (i = 0; rc == 0 && i < n->count + o->count; i++) {
		int removed = i >= n->count;

		m = removed ? &o->items[i - n->count] : &n->items[i];
		id = element_id(m, field);
		other = removed ?
			keyed_find(new_index, n->count, id->raw, id->raw_len) :
			keyed_find(old_index, o->count, id->raw, id->raw_len);
		if (removed && other)
			continue;
		eks_buf_putc(path, '[');
		eks_buf_put(path, id->raw, id->raw_len);
		eks_buf_putc(path, ']');
		if (eks_buf_oom(path))
			rc = EKS_ENOMEM;
		else if (removed)
			rc = add_change(w, path->ptr, EKS_DIFF_REMOVED, m, NULL, m, 0);
		else if (!other)
			rc = add_change(w, path->ptr, EKS_DIFF_ADDED, NULL, m, m, 0);
		else
			rc = walk_object(w, path, other, m, 0);
		path->len = base;
		path->ptr[base] = '\0';
	}
	return rc;
}

/* An observation's label, "outcome/arm/timepoint", into `b`; 0 when a
 * part is missing or not a scalar. */
static int observation_label(eks_buf *b, const eks_cv *obs)
{
	static const char *const parts[] = { "outcome", "arm", "timepoint" };
	size_t i;

	eks_buf_clear(b);
	if (obs->type != EKS_CV_OBJECT)
		return 0;
	for (i = 0; i < 3; i++) {
		const eks_cv *v = eks_cv_member(obs, parts[i], strlen(parts[i]));

		if (!v || v->type == EKS_CV_OBJECT || v->type == EKS_CV_ARRAY ||
		    v->type == EKS_CV_NULL || !v->raw_len)
			return 0;
		if (i)
			eks_buf_putc(b, '/');
		eks_buf_put(b, v->raw, v->raw_len);
	}
	return !eks_buf_oom(b);
}

/* The observation of `list` labelled `label`, or NULL; `*unique` is 0
 * when some label of the list is missing or repeated. */
static const eks_cv *observation_find(const eks_cv *list, const char *label)
{
	eks_buf b = EKS_BUF_INIT;
	const eks_cv *hit = NULL;
	size_t i;

	for (i = 0; i < list->count && !hit; i++)
		if (observation_label(&b, &list->items[i]) && !strcmp(b.ptr, label))
			hit = &list->items[i];
	eks_buf_dispose(&b);
	return hit;
}

/* Whether every observation of `list` has a label and no two share one. */
static int observations_labelled(const eks_cv *list)
{
	eks_buf a = EKS_BUF_INIT, b = EKS_BUF_INIT;
	size_t i, j;
	int ok = 1;

	for (i = 0; i < list->count && ok; i++) {
		ok = observation_label(&a, &list->items[i]);
		for (j = i + 1; j < list->count && ok; j++)
			ok = !(observation_label(&b, &list->items[j]) && !strcmp(a.ptr, b.ptr));
	}
	eks_buf_dispose(&a);
	eks_buf_dispose(&b);
	return ok;
}

/* The observations of a log entry, paired by their labels
 * (observations[neet/molde/t1].n); lists of more than 500, or with
 * labels missing or repeated, are compared as one value. */
static int walk_observations(walk_ctx *w, eks_buf *path, const eks_cv *o,
			     const eks_cv *n, int *done)
{
	eks_buf label = EKS_BUF_INIT;
	size_t i, base = path->len;
	int rc = 0;

	*done = 0;
	if (o->count > 500 || n->count > 500 ||
	    !observations_labelled(o) || !observations_labelled(n))
		return 0;
	*done = 1;
	for (i = 0; rc == 0 && i < n->count + o->count; i++) {
		int removed = i >= n->count;
		const eks_cv *m = removed ? &o->items[i - n->count] : &n->items[i];
		const eks_cv *other;

		if (!observation_label(&label, m)) {
			rc = EKS_ENOMEM;
			break;
		}
		other = observation_find(removed ? n : o, label.ptr);
		if (removed && other)
			continue;
		eks_buf_printf(path, "[%s]", label.ptr);
		if (eks_buf_oom(path))
			rc = EKS_ENOMEM;
		else if (removed)
			rc = add_change(w, path->ptr, EKS_DIFF_REMOVED, m, NULL, m, 0);
		else if (!other)
			rc = add_change(w, path->ptr, EKS_DIFF_ADDED, NULL, m, m, 0);
		else
			rc = walk_object(w, path, other, m, 0);
		path->len = base;
		path->ptr[base] = '\0';
	}
	eks_buf_dispose(&label);
	return rc;
}

/*
 * Compare the old and new value at `path`: mappings field by field, lists
 * of mappings with ids element by element, anything else as a whole.
 * `field` names the id field of list elements.
 */
static int compare_values(walk_ctx *w, eks_buf *path, const eks_cv *o,
			  const eks_cv *n, const char *field, int at_member)
{
	keyed *old_index = NULL, *new_index = NULL;
	int rc, by_id = 0;

	if (o->type == EKS_CV_OBJECT && n->type == EKS_CV_OBJECT)
		return walk_object(w, path, o, n, 0);
	if (w->entry && o->type == EKS_CV_ARRAY && n->type == EKS_CV_ARRAY &&
	    !strcmp(path->ptr, "observations")) {
		int done;

		rc = walk_observations(w, path, o, n, &done);
		if (rc < 0 || done)
			return rc;
	}
	if (o->type == EKS_CV_ARRAY && n->type == EKS_CV_ARRAY &&
	    (o->count || n->count)) {
		/* Lists of mappings with ids; a list of scalars (or an empty
		 * list against one of scalars) is one value. */
		const eks_cv *first = n->count ? &n->items[0] : &o->items[0];

		if (first->type == EKS_CV_OBJECT) {
			rc = index_elements(&old_index, o, field);
			if (rc == 1)
				rc = index_elements(&new_index, n, field);
			if (rc < 0)
				goto done;
			by_id = rc == 1;
		}
	}
	if (by_id) {
		rc = walk_list(w, path, o, n, old_index, new_index, field);
		goto done;
	}
	rc = eks_cv_equal(o, n, show_flags(w));
	if (rc == 0)
		rc = add_change(w, path->ptr, EKS_DIFF_CHANGED, o, n, n,
				at_member);
	else if (rc == 1)
		rc = 0;
done:
	free(old_index);
	free(new_index);
	return rc;
}

/*
 * The changes from `old_root` to `new_root` (mappings; anything else
 * counts as absent), built with eks_cv_build `flags`; `w` says how they
 * are walked and named.
 */
static int diff_roots(eks_diff **out, const eks_node *old_root,
		      const eks_node *new_root, unsigned flags, walk_ctx w, int top)
{
	eks_cv old_tree, new_tree;
	eks_buf path = EKS_BUF_INIT;
	int rc = 0, have_old = 0, have_new = 0;

	*out = NULL;
	w.diff = calloc(1, sizeof(*w.diff));
	if (!w.diff)
		return eks_error_oom();
	if (old_root && old_root->kind == EKS_NODE_MAP) {
		rc = eks_cv_build(&old_tree, old_root, flags);
		if (rc < 0)
			goto done;
		have_old = 1;
	}
	if (new_root && new_root->kind == EKS_NODE_MAP) {
		rc = eks_cv_build(&new_tree, new_root, flags);
		if (rc < 0)
			goto done;
		have_new = 1;
	}
	if (eks_buf_grow(&path, 64) < 0) {
		rc = EKS_ENOMEM;
		goto done;
	}
	rc = walk_object(&w, &path, have_old ? &old_tree : NULL,
			 have_new ? &new_tree : NULL, top);
done:
	if (have_old)
		eks_cv_release(&old_tree);
	if (have_new)
		eks_cv_release(&new_tree);
	eks_buf_dispose(&path);
	if (rc < 0) {
		eks_diff_free(w.diff);
		return rc;
	}
	*out = w.diff;
	return 0;
}

int eks_protocol_diff(eks_diff **out, const eks_node *old_root,
		      const eks_node *new_root)
{
	walk_ctx w = { NULL, EKS_DIFF_CLASS_NONE, 0, 0 };

	return diff_roots(out, old_root, new_root, EKS_CV_PROTOCOL, w, 1);
}

int eks_entry_diff(eks_diff **out, const eks_node *old_entry,
		   const eks_node *new_entry)
{
	/* x-* fields of an entry are data like any other; nothing is
	 * frozen and no defaults are filled in */
	walk_ctx w = { NULL, EKS_DIFF_CLASS_NONE, 1, 1 };

	return diff_roots(out, old_entry, new_entry, 0, w, 0);
}

void eks_diff_free(eks_diff *diff)
{
	size_t i;

	if (!diff)
		return;
	for (i = 0; i < diff->count; i++) {
		free(diff->changes[i].path);
		free(diff->changes[i].old_value);
		free(diff->changes[i].new_value);
	}
	free(diff->changes);
	free(diff);
}

size_t eks_diff_frozen_count(const eks_diff *diff)
{
	size_t i, n = 0;

	for (i = 0; diff && i < diff->count; i++)
		n += diff->changes[i].frozen != 0;
	return n;
}

int eks_diff_path_covers(const char *named, const char *path)
{
	size_t len, i;
	int depth = 0;

	if (!named || !path || !*named)
		return 0;
	len = strlen(named);
	if (strncmp(named, path, len))
		return 0;
	if (!path[len])
		return 1;
	if (path[len] != '.' && path[len] != '[')
		return 0;
	/* `named` must end where a segment ends, not inside brackets. */
	for (i = 0; i < len; i++) {
		if (named[i] == '[')
			depth++;
		else if (named[i] == ']' && depth > 0)
			depth--;
	}
	return depth == 0;
}

size_t eks_diff_mark_amended(eks_diff *diff, const char *const *paths,
			     size_t count)
{
	size_t i, j, left = 0;

	for (i = 0; diff && i < diff->count; i++) {
		eks_field_change *c = &diff->changes[i];

		if (!c->frozen)
			continue;
		for (j = 0; j < count && !c->amended; j++)
			if (eks_diff_path_covers(paths[j], c->path))
				c->amended = 1;
		left += !c->amended;
	}
	return left;
}

const char *eks_diff_kind_name(eks_diff_kind kind)
{
	switch (kind) {
	case EKS_DIFF_ADDED: return "added";
	case EKS_DIFF_REMOVED: return "removed";
	case EKS_DIFF_CHANGED: return "changed";
	}
	return "?";
}

const char *eks_diff_class_name(eks_diff_class amend_class)
{
	switch (amend_class) {
	case EKS_DIFF_CLASS_MINOR: return "minor";
	case EKS_DIFF_CLASS_MAJOR: return "major";
	case EKS_DIFF_CLASS_NONE: break;
	}
	return "";
}

/* ---- log diff -------------------------------------------------------- */

/* One entry of a log: what it is matched by and what it holds. */
typedef struct log_record {
	char *key;            /* the id, or the canonical JSON without one */
	int has_id;
	size_t occurrence;    /* how many earlier entries have this key */
	char *json;           /* canonical JSON of the entry */
	size_t document;
	int line, col;
	int matched;          /* 1 when paired; 2 when paired and different */
} log_record;

typedef struct log_records {
	log_record *items;
	size_t count;
} log_records;

static void records_release(log_records *r)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		free(r->items[i].key);
		free(r->items[i].json);
	}
	free(r->items);
}

static int compare_records(const void *a, const void *b)
{
	const log_record *x = *(const log_record *const *)a;
	const log_record *y = *(const log_record *const *)b;
	int c;

	if (x->has_id != y->has_id)
		return x->has_id - y->has_id;
	c = strcmp(x->key, y->key);
	if (c)
		return c;
	if (x->occurrence != y->occurrence)
		return x->occurrence < y->occurrence ? -1 : 1;
	return x->document < y->document ? -1 : x->document > y->document;
}

/* Read the entries of a file into records, and sort pointers to them by
 * (has_id, key, occurrence) into *sorted. */
static int read_records(log_records *r, log_record ***sorted,
			const eks_yaml_file *file)
{
	eks_buf json = EKS_BUF_INIT;
	const eks_node *doc, *id;
	eks_cv tree;
	size_t i, n = 0;
	int rc = 0;

	*sorted = NULL;
	r->items = NULL;
	r->count = 0;
	if (!file || !file->count)
		return 0;
	r->items = calloc(file->count, sizeof(*r->items));
	*sorted = calloc(file->count, sizeof(**sorted));
	if (!r->items || !*sorted)
		return eks_error_oom();
	for (i = 0; i < file->count && rc == 0; i++) {
		log_record *e = &r->items[n];

		doc = file->documents[i];
		if (!doc)
			continue;
		eks_buf_clear(&json);
		rc = eks_cv_build(&tree, doc, 0);
		if (rc < 0)
			break;
		rc = eks_cv_write(&json, &tree, 0);
		eks_cv_release(&tree);
		if (rc < 0)
			break;
		e->json = strdup(eks_buf_cstr(&json));
		id = eks_node_get(doc, "id");
		e->has_id = id && id->kind == EKS_NODE_SCALAR &&
			    !eks_node_is_null(id);
		e->key = strdup(e->has_id ? id->value : eks_buf_cstr(&json));
		e->document = i;
		if (doc->kind == EKS_NODE_MAP && doc->count) {
			e->line = doc->keys[0]->line;
			e->col = doc->keys[0]->col;
		} else {
			e->line = doc->line;
			e->col = doc->col;
		}
		(*sorted)[n] = e;
		r->count = ++n;
		if (!e->json || !e->key)
			rc = eks_error_oom();
	}
	eks_buf_dispose(&json);
	if (rc < 0)
		return rc;
	/* Number repeated keys in file order: sort, count, sort again. */
	qsort(*sorted, n, sizeof(**sorted), compare_records);
	for (i = 1; i < n; i++)
		if ((*sorted)[i - 1]->has_id == (*sorted)[i]->has_id &&
		    !strcmp((*sorted)[i - 1]->key, (*sorted)[i]->key))
			(*sorted)[i]->occurrence = (*sorted)[i - 1]->occurrence + 1;
	return 0;
}

static int add_log_change(eks_log_delta *d, eks_diff_kind kind,
			  const log_record *e)
{
	eks_log_change *c;

	if (d->count == d->alloc) {
		size_t alloc = d->alloc ? 2 * d->alloc : 16;
		eks_log_change *p = realloc(d->changes, alloc * sizeof(*p));

		if (!p)
			return eks_error_oom();
		d->changes = p;
		d->alloc = alloc;
	}
	c = &d->changes[d->count];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->document = e->document;
	c->line = e->line;
	c->col = e->col;
	if (e->has_id) {
		c->id = strdup(e->key);
		if (!c->id)
			return eks_error_oom();
	}
	d->count++;
	if (kind == EKS_DIFF_ADDED)
		d->added++;
	else if (kind == EKS_DIFF_CHANGED)
		d->changed++;
	else
		d->removed++;
	return 0;
}

int eks_log_diff(eks_log_delta **out, const eks_yaml_file *old_file,
		 const eks_yaml_file *new_file)
{
	log_records old_r = { NULL, 0 }, new_r = { NULL, 0 };
	log_record **old_s = NULL, **new_s = NULL;
	eks_log_delta *d;
	size_t i = 0, j = 0;
	int rc, c;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return eks_error_oom();
	rc = read_records(&old_r, &old_s, old_file);
	if (rc == 0)
		rc = read_records(&new_r, &new_s, new_file);
	if (rc < 0)
		goto done;
	/* Merge the two sorted lists: equal (key, occurrence) pairs up. */
	while (i < old_r.count && j < new_r.count) {
		log_record *a = old_s[i], *b = new_s[j];

		c = a->has_id != b->has_id ? a->has_id - b->has_id :
		    strcmp(a->key, b->key);
		if (!c && a->occurrence != b->occurrence)
			c = a->occurrence < b->occurrence ? -1 : 1;
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			a->matched = 1;
			b->matched = strcmp(a->json, b->json) ? 2 : 1;
			i++;
			j++;
		}
	}
	for (j = 0; rc == 0 && j < new_r.count; j++)
		if (new_r.items[j].matched != 1)
			rc = add_log_change(d, new_r.items[j].matched ?
					    EKS_DIFF_CHANGED : EKS_DIFF_ADDED,
					    &new_r.items[j]);
	for (i = 0; rc == 0 && i < old_r.count; i++)
		if (!old_r.items[i].matched)
			rc = add_log_change(d, EKS_DIFF_REMOVED, &old_r.items[i]);
done:
	records_release(&old_r);
	records_release(&new_r);
	free(old_s);
	free(new_s);
	if (rc < 0) {
		eks_log_delta_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

int eks_log_diff_bytes(eks_log_delta **out, const char *old_data,
		       size_t old_len, const char *new_data, size_t new_len,
		       eks_diag_list *diags)
{
	eks_yaml_file *old_file = NULL, *new_file = NULL;
	int rc = 0;

	*out = NULL;
	if (old_data)
		rc = eks_yaml_parse(&old_file, "old log.yaml", old_data,
				    old_len, diags);
	if (rc == 0 && new_data)
		rc = eks_yaml_parse(&new_file, "new log.yaml", new_data,
				    new_len, diags);
	if (rc == EKS_EINVALID)
		eks_error_set(rc, "the log is not valid YAML, so its entries "
			      "cannot be compared");
	if (rc == 0)
		rc = eks_log_diff(out, old_file, new_file);
	eks_yaml_file_free(old_file);
	eks_yaml_file_free(new_file);
	return rc;
}

void eks_log_delta_free(eks_log_delta *delta)
{
	size_t i;

	if (!delta)
		return;
	for (i = 0; i < delta->count; i++)
		free(delta->changes[i].id);
	free(delta->changes);
	free(delta);
}
