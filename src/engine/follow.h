/* SPDX-License-Identifier: BSD-2-Clause */
/* The daemon's side of the engine: it keeps the set of listed addresses in memory, follows
 * the zone journal that every writer appends to (the ipbl command, the web API, the trap
 * listener, other processes), runs the expiry timer, and hands the set to the DNS snapshot
 * builder. DNS never queries the store: a store outage leaves the last snapshot serving. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "zone/builder.h"

typedef struct engine_follow engine_follow_t;

/* Load every listed address from the store and start following the journal after its last
 * serial. Borrows e until engine_follow_free. Returns 0 or IPBL_E*. */
int engine_follow_new(engine_t *e, engine_follow_t **out) IPBL_MUSTCHECK;
void engine_follow_free(engine_follow_t *f);

/* One turn of the timer: delist what is due (a bounded batch), then apply the journal
 * entries written since the last turn. *changed tells whether the listed set moved (the
 * snapshot needs a rebuild); *busy that due listings remain (call again soon). */
int engine_follow_tick(engine_follow_t *f, bool *changed, bool *busy) IPBL_MUSTCHECK;

/* How many addresses are listed. */
size_t engine_follow_count(const engine_follow_t *f);

/* Add every listed address to b as a single-address entry with value_id (the snapshot
 * source callback; arg is the engine_follow_t). Returns 0 or IPBL_ENOMEM. */
int engine_follow_fill(void *arg, zone_builder_t *b, uint32_t value_id) IPBL_MUSTCHECK;
