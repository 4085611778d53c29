/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsrep/name.h — domain names as the engine holds them.
 *
 * A name is kept in canonical form: uncompressed DNS wire format, ASCII letters
 * folded to lower case, ending with the root label.  Feed entries arrive as text
 * (presentation format, maybe with \DDD and \X escapes, maybe UTF-8 U-labels)
 * and queries arrive as wire names; both become this form, so matching compares
 * bytes.  The registrable domain (public suffix + 1, from the Public Suffix List)
 * is computed when a snapshot is built, and once per query that reaches the
 * lookalike check.
 */
#ifndef DNSREP_NAME_H
#define DNSREP_NAME_H

#include <stddef.h>
#include <stdint.h>

/** The longest name in wire form, root label included (RFC 1035). */
#define DNSREP_NAME_MAXWIRE 255
/** The longest label. */
#define DNSREP_LABEL_MAX 63
/** A buffer this large holds any name in presentation format (every octet \DDD) and a NUL. */
#define DNSREP_NAME_MAXTEXT (4 * DNSREP_NAME_MAXWIRE + 1)

/** A name in canonical form. */
struct dnsrep_name {
	uint8_t wire[DNSREP_NAME_MAXWIRE]; /**< labels, lower case, ending with 0 */
	uint8_t len;                       /**< octets of wire used, the final 0 included */
	uint8_t labels;                    /**< labels, the root not counted ("." has 0) */
};

/**
 * Parse a name from a feed entry or the command line.
 * Accepts presentation format with \DDD (decimal, 000-255) and \X escapes and an
 * optional trailing dot; folds ASCII case; converts U-labels (UTF-8) to A-labels
 * (xn--) with libidn2 (IDNA2008 with UTS #46 mapping, non-transitional).
 * Rejects, with the reason in err: an empty name, empty labels (a..b, .a, a..),
 * labels over 63 octets, names over 255 octets in wire form, bad escapes,
 * white space or control bytes (unescaped), invalid UTF-8, an invalid xn-- label.
 * The root (".") is parsed as a name of 0 labels; refusing it is the caller's call.
 * @return 0, or -1 with err set.
 */
int dnsrep_name_from_text(struct dnsrep_name *out, const char *text, size_t len,
	char *err, size_t errlen);

/**
 * Take a wire-format name (uncompressed, as Unbound's qinfo.qname): checks label
 * and total lengths and that it ends within len; folds ASCII case.
 * @return 0, or -1 with err set.
 */
int dnsrep_name_from_wire(struct dnsrep_name *out, const uint8_t *wire, size_t len,
	char *err, size_t errlen);

/**
 * Write a wire name in presentation format without the trailing dot ("." for the
 * root): letters, digits, '-' and '_' as they are; every other octet as \DDD,
 * except '.' and '\' inside labels as \. and \\.  The output is always printable
 * ASCII with no quotes or control bytes, so it is safe in logs and JSON.
 * @return the length written (without the NUL), or -1 when buflen is too small
 *   (or when wire is not a name: a label length octet over 63, or no root label
 *   within 255 octets).
 */
int dnsrep_name_to_text(const uint8_t *wire, char *buf, size_t buflen);

/**
 * The registrable domain of a name: the public suffix plus one label, using the
 * Public Suffix List's ICANN and private sections: the system's list
 * (/usr/share/publicsuffix, package publicsuffix) read into dnsrep's own table,
 * else libpsl's newest; the same answers as libpsl's psl_registrable_domain.
 * @return the offset in n->wire where the registrable domain starts, or -1 when
 *   the name is a public suffix itself or the root.
 */
int dnsrep_name_registrable(const struct dnsrep_name *n);

/** The most labels a name has (a wire name of 255 octets holds at most 127). */
#define DNSREP_NAME_MAXLABELS 128

/** Where each label's length octet is in n->wire: off[0..count); returns the count. */
unsigned dnsrep_name_label_offsets(const struct dnsrep_name *n, uint8_t off[DNSREP_NAME_MAXLABELS]);

/** dnsrep_name_registrable with the label offsets at hand (the lookalike check has them). */
int dnsrep_name_registrable_at(const struct dnsrep_name *n, const uint8_t *off, unsigned count);

/**
 * Whether the name is exactly a public suffix ("com", "co.uk") or the root.
 * Used to refuse feed entries that would block a whole top-level domain.
 */
int dnsrep_name_is_public_suffix(const struct dnsrep_name *n);

/**
 * Whether the name is a suffix the Public Suffix List itself lists ("studios",
 * "com.cn"), not one only its implicit "*" rule makes public (any unknown word).
 * Not the root.  0 when no list could be loaded.
 */
int dnsrep_name_is_listed_suffix(const struct dnsrep_name *n);

/**
 * Free the Public Suffix List loaded on first use.  Only when no thread uses names
 * any more, at the very end (the plugin's deinit, before Unbound unloads it); a
 * later use loads it again.
 */
void dnsrep_name_shutdown(void);

/**
 * For tests and benchmarks: which list the functions above use from now on —
 * the text file at path (which must outlive its use) read into dnsrep's table
 * (table 1; the default is DNSREP_PSL_FILE, falling back to libpsl), or given to
 * libpsl (table 0; path NULL: libpsl's newest).  Drops the list in use, as
 * dnsrep_name_shutdown: call it while no other thread uses names.
 */
void dnsrep_name_psl_use(const char *path, int table);

/** Whether two canonical names are equal. */
int dnsrep_name_equal(const struct dnsrep_name *a, const struct dnsrep_name *b);

#endif /* DNSREP_NAME_H */
