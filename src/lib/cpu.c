/* SPDX-License-Identifier: BSD-2-Clause */
#include "lib/cpu.h"

#include <sched.h>
#include <unistd.h>

unsigned ipbl_cpu_count(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) {
		return (unsigned)CPU_COUNT(&set);
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus > 0 ? (unsigned)cpus : 1;
}
