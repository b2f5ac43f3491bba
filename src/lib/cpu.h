/* SPDX-License-Identifier: BSD-2-Clause */
/* How many CPUs this process may run on: the default number of worker threads ([dns]
 * workers, [web] threads = 0). */
#pragma once

/* The CPUs in the process's affinity mask (taskset, cgroup cpusets), else the CPUs online;
 * at least 1. */
unsigned ipbl_cpu_count(void);
