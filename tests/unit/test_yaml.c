/*
 * test_yaml.c - the YAML loader: positions, styles, documents, and every
 * safety rule with the exact position of its diagnostic.
 */
// WRAP: read malloc realloc calloc
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksperiment/buf.h"
#include "eksperiment/diag.h"
#include "eksperiment/error.h"
#include "eksperiment/yaml.h"

/* ---- failure injection ------------------------------------------------ */

ssize_t __real_read(int fd, void *buf, size_t n);
void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t nmemb, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_calloc(size_t nmemb, size_t n);

static int read_calls;
static long alloc_calls;
static long fail_alloc_at = -1;    /* the alloc_calls value that fails */

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	read_calls++;
	return __real_read(fd, buf, n);
}

static int alloc_fails(void)
{
	return fail_alloc_at >= 0 && alloc_calls++ == fail_alloc_at;
}

void *__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}

void *__wrap_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __real_realloc(p, n);
}

void *__wrap_calloc(size_t nmemb, size_t n)
{
	return alloc_fails() ? NULL : __real_calloc(nmemb, n);
}

/* ---- helpers ----------------------------------------------------------- */

static eks_yaml_file *file;
static eks_diag_list diags = EKS_DIAG_LIST_INIT;

static int teardown(void **state)
{
	(void)state;
	eks_yaml_file_free(file);
	file = NULL;
	eks_diag_list_clear(&diags);
	fail_alloc_at = -1;
	return 0;
}

static int parse(const char *text)
{
	eks_yaml_file_free(file);
	file = NULL;
	eks_diag_list_clear(&diags);
	return eks_yaml_parse(&file, "test.yaml", text, strlen(text), &diags);
}

static int parse_n(const char *text, size_t len)
{
	eks_yaml_file_free(file);
	file = NULL;
	eks_diag_list_clear(&diags);
	return eks_yaml_parse(&file, "test.yaml", text, len, &diags);
}

/* The root of the only document of a successful parse. */
static const eks_node *root_of(const char *text)
{
	int rc = parse(text);

	if (rc != 0 && diags.count)
		print_error("unexpected: %d:%d: %s\n", diags.items[0].line,
			    diags.items[0].col, diags.items[0].message);
	assert_int_equal(rc, 0);
	assert_non_null(file);
	assert_int_equal(file->count, 1);
	assert_int_equal(diags.count, 0);
	return file->documents[0];
}

static void assert_pos(const eks_node *node, int line, int col)
{
	assert_non_null(node);
	if (node->line != line || node->col != col)
		print_error("node at %d:%d, expected %d:%d\n", node->line,
			    node->col, line, col);
	assert_int_equal(node->line, line);
	assert_int_equal(node->col, col);
}

/* Parsing fails and the first diagnostic is at line:col and says `text`. */
static void assert_refused(const char *input, size_t len, int line, int col,
			   const char *text)
{
	int rc = parse_n(input, len);

	assert_int_equal(rc, EKS_EINVALID);
	assert_null(file);
	assert_true(diags.count >= 1);
	if (diags.items[0].line != line || diags.items[0].col != col ||
	    !strstr(diags.items[0].message, text))
		print_error("got %d:%d: %s\nexpected %d:%d: ...%s...\n",
			    diags.items[0].line, diags.items[0].col,
			    diags.items[0].message, line, col, text);
	assert_int_equal(diags.items[0].line, line);
	assert_int_equal(diags.items[0].col, col);
	assert_non_null(strstr(diags.items[0].message, text));
	assert_string_equal(diags.items[0].path, "test.yaml");
	assert_int_equal(diags.items[0].severity, EKS_DIAG_ERROR);
	/* Messages start lowercase, except for names such as UTF-8. */
	assert_false(diags.items[0].message[0] >= 'a' - 32 &&
		     diags.items[0].message[0] <= 'z' - 32 &&
		     strncmp(diags.items[0].message, "UTF", 3) != 0);
}

static void assert_refused_str(const char *input, int line, int col,
			       const char *text)
{
	assert_refused(input, strlen(input), line, col, text);
}

static const char *data_dir(void)
{
	const char *dir = getenv("EKS_TEST_DATA");

	return dir ? dir : "tests/data";
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* ---- positions --------------------------------------------------------- */

static void test_yaml_positions_block(void **state)
{
	const eks_node *root, *arms, *item;

	(void)state;
	root = root_of("schema: eksperiment/v1\n"
		       "# a comment\n"
		       "arms:\n"
		       "  - id: a\n"
		       "    label: Outreach\n"
		       "  -   id: b\n"
		       "dates:\n"
		       "    start: 2025-02-01\n");
	assert_int_equal(root->kind, EKS_NODE_MAP);
	assert_pos(root, 1, 1);
	assert_int_equal(root->count, 3);
	assert_pos(root->keys[0], 1, 1);
	assert_pos(root->items[0], 1, 9);
	assert_string_equal(root->items[0]->value, "eksperiment/v1");
	assert_pos(root->keys[1], 3, 1);
	arms = root->items[1];
	assert_int_equal(arms->kind, EKS_NODE_SEQ);
	assert_pos(arms, 4, 3);
	assert_int_equal(arms->count, 2);
	assert_null(arms->keys);
	item = arms->items[0];
	assert_pos(item, 4, 5);
	assert_pos(item->keys[1], 5, 5);
	assert_pos(item->items[1], 5, 12);
	assert_pos(arms->items[1], 6, 7);
	assert_pos(arms->items[1]->items[0], 6, 11);
	assert_pos(eks_node_get(eks_node_get(root, "dates"), "start"), 8, 12);
}

static void test_yaml_positions_flow(void **state)
{
	const eks_node *root, *arms, *item;

	(void)state;
	root = root_of("arms: [{id: a, label: x}, {id: b}]\n"
		       "sites: [ \"1506\",'1505' , x ]\n"
		       "flow: {a: [1, 2],\n"
		       "  b: {c: d}}\n");
	arms = root->items[0];
	assert_pos(arms, 1, 7);
	item = arms->items[0];
	assert_pos(item, 1, 8);
	assert_pos(item->keys[0], 1, 9);
	assert_pos(item->items[0], 1, 13);
	assert_pos(item->keys[1], 1, 16);
	assert_pos(item->items[1], 1, 23);
	assert_pos(arms->items[1], 1, 27);
	assert_pos(root->items[1]->items[0], 2, 10);
	assert_pos(root->items[1]->items[1], 2, 17);
	assert_pos(root->items[1]->items[2], 2, 26);
	assert_pos(root->items[2], 3, 7);
	assert_pos(root->items[2]->items[0]->items[1], 3, 15);
	assert_pos(root->items[2]->keys[1], 4, 3);
	assert_pos(root->items[2]->items[1]->items[0], 4, 10);
}

static void test_yaml_positions_count_characters(void **state)
{
	const eks_node *root, *p;

	(void)state;
	/* Two-, three- and four-byte characters before the node. */
	root = root_of("Bærum: x\n"
		       "partners:\n"
		       "  - {name: Bærum kommune, role: lead}\n"
		       "  - {name: 東京 ✓, role: x}\n"
		       "  - {name: \xf0\x9f\x98\x80\xf0\x9f\x98\x80, role: y}\n"
		       "ø: [æ, ø, å]\n");
	assert_pos(root->items[0], 1, 8);
	p = root->items[1];
	assert_pos(eks_node_get_key(p->items[0], "role"), 3, 27);
	assert_pos(eks_node_get(p->items[0], "role"), 3, 33);
	assert_pos(eks_node_get_key(p->items[1], "role"), 4, 18);
	assert_pos(eks_node_get_key(p->items[2], "role"), 5, 16);
	assert_pos(root->items[2]->items[2], 6, 11);
}

static void test_yaml_positions_in_example(void **state)
{
	char path[512], *data;
	const eks_node *role;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/examples/demo-velferdsteknologi/"
		 "experiment.yaml", data_dir());
	data = slurp(path, &len);
	assert_int_equal(eks_yaml_parse(&file, path, data, len, &diags), 0);
	free(data);
	/* "  - {name: Bærum kommune, role: lead, ..." on line 15 */
	role = eks_node_get_key(eks_node_get(file->documents[0], "partners")
				->items[0], "role");
	assert_pos(role, 15, 27);
	assert_string_equal(file->path, path);
}

static void test_yaml_positions_crlf_and_bom(void **state)
{
	const eks_node *root;

	(void)state;
	root = root_of("a: 1\r\nb:\r\n  - x\r\n  - 'y'\r\n");
	assert_pos(root->keys[1], 2, 1);
	assert_pos(root->items[1]->items[1], 4, 5);
	assert_string_equal(root->items[1]->items[1]->value, "y");

	/* The byte order mark takes no column. */
	root = root_of("\xef\xbb\xbf" "a: 1\nb: [x]\n");
	assert_pos(root->keys[0], 1, 1);
	assert_pos(root->items[0], 1, 4);
	assert_pos(root->items[1]->items[0], 2, 5);
	assert_string_equal(root->keys[0]->value, "a");
}

static void test_yaml_positions_of_empty_values(void **state)
{
	const eks_node *root;

	(void)state;
	root = root_of("a:\nb:   # nothing\nc: [x, ]\n");
	assert_pos(root->items[0], 1, 3);
	assert_true(eks_node_is_null(root->items[0]));
	assert_pos(root->items[1], 2, 3);
	assert_int_equal(root->items[2]->count, 1);
}

/* ---- values ---------------------------------------------------------------- */

static void test_yaml_scalar_styles_and_tags(void **state)
{
	const eks_node *root;

	(void)state;
	root = root_of("plain: 0301\n"
		       "single: 'it''s'\n"
		       "double: \"a\\tb\\u00e6\"\n"
		       "literal: |\n  line 1\n  line 2\n"
		       "folded: >-\n  one\n  two\n"
		       "str: !!str 42\n"
		       "local: !mine x\n"
		       "multi: first\n  second\n");
	assert_int_equal(eks_node_get(root, "plain")->style, EKS_SCALAR_PLAIN);
	assert_string_equal(eks_node_get(root, "plain")->value, "0301");
	assert_null(eks_node_get(root, "plain")->tag);
	assert_int_equal(eks_node_get(root, "single")->style, EKS_SCALAR_QUOTED);
	assert_string_equal(eks_node_get(root, "single")->value, "it's");
	assert_int_equal(eks_node_get(root, "double")->style, EKS_SCALAR_QUOTED);
	assert_string_equal(eks_node_get(root, "double")->value, "a\tb\xc3\xa6");
	assert_int_equal(eks_node_get(root, "double")->value_len, 5);
	assert_int_equal(eks_node_get(root, "literal")->style, EKS_SCALAR_BLOCK);
	assert_string_equal(eks_node_get(root, "literal")->value,
			    "line 1\nline 2\n");
	assert_pos(eks_node_get(root, "literal"), 4, 10);
	assert_int_equal(eks_node_get(root, "folded")->style, EKS_SCALAR_BLOCK);
	assert_string_equal(eks_node_get(root, "folded")->value, "one two");
	assert_string_equal(eks_node_get(root, "str")->tag, "!!str");
	assert_string_equal(eks_node_get(root, "str")->value, "42");
	assert_pos(eks_node_get(root, "str"), 10, 6);
	assert_string_equal(eks_node_get(root, "local")->tag, "!mine");
	assert_string_equal(eks_node_get(root, "multi")->value, "first second");
}

static void test_yaml_value_with_nul_escape_keeps_length(void **state)
{
	const eks_node *v;

	(void)state;
	v = eks_node_get(root_of("a: \"x\\0y\"\n"), "a");
	assert_int_equal(v->value_len, 3);
	assert_memory_equal(v->value, "x\0y", 3);
	/* A key lookup must not match on the text before the NUL. */
	assert_null(eks_node_get(root_of("\"x\\0y\": 1\n"), "x"));
}

static void test_yaml_multi_document_stream(void **state)
{
	char path[512], *data;
	size_t len;

	(void)state;
	assert_int_equal(parse("---\nid: one\n---\nid: two\n...\n---\n"
			       "id: three\n"), 0);
	assert_int_equal(file->count, 3);
	assert_int_equal(file->document_lines[0], 1);
	assert_int_equal(file->document_lines[1], 3);
	assert_int_equal(file->document_lines[2], 6);
	assert_string_equal(eks_node_get(file->documents[2], "id")->value,
			    "three");
	assert_pos(file->documents[1], 4, 1);

	/* A first document without "---" starts at its first line. */
	assert_int_equal(parse("# header\n\nid: one\n---\nid: two\n"), 0);
	assert_int_equal(file->count, 2);
	assert_int_equal(file->document_lines[0], 3);
	assert_int_equal(file->document_lines[1], 4);

	/* Duplicate keys are per document, not per stream. */
	assert_int_equal(parse("---\nid: a\n---\nid: b\n"), 0);

	snprintf(path, sizeof(path), "%s/examples/uu-molde-outreach/log.yaml",
		 data_dir());
	data = slurp(path, &len);
	assert_int_equal(parse_n(data, len), 0);
	free(data);
	assert_true(file->count >= 4);
	assert_int_equal(file->document_lines[0], 1);
	assert_int_equal(file->document_lines[1], 8);
	assert_string_equal(eks_node_get(file->documents[1], "kind")->value,
			    "observation");
}

static void test_yaml_empty_documents(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(file->count, 0);
	eks_yaml_file_free(file);
	assert_int_equal(eks_yaml_parse(&file, "x", NULL, 0, &diags), 0);
	assert_int_equal(file->count, 0);
	assert_int_equal(parse("# only a comment\n\n"), 0);
	assert_int_equal(file->count, 0);
	assert_int_equal(parse("\xef\xbb\xbf"), 0);
	assert_int_equal(file->count, 0);

	assert_int_equal(parse("---\n"), 0);
	assert_int_equal(file->count, 1);
	assert_null(file->documents[0]);
	assert_int_equal(parse("---\n---\na: 1\n---\n# empty\n"), 0);
	assert_int_equal(file->count, 3);
	assert_null(file->documents[0]);
	assert_non_null(file->documents[1]);
	assert_null(file->documents[2]);
	assert_int_equal(file->document_lines[2], 4);

	/* An explicit empty string or null is a value, not an empty document. */
	assert_int_equal(parse("--- ''\n"), 0);
	assert_non_null(file->documents[0]);
	assert_int_equal(parse("--- ~\n"), 0);
	assert_non_null(file->documents[0]);
	assert_true(eks_node_is_null(file->documents[0]));
}

/* ---- text checks before parsing ---------------------------------------- */

static void test_yaml_refuses_nul_byte(void **state)
{
	static const char text[] = "a: 1\nbæ: x\0y\n";

	(void)state;
	assert_refused(text, sizeof(text) - 1, 2, 6, "NUL byte");
	/* Even as the very first byte, and even when the rest is fine. */
	assert_refused("\0a: 1\n", 6, 1, 1, "NUL byte");
}

static void test_yaml_refuses_invalid_utf8(void **state)
{
	(void)state;
	/* Latin-1 'æ' after a valid 'ø'. */
	assert_refused_str("a: 1\nø: B\xe6rum\n", 2, 5, "invalid UTF-8");
	assert_refused_str("a: \x80\n", 1, 4, "invalid UTF-8");
	assert_refused_str("a: \xff\n", 1, 4, "invalid UTF-8");
	assert_refused_str("a: \xf5\x80\x80\x80\n", 1, 4, "invalid UTF-8");
	/* A sequence cut short by the end of the file, or by ASCII. */
	assert_refused_str("a: x\xe2\x82", 1, 5, "ends in the middle");
	assert_refused_str("a: \xe2\x82x\n", 1, 4, "invalid UTF-8");
	assert_refused_str("\xff\xfe" "a\0", 1, 1, "UTF-16");
}

static void test_yaml_refuses_overlong_and_surrogates(void **state)
{
	(void)state;
	assert_refused_str("a: \xc0\xaf\n", 1, 4, "overlong");
	assert_refused_str("a: \xc1\xbf\n", 1, 4, "overlong");
	assert_refused_str("a: \xe0\x80\xaf\n", 1, 4, "overlong");
	assert_refused_str("a: \xe0\x9f\xbf\n", 1, 4, "overlong");
	assert_refused_str("a: \xf0\x80\x80\xaf\n", 1, 4, "overlong");
	assert_refused_str("a: \xf0\x8f\xbf\xbf\n", 1, 4, "overlong");
	assert_refused_str("æøå: \xed\xa0\x80\n", 1, 6, "surrogate");
	assert_refused_str("a: \xed\xbf\xbf\n", 1, 4, "surrogate");
	assert_refused_str("a: \xf4\x90\x80\x80\n", 1, 4, "U+10FFFF");
}

static void test_yaml_accepts_utf8_boundaries(void **state)
{
	const eks_node *root;

	(void)state;
	/* U+0080 is a C1 control (refused below); these are text. */
	root = root_of("a: \xc2\xa0\xdf\xbf\n"          /* U+00A0 U+07FF */
		       "b: \xe0\xa0\x80\xed\x9f\xbf\n"  /* U+0800 U+D7FF */
		       "c: \xee\x80\x80\xef\xbf\xbd\n"  /* U+E000 U+FFFD */
		       "d: \xf0\x90\x80\x80\xf4\x8f\xbf\xbf\n" /* U+10000 U+10FFFF */
		       "e: x\n");
	assert_pos(root->items[4], 5, 4);
	assert_int_equal(root->items[3]->value_len, 8);
}

static void test_yaml_refuses_control_characters(void **state)
{
	(void)state;
	assert_refused_str("a: x\x01\n", 1, 5, "control character U+0001");
	assert_refused_str("a: 1\nb: \x1b[31m\n", 2, 4, "U+001B");
	assert_refused_str("a: \x7f\n", 1, 4, "U+007F");
	assert_refused_str("a: \xc2\x80\n", 1, 4, "U+0080");
	assert_refused_str("a: \xef\xbf\xbe\n", 1, 4, "U+FFFE");
	/* Tab, CR, LF and NEL are fine. */
	assert_int_equal(parse("a:\tx\r\nb: \"\xc2\x85\"\n"), 0);
}

/* ---- structure --------------------------------------------------------- */

static void test_yaml_refuses_deep_nesting(void **state)
{
	eks_buf b = EKS_BUF_INIT;
	int i;

	(void)state;
	/* 10 000 levels: refused at the 65th '[' without recursion. */
	for (i = 0; i < 10000; i++)
		eks_buf_putc(&b, '[');
	for (i = 0; i < 10000; i++)
		eks_buf_putc(&b, ']');
	assert_refused(b.ptr, b.len, 1, EKS_YAML_MAX_DEPTH + 1,
		       "nested too deeply");
	assert_int_equal(diags.count, 1);

	/* Exactly the limit is fine. */
	eks_buf_clear(&b);
	for (i = 0; i < EKS_YAML_MAX_DEPTH; i++)
		eks_buf_putc(&b, '[');
	for (i = 0; i < EKS_YAML_MAX_DEPTH; i++)
		eks_buf_putc(&b, ']');
	assert_int_equal(parse(b.ptr), 0);

	/* Block style counts the same; the root mapping is level 1. */
	eks_buf_clear(&b);
	eks_buf_puts(&b, "x:\n");
	for (i = 1; i <= 100; i++)
		eks_buf_printf(&b, "%*s- \n", 2 * i, "");
	assert_refused(b.ptr, b.len, 65, 129, "nested too deeply");

	/* Mappings in flow style inside a key's value. */
	eks_buf_clear(&b);
	eks_buf_puts(&b, "a: ");
	for (i = 0; i < 10000; i++)
		eks_buf_puts(&b, "{a: ");
	assert_refused(b.ptr, b.len, 1, 4 + 4 * (EKS_YAML_MAX_DEPTH - 1),
		       "nested too deeply");
	eks_buf_dispose(&b);
}

static void test_yaml_refuses_aliases(void **state)
{
	(void)state;
	assert_refused_str("a: x\nb: *x\n", 2, 4, "do not support YAML aliases");
	assert_non_null(strstr(diags.items[0].message, "write the value out"));
	assert_refused_str("*k : 1\n", 1, 1, "aliases ('*k')");
	assert_refused_str("base: {a: 1}\nnext:\n  <<: *base\n", 3, 7,
			   "aliases ('*base')");
}

static void test_yaml_refuses_anchors(void **state)
{
	(void)state;
	assert_refused_str("a: &x 1\nb: 2\n", 1, 4, "remove '&x'");
	assert_refused_str("a: &list\n  - 1\n", 1, 4, "anchors and aliases");
	assert_refused_str("a: &m {b: 1}\n", 1, 4, "anchors and aliases");
	assert_refused_str("a: &\n", 1, 4, "put the value in quotes");
}

static void test_yaml_refuses_billion_laughs(void **state)
{
	eks_buf b = EKS_BUF_INIT;
	int i, j;

	(void)state;
	eks_buf_puts(&b, "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (i = 1; i < 30; i++) {
		eks_buf_printf(&b, "l%d: &l%d [", i, i);
		for (j = 0; j < 10; j++)
			eks_buf_printf(&b, "%s*l%d", j ? ", " : "", i - 1);
		eks_buf_puts(&b, "]\n");
	}
	eks_buf_puts(&b, "title: *l29\n");
	assert_refused(b.ptr, b.len, 1, 5, "anchors and aliases");
	/* Reported once each up to a small cap, never expanded. */
	assert_true(diags.count <= 10);
	eks_buf_dispose(&b);
}

static void test_yaml_refuses_duplicate_keys(void **state)
{
	(void)state;
	assert_refused_str("id: a\ntitle: x\nid: b\n", 3, 1,
			   "duplicate key 'id': it is already used on line 1");
	/* Quoting does not make a key different. */
	assert_refused_str("arms:\n  - {id: a, \"id\": b}\n", 2, 13,
			   "duplicate key 'id'");
	/* Every duplicate is reported, each naming the first. */
	assert_int_equal(parse("a: 1\nb: 2\na: 3\nb: 4\na: 5\n"), EKS_EINVALID);
	assert_int_equal(diags.count, 3);
	assert_int_equal(diags.items[2].line, 5);
	assert_non_null(strstr(diags.items[2].message, "on line 1"));
	/* Problems come in reading order, inner mappings included. */
	assert_int_equal(parse("a: 1\na: 2\nm:\n  x: 1\n  x: 2\n"),
			 EKS_EINVALID);
	assert_int_equal(diags.count, 2);
	assert_int_equal(diags.items[0].line, 2);
	assert_int_equal(diags.items[1].line, 5);
	assert_non_null(strstr(diags.items[1].message, "'x'"));
	/* Same key in different mappings is fine. */
	assert_int_equal(parse("a: {x: 1}\nb: {x: 2}\nc: [{x: 1}, {x: 1}]\n"), 0);
	/* Keys that differ only after a NUL escape differ. */
	assert_int_equal(parse("\"a\\0b\": 1\n\"a\\0c\": 2\n"), 0);
}

static void test_yaml_duplicate_keys_in_large_maps(void **state)
{
	eks_buf b = EKS_BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++)
		eks_buf_printf(&b, "key%d: %d\n", i, i);
	assert_int_equal(parse(b.ptr), 0);
	assert_int_equal(file->documents[0]->count, 20000);
	assert_string_equal(eks_node_get(file->documents[0], "key19999")->value,
			    "19999");

	eks_buf_puts(&b, "key4: again\nkey33: again\n");
	assert_int_equal(parse(b.ptr), EKS_EINVALID);
	assert_int_equal(diags.count, 2);
	assert_int_equal(diags.items[0].line, 20001);
	assert_non_null(strstr(diags.items[0].message, "'key4'"));
	assert_non_null(strstr(diags.items[0].message, "on line 5 "));
	assert_int_equal(diags.items[1].line, 20002);
	assert_non_null(strstr(diags.items[1].message, "on line 34 "));

	/* Right at the switch from linear search to hashing. */
	eks_buf_clear(&b);
	for (i = 0; i < 40; i++)
		eks_buf_printf(&b, "k%d: 1\n", i % 33);
	assert_int_equal(parse(b.ptr), EKS_EINVALID);
	assert_int_equal(diags.count, 7);
	assert_int_equal(diags.items[0].line, 34);
	assert_non_null(strstr(diags.items[6].message, "on line 7 "));
	eks_buf_dispose(&b);
}

static void test_yaml_caps_number_of_problems(void **state)
{
	eks_buf b = EKS_BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 500; i++)
		eks_buf_puts(&b, "a: 1\n");
	assert_int_equal(parse(b.ptr), EKS_EINVALID);
	assert_int_equal(diags.count, 50);
	assert_non_null(strstr(diags.items[49].message, "stopped after"));
	eks_buf_dispose(&b);
}

static void test_yaml_duplicate_key_excerpt_is_short(void **state)
{
	eks_buf b = EKS_BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		eks_buf_putc(&b, '"');
		eks_buf_puts(&b, "line\\none ");
		eks_buf_printf(&b, "%0200d", 7);
		eks_buf_puts(&b, "\": x\n");
	}
	assert_int_equal(parse(b.ptr), EKS_EINVALID);
	assert_true(strlen(diags.items[0].message) < 250);
	assert_null(strchr(diags.items[0].message, '\n'));
	assert_non_null(strstr(diags.items[0].message, "line one 000"));
	eks_buf_dispose(&b);
}

static void test_yaml_refuses_complex_keys(void **state)
{
	(void)state;
	assert_refused_str("a: 1\n[x, y]: 2\n", 2, 1, "not a list");
	assert_refused_str("? {x: 1}\n: 2\n", 1, 3, "not a mapping");
	assert_refused_str("m: {[1]: 2}\n", 1, 5, "a key must be");
}

/* ---- syntax errors ------------------------------------------------------- */

static void test_yaml_tab_indentation(void **state)
{
	(void)state;
	assert_refused_str("design:\n\tmodel: parallel\n", 2, 1,
			   "tabs are not allowed for indentation in YAML; "
			   "use spaces");
	assert_refused_str("a:\n  b: 1\n  \tc: 2\n", 3, 3, "tabs are not");
	assert_refused_str("a: |\n  text\n\tmore\n", 3, 1, "tabs are not");
	assert_refused_str("a: 1\r\n\tb: 2\r\n", 2, 1, "tabs are not");
	assert_refused_str("- \tx\n", 1, 3, "tabs are not");
	/* A tab between key and value is not indentation. */
	assert_int_equal(parse("a:\tx\nb: [1,\t2]\n"), 0);
}

static void test_yaml_unterminated_quotes(void **state)
{
	(void)state;
	/* Reported where the quote opens: the end of the file tells nothing. */
	assert_refused_str("a: 1\ntitle: \"Outreach\nb: 2\n", 2, 8,
			   "never closed; add the closing \"");
	assert_refused_str("title: 'it''s\n", 1, 8, "add the closing '");
	assert_refused_str("a: \"x\n---\nb: 2\n", 1, 4, "never closed");
	assert_refused_str("\"abc", 1, 1, "never closed");
}

struct syntax_case {
	const char *input;
	int line, col;
	const char *text;
};

static void test_yaml_syntax_errors_in_plain_words(void **state)
{
	static const struct syntax_case cases[] = {
		{ "a:\n  b: 1\n c: 2\n", 3, 2, "not indented like the keys" },
		{ "a: 1\n b: 2\n", 2, 3, "check the indentation" },
		{ "title: Outreach: a pilot\n", 1, 16, "put it in quotes" },
		{ "a: 1\n- b\n", 2, 1, "a list item ('- ') cannot appear" },
		{ "- a\nb: 1\n", 2, 1, "expected a list item" },
		{ "a: - b\n", 1, 4, "a list item ('- ') cannot start here" },
		{ "a: 1\nb\nc: 2\n", 2, 1, "add ': ' after the key" },
		{ "key: \"a\" b\n", 1, 10, "unexpected text after the value" },
		{ "a: [1, 2\nb: 3\n", 2, 2, "opened with '[' on line 1" },
		{ "a: {x: 1\nb: 3\n", 2, 2, "opened with '{' on line 1" },
		{ "a: [1, 2\n", 2, 1, "the file ends inside the list" },
		{ "a: {b: [1, {c: 2\n", 2, 1, "opened with '{' on line 1, "
		  "column 12" },
		{ "[a, b]]\n", 1, 7, "stray ']'" },
		{ "a: @x\n", 1, 4, "'@' cannot start a value" },
		{ "a: `x`\n", 1, 4, "'`' cannot start a value" },
		{ "a: \"C:\\data\"\n", 1, 7, "invalid escape sequence" },
		{ "a: |x\n  y\n", 1, 5, "only '|' or '>'" },
		{ "a: !<x\n", 1, 7, "not valid YAML" },
		{ "%YAML 1.1\n%YAML 1.1\n---\na\n", 2, 1, "not valid YAML" },
		{ "a: [b, ]c\n", 1, 9, "unexpected text after the value" },
		{ "ø: 1\n  æ: 2\n", 2, 4, "':' cannot appear here" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_refused_str(cases[i].input, cases[i].line, cases[i].col,
				   cases[i].text);
}

/* ---- files --------------------------------------------------------------- */

static void test_yaml_size_limit(void **state)
{
	char path[] = "/tmp/eks-test-yaml-XXXXXX";
	static const char small[] = "a: 1\n";
	int fd;

	(void)state;
	/* eks_yaml_parse refuses before looking at the bytes. */
	assert_int_equal(eks_yaml_parse(&file, "big.yaml", small,
					EKS_YAML_MAX_BYTES + 1, &diags),
			 EKS_EINVALID);
	assert_null(file);
	assert_int_equal(diags.count, 1);
	assert_non_null(strstr(diags.items[0].message, "over 16 MiB"));
	eks_diag_list_clear(&diags);

	/* eks_yaml_load_file does not even read a sparse 17 MiB file. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 17 * 1024 * 1024), 0);
	close(fd);
	read_calls = 0;
	assert_int_equal(eks_yaml_load_file(&file, path, &diags), EKS_EINVALID);
	assert_int_equal(read_calls, 0);
	assert_null(file);
	assert_int_equal(diags.count, 1);
	assert_string_equal(diags.items[0].path, path);
	assert_int_equal(diags.items[0].line, 1);
	assert_non_null(strstr(diags.items[0].message, "17.0 MiB"));
	assert_non_null(strstr(diags.items[0].message, "over 16 MiB"));

	/* Exactly at the limit the size is fine (the content is not). */
	eks_diag_list_clear(&diags);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, EKS_YAML_MAX_BYTES), 0);
	close(fd);
	assert_int_equal(eks_yaml_load_file(&file, path, &diags), EKS_EINVALID);
	assert_true(read_calls > 0);
	assert_non_null(strstr(diags.items[0].message, "NUL byte"));
	unlink(path);
}

static void test_yaml_load_file(void **state)
{
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/examples/uu-molde-outreach/"
		 "experiment.yaml", data_dir());
	assert_int_equal(eks_yaml_load_file(&file, path, &diags), 0);
	assert_int_equal(file->count, 1);
	assert_string_equal(eks_node_get(file->documents[0], "id")->value,
			    "uu-molde-outreach");
	assert_string_equal(file->path, path);
}

static void test_yaml_load_file_errors(void **state)
{
	(void)state;
	assert_int_equal(eks_yaml_load_file(&file, "/nonexistent/x.yaml",
					    &diags), EKS_EIO);
	assert_null(file);
	assert_int_equal(diags.count, 0);
	assert_int_equal(eks_error_last()->code, EKS_EIO);
	assert_non_null(strstr(eks_error_last()->message,
			       "'/nonexistent/x.yaml'"));

	assert_int_equal(eks_yaml_load_file(&file, "/tmp", &diags), EKS_EIO);
	assert_non_null(strstr(eks_error_last()->message, "directory"));
	assert_null(file);
}

/* Every hostile file in tests/data/bad fails at the place EXPECTED says. */
static void test_yaml_bad_files_match_expected(void **state)
{
	char dir[512], path[1024], line[1024], name[256], text[512];
	int checked = 0, listed = 0, l, c;
	struct dirent *de;
	FILE *expected;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/bad", data_dir());
	snprintf(path, sizeof(path), "%s/EXPECTED", dir);
	expected = fopen(path, "r");
	assert_non_null(expected);
	while (fgets(line, sizeof(line), expected)) {
		char *data;
		size_t len;

		if (sscanf(line, "%255s %d:%d %511[^\n]", name, &l, &c,
			   text) != 4 || strncmp(name, "yaml-", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		data = slurp(path, &len);
		assert_refused(data, len, l, c, text);
		free(data);
		checked++;
	}
	fclose(expected);

	/* And every yaml-* file has its line in EXPECTED. */
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (strncmp(de->d_name, "yaml-", 5) == 0)
			listed++;
	closedir(d);
	assert_true(checked >= 20);
	assert_int_equal(checked, listed);
}

/* ---- helpers for validators ------------------------------------------- */

static void test_yaml_lookup_helpers(void **state)
{
	const eks_node *root, *list;

	(void)state;
	root = root_of("id: x\nempty:\ntilde: ~\nnull_word: Null\n"
		       "quoted_null: 'null'\ntagged: !!null x\n"
		       "str_null: !!str null\nlist: [a]\nmap: {k: v}\n"
		       "\"\": empty key\n");
	assert_string_equal(eks_node_get(root, "id")->value, "x");
	assert_pos(eks_node_get_key(root, "id"), 1, 1);
	assert_pos(eks_node_get_key(root, "list"), 8, 1);
	assert_null(eks_node_get(root, "missing"));
	assert_null(eks_node_get_key(root, "missing"));
	assert_null(eks_node_get(root, "i"));
	assert_null(eks_node_get(root, NULL));
	assert_string_equal(eks_node_get(root, "")->value, "empty key");

	list = eks_node_get(root, "list");
	assert_null(eks_node_get(list, "a"));
	assert_null(eks_node_get_key(list, "a"));
	assert_null(eks_node_get(eks_node_get(root, "id"), "x"));
	assert_null(eks_node_get(NULL, "x"));
	assert_null(eks_node_get_key(NULL, "x"));

	assert_true(eks_node_is_null(eks_node_get(root, "empty")));
	assert_true(eks_node_is_null(eks_node_get(root, "tilde")));
	assert_true(eks_node_is_null(eks_node_get(root, "null_word")));
	assert_true(eks_node_is_null(eks_node_get(root, "tagged")));
	assert_true(eks_node_is_null(NULL));
	assert_false(eks_node_is_null(eks_node_get(root, "quoted_null")));
	assert_false(eks_node_is_null(eks_node_get(root, "str_null")));
	assert_false(eks_node_is_null(eks_node_get(root, "id")));
	assert_false(eks_node_is_null(list));
	assert_false(eks_node_is_null(eks_node_get(root, "map")));
	assert_false(eks_node_is_null(root_of("a: nULL\n")->items[0]));
	assert_true(eks_node_is_null(root_of("a: NULL\n")->items[0]));

	root = root_of("id: x\nempty:\nlist: [a]\nmap: {k: v}\n");
	assert_string_equal(eks_node_kind_name(eks_node_get(root, "id")),
			    "a text value");
	assert_string_equal(eks_node_kind_name(eks_node_get(root, "empty")),
			    "an empty value");
	assert_string_equal(eks_node_kind_name(eks_node_get(root, "list")),
			    "a list");
	assert_string_equal(eks_node_kind_name(eks_node_get(root, "map")),
			    "a mapping");
	assert_string_equal(eks_node_kind_name(NULL), "nothing");
}

static void test_yaml_free_accepts_null(void **state)
{
	(void)state;
	eks_yaml_file_free(NULL);
}

/* Every allocation the loader makes may fail: ENOMEM, no leak, no crash. */
static void test_yaml_out_of_memory(void **state)
{
	static const char text[] =
		"---\nid: a\nlist: [1, {x: y}, 'z']\nmap:\n  k: |\n    v\n"
		"t: !!str 1\n---\n---\nb: 2\n";
	eks_buf big = EKS_BUF_INIT;
	long n;
	int i, rc, failures = 0;

	(void)state;
	for (n = 0; ; n++) {
		alloc_calls = 0;
		fail_alloc_at = n;
		rc = parse(text);
		fail_alloc_at = -1;
		if (alloc_calls <= n) {
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, EKS_ENOMEM);
		assert_null(file);
		failures++;
	}
	assert_true(failures > 5);

	/* Problems need memory too. */
	for (n = 0; n < 20; n++) {
		alloc_calls = 0;
		fail_alloc_at = n;
		rc = parse("a: 1\na: 2\nb: *x\n");
		fail_alloc_at = -1;
		assert_true(rc == EKS_ENOMEM || rc == EKS_EINVALID);
		assert_null(file);
	}

	/* The hash table of a large map. */
	for (i = 0; i < 100; i++)
		eks_buf_printf(&big, "k%d: 1\n", i);
	for (n = 0; ; n++) {
		alloc_calls = 0;
		fail_alloc_at = n;
		rc = parse(big.ptr);
		fail_alloc_at = -1;
		if (alloc_calls <= n)
			break;
		assert_int_equal(rc, EKS_ENOMEM);
	}
	assert_int_equal(rc, 0);
	eks_buf_dispose(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_yaml_positions_block, teardown),
		cmocka_unit_test_teardown(test_yaml_positions_flow, teardown),
		cmocka_unit_test_teardown(test_yaml_positions_count_characters,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_positions_in_example,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_positions_crlf_and_bom,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_positions_of_empty_values,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_scalar_styles_and_tags,
					  teardown),
		cmocka_unit_test_teardown(
			test_yaml_value_with_nul_escape_keeps_length, teardown),
		cmocka_unit_test_teardown(test_yaml_multi_document_stream,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_empty_documents, teardown),
		cmocka_unit_test_teardown(test_yaml_refuses_nul_byte, teardown),
		cmocka_unit_test_teardown(test_yaml_refuses_invalid_utf8,
					  teardown),
		cmocka_unit_test_teardown(
			test_yaml_refuses_overlong_and_surrogates, teardown),
		cmocka_unit_test_teardown(test_yaml_accepts_utf8_boundaries,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_refuses_control_characters,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_refuses_deep_nesting,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_refuses_aliases, teardown),
		cmocka_unit_test_teardown(test_yaml_refuses_anchors, teardown),
		cmocka_unit_test_teardown(test_yaml_refuses_billion_laughs,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_refuses_duplicate_keys,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_duplicate_keys_in_large_maps,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_caps_number_of_problems,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_duplicate_key_excerpt_is_short,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_refuses_complex_keys,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_tab_indentation, teardown),
		cmocka_unit_test_teardown(test_yaml_unterminated_quotes,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_syntax_errors_in_plain_words,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_size_limit, teardown),
		cmocka_unit_test_teardown(test_yaml_load_file, teardown),
		cmocka_unit_test_teardown(test_yaml_load_file_errors, teardown),
		cmocka_unit_test_teardown(test_yaml_bad_files_match_expected,
					  teardown),
		cmocka_unit_test_teardown(test_yaml_lookup_helpers, teardown),
		cmocka_unit_test_teardown(test_yaml_free_accepts_null, teardown),
		cmocka_unit_test_teardown(test_yaml_out_of_memory, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
