/*
 * baseline-reindex.c - the baseline of the `reindex` benchmark (SPEC 7):
 * parse every experiment file with libyaml and bulk-insert its rows into
 * SQLite, doing nothing else (no validation, no git).
 *
 *   baseline-reindex <repository> <database>
 *
 * Reads <repository>/experiments/<id>/experiment.yaml and log.yaml, loads
 * each with libyaml's document API, and inserts one row per experiment,
 * partner, arm, intervention, outcome, hypothesis, log entry and
 * observation (one row per raw value for `values`), the rows of the index
 * views of SPEC 4.1, in one transaction with prepared statements.  The
 * database is created afresh (an existing file is removed).  Tables have no
 * secondary indexes: the baseline is the least work a reindex must do.
 *
 * Prints "<experiments> experiments, <rows> rows" on success.
 */
#define _POSIX_C_SOURCE 200809L   /* opendir, unlink */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>
#include <yaml.h>

enum { EXPERIMENT, PARTNER, ARM, INTERVENTION, OUTCOME, HYPOTHESIS, ENTRY, OBSERVATION, STMT_COUNT };

static const char *const schema_sql =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE experiments(id TEXT PRIMARY KEY, title TEXT, title_nb TEXT, challenge TEXT,"
	" phase TEXT, status TEXT, allocation TEXT, model TEXT, unit TEXT, start_date TEXT,"
	" end_date TEXT, evidence_level INTEGER);"
	"CREATE TABLE partners(experiment_id TEXT, name TEXT, role TEXT, kommunenummer TEXT, level TEXT);"
	"CREATE TABLE arms(experiment_id TEXT, id TEXT, label TEXT, type TEXT);"
	"CREATE TABLE interventions(experiment_id TEXT, id TEXT, name TEXT);"
	"CREATE TABLE outcomes(experiment_id TEXT, id TEXT, role TEXT, title TEXT, measure TEXT,"
	" direction TEXT, unit TEXT, minimum_effect REAL);"
	"CREATE TABLE hypotheses(experiment_id TEXT, id TEXT, outcome_id TEXT, test TEXT,"
	" estimator TEXT, method TEXT, alpha REAL, margin REAL, family TEXT, statement TEXT);"
	"CREATE TABLE entries(experiment_id TEXT, id TEXT, kind TEXT, recorded_at TEXT,"
	" recorded_by TEXT, supersedes TEXT, note TEXT);"
	"CREATE TABLE observations(experiment_id TEXT, entry_id TEXT, outcome_id TEXT, arm_id TEXT,"
	" timepoint_id TEXT, n INTEGER, events INTEGER, mean REAL, sd REAL, value REAL,"
	" recorded_at TEXT);";

static const char *const insert_sql[STMT_COUNT] = {
	"INSERT INTO experiments VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
	"INSERT INTO partners VALUES(?,?,?,?,?)",
	"INSERT INTO arms VALUES(?,?,?,?)",
	"INSERT INTO interventions VALUES(?,?,?)",
	"INSERT INTO outcomes VALUES(?,?,?,?,?,?,?,?)",
	"INSERT INTO hypotheses VALUES(?,?,?,?,?,?,?,?,?,?)",
	"INSERT INTO entries VALUES(?,?,?,?,?,?,?)",
	"INSERT INTO observations VALUES(?,?,?,?,?,?,?,?,?,?,?)",
};

static sqlite3 *db;
static sqlite3_stmt *stmts[STMT_COUNT];
static long long rows;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "baseline-reindex: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(1);
}

/* The value node of `key` in mapping `map`, or NULL. */
static yaml_node_t *get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *pair;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(doc, pair->key);
		if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
			return yaml_document_get_node(doc, pair->value);
	}
	return NULL;
}

static const char *scalar(yaml_node_t *node)
{
	return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value : NULL;
}

static const char *text(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	return scalar(get(doc, map, key));
}

static void bind_text(sqlite3_stmt *s, int col, const char *value)
{
	if (value)
		sqlite3_bind_text(s, col, value, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, col);
}

static void bind_int(sqlite3_stmt *s, int col, const char *value)
{
	if (value)
		sqlite3_bind_int64(s, col, strtoll(value, NULL, 10));
	else
		sqlite3_bind_null(s, col);
}

static void bind_real(sqlite3_stmt *s, int col, const char *value)
{
	if (value)
		sqlite3_bind_double(s, col, strtod(value, NULL));
	else
		sqlite3_bind_null(s, col);
}

static void step(sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die("cannot insert", sqlite3_errmsg(db));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	rows++;
}

/* The items of the sequence `key` of `map`, as [start, top). */
static int items(yaml_node_item_t **start, yaml_node_item_t **top, yaml_document_t *doc,
		 yaml_node_t *map, const char *key)
{
	yaml_node_t *seq = get(doc, map, key);

	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return 0;
	*start = seq->data.sequence.items.start;
	*top = seq->data.sequence.items.top;
	return 1;
}

static void insert_protocol(yaml_document_t *doc, const char *id)
{
	static const char *const fields[] = { "title", "title_nb", "challenge", "phase", "status" };
	yaml_node_t *root = yaml_document_get_root_node(doc), *design, *dates;
	yaml_node_item_t *it, *top;
	sqlite3_stmt *s = stmts[EXPERIMENT];
	size_t i;

	if (!root)
		return;
	design = get(doc, root, "design");
	dates = get(doc, root, "dates");
	bind_text(s, 1, id);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		bind_text(s, (int)i + 2, text(doc, root, fields[i]));
	bind_text(s, 7, text(doc, design, "allocation"));
	bind_text(s, 8, text(doc, design, "model"));
	bind_text(s, 9, text(doc, design, "unit"));
	bind_text(s, 10, text(doc, dates, "start"));
	bind_text(s, 11, text(doc, dates, "end"));
	bind_int(s, 12, text(doc, root, "evidence_level"));
	step(s);

	if (items(&it, &top, doc, root, "partners"))
		for (; it < top; it++) {
			yaml_node_t *p = yaml_document_get_node(doc, *it);
			s = stmts[PARTNER];
			bind_text(s, 1, id);
			bind_text(s, 2, text(doc, p, "name"));
			bind_text(s, 3, text(doc, p, "role"));
			bind_text(s, 4, text(doc, p, "kommunenummer"));
			bind_text(s, 5, text(doc, p, "level"));
			step(s);
		}
	if (items(&it, &top, doc, root, "arms"))
		for (; it < top; it++) {
			yaml_node_t *a = yaml_document_get_node(doc, *it);
			s = stmts[ARM];
			bind_text(s, 1, id);
			bind_text(s, 2, text(doc, a, "id"));
			bind_text(s, 3, text(doc, a, "label"));
			bind_text(s, 4, text(doc, a, "type"));
			step(s);
		}
	if (items(&it, &top, doc, root, "interventions"))
		for (; it < top; it++) {
			yaml_node_t *v = yaml_document_get_node(doc, *it);
			s = stmts[INTERVENTION];
			bind_text(s, 1, id);
			bind_text(s, 2, text(doc, v, "id"));
			bind_text(s, 3, text(doc, v, "name"));
			step(s);
		}
	if (items(&it, &top, doc, root, "outcomes"))
		for (; it < top; it++) {
			yaml_node_t *o = yaml_document_get_node(doc, *it);
			s = stmts[OUTCOME];
			bind_text(s, 1, id);
			bind_text(s, 2, text(doc, o, "id"));
			bind_text(s, 3, text(doc, o, "role"));
			bind_text(s, 4, text(doc, o, "title"));
			bind_text(s, 5, text(doc, o, "measure"));
			bind_text(s, 6, text(doc, o, "direction"));
			bind_text(s, 7, text(doc, o, "unit"));
			bind_real(s, 8, text(doc, o, "minimum_effect"));
			step(s);
		}
	if (items(&it, &top, doc, root, "hypotheses"))
		for (; it < top; it++) {
			yaml_node_t *h = yaml_document_get_node(doc, *it);
			s = stmts[HYPOTHESIS];
			bind_text(s, 1, id);
			bind_text(s, 2, text(doc, h, "id"));
			bind_text(s, 3, text(doc, h, "outcome"));
			bind_text(s, 4, text(doc, h, "test"));
			bind_text(s, 5, text(doc, h, "estimator"));
			bind_text(s, 6, text(doc, h, "method"));
			bind_real(s, 7, text(doc, h, "alpha"));
			bind_real(s, 8, text(doc, h, "margin"));
			bind_text(s, 9, text(doc, h, "family"));
			bind_text(s, 10, text(doc, h, "statement"));
			step(s);
		}
}

static void insert_entry(yaml_document_t *doc, const char *id)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	yaml_node_item_t *it, *top;
	const char *entry_id, *recorded_at;
	sqlite3_stmt *s = stmts[ENTRY];

	if (!root)
		return;
	entry_id = text(doc, root, "id");
	recorded_at = text(doc, root, "recorded_at");
	bind_text(s, 1, id);
	bind_text(s, 2, entry_id);
	bind_text(s, 3, text(doc, root, "kind"));
	bind_text(s, 4, recorded_at);
	bind_text(s, 5, text(doc, root, "recorded_by"));
	bind_text(s, 6, text(doc, root, "supersedes"));
	bind_text(s, 7, text(doc, root, "note"));
	step(s);

	if (!items(&it, &top, doc, root, "observations"))
		return;
	for (; it < top; it++) {
		yaml_node_t *o = yaml_document_get_node(doc, *it);
		yaml_node_item_t *v = NULL, *vtop = NULL;
		int raw = items(&v, &vtop, doc, o, "values");

		s = stmts[OBSERVATION];
		do {
			bind_text(s, 1, id);
			bind_text(s, 2, entry_id);
			bind_text(s, 3, text(doc, o, "outcome"));
			bind_text(s, 4, text(doc, o, "arm"));
			bind_text(s, 5, text(doc, o, "timepoint"));
			bind_int(s, 6, text(doc, o, "n"));
			bind_int(s, 7, text(doc, o, "events"));
			bind_real(s, 8, text(doc, o, "mean"));
			bind_real(s, 9, text(doc, o, "sd"));
			if (raw && v < vtop)
				bind_real(s, 10, scalar(yaml_document_get_node(doc, *v++)));
			bind_text(s, 11, recorded_at);
			step(s);
		} while (raw && v < vtop);
	}
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len + 65536 > cap) {
			cap = cap ? cap * 2 : 131072;
			data = realloc(data, cap);
			if (!data)
				die("out of memory", NULL);
		}
		n = fread(data + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	return data;
}

/* Parse every document of `path`; `protocol` selects what rows it makes. */
static void load(const char *path, const char *id, int protocol)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	size_t len;
	char *data = read_file(path, &len);

	if (!data)
		return;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	for (;;) {
		if (!yaml_parser_load(&parser, &doc))
			die(path, parser.problem ? parser.problem : "cannot parse");
		if (!yaml_document_get_root_node(&doc)) {
			yaml_document_delete(&doc);
			break;
		}
		if (protocol)
			insert_protocol(&doc, id);
		else
			insert_entry(&doc, id);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	free(data);
}

int main(int argc, char **argv)
{
	char path[4096];
	struct dirent *d;
	DIR *dir;
	long experiments = 0;
	char *err = NULL;
	int i;

	if (argc != 3) {
		fputs("usage: baseline-reindex <repository> <database>\n", stderr);
		return 2;
	}
	unlink(argv[2]);
	snprintf(path, sizeof(path), "%s-wal", argv[2]);
	unlink(path);
	if (sqlite3_open(argv[2], &db) != SQLITE_OK)
		die("cannot open the database", sqlite3_errmsg(db));
	if (sqlite3_exec(db, schema_sql, NULL, NULL, &err) != SQLITE_OK)
		die("cannot create the tables", err);
	for (i = 0; i < STMT_COUNT; i++)
		if (sqlite3_prepare_v2(db, insert_sql[i], -1, &stmts[i], NULL) != SQLITE_OK)
			die("cannot prepare", sqlite3_errmsg(db));
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, &err) != SQLITE_OK)
		die("cannot begin", err);

	snprintf(path, sizeof(path), "%s/experiments", argv[1]);
	dir = opendir(path);
	if (!dir)
		die(path, strerror(errno));
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/experiments/%s/experiment.yaml", argv[1], d->d_name);
		load(path, d->d_name, 1);
		snprintf(path, sizeof(path), "%s/experiments/%s/log.yaml", argv[1], d->d_name);
		load(path, d->d_name, 0);
		experiments++;
	}
	closedir(dir);

	if (sqlite3_exec(db, "COMMIT", NULL, NULL, &err) != SQLITE_OK)
		die("cannot commit", err);
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(stmts[i]);
	if (sqlite3_close(db) != SQLITE_OK)
		die("cannot close the database", NULL);
	printf("%ld experiments, %lld rows\n", experiments, rows);
	return 0;
}
