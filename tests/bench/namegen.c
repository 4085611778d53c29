/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * namegen.c — realistic synthetic domain names (see namegen.h).
 *
 * Names are built from common English and tech words, as front-company and
 * phishing names are ("cloudfoxhub", "silverstar-tech", "jinyang"), with digits
 * and hyphens now and then, under a spread of public suffixes weighted roughly
 * as registrations are (mostly .com).  The PRNG is splitmix64.
 */
#include "namegen.h"

#include <stdio.h>
#include <string.h>

static const char *const words[] = {
	"cloud", "fox", "sun", "star", "silver", "tech", "soft", "lab", "hub", "group",
	"studio", "net", "data", "smart", "global", "digital", "solution", "system", "web",
	"app", "dev", "code", "byte", "pixel", "nova", "blue", "green", "red", "gold",
	"eden", "program", "xinlu", "jin", "yang", "baby", "box", "daniel", "liu", "kt",
	"team", "works", "media", "link", "zone", "point", "way", "line", "sky", "sea",
	"river", "rock", "stone", "wood", "light", "fire", "ice", "wind", "rain", "snow",
	"alpha", "beta", "gamma", "delta", "omega", "prime", "core", "base", "top", "best",
	"pro", "max", "one", "first", "next", "new", "my", "the", "get", "go", "run", "fast",
	"secure", "safe", "trust", "pay", "shop", "store", "market", "trade", "bank", "fin",
	"health", "care", "med", "bio", "eco", "energy", "power", "auto", "car", "travel",
};

static const char *const suffixes[] = {
	"com", "com", "com", "com", "com", "com", "com", "com", "com", "com", "com", "com",
	"net", "net", "org", "org", "info", "io", "co", "xyz", "top", "online", "site",
	"tech", "cloud", "asia", "services", "biz", "us", "de", "cn", "ru", "co.uk",
	"com.cn", "com.au", "co.jp", "fr", "nl", "it", "es", "in", "app", "dev",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t next64(struct namegen *g)
{
	uint64_t z = (g->state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void namegen_init(struct namegen *g, uint64_t seed)
{
	g->state = seed;
}

uint32_t namegen_below(struct namegen *g, uint32_t n)
{
	return (uint32_t)((next64(g) >> 32) * n >> 32);
}

size_t namegen_next(struct namegen *g, char *buf, size_t buflen)
{
	char label[64];
	size_t k = 0;
	unsigned nwords = 1 + namegen_below(g, 3);
	for (unsigned i = 0; i < nwords; i++) {
		const char *w = words[namegen_below(g, N(words))];
		if (i > 0 && namegen_below(g, 5) == 0 && k < sizeof(label) - 1)
			label[k++] = '-';
		size_t wl = strlen(w);
		if (k + wl >= sizeof(label) - 8)
			break;
		memcpy(label + k, w, wl);
		k += wl;
	}
	/* something to make it unique, as registrations mostly are: digits or letters */
	if (namegen_below(g, 2) == 0)
		k += (size_t)snprintf(label + k, sizeof(label) - k, "%u", namegen_below(g, 100000));
	else
		for (unsigned i = 0, n = 3 + namegen_below(g, 4); i < n; i++)
			label[k++] = (char)('a' + namegen_below(g, 26));
	label[k] = 0;
	const char *sfx = suffixes[namegen_below(g, N(suffixes))];
	int n = snprintf(buf, buflen, "%s.%s", label, sfx);
	return n < 0 ? 0 : (size_t)n;
}
