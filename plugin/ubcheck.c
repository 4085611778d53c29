/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ubcheck.c — whether the Unbound that loaded the plugin is the build it was
 * compiled against (see ubcheck.h).
 *
 * The plugin reads Unbound's structs (module_env, module_qstate, ...) with the
 * layout that Unbound's config.h gave them when it was compiled; another build
 * (another version, other configure options) may lay them out differently, and
 * reading them then is undefined.  Unbound offers no version call to a module,
 * but its binary carries its configure line as a string (`unbound -V` prints
 * it), and the plugin was compiled with the same line from the same config.h:
 * init looks for that exact string in the running program's read-only
 * segments, through dl_iterate_phdr (no /proc needed, so it works in a chroot),
 * before it touches any of Unbound's structs.
 */
#define _GNU_SOURCE /* dl_iterate_phdr, program_invocation_name */
#include "ubcheck.h"

#include <errno.h> /* program_invocation_name */
#include <link.h>
#include <stdio.h>
#include <string.h>

/*
 * The search reads whole segments, across the padding between globals that
 * AddressSanitizer poisons: its own loop, uninstrumented (memmem would be
 * intercepted and report the padding).
 */
#if defined(__GNUC__)
#define UB_NO_ASAN __attribute__((no_sanitize_address))
#else
#define UB_NO_ASAN
#endif

/** The first occurrence of needle (n octets, n > 0) in [p, p + len), or NULL. */
UB_NO_ASAN static const char *ub_find(const char *p, size_t len, const char *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++) {
		if (p[i] != needle[0])
			continue;
		size_t k = 1;
		while (k < n && p[i + k] == needle[k])
			k++;
		if (k == n)
			return p + i;
	}
	return NULL;
}

struct ub_scan {
	const char *want;      /**< the configure line, NUL included in the match */
	size_t want_len;
	int found;
	char version[64];      /**< "unbound X.Y.Z" as the program says, or "" */
	const char *program;   /**< the program's path as the loader knows it */
};

/** The first "unbound N..." string (PACKAGE_STRING) in [p, p+n), into out. */
UB_NO_ASAN static void find_version(const char *p, size_t n, char *out, size_t outlen)
{
	static const char pre[] = "\0unbound ";
	const char *end = p + n, *at = p;
	while (!out[0] && (at = ub_find(at, (size_t)(end - at), pre, sizeof(pre) - 1)) != NULL) {
		const char *v = at + sizeof(pre) - 1;
		size_t k = 0;
		while (v + k < end && k < 24 && ((v[k] >= '0' && v[k] <= '9') || v[k] == '.' ||
						(v[k] >= 'a' && v[k] <= 'z')))
			k++;
		if (k > 0 && v[0] >= '0' && v[0] <= '9' && v + k < end && v[k] == '\0')
			snprintf(out, outlen, "unbound %.*s", (int)k, v);
		at = v;
	}
}

static int scan_program(struct dl_phdr_info *info, size_t size, void *data)
{
	struct ub_scan *s = data;
	(void)size;
	/* the first object is the program itself */
	s->program = info->dlpi_name;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_R) || (ph->p_flags & PF_W))
			continue;
		const char *seg = (const char *)(info->dlpi_addr + ph->p_vaddr);
		size_t n = ph->p_filesz;
		if (!s->found && ub_find(seg, n, s->want, s->want_len + 1))
			s->found = 1;
		if (!s->version[0])
			find_version(seg, n, s->version, sizeof(s->version));
	}
	return 1; /* only the first object */
}

int dnsrep_unbound_is(const char *configure_line, const char *version, char *err, size_t errlen)
{
	struct ub_scan s;
	memset(&s, 0, sizeof(s));
	s.want = configure_line;
	s.want_len = strlen(configure_line);
	dl_iterate_phdr(scan_program, &s);
	if (s.found)
		return 1;
	snprintf(err, errlen,
		 "this plugin was built for Unbound %s configured with '%s', and the program that "
		 "loaded it (%s) is another build (%s, and not that configure line: `unbound -V` "
		 "shows its own); rebuild dnsrep against this Unbound (contrib/debian/build-packages.sh, "
		 "or configure --with-unbound-src=ITS-TREE)",
		 version, configure_line,
		 s.program && s.program[0] ? s.program : program_invocation_name,
		 s.version[0] ? s.version : "version unknown");
	return 0;
}
