/*
 * yaml.c - the YAML loader: libyaml's event parser turned into a tree of
 * eks_node that remembers where every node starts.
 *
 * The input is checked before libyaml sees it (size, NUL bytes, UTF-8,
 * control characters), so those problems are reported at their own
 * position with a message about the file's encoding instead of libyaml's
 * reader error.  While events arrive, the loader refuses anchors, aliases,
 * complex keys and nesting deeper than EKS_YAML_MAX_DEPTH, and reports
 * duplicate keys.  It never recurses while parsing: open collections live
 * on a fixed stack of EKS_YAML_MAX_DEPTH frames, and parsing stops at the
 * first event that would go deeper, so a 10 000-deep `[[[[` costs what
 * its first thousand characters do (libyaml looks that far ahead for a
 * possible key).
 *
 * Memory: each node is one allocation that also holds its text (scalars)
 * or its child arrays (collections).  Children of open collections wait on
 * one shared "pending" stack and are copied into their parent when it
 * closes, so no array is ever grown inside a node.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "eksperiment/buf.h"
#include "eksperiment/error.h"
#include "eksperiment/yaml.h"

/* Stop after this many problems in one file: the rest is usually noise. */
#define MAX_PROBLEMS 50

/* Anchors and aliases reported; more would only repeat the message. */
#define MAX_ANCHOR_PROBLEMS 10

/* Maps with more keys than this find duplicates by sorting, not pairwise. */
#define LINEAR_KEYS 32

/* Longest excerpt of a key quoted in a message, in bytes. */
#define EXCERPT_MAX 60

/*
 * A position in the input, moved forward by character index.  libyaml
 * 0.2.5 counts yaml_mark_t.index in characters (scanner.c, SKIP and
 * SKIP_LINE: one per character, two for CR LF), and its line counter also
 * breaks at a lone CR, NEL, LS and PS.  Editors and compilers count lines
 * at LF only, so line and column are computed here from the index: line =
 * 1 + the number of LF before it, column = 1 + the number of characters
 * since the last LF.
 */
struct cursor {
	const unsigned char *data;
	size_t len;
	size_t byte;           /* offset of the character at `ch` */
	size_t ch;             /* character index */
	size_t line_byte;      /* offset and index where the line starts */
	size_t line_ch;
	int line;
	int col;
};

struct frame {
	eks_node_kind kind;    /* EKS_NODE_MAP or EKS_NODE_SEQ */
	int line, col;
	char open;             /* '[' or '{' in flow style, else 0 */
	size_t base;           /* first child on the pending stack */
};

struct loader {
	const char *path;
	const unsigned char *data;  /* input after a UTF-8 BOM */
	size_t len;
	eks_diag_list *diags;
	int problems;          /* diagnostics added by this loader */
	int anchors;           /* anchors and aliases seen */
	int problems_hidden;   /* problems found but not reported */
	int stop;              /* a problem that ends parsing was found */
	struct cursor cur;

	struct frame frames[EKS_YAML_MAX_DEPTH];
	int depth;
	eks_node **pending;
	size_t npending, pending_alloc;

	eks_node *root;        /* root of the current document */
	eks_yaml_file *file;
};

static void cursor_init(struct cursor *c, const unsigned char *data,
			size_t len)
{
	memset(c, 0, sizeof(*c));
	c->data = data;
	c->len = len;
	c->line = 1;
	c->col = 1;
}

/* Bytes in the UTF-8 sequence that starts with `b` (input is validated). */
static size_t utf8_width(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b < 0xe0)
		return 2;
	if (b < 0xf0)
		return 3;
	return 4;
}

/* Move to character index `ch` (clamped to the end of the input). */
static void cursor_seek(struct cursor *c, size_t ch)
{
	if (ch < c->ch) {
		/* Rare: go back to the start of the line, or of the input. */
		if (ch >= c->line_ch) {
			c->byte = c->line_byte;
			c->ch = c->line_ch;
			c->col = 1;
		} else {
			cursor_init(c, c->data, c->len);
		}
	}
	while (c->ch < ch && c->byte < c->len) {
		unsigned char b = c->data[c->byte];

		if (b == '\n') {
			c->byte++;
			c->line++;
			c->col = 1;
			c->line_byte = c->byte;
			c->line_ch = c->ch + 1;
		} else {
			c->byte += utf8_width(b);
			c->col++;
		}
		c->ch++;
	}
	if (c->byte > c->len)
		c->byte = c->len;
}

static void mark_position(struct loader *L, const yaml_mark_t *mark,
			  int *line, int *col)
{
	cursor_seek(&L->cur, mark->index);
	*line = L->cur.line;
	*col = L->cur.col;
}

/* Line and column of byte offset `off` (for problems found byte-wise). */
static void byte_position(const unsigned char *data, size_t off,
			  int *line, int *col)
{
	size_t i = 0;

	*line = 1;
	*col = 1;
	while (i < off) {
		if (data[i] == '\n') {
			(*line)++;
			*col = 1;
			i++;
		} else {
			(*col)++;
			i += utf8_width(data[i]);
		}
	}
}

/*
 * Add a diagnostic.  Returns 0, EKS_ENOMEM, or (after MAX_PROBLEMS) marks
 * the loader stopped.
 */
static int problem(struct loader *L, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int problem(struct loader *L, int line, int col, const char *fmt, ...)
{
	eks_buf msg = EKS_BUF_INIT;
	va_list ap;
	int rc;

	if (L->problems >= MAX_PROBLEMS) {
		L->stop = 1;
		return 0;
	}
	va_start(ap, fmt);
	rc = eks_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc == 0) {
		if (++L->problems == MAX_PROBLEMS)
			rc = eks_buf_printf(&msg, " (stopped after %d problems; "
					    "fix these first)", MAX_PROBLEMS);
		if (rc == 0)
			rc = eks_diag_add(L->diags, EKS_DIAG_ERROR, L->path,
					  line, col, "%s", msg.ptr);
	}
	eks_buf_dispose(&msg);
	if (L->problems >= MAX_PROBLEMS)
		L->stop = 1;
	return rc < 0 ? EKS_ENOMEM : 0;
}

/*
 * Append a short, printable excerpt of `s` for quoting in a message: at
 * most EXCERPT_MAX bytes, cut at a character boundary, control characters
 * shown as spaces.
 */
static void put_excerpt(eks_buf *b, const char *s, size_t len)
{
	size_t i, n = len;

	if (n > EXCERPT_MAX) {
		n = EXCERPT_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		eks_buf_putc(b, ch < 0x20 || ch == 0x7f ? ' ' : (char)ch);
	}
	if (n < len)
		eks_buf_puts(b, "...");
}

/* ---- checking the bytes before libyaml sees them ---------------------- */

/*
 * Well-formed UTF-8 as in RFC 3629, section 4 (the same table as Unicode
 * 15, table 3-7): no overlong forms, no surrogates, nothing above
 * U+10FFFF.  Also refuses what YAML 1.1 does not allow in a stream
 * (section 5.1, c-printable): NUL and other C0 controls except tab, LF
 * and CR; DEL; C1 controls except NEL; U+FFFE and U+FFFF.
 * Returns 0, EKS_EINVALID (with one diagnostic) or EKS_ENOMEM.
 */
static int check_text(struct loader *L)
{
	const unsigned char *p = L->data;
	size_t len = L->len, i = 0;
	int line = 1, col = 1, rc;

	if (len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) ||
			 (p[0] == 0xfe && p[1] == 0xff))) {
		rc = problem(L, 1, 1, "the file is saved as UTF-16; save it as "
			     "UTF-8 (in most editors: \"Save with encoding\")");
		return rc ? rc : EKS_EINVALID;
	}
	while (i < len) {
		unsigned char b = p[i];
		unsigned char lo = 0x80, hi = 0xbf;
		uint32_t cp;
		size_t n, k;

		if (b >= 0x20 && b < 0x7f) {
			i++;
			col++;
			continue;
		}
		if (b == '\n') {
			i++;
			line++;
			col = 1;
			continue;
		}
		if (b == '\t' || b == '\r') {
			i++;
			col++;
			continue;
		}
		if (b == 0) {
			rc = problem(L, line, col, "the file contains a NUL byte "
				     "(0x00), so it is not plain text: save it "
				     "as UTF-8 text (a NUL byte often means the "
				     "file is UTF-16 or binary)");
			return rc ? rc : EKS_EINVALID;
		}
		if (b < 0x80) {
			rc = problem(L, line, col, "control character U+%04X is "
				     "not allowed in a YAML file; remove it",
				     (unsigned)b);
			return rc ? rc : EKS_EINVALID;
		}
		if (b < 0xc2 || b > 0xf4) {
			if (b == 0xc0 || b == 0xc1)
				rc = problem(L, line, col, "invalid UTF-8: an "
					     "overlong encoding (byte 0x%02X); "
					     "save the file as UTF-8", b);
			else
				rc = problem(L, line, col, "invalid UTF-8 "
					     "(byte 0x%02X): save the file as "
					     "UTF-8 (it may be Latin-1 or "
					     "Windows-1252)", b);
			return rc ? rc : EKS_EINVALID;
		}
		if (b < 0xe0) {
			n = 2;
			cp = b & 0x1f;
		} else if (b < 0xf0) {
			n = 3;
			cp = b & 0x0f;
			if (b == 0xe0)
				lo = 0xa0;      /* below: overlong */
			else if (b == 0xed)
				hi = 0x9f;      /* above: surrogates */
		} else {
			n = 4;
			cp = b & 0x07;
			if (b == 0xf0)
				lo = 0x90;      /* below: overlong */
			else if (b == 0xf4)
				hi = 0x8f;      /* above: beyond U+10FFFF */
		}
		for (k = 1; k < n; k++) {
			unsigned char c;

			if (i + k >= len) {
				rc = problem(L, line, col, "invalid UTF-8: the "
					     "file ends in the middle of a "
					     "character; save the file as "
					     "UTF-8");
				return rc ? rc : EKS_EINVALID;
			}
			c = p[i + k];
			if (c < (k == 1 ? lo : 0x80) ||
			    c > (k == 1 ? hi : 0xbf)) {
				if (k == 1 && c >= 0x80 && c < lo)
					rc = problem(L, line, col, "invalid "
						     "UTF-8: an overlong "
						     "encoding (bytes 0x%02X "
						     "0x%02X); save the file "
						     "as UTF-8", b, c);
				else if (k == 1 && b == 0xf4 && c <= 0xbf &&
					 c > hi)
					rc = problem(L, line, col, "invalid "
						     "UTF-8: a character "
						     "beyond U+10FFFF (bytes "
						     "0x%02X 0x%02X); save "
						     "the file as UTF-8",
						     b, c);
				else if (k == 1 && b == 0xed && c <= 0xbf &&
					 c > hi)
					rc = problem(L, line, col, "invalid "
						     "UTF-8: an encoded UTF-16 "
						     "surrogate (bytes 0x%02X "
						     "0x%02X); save the file "
						     "as UTF-8", b, c);
				else
					rc = problem(L, line, col, "invalid "
						     "UTF-8 (byte 0x%02X "
						     "followed by 0x%02X): "
						     "save the file as UTF-8 "
						     "(it may be Latin-1 or "
						     "Windows-1252)", b, c);
				return rc ? rc : EKS_EINVALID;
			}
			cp = (cp << 6) | (c & 0x3f);
		}
		if ((cp >= 0x80 && cp <= 0x9f && cp != 0x85) ||
		    cp == 0xfffe || cp == 0xffff) {
			rc = problem(L, line, col, "control character U+%04X is "
				     "not allowed in a YAML file; remove it",
				     (unsigned)cp);
			return rc ? rc : EKS_EINVALID;
		}
		i += n;
		col++;
	}
	return 0;
}

/* ---- building the tree ------------------------------------------------ */

static void node_free(eks_node *node)
{
	size_t i;

	if (!node)
		return;
	for (i = 0; i < node->count; i++) {
		if (node->keys)
			node_free(node->keys[i]);
		node_free(node->items[i]);
	}
	free(node);     /* text and child arrays live in the same block */
}

/* A tag as written: libyaml expands "!!" to "tag:yaml.org,2002:". */
static const char *tag_prefix(const char *tag, size_t *skip)
{
	static const char core[] = "tag:yaml.org,2002:";

	*skip = 0;
	if (strncmp(tag, core, sizeof(core) - 1) == 0) {
		*skip = sizeof(core) - 1;
		return "!!";
	}
	return "";
}

static eks_node *scalar_new(const char *value, size_t len,
			    eks_scalar_style style, const char *tag,
			    int line, int col)
{
	const char *prefix = "";
	size_t skip = 0, taglen = 0, size;
	eks_node *node;
	char *text;

	if (tag) {
		prefix = tag_prefix(tag, &skip);
		taglen = strlen(prefix) + strlen(tag + skip) + 1;
	}
	size = sizeof(*node) + len + 1 + taglen;
	node = malloc(size);
	if (!node)
		return NULL;
	memset(node, 0, sizeof(*node));
	node->kind = EKS_NODE_SCALAR;
	node->line = line;
	node->col = col;
	node->style = style;
	text = (char *)(node + 1);
	if (len)
		memcpy(text, value, len);
	text[len] = '\0';
	node->value = text;
	node->value_len = len;
	if (tag) {
		node->tag = text + len + 1;
		strcpy(node->tag, prefix);
		strcat(node->tag, tag + skip);
	}
	return node;
}

static int pending_push(struct loader *L, eks_node *node)
{
	if (L->npending == L->pending_alloc) {
		size_t alloc = L->pending_alloc ? L->pending_alloc * 2 : 64;
		eks_node **p;

		if (alloc > SIZE_MAX / sizeof(*p))
			return eks_error_oom();
		p = realloc(L->pending, alloc * sizeof(*p));
		if (!p)
			return eks_error_oom();
		L->pending = p;
		L->pending_alloc = alloc;
	}
	L->pending[L->npending++] = node;
	return 0;
}

static int same_key(const eks_node *a, const eks_node *b)
{
	return a->value_len == b->value_len &&
	       memcmp(a->value, b->value, a->value_len) == 0;
}

/* A key and its number in the map, for sorting. */
struct key_ref {
	const eks_node *key;
	size_t index;
};

/* Order of keys for sorting: by bytes, then by number in the map. */
static int key_order(const void *pa, const void *pb)
{
	const struct key_ref *a = pa, *b = pb;
	size_t n = a->key->value_len < b->key->value_len ?
		   a->key->value_len : b->key->value_len;
	int c = memcmp(a->key->value, b->key->value, n);

	if (c)
		return c;
	if (a->key->value_len != b->key->value_len)
		return a->key->value_len < b->key->value_len ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int report_duplicate(struct loader *L, const eks_node *key,
			    const eks_node *first)
{
	eks_buf text = EKS_BUF_INIT;
	int rc;

	put_excerpt(&text, key->value, key->value_len);
	if (eks_buf_oom(&text))
		return EKS_ENOMEM;
	rc = problem(L, key->line, key->col, "duplicate key '%s': it is "
		     "already used on line %d of this mapping; remove one of "
		     "them or rename it", eks_buf_cstr(&text), first->line);
	eks_buf_dispose(&text);
	return rc;
}

/*
 * Report every key of the map that closes now which repeats an earlier
 * one, at the repeat, naming the line of the first.  Small maps compare
 * every pair; larger ones sort (key, number) pairs, so a huge map costs
 * O(n log n) whatever its keys are (a hash table could be made to collide
 * by a hostile file).  Runs when the map closes, so a map left open by a
 * syntax error is not checked: the syntax error comes first anyway.
 */
static int check_duplicates(struct loader *L, const struct frame *f)
{
	size_t count = (L->npending - f->base) / 2, i, j, run;
	const eks_node **first = NULL;
	struct key_ref *sorted = NULL;
	int rc = 0;

	if (count <= LINEAR_KEYS) {
		for (i = 1; i < count && !L->stop; i++) {
			const eks_node *key = L->pending[f->base + 2 * i];

			for (j = 0; j < i; j++) {
				const eks_node *k = L->pending[f->base + 2 * j];

				if (same_key(k, key)) {
					rc = report_duplicate(L, key, k);
					if (rc < 0)
						return rc;
					break;
				}
			}
		}
		return 0;
	}
	sorted = malloc(count * sizeof(*sorted));
	first = calloc(count, sizeof(*first));
	if (!sorted || !first) {
		rc = eks_error_oom();
		goto done;
	}
	for (i = 0; i < count; i++) {
		sorted[i].key = L->pending[f->base + 2 * i];
		sorted[i].index = i;
	}
	qsort(sorted, count, sizeof(*sorted), key_order);
	/* In each run of equal keys the first is the earliest in the map. */
	for (run = 0, i = 1; i <= count; i++) {
		if (i < count && same_key(sorted[run].key, sorted[i].key))
			continue;
		for (j = run + 1; j < i; j++)
			first[sorted[j].index] = sorted[run].key;
		run = i;
	}
	for (i = 0; i < count && !L->stop; i++) {
		if (first[i]) {
			rc = report_duplicate(L, L->pending[f->base + 2 * i],
					      first[i]);
			if (rc < 0)
				goto done;
		}
	}
done:
	free(sorted);
	free(first);
	return rc;
}

/* A finished node goes to its parent, or becomes the document's root. */
static int add_node(struct loader *L, eks_node *node)
{
	int rc;

	if (L->depth == 0) {
		node_free(L->root);    /* only after a problem */
		L->root = node;
		return 0;
	}
	rc = pending_push(L, node);
	if (rc < 0)
		node_free(node);
	return rc;
}

static int open_collection(struct loader *L, eks_node_kind kind, int flow,
			   const yaml_mark_t *mark)
{
	struct frame *f;
	int line, col;

	mark_position(L, mark, &line, &col);
	if (L->depth > 0) {
		f = &L->frames[L->depth - 1];
		if (f->kind == EKS_NODE_MAP &&
		    (L->npending - f->base) % 2 == 0) {
			L->stop = 1;
			return problem(L, line, col, "a key must be a single "
				       "word or text, not %s; write the key as "
				       "text followed by ':'",
				       kind == EKS_NODE_MAP ? "a mapping" :
				       "a list");
		}
	}
	if (L->depth >= EKS_YAML_MAX_DEPTH) {
		L->stop = 1;
		return problem(L, line, col, "lists and mappings are nested "
			       "too deeply here (more than %d levels); "
			       "experiment files never need that many",
			       EKS_YAML_MAX_DEPTH);
	}
	f = &L->frames[L->depth++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->line = line;
	f->col = col;
	f->open = !flow ? 0 : kind == EKS_NODE_MAP ? '{' : '[';
	f->base = L->npending;
	return 0;
}

static int close_collection(struct loader *L)
{
	struct frame *f = &L->frames[--L->depth];
	size_t n = L->npending - f->base, count, size;
	eks_node *node, **arr;

	if (f->kind == EKS_NODE_MAP) {
		int rc = check_duplicates(L, f);

		if (rc < 0)
			return rc;     /* children stay pending: freed later */
	}
	count = f->kind == EKS_NODE_MAP ? n / 2 : n;
	size = sizeof(*node) + n * sizeof(eks_node *);
	node = malloc(size);
	if (!node)
		return eks_error_oom();    /* children stay pending: freed later */
	memset(node, 0, sizeof(*node));
	node->kind = f->kind;
	node->line = f->line;
	node->col = f->col;
	node->count = count;
	node->alloc = count;
	arr = (eks_node **)(node + 1);
	if (f->kind == EKS_NODE_MAP) {
		size_t i;

		if (count) {
			node->keys = arr;
			node->items = arr + count;
		}
		for (i = 0; i < count; i++) {
			node->keys[i] = L->pending[f->base + 2 * i];
			node->items[i] = L->pending[f->base + 2 * i + 1];
		}
	} else if (count) {
		node->items = arr;
		memcpy(arr, L->pending + f->base, n * sizeof(*arr));
	}
	L->npending = f->base;
	return add_node(L, node);
}

static int add_document(struct loader *L, int line)
{
	eks_yaml_file *file = L->file;
	eks_node *root = L->root;

	L->root = NULL;
	/* "---" with nothing after it: libyaml gives an empty plain scalar. */
	if (root && root->kind == EKS_NODE_SCALAR && root->value_len == 0 &&
	    root->style == EKS_SCALAR_PLAIN && !root->tag) {
		node_free(root);
		root = NULL;
	}
	if (file->count == file->alloc) {
		size_t alloc = file->alloc ? file->alloc * 2 : 4;
		eks_node **docs;
		int *lines;

		docs = realloc(file->documents, alloc * sizeof(*docs));
		if (!docs) {
			node_free(root);
			return eks_error_oom();
		}
		file->documents = docs;
		lines = realloc(file->document_lines, alloc * sizeof(*lines));
		if (!lines) {
			node_free(root);
			return eks_error_oom();
		}
		file->document_lines = lines;
		file->alloc = alloc;
	}
	file->documents[file->count] = root;
	file->document_lines[file->count] = line;
	file->count++;
	return 0;
}

/* ---- libyaml's syntax errors in plain words -------------------------- */

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* The character at the cursor, or 0 at the end of the input. */
static unsigned char cursor_char(const struct cursor *c)
{
	return c->byte < c->len ? c->data[c->byte] : 0;
}

/*
 * Tabs: libyaml fails on a tab in indentation with one of several
 * messages, some naming the tab and some not ("found character that
 * cannot start any token").  Say what it is when the problem is at a tab,
 * mentions one, or sits on a line whose indentation holds one.  Returns 1
 * and the tab's position when so.
 */
static int find_indent_tab(struct loader *L, const yaml_parser_t *parser,
			   int *line, int *col)
{
	struct cursor *c = &L->cur;
	size_t i;
	int n;

	if (cursor_char(c) == '\t') {
		*line = c->line;
		*col = c->col;
		return 1;
	}
	for (i = c->line_byte, n = 1; i < c->len && is_space(c->data[i]);
	     i++, n++) {
		if (c->data[i] == '\t') {
			*line = c->line;
			*col = n;
			return 1;
		}
	}
	if (parser->problem && strstr(parser->problem, "tab")) {
		*line = c->line;
		*col = c->col;
		return 1;
	}
	return 0;
}

/* Is there text before the cursor on its line (not just indentation)? */
static int text_before(const struct cursor *c)
{
	size_t i;

	for (i = c->line_byte; i < c->byte; i++)
		if (!is_space(c->data[i]))
			return 1;
	return 0;
}

static int is_problem(const yaml_parser_t *parser, const char *text)
{
	return parser->problem && strcmp(parser->problem, text) == 0;
}

static int is_context(const yaml_parser_t *parser, const char *text)
{
	return parser->context && strcmp(parser->context, text) == 0;
}

/*
 * Report libyaml's error as one diagnostic.  The message is copied at
 * once (libyaml reuses the parser's fields).  Positions are libyaml's
 * problem_mark, except where its context_mark is where the fix goes: an
 * unclosed quote (problem_mark is the end of the file) and a key without
 * ':' (problem_mark is the line after it).
 */
static int syntax_error(struct loader *L, yaml_parser_t *parser)
{
	int line, col, cline, ccol, rc;
	unsigned char ch, open;

	if (parser->error == YAML_MEMORY_ERROR)
		return eks_error_oom();
	if (parser->error == YAML_READER_ERROR) {
		/* Not expected after check_text(); problem_offset is in bytes. */
		size_t off = parser->problem_offset;

		byte_position(L->data, off < L->len ? off : L->len, &line, &col);
		rc = problem(L, line, col, "the file cannot be read as UTF-8 "
			     "text (%s); save it as UTF-8",
			     parser->problem ? parser->problem : "reader error");
		return rc ? rc : EKS_EINVALID;
	}

	mark_position(L, &parser->context_mark, &cline, &ccol);
	open = cursor_char(&L->cur);
	mark_position(L, &parser->problem_mark, &line, &col);
	ch = cursor_char(&L->cur);

	if (L->depth > 0 && L->frames[L->depth - 1].open &&
	    L->cur.byte >= L->len) {
		const struct frame *f = &L->frames[L->depth - 1];

		rc = problem(L, line, col, "the file ends inside the %s opened "
			     "with '%c' on line %d, column %d; close it with "
			     "'%c'", f->open == '[' ? "list" : "mapping",
			     f->open, f->line, f->col,
			     f->open == '[' ? ']' : '}');
	} else if (find_indent_tab(L, parser, &line, &col)) {
		rc = problem(L, line, col, "tabs are not allowed for indentation "
			     "in YAML; use spaces");
	} else if (is_context(parser, "while scanning a quoted scalar")) {
		/* End of file or "---" inside the quotes: never closed. */
		rc = problem(L, cline, ccol, "the quoted value that starts here "
			     "is never closed; add the closing %c at the end "
			     "of the value", open == '\'' ? '\'' : '"');
	} else if (is_problem(parser, "could not find expected ':'")) {
		rc = problem(L, cline, ccol, "this line is neither 'key: value' "
			     "nor part of the value above; add ': ' after the "
			     "key, or indent the line if it continues the "
			     "value above");
	} else if (is_problem(parser, "mapping values are not allowed in this "
			      "context")) {
		rc = problem(L, line, col, "a ':' cannot appear here; if the "
			     "value contains ': ', put it in quotes, otherwise "
			     "check the indentation of this line");
	} else if (is_problem(parser, "found unexpected ':'")) {
		rc = problem(L, line, col, "a ':' cannot appear here; put the "
			     "value in quotes if it contains ':'");
	} else if (is_problem(parser, "block sequence entries are not allowed "
			      "in this context")) {
		rc = problem(L, line, col, "a list item ('- ') cannot start "
			     "here; put each item on its own line, indented "
			     "under its key");
	} else if (is_problem(parser, "did not find expected key")) {
		if (ch == '-')
			rc = problem(L, line, col, "a list item ('- ') cannot "
				     "appear among the keys of a mapping; "
				     "check its indentation");
		else if (text_before(&L->cur))
			rc = problem(L, line, col, "unexpected text after the "
				     "value; if it belongs to the value, put "
				     "the whole value in quotes");
		else
			rc = problem(L, line, col, "this line is not indented "
				     "like the keys above it; line it up with "
				     "the other keys of its mapping (with "
				     "spaces), or add the missing ':'");
	} else if (is_problem(parser, "did not find expected '-' indicator")) {
		rc = problem(L, line, col, "expected a list item ('- ') here; "
			     "check the indentation of this line against the "
			     "list above it");
	} else if (is_problem(parser, "did not find expected ',' or ']'")) {
		rc = problem(L, line, col, "the list opened with '[' on line %d "
			     "is not closed, or two items lack a ',' between "
			     "them; separate items with ',' and end the list "
			     "with ']'", cline);
	} else if (is_problem(parser, "did not find expected ',' or '}'")) {
		rc = problem(L, line, col, "the mapping opened with '{' on line "
			     "%d is not closed, or two entries lack a ',' "
			     "between them; separate entries with ',' and end "
			     "with '}'", cline);
	} else if (is_problem(parser, "did not find expected node content")) {
		rc = problem(L, line, col, "a value is missing here; check for a "
			     "stray ',', '[' or '{'");
	} else if (is_problem(parser, "did not find expected <document "
			      "start>")) {
		rc = problem(L, line, col, "unexpected text after the end of the "
			     "document; check this line's indentation against "
			     "the first line, look for a stray ']' or '}', or "
			     "start a new document with '---'");
	} else if (is_problem(parser, "found character that cannot start any "
			      "token")) {
		rc = problem(L, line, col, "'%c' cannot start a value; put the "
			     "value in quotes", ch >= 0x20 && ch < 0x7f ? ch : '?');
	} else if (is_problem(parser, "found unknown escape character") ||
		   is_problem(parser, "found invalid Unicode character "
			      "escape code") ||
		   is_problem(parser, "did not find expected hexdecimal "
			      "number")) {
		rc = problem(L, line, col, "invalid escape sequence in a "
			     "double-quoted value; write '\\\\' for a "
			     "backslash, or use single quotes, where a "
			     "backslash is an ordinary character");
	} else if (is_context(parser, "while scanning an anchor") ||
		   is_context(parser, "while scanning an alias")) {
		rc = problem(L, cline, ccol, "a value cannot start with '&' or "
			     "'*' (YAML anchors and aliases, which experiment "
			     "files do not support); put the value in quotes");
	} else if (is_context(parser, "while scanning a block scalar")) {
		rc = problem(L, line, col, "only '|' or '>' (with an optional "
			     "'-', '+' or digit) and a comment may follow on "
			     "this line; put the text on the lines below, "
			     "indented");
	} else if (is_problem(parser, "did not find expected comment or line "
			      "break")) {
		rc = problem(L, line, col, "unexpected text here; only a comment "
			     "('# ...') may follow on this line");
	} else {
		rc = problem(L, line, col, "this is not valid YAML: %s%s%s",
			     parser->problem ? parser->problem : "syntax error",
			     parser->context ? " " : "",
			     parser->context ? parser->context : "");
	}
	return rc ? rc : EKS_EINVALID;
}

/* ---- the event loop ---------------------------------------------------- */

static int anchor_problem(struct loader *L, const yaml_char_t *anchor,
			  const yaml_mark_t *mark)
{
	eks_buf name = EKS_BUF_INIT;
	int line, col, rc;

	if (++L->anchors > MAX_ANCHOR_PROBLEMS) {
		L->problems_hidden = 1;
		return 0;
	}
	put_excerpt(&name, (const char *)anchor, strlen((const char *)anchor));
	if (eks_buf_oom(&name))
		return EKS_ENOMEM;
	mark_position(L, mark, &line, &col);
	rc = problem(L, line, col, "experiment files do not support YAML "
		     "anchors and aliases; remove '&%s' and write the value "
		     "out in full wherever it is needed", eks_buf_cstr(&name));
	eks_buf_dispose(&name);
	return rc;
}

static int on_alias(struct loader *L, const yaml_event_t *ev)
{
	eks_buf name = EKS_BUF_INIT;
	eks_node *placeholder;
	int line, col, rc = 0;

	mark_position(L, &ev->start_mark, &line, &col);
	if (++L->anchors > MAX_ANCHOR_PROBLEMS) {
		L->problems_hidden = 1;
	} else {
		put_excerpt(&name, (const char *)ev->data.alias.anchor,
			    strlen((const char *)ev->data.alias.anchor));
		if (eks_buf_oom(&name))
			return EKS_ENOMEM;
		rc = problem(L, line, col, "experiment files do not support "
			     "YAML aliases ('*%s'); write the value out in "
			     "full here instead", eks_buf_cstr(&name));
		eks_buf_dispose(&name);
		if (rc < 0)
			return rc;
	}
	/* Keep the tree's shape so later keys are still checked. */
	placeholder = scalar_new("", 0, EKS_SCALAR_PLAIN, NULL, line, col);
	if (!placeholder)
		return eks_error_oom();
	return add_node(L, placeholder);
}

static int on_scalar(struct loader *L, const yaml_event_t *ev)
{
	eks_scalar_style style;
	eks_node *node;
	int line, col, rc;

	if (ev->data.scalar.anchor) {
		rc = anchor_problem(L, ev->data.scalar.anchor, &ev->start_mark);
		if (rc < 0)
			return rc;
	}
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		style = EKS_SCALAR_QUOTED;
		break;
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		style = EKS_SCALAR_BLOCK;
		break;
	default:
		style = EKS_SCALAR_PLAIN;
	}
	mark_position(L, &ev->start_mark, &line, &col);
	node = scalar_new((const char *)ev->data.scalar.value,
			  ev->data.scalar.length, style,
			  (const char *)ev->data.scalar.tag, line, col);
	if (!node)
		return eks_error_oom();
	return add_node(L, node);
}

static int on_event(struct loader *L, const yaml_event_t *ev,
		    int *doc_line, int *finished)
{
	int rc = 0, col;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		mark_position(L, &ev->start_mark, doc_line, &col);
		break;
	case YAML_DOCUMENT_END_EVENT:
		rc = add_document(L, *doc_line);
		break;
	case YAML_SCALAR_EVENT:
		rc = on_scalar(L, ev);
		break;
	case YAML_ALIAS_EVENT:
		rc = on_alias(L, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (ev->type == YAML_SEQUENCE_START_EVENT ?
		    ev->data.sequence_start.anchor != NULL :
		    ev->data.mapping_start.anchor != NULL) {
			rc = anchor_problem(L, ev->type ==
					    YAML_SEQUENCE_START_EVENT ?
					    ev->data.sequence_start.anchor :
					    ev->data.mapping_start.anchor,
					    &ev->start_mark);
			if (rc < 0 || L->stop)
				break;
		}
		if (ev->type == YAML_SEQUENCE_START_EVENT)
			rc = open_collection(L, EKS_NODE_SEQ,
					     ev->data.sequence_start.style ==
					     YAML_FLOW_SEQUENCE_STYLE,
					     &ev->start_mark);
		else
			rc = open_collection(L, EKS_NODE_MAP,
					     ev->data.mapping_start.style ==
					     YAML_FLOW_MAPPING_STYLE,
					     &ev->start_mark);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		rc = close_collection(L);
		break;
	case YAML_STREAM_END_EVENT:
		*finished = 1;
		break;
	default:
		break;
	}
	return rc;
}

static void loader_release(struct loader *L)
{
	size_t i;

	for (i = 0; i < L->npending; i++)
		node_free(L->pending[i]);
	free(L->pending);
	node_free(L->root);
}

void eks_yaml_file_free(eks_yaml_file *file)
{
	size_t i;

	if (!file)
		return;
	for (i = 0; i < file->count; i++)
		node_free(file->documents[i]);
	free(file->documents);
	free(file->document_lines);
	free(file->path);
	free(file);
}

int eks_yaml_parse(eks_yaml_file **out, const char *path,
		   const char *data, size_t len, eks_diag_list *diags)
{
	struct loader L;
	yaml_parser_t parser;
	yaml_event_t event;
	int rc = 0, parser_ready = 0, have_event = 0, finished = 0;
	int doc_line = 1;
	size_t first_diag;

	*out = NULL;
	memset(&L, 0, sizeof(L));
	L.path = path ? path : "";
	L.diags = diags;
	first_diag = diags->count;
	if (len > EKS_YAML_MAX_BYTES) {
		rc = problem(&L, 1, 1, "the file is %.1f MiB; files over %zu "
			     "MiB are refused", (double)len / (1024 * 1024),
			     EKS_YAML_MAX_BYTES / (1024 * 1024));
		return rc ? rc : eks_error_set(EKS_EINVALID, "'%s' is too large",
					       L.path);
	}
	L.data = (const unsigned char *)(data ? data : "");
	L.len = data ? len : 0;
	/* A UTF-8 byte order mark is fine; positions start after it. */
	if (L.len >= 3 && memcmp(L.data, "\xef\xbb\xbf", 3) == 0) {
		L.data += 3;
		L.len -= 3;
	}
	cursor_init(&L.cur, L.data, L.len);

	rc = check_text(&L);
	if (rc < 0)
		goto done;

	L.file = calloc(1, sizeof(*L.file));
	if (!L.file || !(L.file->path = strdup(L.path))) {
		rc = eks_error_oom();
		goto done;
	}
	if (!yaml_parser_initialize(&parser)) {
		rc = eks_error_oom();
		goto done;
	}
	parser_ready = 1;
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&parser, L.data, L.len);

	while (!finished) {
		if (!yaml_parser_parse(&parser, &event)) {
			rc = syntax_error(&L, &parser);
			goto done;
		}
		have_event = 1;
		rc = on_event(&L, &event, &doc_line, &finished);
		yaml_event_delete(&event);
		have_event = 0;
		if (rc < 0)
			goto done;
		if (L.stop) {
			rc = EKS_EINVALID;
			goto done;
		}
	}
	if (L.problems || L.problems_hidden)
		rc = EKS_EINVALID;

done:
	if (have_event)
		yaml_event_delete(&event);
	if (parser_ready)
		yaml_parser_delete(&parser);
	loader_release(&L);
	if (rc == 0 && (L.problems || L.problems_hidden))
		rc = EKS_EINVALID;
	if (diags->count - first_diag > 1) {
		/* Duplicate keys are found when their map closes, so an inner
		 * map's come before an outer map's: put this file's problems
		 * in reading order. */
		eks_diag_list mine = { diags->items + first_diag,
				       diags->count - first_diag, 0 };

		eks_diag_sort(&mine);
	}
	if (rc == 0) {
		*out = L.file;
	} else {
		eks_yaml_file_free(L.file);
		if (rc == EKS_EINVALID)
			eks_error_set(EKS_EINVALID, "cannot load '%s': it has "
				      "problems (see the diagnostics)", L.path);
	}
	return rc;
}

/*
 * Read at most EKS_YAML_MAX_BYTES + 1 bytes from `fd` into a new buffer.
 * `hint` is the size fstat() gave (0 for pipes and the like).
 */
static int read_all(char **out, size_t *outlen, int fd, size_t hint,
		    const char *path)
{
	size_t cap = hint ? hint + 1 : 65536, len = 0;
	char *buf = malloc(cap), *p;
	ssize_t n;

	if (!buf)
		return eks_error_oom();
	for (;;) {
		if (len == cap) {
			if (cap > EKS_YAML_MAX_BYTES)
				break;
			cap = cap * 2 > EKS_YAML_MAX_BYTES + 1 ?
			      EKS_YAML_MAX_BYTES + 1 : cap * 2;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				return eks_error_oom();
			}
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return eks_error_set(EKS_EIO, "cannot read '%s': %s",
					     path, strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int eks_yaml_load_file(eks_yaml_file **out, const char *path,
		       eks_diag_list *diags)
{
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return eks_error_set(EKS_EIO, "cannot open '%s': %s", path,
				     strerror(errno));
	if (fstat(fd, &st) < 0) {
		rc = eks_error_set(EKS_EIO, "cannot read '%s': %s", path,
				   strerror(errno));
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = eks_error_set(EKS_EIO, "cannot read '%s': it is a "
				   "directory", path);
		goto done;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > EKS_YAML_MAX_BYTES) {
		/* Refused without reading a byte. */
		rc = eks_diag_add(diags, EKS_DIAG_ERROR, path, 1, 1,
				  "the file is %.1f MiB; files over %zu MiB "
				  "are refused",
				  (double)st.st_size / (1024 * 1024),
				  EKS_YAML_MAX_BYTES / (1024 * 1024));
		if (rc == 0)
			rc = eks_error_set(EKS_EINVALID, "'%s' is too large",
					   path);
		goto done;
	}
	rc = read_all(&data, &len, fd, S_ISREG(st.st_mode) ?
		      (size_t)st.st_size : 0, path);
	if (rc < 0)
		goto done;
	/* A file that grew, or a pipe, may still be too long. */
	rc = eks_yaml_parse(out, path, data, len, diags);
done:
	free(data);
	close(fd);
	return rc;
}

const eks_node *eks_node_get_key(const eks_node *map, const char *key)
{
	size_t i, len;

	if (!map || map->kind != EKS_NODE_MAP || !key)
		return NULL;
	len = strlen(key);
	for (i = 0; i < map->count; i++) {
		const eks_node *k = map->keys[i];

		if (k->value_len == len && memcmp(k->value, key, len) == 0)
			return k;
	}
	return NULL;
}

const eks_node *eks_node_get(const eks_node *map, const char *key)
{
	size_t i, len;

	if (!map || map->kind != EKS_NODE_MAP || !key)
		return NULL;
	len = strlen(key);
	for (i = 0; i < map->count; i++) {
		const eks_node *k = map->keys[i];

		if (k->value_len == len && memcmp(k->value, key, len) == 0)
			return map->items[i];
	}
	return NULL;
}

int eks_node_is_null(const eks_node *node)
{
	static const char *const spellings[] = { "", "~", "null", "Null",
						 "NULL" };
	size_t i;

	if (!node)
		return 1;
	if (node->kind != EKS_NODE_SCALAR)
		return 0;
	if (node->tag)
		return strcmp(node->tag, "!!null") == 0;
	if (node->style != EKS_SCALAR_PLAIN)
		return 0;
	for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++)
		if (strcmp(node->value, spellings[i]) == 0)
			return 1;
	return 0;
}

const char *eks_node_kind_name(const eks_node *node)
{
	if (!node)
		return "nothing";
	switch (node->kind) {
	case EKS_NODE_MAP:
		return "a mapping";
	case EKS_NODE_SEQ:
		return "a list";
	default:
		return eks_node_is_null(node) ? "an empty value" :
		       "a text value";
	}
}
