/* SPDX-License-Identifier: BSD-2-Clause */
/* The slow-work thread (see slow.h): a bounded ring of jobs under one mutex. */
#include "web/slow.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/mem.h"

/* The slow-work thread's nice value. */
#define SLOW_NICE 19

typedef struct {
	web_slow_fn work;
	web_slow_fn done;
	void *arg;
} entry_t;

struct web_slow_pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	entry_t *ring;
	size_t cap;
	size_t head; /* the next entry to run */
	size_t n;    /* entries waiting */
	bool stopping;
};

/* Take the next entry, waiting for one; false once the pool stops with nothing left. */
static bool next_entry(web_slow_pool_t *p, entry_t *e)
{
	pthread_mutex_lock(&p->lock);
	while (p->n == 0 && !p->stopping) {
		pthread_cond_wait(&p->wake, &p->lock);
	}
	bool got = p->n > 0;
	if (got) {
		*e = p->ring[p->head];
		p->head = (p->head + 1) % p->cap;
		p->n--;
	}
	pthread_mutex_unlock(&p->lock);
	return got;
}

static void *run(void *arg)
{
	web_slow_pool_t *p = arg;
	/* the lowest priority (Linux: per thread): where the server threads want the CPU, they
	 * get it, and a password check waits (measured in bench/README.md) */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), SLOW_NICE);
	entry_t e;
	while (next_entry(p, &e)) {
		e.work(e.arg);
		e.done(e.arg);
	}
	return NULL;
}

int web_slow_pool_start(size_t max_queued, web_slow_pool_t **out)
{
	*out = NULL;
	web_slow_pool_t *p = ipbl_xcalloc(1, sizeof(*p));
	p->cap = max_queued > 0 ? max_queued : 1;
	p->ring = ipbl_xcalloc(p->cap, sizeof(*p->ring));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if (pthread_create(&p->thread, NULL, run, p) != 0) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		free(p->ring);
		free(p);
		return IPBL_ENOMEM;
	}
	*out = p;
	return 0;
}

bool web_slow_pool_submit(web_slow_pool_t *p, web_slow_fn work, web_slow_fn done, void *arg)
{
	pthread_mutex_lock(&p->lock);
	bool ok = !p->stopping && p->n < p->cap;
	if (ok) {
		p->ring[(p->head + p->n) % p->cap] = (entry_t){ work, done, arg };
		p->n++;
		pthread_cond_signal(&p->wake);
	}
	pthread_mutex_unlock(&p->lock);
	return ok;
}

void web_slow_pool_stop(web_slow_pool_t *p)
{
	if (p == NULL) {
		return;
	}
	pthread_mutex_lock(&p->lock);
	bool join = !p->stopping;
	p->stopping = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	if (join) {
		pthread_join(p->thread, NULL);
	}
}

void web_slow_pool_free(web_slow_pool_t *p)
{
	if (p == NULL) {
		return;
	}
	web_slow_pool_stop(p);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p->ring);
	free(p);
}
