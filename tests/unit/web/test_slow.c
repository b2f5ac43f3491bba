/* SPDX-License-Identifier: BSD-2-Clause */
/* The slow-work thread: jobs run in the order given, each followed by its done callback on
 * that thread; the queue is bounded (submit says no when full); stop runs what is queued
 * before it ends. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "web/slow.h"

typedef struct {
	int id;
	pthread_t ran_on;
	bool gate; /* wait for the test to open it before finishing */
} job_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static bool in_gate;
static int order[16];
static int n_done;

static void work(void *arg)
{
	job_t *j = arg;
	j->ran_on = pthread_self();
	pthread_mutex_lock(&lock);
	if (j->gate) {
		in_gate = true;
		pthread_cond_broadcast(&cond);
		while (!gate_open) {
			pthread_cond_wait(&cond, &lock);
		}
	}
	pthread_mutex_unlock(&lock);
}

static void done(void *arg)
{
	job_t *j = arg;
	assert_true(pthread_equal(j->ran_on, pthread_self()));
	pthread_mutex_lock(&lock);
	order[n_done++] = j->id;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void reset(void)
{
	gate_open = false;
	in_gate = false;
	n_done = 0;
	memset(order, 0, sizeof(order));
}

static void test_order_bound_and_stop(void **state)
{
	(void)state;
	reset();
	web_slow_pool_t *p = NULL;
	assert_int_equal(web_slow_pool_start(2, &p), 0);
	job_t jobs[4];
	memset(jobs, 0, sizeof(jobs));
	for (int i = 0; i < 4; i++) {
		jobs[i].id = i + 1;
	}
	jobs[0].gate = true;
	assert_true(web_slow_pool_submit(p, work, done, &jobs[0]));
	/* job 1 is running (held at its gate): the queue of 2 takes two more, not a third */
	pthread_mutex_lock(&lock);
	while (!in_gate) {
		pthread_cond_wait(&cond, &lock);
	}
	pthread_mutex_unlock(&lock);
	assert_true(web_slow_pool_submit(p, work, done, &jobs[1]));
	assert_true(web_slow_pool_submit(p, work, done, &jobs[2]));
	assert_false(web_slow_pool_submit(p, work, done, &jobs[3]));
	pthread_mutex_lock(&lock);
	gate_open = true;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	/* stop runs what was queued, then returns; later submits are refused until the free */
	web_slow_pool_stop(p);
	assert_int_equal(n_done, 3);
	assert_false(web_slow_pool_submit(p, work, done, &jobs[3]));
	web_slow_pool_stop(p); /* again: nothing to do */
	web_slow_pool_free(p);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 3);
	assert_false(pthread_equal(jobs[0].ran_on, pthread_self()));
}

static void test_stop_empty_and_null(void **state)
{
	(void)state;
	web_slow_pool_t *p = NULL;
	assert_int_equal(web_slow_pool_start(0, &p), 0); /* a queue of at least one */
	web_slow_pool_free(p);
	web_slow_pool_stop(NULL);
	web_slow_pool_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_bound_and_stop),
		cmocka_unit_test(test_stop_empty_and_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
