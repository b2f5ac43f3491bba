/* SPDX-License-Identifier: BSD-2-Clause */
/* RCU for snapshot publication: liburcu (memb flavour) plus annotations that let
 * ThreadSanitizer see the two ordering edges liburcu makes with barriers it cannot see:
 * publication (writer's stores -> a reader that dereferences the new pointer) and the grace
 * period (a reader's last access -> the writer's free after synchronize_rcu). The
 * annotations compile to nothing outside TSan builds. */
#pragma once

#include <urcu.h>

#if defined(__SANITIZE_THREAD__)
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define IPBL_TSAN_ACQUIRE(addr) __tsan_acquire((void *)(addr))
#define IPBL_TSAN_RELEASE(addr) __tsan_release((void *)(addr))
#else
#define IPBL_TSAN_ACQUIRE(addr) ((void)(addr))
#define IPBL_TSAN_RELEASE(addr) ((void)(addr))
#endif

/* Reader: the published pointer at *slot, inside rcu_read_lock. */
#define ipbl_rcu_read(slot)                                                                        \
	__extension__({                                                                            \
		__typeof__(*(slot)) ipbl_rcu_p_ = rcu_dereference(*(slot));                        \
		IPBL_TSAN_ACQUIRE(slot);                                                           \
		ipbl_rcu_p_;                                                                       \
	})

/* Reader: leave the read section; grace marks the end of its accesses. */
#define ipbl_rcu_read_done(grace)                                                                  \
	do {                                                                                       \
		IPBL_TSAN_RELEASE(grace);                                                          \
		rcu_read_unlock();                                                                 \
	} while (0)

/* Writer: publish v at *slot and return the previous pointer. */
#define ipbl_rcu_publish(slot, v)                                                                  \
	__extension__({                                                                            \
		IPBL_TSAN_RELEASE(slot);                                                           \
		rcu_xchg_pointer((slot), (v));                                                     \
	})

/* Writer: wait until no reader can still see what was replaced. */
#define ipbl_rcu_wait_readers(grace)                                                               \
	do {                                                                                       \
		synchronize_rcu();                                                                 \
		IPBL_TSAN_ACQUIRE(grace);                                                          \
	} while (0)
