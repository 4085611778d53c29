/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report.h — private to `dnsrepctl report` (blocklist/ctl/report*.c): the
 * report's types and what its files call across.
 *
 *   report.c        options, usage, the command
 *   report_table.c  strings and integer keys to ids, each with a value (struct keytab)
 *   report_time.c   RFC 3339 times in, and out
 *   report_scan.c   the JSON-lines scanner: one log line into a struct rec
 *   report_filter.c the filters: --client, --rule, --category, --action, --feed,
 *                   --match, --qname (their values in, the verdict on a line)
 *   report_count.c  reading files and the Redis stream, counting
 *   report_sort.c   the counted tables sorted for output, children grouped
 *   report_rotate.c a log's rotations (FILE.1, FILE.2.gz, FILE-YYYYMMDD), which to read
 *   report_layout.c the report as titled tables of cells, for text and HTML
 *   report_text.c   the text report; report_json.c: --json; report_csv.c: --csv;
 *   report_html.c   --html
 *
 * Everything else in those files is static.
 */
#ifndef DNSREP_CTL_REPORT_H
#define DNSREP_CTL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "dnsrep/buf.h"
#include "dnsrep/config.h"   /* struct dnsrep_cidr */

/** Lines longer than this (newline excluded) are damaged. */
#define REPORT_MAX_LINE (64 * 1024)
/** Bytes asked of gzread at a time. */
#define REPORT_CHUNK (1024 * 1024)
/** Damaged lines named on stderr; the rest are only counted. */
#define REPORT_DAMAGED_SHOWN 5
/** Rules listed per client in the top clients table. */
#define REPORT_CLIENT_RULES 3
/** Filters of one kind (--client, --rule, …) that may be given. */
#define REPORT_MAX_FILTERS 64
/** A --qname filter in presentation format: 255 octets, each at most \\DDD. */
#define REPORT_MAX_NAME 1024

/* ---- report_table.c: tables ------------------------------------------------- */

/**
 * Make room for `need` elements of `size` bytes in *arrp (new ones zeroed).
 * @return 0, or -1 when out of memory.
 */
int report_grow(void *arrp, size_t *cap, size_t need, size_t size);

struct arena_chunk;

/** Strings that live as long as the report; freed all at once. */
struct arena {
	struct arena_chunk *head;
	char *cur;
	size_t left;
};

void report_arena_free(struct arena *a);

/** One interned string. */
struct strent {
	const char *s;   /**< in the arena, NUL-terminated (may hold NULs itself) */
	uint32_t len;
};

/** A slot: a key's 64-bit hash beside its id, so a probe touches one cache line. */
struct idslot {
	uint64_t hash;
	uint32_t id1;            /**< id + 1; 0: empty */
};

/**
 * Keys to dense ids 0, 1, 2, … and a zeroed value of `elsize` bytes per id: a
 * string table (clients, rule names, feeds, categories: keys are strings, kept
 * in the arena) or an integer table ((rule, feed), (client, rule row), hours:
 * keys are 64-bit numbers).  Open addressing with linear probing.
 */
struct keytab {
	struct idslot *slots;
	size_t mask;             /**< slots - 1; a power of two minus one */
	unsigned char *val;      /**< by id, elsize bytes each */
	size_t elsize, n, valcap;
	struct strent *ent;      /**< a string table's keys, by id */
	uint64_t *keys;          /**< an integer table's keys, by id */
	size_t cap;              /**< of ent or keys */
	struct arena *arena;     /**< a string table's strings; NULL: an integer table */
};

/** A string table (with an arena) or an integer table (arena NULL).  @return 0, or -1 when out of memory. */
int report_keytab_init(struct keytab *t, size_t elsize, struct arena *arena);
void report_keytab_free(struct keytab *t);
/** The value of id (valid until the next key is added to t). */
void *report_keytab_val(const struct keytab *t, uint32_t id);
/**
 * The value of string s (n bytes) in a string table, added (zeroed) when new;
 * its id in *id, *isnew whether it was added.
 * @return the value (valid until the next call on this table), or NULL when out of memory.
 */
void *report_keytab_str(struct keytab *t, const char *s, size_t n, uint32_t *id, int *isnew);
/** The same for key in an integer table. */
void *report_keytab_key(struct keytab *t, uint64_t key, uint32_t *id, int *isnew);

/* ---- report_time.c: times ---------------------------------------------------- */

/**
 * Parse an RFC 3339 time ("2026-11-21T11:09:00.123Z", "…+01:00") into Unix
 * milliseconds.  With date_ok, a bare date ("2026-11-21") means its midnight UTC.
 * @return 0, or -1 when s is not such a time.
 */
int report_parse_time(const char *s, size_t n, int date_ok, int64_t *ms);
/** Format Unix milliseconds as "2026-11-21T11:09:00Z" (with_ms: "…00.123Z"). */
void report_format_time(int64_t ms, int with_ms, char *out, size_t outlen);
/** The hour number (Unix ms / 3600000, rounded down) of Unix milliseconds. */
int64_t report_hour_of(int64_t ms);
/** Format an hour number as "2026-11-21T11:00Z". */
void report_format_hour(int64_t hour, char *out, size_t outlen);

/* ---- report_scan.c: one line ------------------------------------------------- */

/** The fields the report uses; every other key is checked and skipped. */
enum field {
	F_NONE = -1,
	F_TS = 0,
	F_CLIENT,
	F_QNAME,
	F_ACTION,
	F_RULE,
	F_FEED,
	F_CATEGORY,
	F_EVENT,
	F_RESOLVER,
	F_QTYPE,
	F_MATCH,
	F_TECHNIQUE,
	F_REASON,
	F_COUNT,
	F_N
};

/** A piece of text: in the read buffer, or in the line's scratch buffer when decoded. */
struct slice {
	const char *p;   /**< NULL: absent or null */
	size_t n;
};

/** What one line says. */
struct rec {
	struct slice v[F_N];  /**< string fields (F_COUNT unused) */
	int has_count;
	uint64_t count;
};

/** The scanner's state for one line: where decoded strings go. */
struct scan {
	char *scratch;        /**< at least the line's length */
	size_t used;
};

/**
 * Scan one line: a JSON object and nothing else.  Fields the report uses are
 * recorded in rec; strings with escapes are decoded into sc->scratch.
 * @return NULL, or why the line is damaged.
 */
const char *report_scan_line(struct scan *sc, const char *p, const char *end, struct rec *rec);

/* ---- report_count.c: what the lines add up to -------------------------------- */

/** What a set of lookups adds up to. */
struct counts {
	uint64_t lookups, blocked, logonly, exempt;
	int64_t first, last;   /**< Unix ms; valid when lookups > 0 */
};

/** Per client (value of the clients table). */
struct client_stats {
	struct counts c;
	uint32_t rules;        /**< distinct (rule, feed) asked for */
	uint8_t pass;          /**< passes the --client filter */
	int32_t top;           /**< its row in the top clients table + 1; 0: not shown */
};

/** Per rule name (value of the rule names table). */
struct rulename_stats {
	uint8_t pass;          /**< passes the --rule filter */
	uint8_t counted;       /**< counted in the distinct rules */
};

/** Per feed. */
struct feed_stats {
	struct counts c;
	uint32_t rules;        /**< (rule, feed) rows with this feed, counted at the end */
};

/** Per (rule, feed): a rule row. */
struct rule_stats {
	struct counts c;
	uint32_t rule, feed;   /**< ids in the rule names and feeds tables */
	uint32_t category;     /**< id in the categories table, of the latest lookup */
	uint32_t clients;      /**< distinct clients */
};

/** How a lookup matched, as counted. */
enum match_kind { M_EXACT, M_SUBDOMAIN, M_LOOKALIKE, M_CNAME, M_OTHER, M_N };

/** The matches' names, as the log spells them ("other": none of these). */
extern const char *const report_match_names[M_N];

/** Per asked name (value of the names table; keys in lower case, no trailing dot). */
struct qname_stats {
	struct counts c;
	uint32_t clients;      /**< distinct clients */
	uint32_t rule, feed;   /**< the latest lookup's rule name and feed ids */
	uint32_t technique;    /**< its technique, id in the techniques table (0: "-", none) */
	uint8_t match;         /**< its enum match_kind */
};

/** Per query type (value of the query types table; keys in upper case). */
struct qtype_stats {
	struct counts c;
};

/** Per (client, rule row), (name, query type), (client, name), ((client, name), query type). */
struct pair_stats {
	uint64_t lookups;      /**< first: report_sort.c's grouping reads it */
};

/** Per hour. */
struct hour_stats {
	uint64_t lookups, blocked;
};

/** Action of a lookup, as counted. */
enum action_kind {
	A_NXDOMAIN, A_NODATA, A_REFUSED, A_SINKHOLE, A_LOGONLY, A_EXEMPT, A_ESCAPED, A_OTHER, A_N
};

/** The actions' names, as the log and --json spell them. */
extern const char *const report_action_names[A_N];

/** The values of a string filter (--category, --feed, …), split at commas; each malloc'd. */
struct strfilter {
	char *v[REPORT_MAX_FILTERS];
	size_t n;
};

/** Which filter an option's value goes to. */
enum filter_kind { FK_CLIENT, FK_RULE, FK_CATEGORY, FK_ACTION, FK_FEED, FK_MATCH, FK_QNAME };
#define REPORT_N_FILTERS (FK_QNAME + 1)

/** How a file given or found was used (the report names them all). */
enum file_status { RF_READ, RF_SKIPPED, RF_UNREADABLE, RF_MISSING };

/** A file the report read or passed over. */
struct report_file {
	char *path;            /**< malloc'd */
	enum file_status status;
};

/** Output format. */
enum report_format { OUT_TEXT, OUT_JSON, OUT_CSV, OUT_HTML };

/** The whole report as it is being gathered. */
struct report {
	/* options */
	enum report_format format;
	const char *html_path;           /**< --html FILE ("-": standard output) */
	int drilldown;                   /**< --by-client, or --client given */
	size_t top;                      /**< rows per table; 0: all */
	int has_since;
	int64_t since;                   /**< Unix ms */
	struct dnsrep_cidr client_filter[REPORT_MAX_FILTERS];
	struct strfilter filter[REPORT_N_FILTERS];   /**< by enum filter_kind */
	unsigned action_mask;            /**< 1 << enum action_kind; 0: any */
	unsigned match_mask;             /**< 1 << enum match_kind; 0: any */
	/** the --qname values in presentation format, lower case, no trailing dot */
	char qname_norm[REPORT_MAX_FILTERS][REPORT_MAX_NAME];

	/* totals */
	uint64_t lines, lookups, actions[A_N];
	uint64_t clients, rules;         /**< distinct, among the counted lookups */
	uint64_t drops, drop_events, other_events;
	uint64_t damaged, filtered, partial;
	unsigned files_read, files_unreadable;
	int has_span;
	int64_t first, last;

	/* the files read and passed over, in the order read */
	struct report_file *files;
	size_t n_files, files_cap;
	struct { uint64_t dev, ino; } *seen;   /**< files read, so none is read twice */
	size_t n_seen, seen_cap;

	/* tables */
	struct arena arena;
	struct keytab clients_t, rulenames_t, feeds_t, categories_t;   /**< string tables */
	struct keytab qnames_t, qtypes_t, techniques_t;                /**< string tables */
	struct keytab rules_t, pairs_t, hours_t;                       /**< integer tables */
	struct keytab name_qtypes_t, client_names_t, client_name_qtypes_t;

	/* reading */
	char *buf;                       /**< REPORT_CHUNK + REPORT_MAX_LINE + 1 */
	char *lower;                     /**< REPORT_MAX_LINE + 1: a name folded to lower case */
	struct scan scan;
	uint32_t last_qtype;             /**< the last lookup's query type id + 1; 0: none yet */
	struct dnsrep_buf csv;           /**< --csv rows not yet written */
	int csv_failed;                  /**< writing them failed */
	int oom;
};

/**
 * Read the fleet's block log from the Redis stream that the configuration names.
 * @return 0, 1 when Redis could not be read, -1 when out of memory.
 */
int report_read_redis(struct report *r, const char *config);
/**
 * Read one file (or "-": standard input) and count its lines; a file already
 * read (the same inode) is not read again.  With optional, a file that does not
 * exist is only listed as missing.
 * @return 0, 1 when it could not be read (fully), -1 when out of memory.
 */
int report_read_file(struct report *r, const char *path, int optional);
/** List a file in r->files.  -1 when out of memory. */
int report_add_file(struct report *r, const char *path, enum file_status st);
/** The blocked lookups: all but log-only, exempt, escaped and other actions. */
uint64_t report_blocked(const struct report *r);
/** The action a log's text names (A_OTHER: none or another). */
enum action_kind report_action_of(const char *s, size_t n);
/** The match a log's text names (M_OTHER: none or another). */
enum match_kind report_match_of(const char *s, size_t n);

/* ---- report_filter.c: the filters --------------------------------------------- */


/**
 * Add an option's value (one or more, comma-separated) to a filter.
 * @return 0, or 2 (a usage error, said on stderr), or -1 when out of memory.
 */
int report_filter_add(struct report *r, enum filter_kind k, const char *value);
/** Free the filters' values. */
void report_filter_free(struct report *r);
/**
 * The filters given, as "since 2026-11-21T11:00:00Z client 192.0.2.0/24 …"
 * (raw: the caller escapes it), appended to an empty out.
 * @return 1, or 0 when no filter (--since included) was given.
 */
int report_describe_filters(const struct report *r, struct dnsrep_buf *out);
/** Whether any filter but --since was given. */
int report_filtered(const struct report *r);
/** Whether the client text passes --client. */
int report_client_passes(const struct report *r, const char *s, size_t n);
/** Whether the rule name passes --rule. */
int report_rule_passes(const struct report *r, const char *s, size_t n);
/** Whether a lookup passes --category, --action, --feed, --match and --qname. */
int report_rec_passes(const struct report *r, const struct rec *rec);
/** Each filter's option name and values, in order, for the header and JSON. */
struct filter_view {
	const char *name;            /**< "client", "rule", … */
	const struct strfilter *f;
};
/** The filters as views, REPORT_N_FILTERS of them. */
void report_filter_views(const struct report *r, struct filter_view *v);

/* ---- report_rotate.c: rotations ------------------------------------------------ */

/**
 * Read a log and, when --since reaches back before its oldest record (or
 * without --since), its rotations: FILE.1, FILE.2.gz, …, FILE-YYYYMMDD(.gz),
 * newest first, each only while the newer one's oldest record is after --since.
 * The chosen files are read oldest first; the others are listed as skipped.
 * @return 0, 1 when a file could not be read, -1 when out of memory.
 */
int report_read_rotated(struct report *r, const char *path);

/* ---- report_sort.c: sorting ---------------------------------------------------- */

/** A row to sort: its count, its name (for ties), its id. */
struct sortrow {
	uint64_t lookups;
	const char *name;
	size_t len;
	const char *name2;      /**< a second name for ties (the feed of a rule row) */
	size_t len2;
	uint32_t id;
};

/** The children of each parent (pairs (parent << 32 | child)), each parent's sorted. */
struct groups {
	size_t *start;          /**< parent p's rows: rows[start[p]] .. rows[start[p + 1]] */
	struct sortrow *rows;   /**< name: the child's; id: the pair's */
};

/** The rows of each table, sorted. */
struct sorted {
	struct sortrow *feeds, *rules, *clients, *names, *qtypes;
	size_t n_feeds, n_rules, n_clients, n_names, n_qtypes;
	int64_t *hours;
	uint32_t *hour_ids;
	size_t n_hours;
	/** top rules of the shown clients: REPORT_CLIENT_RULES pair ids each, UINT32_MAX: none */
	uint32_t *client_rules;
	struct groups name_qtypes;         /**< by name id */
	struct groups client_names;        /**< by client id (with drill-down) */
	struct groups client_name_qtypes;  /**< by (client, name) pair id (with drill-down) */
};

/** Sort every table and find the shown clients' top rules.  -1 when out of memory. */
int report_sort(struct report *r, struct sorted *s);
void report_sorted_free(struct sorted *s);
/** Rows shown of a table of n: --top of them. */
size_t report_shown(const struct report *r, size_t n);

/** One of a shown client's top rules. */
struct top_rule {
	const struct strent *rule, *feed;
	uint64_t lookups;
};

/**
 * The k-th top rule (0 ≤ k < REPORT_CLIENT_RULES) of the i-th shown client.
 * @return 1, or 0 when the client has fewer rules.
 */
int report_top_rule(const struct report *r, const struct sorted *s, size_t i, int k, struct top_rule *tr);

/* ---- report_layout.c: the report as tables --------------------------------------- */

#define RTABLE_MAX_COLS 10

/** A titled table of raw cells (as the log has them: each output escapes them its way). */
struct rtable {
	const char *id;              /**< "feeds", "rules", …: the HTML table's id */
	char title[160];             /**< "Per feed (top 10 of 20, by lookups)" */
	int ncols;
	const char *const *head;
	const char *align;           /**< 'l' or 'r' (a number) per column */
	struct dnsrep_buf cells;
	size_t *offs, *lens;         /**< each cell in cells.data */
	size_t ncells, cap, ncap;
	int failed;
};

/** The report's tables, in the order shown. */
enum { RT_TOTALS, RT_FEEDS, RT_RULES, RT_CLIENTS, RT_NAMES, RT_QTYPES, RT_DRILL, RT_HOURS, RT_N };

/**
 * Lay the report out as tables (RT_DRILL empty without drill-down; RT_TOTALS:
 * label, value).  @return 0, or -1 when out of memory (all freed).
 */
int report_layout(const struct report *r, const struct sorted *s, struct rtable *t);
void report_layout_free(struct rtable *t);
/** The k-th cell of row i. */
const char *report_cell(const struct rtable *t, size_t i, int k, size_t *len);
/** Rows of a table. */
size_t report_rows(const struct rtable *t);

/* ---- output ---------------------------------------------------------------------- */

/** The text report; *failed set when out of memory. */
void report_print_text(const struct report *r, const struct sorted *s, struct dnsrep_buf *out, int *failed);
/** The --json report (out->failed when out of memory). */
void report_print_json(const struct report *r, const struct sorted *s, struct dnsrep_buf *out);
/** The --html page; *failed set when out of memory. */
void report_print_html(const struct report *r, const struct sorted *s, struct dnsrep_buf *out, int *failed);
/** --csv: the header line. */
void report_csv_header(struct dnsrep_buf *out);
/** --csv: one lookup as a row. */
void report_csv_row(struct dnsrep_buf *out, const struct rec *rec);
/** --csv: write the rows gathered to standard output (all, or once over 1 MiB); r->csv_failed on an error. */
void report_csv_flush(struct report *r, int all);

#endif /* DNSREP_CTL_REPORT_H */
