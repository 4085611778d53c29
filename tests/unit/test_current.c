/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_current.c — unit tests of the current-snapshot holder (dnsrep/current.h):
 * swap hands back the previous snapshot only once no reader that could have seen
 * it is inside, readers on many threads against hundreds of swaps (a snapshot
 * freed under a reader is a use after free for ASan, a data race for TSan, and a
 * wrong generation for a plain build), nested enters, the overflow slot past 256
 * threads, and a holder freed and another allocated at the same address (a
 * thread must get a fresh slot, not the old one's number).
 *
 * Also built with ThreadSanitizer as test_current_tsan (see Makefile.am).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsrep/current.h"
#include "dnsrep/name.h"
#include "dnsrep/snapshot.h"
#include "testutil.h"

/* ---- snapshots of a given generation ------------------------------------------------ */

/** Text of name k of generation g: "g<g>.example" and "n<k>.example". */
static void gen_name(char *buf, size_t len, unsigned g, int k)
{
	if (k < 0)
		snprintf(buf, len, "g%u.example", g);
	else
		snprintf(buf, len, "n%d.example", k);
}

/** Names in generation g: its own name and g % 3 shared ones. */
static unsigned gen_names(unsigned g)
{
	return 1 + g % 3;
}

/**
 * A tiny real snapshot of generation g (its version is g).  Safe from any thread:
 * returns NULL instead of failing a cmocka assertion.
 */
static struct dnsrep_snapshot *gen_try(unsigned g)
{
	char err[DNSREP_ERRLEN], text[64];
	struct dnsrep_snapshot_builder *b = dnsrep_snapshot_builder_new();
	struct dnsrep_feed_meta fm = { .feed = "gen", .category = "test" };
	struct dnsrep_snapshot *s = NULL;
	if (!b || dnsrep_snapshot_builder_feed_begin(b, &fm) < 0)
		goto out;
	for (int k = -1; k < (int)gen_names(g) - 1; k++) {
		struct dnsrep_entry e;
		memset(&e, 0, sizeof(e));
		gen_name(text, sizeof(text), g, k);
		if (dnsrep_name_from_text(&e.name, text, strlen(text), err, sizeof(err)) < 0)
			goto out;
		e.scope = DNSREP_SCOPE_SUBTREE;
		if (dnsrep_snapshot_builder_add(b, &e) < 0)
			goto out;
	}
	dnsrep_snapshot_builder_feed_commit(b);
	s = dnsrep_snapshot_builder_finish(b, g, err, sizeof(err));
	b = NULL;
out:
	dnsrep_snapshot_builder_free(b);
	return s;
}

static struct dnsrep_snapshot *gen(unsigned g)
{
	struct dnsrep_snapshot *s = gen_try(g);
	if (!s)
		fail_msg("cannot build the snapshot of generation %u", g);
	return s;
}

/**
 * Read a snapshot as a resolver thread does: its counts and a match of its own
 * name.  0 when it is whole and of the generation it says, -1 otherwise.
 */
static int gen_check(const struct dnsrep_snapshot *s)
{
	char text[64], err[DNSREP_ERRLEN];
	struct dnsrep_name n;
	struct dnsrep_match m;
	unsigned g = (unsigned)dnsrep_snapshot_version(s);
	if (dnsrep_snapshot_names(s) != gen_names(g) || dnsrep_snapshot_serial(s) == 0)
		return -1;
	gen_name(text, sizeof(text), g, -1);
	if (dnsrep_name_from_text(&n, text, strlen(text), err, sizeof(err)) < 0 ||
	    dnsrep_snapshot_match(s, n.wire, n.len, &m) < 0 || m.verdict != DNSREP_VERDICT_BLOCK)
		return -1;
	return 0;
}

/** A new holder with s in it. */
static struct dnsrep_current *holder_with(struct dnsrep_snapshot *s)
{
	struct dnsrep_current *c = dnsrep_current_new();
	assert_non_null(c);
	assert_null(dnsrep_current_swap(c, s));
	return c;
}

/* ---- a worker thread that enters and leaves on command ------------------------------- */

/*
 * Slots are per thread, so the tests need threads that live across several steps
 * (and across holders): a worker runs one command at a time and the test waits
 * until it is done.
 */
enum cmd { CMD_NONE, CMD_ENTER, CMD_LEAVE, CMD_EXIT };

struct worker {
	int live;                             /**< started and not stopped */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	enum cmd cmd;                         /**< the command to run; CMD_NONE once done */
	struct dnsrep_current *c;
	const struct dnsrep_snapshot *seen;   /**< what the last enter returned */
	unsigned depth;                       /**< enters not left yet */
	int bad;                              /**< a snapshot it held was not whole */
};

/*
 * Workers (and swappers below) live in static storage, not on a test's stack: a
 * failed assertion leaves a test with its threads still running, and cleanup()
 * then makes them leave and joins them before the next test.
 */
static struct worker workers[4];

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->cmd == CMD_NONE)
			pthread_cond_wait(&w->cv, &w->mu);
		enum cmd cmd = w->cmd;
		if (cmd == CMD_EXIT)
			break;
		if (cmd == CMD_ENTER) {
			w->seen = dnsrep_current_enter(w->c);
			w->depth++;
			if (w->seen && gen_check(w->seen) < 0)
				w->bad = 1;
		} else {
			dnsrep_current_leave(w->c);
			w->depth -= w->depth > 0;
		}
		w->cmd = CMD_NONE;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static struct worker *worker_start(void)
{
	struct worker *w = NULL;
	for (size_t i = 0; i < sizeof(workers) / sizeof(workers[0]) && !w; i++)
		if (!workers[i].live)
			w = &workers[i];
	assert_non_null(w);
	memset(w, 0, sizeof(*w));
	assert_int_equal(pthread_mutex_init(&w->mu, NULL), 0);
	assert_int_equal(pthread_cond_init(&w->cv, NULL), 0);
	assert_int_equal(pthread_create(&w->th, NULL, worker_run, w), 0);
	w->live = 1;
	return w;
}

/** Have the worker run cmd on holder c, and wait until it has. */
static void worker_do(struct worker *w, enum cmd cmd, struct dnsrep_current *c)
{
	pthread_mutex_lock(&w->mu);
	w->c = c;
	w->cmd = cmd;
	pthread_cond_broadcast(&w->cv);
	while (cmd != CMD_EXIT && w->cmd != CMD_NONE)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

/** Enter on c and return what the worker saw (it stays inside). */
static const struct dnsrep_snapshot *worker_enter(struct worker *w, struct dnsrep_current *c)
{
	worker_do(w, CMD_ENTER, c);
	assert_false(w->bad);
	return w->seen;
}

static void worker_leave(struct worker *w, struct dnsrep_current *c)
{
	worker_do(w, CMD_LEAVE, c);
}

/** Stop the worker; 0, or -1 when a snapshot it held was not whole. */
static int worker_end(struct worker *w)
{
	while (w->depth > 0)
		worker_leave(w, w->c);
	worker_do(w, CMD_EXIT, NULL);
	pthread_join(w->th, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	w->live = 0;
	return w->bad ? -1 : 0;
}

static void worker_stop(struct worker *w)
{
	assert_int_equal(w->depth, 0);
	assert_int_equal(worker_end(w), 0);
}

/* ---- a swap on a thread of its own ---------------------------------------------------- */

struct swapper {
	int live;                             /**< 1: running or not joined; 2: abandoned */
	pthread_t th;
	struct dnsrep_current *c;
	struct dnsrep_snapshot *in, *out;
	atomic_int done;
};

static struct swapper swappers[4];

static void *swapper_run(void *arg)
{
	struct swapper *sw = arg;
	sw->out = dnsrep_current_swap(sw->c, sw->in);
	atomic_store(&sw->done, 1);
	return NULL;
}

/** Start swapping s into c, and wait until the new snapshot is in place. */
static struct swapper *swap_start(struct dnsrep_current *c, struct dnsrep_snapshot *s)
{
	struct swapper *sw = NULL;
	for (size_t i = 0; i < sizeof(swappers) / sizeof(swappers[0]) && !sw; i++)
		if (!swappers[i].live)
			sw = &swappers[i];
	assert_non_null(sw);
	memset(sw, 0, sizeof(*sw));
	sw->c = c;
	sw->in = s;
	atomic_init(&sw->done, 0);
	assert_int_equal(pthread_create(&sw->th, NULL, swapper_run, sw), 0);
	sw->live = 1;
	for (int i = 0; i < 10000 && dnsrep_current_peek(c) != s; i++)
		testutil_sleep_ms(1);
	assert_ptr_equal(dnsrep_current_peek(c), s);
	return sw;
}

/**
 * The swap is still waiting for a reader (after giving it time to return).  The
 * 100 ms also let the swapper advance the epoch, which it does right after the
 * exchange swap_start waited for: a reader entering after this is one of the new
 * snapshot's.
 */
static void swap_waits(struct swapper *sw)
{
	testutil_sleep_ms(100);
	if (atomic_load(&sw->done))
		fail_msg("swap returned while a reader that may hold the old snapshot was inside");
}

/** The swap returns (within 10 s) the snapshot expected. */
static void swap_returns(struct swapper *sw, const struct dnsrep_snapshot *want)
{
	for (int i = 0; i < 10000 && !atomic_load(&sw->done); i++)
		testutil_sleep_ms(1);
	if (!atomic_load(&sw->done))
		fail_msg("swap still waits 10 s after the last reader left");
	assert_int_equal(pthread_join(sw->th, NULL), 0);
	sw->live = 0;
	assert_ptr_equal(sw->out, want);
}

/* ---- one thread ----------------------------------------------------------------------- */

static void test_empty_holder(void **state)
{
	(void)state;
	struct dnsrep_current *c = dnsrep_current_new();
	assert_non_null(c);
	assert_null(dnsrep_current_peek(c));
	assert_null(dnsrep_current_enter(c));
	dnsrep_current_leave(c);
	/* the first swap has nothing to hand back */
	struct dnsrep_snapshot *s1 = gen(1);
	assert_null(dnsrep_current_swap(c, s1));
	assert_ptr_equal(dnsrep_current_peek(c), s1);
	assert_ptr_equal(dnsrep_current_enter(c), s1);
	dnsrep_current_leave(c);
	/* and a swap back to nothing hands it back */
	assert_ptr_equal(dnsrep_current_swap(c, NULL), s1);
	assert_null(dnsrep_current_peek(c));
	assert_null(dnsrep_current_enter(c));
	dnsrep_current_leave(c);
	dnsrep_snapshot_free(s1);
	dnsrep_current_free(c);
	dnsrep_current_free(NULL);
}

static void test_swap_hands_back_previous(void **state)
{
	(void)state;
	struct dnsrep_current *c = dnsrep_current_new();
	assert_non_null(c);
	struct dnsrep_snapshot *prev = NULL;
	for (unsigned g = 1; g <= 20; g++) {
		struct dnsrep_snapshot *s = gen(g);
		assert_ptr_equal(dnsrep_current_swap(c, s), prev);
		assert_ptr_equal(dnsrep_current_peek(c), s);
		const struct dnsrep_snapshot *seen = dnsrep_current_enter(c);
		assert_ptr_equal(seen, s);
		assert_int_equal(dnsrep_snapshot_version(seen), g);
		dnsrep_current_leave(c);
		dnsrep_snapshot_free(prev);
		prev = s;
	}
	/* free takes the snapshot still inside (a leak under ASan otherwise) */
	dnsrep_current_free(c);
}

/* The thread that swaps may itself have been a reader: its own closed slot never blocks it. */
static void test_swap_after_own_reads(void **state)
{
	(void)state;
	struct dnsrep_current *c = holder_with(gen(1));
	for (int i = 0; i < 3; i++) {
		dnsrep_current_enter(c);
		dnsrep_current_enter(c);
		dnsrep_current_leave(c);
		dnsrep_current_leave(c);
	}
	dnsrep_current_leave(c); /* one leave too many is ignored */
	struct dnsrep_snapshot *old = dnsrep_current_swap(c, gen(2));
	assert_non_null(old);
	assert_int_equal(dnsrep_snapshot_version(old), 1);
	dnsrep_snapshot_free(old);
	dnsrep_current_free(c);
}

/* ---- readers on other threads ------------------------------------------------------------- */

static void test_swap_waits_for_reader(void **state)
{
	(void)state;
	struct dnsrep_snapshot *s1 = gen(1), *s2 = gen(2), *s3 = gen(3);
	struct dnsrep_current *c = holder_with(s1);
	struct worker *r1 = worker_start(), *r2 = worker_start();

	assert_ptr_equal(worker_enter(r1, c), s1);
	struct swapper *sw = swap_start(c, s2);
	swap_waits(sw);
	/* a reader that enters now sees the new snapshot and does not hold the swap up */
	assert_ptr_equal(worker_enter(r2, c), s2);
	swap_waits(sw);
	/* r1 still reads its snapshot: nothing freed it */
	assert_int_equal(gen_check(s1), 0);
	worker_leave(r1, c);
	swap_returns(sw, s1);
	dnsrep_snapshot_free(s1);

	/* r2 (inside since before this swap) now holds the next one up */
	sw = swap_start(c, s3);
	swap_waits(sw);
	worker_leave(r2, c);
	swap_returns(sw, s2);
	dnsrep_snapshot_free(s2);

	/* readers that left long ago do not hold anything up */
	worker_enter(r1, c);
	worker_leave(r1, c);
	struct dnsrep_snapshot *old = dnsrep_current_swap(c, NULL);
	assert_ptr_equal(old, s3);
	dnsrep_snapshot_free(old);
	worker_stop(r1);
	worker_stop(r2);
	dnsrep_current_free(c);
}

/*
 * Enters nest: an inner enter may see a newer snapshot, and both stay valid until
 * the outermost leave — an inner leave must not end the outer's protection, and an
 * inner enter must not move the outer's epoch forward.
 */
static void test_nested_enters(void **state)
{
	(void)state;
	struct dnsrep_snapshot *s1 = gen(1), *s2 = gen(2), *s3 = gen(3);
	struct dnsrep_current *c = holder_with(s1);
	struct worker *w = worker_start();

	assert_ptr_equal(worker_enter(w, c), s1);           /* outer */
	struct swapper *a = swap_start(c, s2);
	swap_waits(a);
	assert_ptr_equal(worker_enter(w, c), s2);           /* inner: the newer one */
	worker_leave(w, c);                                  /* inner leave */
	swap_waits(a);                                       /* s1 still held by the outer */
	/* s2 was seen inside: a second swap must wait for the outermost leave too */
	struct swapper *b = swap_start(c, s3);
	assert_ptr_equal(worker_enter(w, c), s3);           /* another inner enter */
	worker_leave(w, c);
	swap_waits(a);
	swap_waits(b);
	assert_int_equal(gen_check(s1), 0);
	assert_int_equal(gen_check(s2), 0);
	worker_leave(w, c);                                  /* outermost leave */
	swap_returns(a, s1);
	swap_returns(b, s2);
	dnsrep_snapshot_free(s1);
	dnsrep_snapshot_free(s2);

	/* deeper: three levels, the swap waits until all three are left */
	worker_enter(w, c);
	worker_enter(w, c);
	worker_enter(w, c);
	struct dnsrep_snapshot *s4 = gen(4);
	a = swap_start(c, s4);
	worker_leave(w, c);
	swap_waits(a);
	worker_leave(w, c);
	swap_waits(a);
	worker_leave(w, c);
	swap_returns(a, s3);
	dnsrep_snapshot_free(s3);

	/* a stray leave (no enter) must not leave the next enter unprotected */
	worker_leave(w, c);
	worker_enter(w, c);
	a = swap_start(c, NULL);
	swap_waits(a);
	worker_leave(w, c);
	swap_returns(a, s4);
	dnsrep_snapshot_free(s4);
	worker_stop(w);
	dnsrep_current_free(c);
}

static void *enter_leave_once(void *arg)
{
	dnsrep_current_enter(arg);
	dnsrep_current_leave(arg);
	return NULL;
}

/* Threads beyond the per-thread slots share one counted slot: still protected. */
static void test_overflow_slot(void **state)
{
	(void)state;
	enum { FILLERS = 300 };
	struct dnsrep_snapshot *s1 = gen(1), *s2 = gen(2), *s3 = gen(3);
	struct dnsrep_current *c = holder_with(s1);
	/* more threads than slots use the holder once each (one at a time) */
	for (int i = 0; i < FILLERS; i++) {
		pthread_t t;
		assert_int_equal(pthread_create(&t, NULL, enter_leave_once, c), 0);
		assert_int_equal(pthread_join(t, NULL), 0);
	}
	struct worker *w1 = worker_start(), *w2 = worker_start();
	assert_ptr_equal(worker_enter(w1, c), s1);
	struct swapper *sw = swap_start(c, s2);
	swap_waits(sw);
	/* another overflow thread coming and going does not end w1's protection */
	worker_enter(w2, c);
	worker_leave(w2, c);
	swap_waits(sw);
	/* nested on the overflow slot too */
	worker_enter(w1, c);
	worker_leave(w1, c);
	swap_waits(sw);
	worker_leave(w1, c);
	swap_returns(sw, s1);
	dnsrep_snapshot_free(s1);
	/* once every overflow reader left, swaps go through */
	struct dnsrep_snapshot *old = dnsrep_current_swap(c, s3);
	assert_ptr_equal(old, s2);
	dnsrep_snapshot_free(old);
	worker_stop(w1);
	worker_stop(w2);
	dnsrep_current_free(c);
}

/*
 * The ABA case: a holder is freed (unbound-control reload) and a new one is
 * allocated, likely at the same address.  Threads that used the old one must get
 * fresh slots in the new one: if they kept their old slot numbers, the new
 * holder would not scan them (its count of slots starts at 0), or a new thread
 * would be given the same slot and clear it under them.
 */
static void test_new_holder_at_old_address(void **state)
{
	(void)state;
	struct worker *w1 = worker_start(), *w2 = worker_start(), *w3 = worker_start();

	struct dnsrep_current *old = holder_with(gen(1));
	worker_enter(w1, old);   /* w1 takes slot 0, w2 slot 1 */
	worker_leave(w1, old);
	worker_enter(w2, old);
	worker_leave(w2, old);
	uintptr_t old_addr = (uintptr_t)old;
	dnsrep_current_free(old);

	/* try to get the same address again: keep what does not land there */
	struct dnsrep_current *c = NULL, *missed[64];
	int n_missed = 0;
	while (n_missed < 64) {
		c = dnsrep_current_new();
		assert_non_null(c);
		if ((uintptr_t)c == old_addr)
			break;
		missed[n_missed++] = c;
		c = NULL;
	}
	for (int i = 0; i < n_missed; i++)
		dnsrep_current_free(missed[i]);
	if (!c) {
		/* an allocator with a quarantine (ASan) never hands it back: the ids must
		 * give fresh slots all the same, which this checks too */
		print_message("# the new holder is not at the old address (allocator quarantine)\n");
		c = dnsrep_current_new();
		assert_non_null(c);
	} else {
		print_message("# the new holder is at the old address\n");
	}

	struct dnsrep_snapshot *s2 = gen(2), *s3 = gen(3), *s4 = gen(4);
	assert_null(dnsrep_current_peek(c));
	assert_null(dnsrep_current_swap(c, s2));
	/* a thread that used the old holder, inside the new one: the swap must wait */
	worker_enter(w2, c);
	worker_leave(w2, c);
	assert_ptr_equal(worker_enter(w1, c), s2);
	struct swapper *sw = swap_start(c, s3);
	swap_waits(sw);
	/* a thread new to both comes and goes: it must not have w1's slot */
	worker_enter(w3, c);
	worker_leave(w3, c);
	swap_waits(sw);
	worker_leave(w1, c);
	swap_returns(sw, s2);
	dnsrep_snapshot_free(s2);

	/* and the other old thread, staying inside */
	assert_ptr_equal(worker_enter(w2, c), s3);
	sw = swap_start(c, s4);
	swap_waits(sw);
	worker_leave(w2, c);
	swap_returns(sw, s3);
	dnsrep_snapshot_free(s3);

	worker_stop(w1);
	worker_stop(w2);
	worker_stop(w3);
	dnsrep_current_free(c);
}

/* ---- many readers against many swaps ---------------------------------------------------- */

enum { READERS = 8, SWAPS = 2000 };

/*
 * Per generation: whether its snapshot may still be read (atomic), and a plain
 * word the writer overwrites once swap handed the snapshot back.  A reader that
 * still holds a snapshot then reads a dead generation, and under TSan the plain
 * word is a data race: both say the grace period was too short.
 */
static atomic_int alive[SWAPS + 1];
static unsigned payload[SWAPS + 1];

static struct stress {
	struct dnsrep_current *c;
	pthread_t th[READERS];
	int started;                /**< reader threads running */
	atomic_int stop;
	atomic_ulong reads;
	atomic_int bad_gen, dead, torn, backwards, not_whole;
} st;

/** Stop and join the readers. */
static void stress_stop(void)
{
	atomic_store(&st.stop, 1);
	for (; st.started > 0; st.started--)
		pthread_join(st.th[st.started - 1], NULL);
}

static void *stress_reader(void *arg)
{
	(void)arg;
	unsigned last = 0;
	unsigned long reads = 0;
	while (!atomic_load_explicit(&st.stop, memory_order_relaxed)) {
		const struct dnsrep_snapshot *s = dnsrep_current_enter(st.c);
		/* sometimes nested: the inner one may see a newer snapshot */
		int nest = reads % 5 == 0;
		const struct dnsrep_snapshot *inner = nest ? dnsrep_current_enter(st.c) : NULL;
		for (int pass = 0; pass < 3; pass++) {
			const struct dnsrep_snapshot *x = pass == 1 && inner ? inner : s;
			unsigned g = (unsigned)dnsrep_snapshot_version(x);
			if (g == 0 || g > SWAPS) {
				atomic_fetch_add(&st.bad_gen, 1);
				break;
			}
			if (!atomic_load(&alive[g]))
				atomic_fetch_add(&st.dead, 1);
			if (payload[g] != g)
				atomic_fetch_add(&st.torn, 1);
			if (gen_check(x) < 0)
				atomic_fetch_add(&st.not_whole, 1);
			if (x == s) {
				if (g < last)
					atomic_fetch_add(&st.backwards, 1);
				last = g;
			}
		}
		if (inner)
			dnsrep_current_leave(st.c);
		dnsrep_current_leave(st.c);
		/* 8 busy readers on fewer cores: a reader preempted inside holds a swap
		 * up for a time slice; giving the CPU away outside now and then keeps
		 * the swaps to a second or two */
		if (++reads % 64 == 0)
			sched_yield();
	}
	atomic_fetch_add(&st.reads, reads);
	return NULL;
}

static void test_readers_against_swaps(void **state)
{
	(void)state;
	memset(&st, 0, sizeof(st));
	for (unsigned g = 0; g <= SWAPS; g++) {
		atomic_init(&alive[g], 0);
		payload[g] = 0;
	}
	payload[1] = 1;
	atomic_store(&alive[1], 1);
	st.c = holder_with(gen(1));

	double t0 = testutil_now_s();
	for (; st.started < READERS; st.started++)
		assert_int_equal(pthread_create(&st.th[st.started], NULL, stress_reader, NULL), 0);
	for (unsigned g = 2; g <= SWAPS; g++) {
		struct dnsrep_snapshot *s = gen(g);
		payload[g] = g;
		atomic_store(&alive[g], 1);
		struct dnsrep_snapshot *old = dnsrep_current_swap(st.c, s);
		assert_non_null(old);
		assert_int_equal(dnsrep_snapshot_version(old), g - 1);
		/* no reader can hold it now: mark it dead, scribble on its word, free it */
		atomic_store(&alive[g - 1], 0);
		payload[g - 1] = 0xdeadu;
		dnsrep_snapshot_free(old);
		if (g % 50 == 0) /* let the readers run between bursts of swaps */
			testutil_sleep_ms(2);
	}
	stress_stop();
	unsigned long reads = atomic_load(&st.reads);
	print_message("# %d readers, %d swaps, %lu reads in %.2f s\n", READERS, SWAPS - 1, reads,
		      testutil_now_s() - t0);
	assert_int_equal(atomic_load(&st.bad_gen), 0);
	assert_int_equal(atomic_load(&st.dead), 0);
	assert_int_equal(atomic_load(&st.torn), 0);
	assert_int_equal(atomic_load(&st.not_whole), 0);
	assert_int_equal(atomic_load(&st.backwards), 0);
	assert_true(reads > 0);
	dnsrep_current_free(st.c);
}

/*
 * After each test: whatever a failed test left running leaves its holder and
 * stops, so that one failure does not hang or corrupt the tests after it.
 */
static int cleanup(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < sizeof(workers) / sizeof(workers[0]); i++)
		if (workers[i].live && worker_end(&workers[i]) < 0)
			bad = 1;
	for (size_t i = 0; i < sizeof(swappers) / sizeof(swappers[0]); i++) {
		struct swapper *sw = &swappers[i];
		if (sw->live != 1)
			continue;
		for (int k = 0; k < 10000 && !atomic_load(&sw->done); k++)
			testutil_sleep_ms(1);
		if (atomic_load(&sw->done)) {
			pthread_join(sw->th, NULL);
			sw->live = 0;
		} else { /* stuck for good: abandon it (and its slot) */
			pthread_detach(sw->th);
			sw->live = 2;
			bad = 1;
		}
	}
	stress_stop();
	return bad ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_empty_holder, cleanup),
		cmocka_unit_test_teardown(test_swap_hands_back_previous, cleanup),
		cmocka_unit_test_teardown(test_swap_after_own_reads, cleanup),
		cmocka_unit_test_teardown(test_swap_waits_for_reader, cleanup),
		cmocka_unit_test_teardown(test_nested_enters, cleanup),
		cmocka_unit_test_teardown(test_overflow_slot, cleanup),
		cmocka_unit_test_teardown(test_new_holder_at_old_address, cleanup),
		cmocka_unit_test_teardown(test_readers_against_swaps, cleanup),
	};
	return cmocka_run_group_tests_name("current", tests, NULL, NULL);
}
