#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Instructions per DNS answer (half listed A, half NXDOMAIN, 1M-address snapshot), counted
# by callgrind: the difference between 200,000 and 0 answers, so set-up cost cancels out.
# Usage: bench/answer_cost.sh PATH/TO/bench_answer
set -eu
# the workload must be real answers, not errors
"$1" 1000 | grep -q " other=0$" || { echo "answer_cost: bench_answer gave error answers" >&2; exit 1; }
prog=$1
count() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$prog" "$1" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
base=$(count 0)
full=$(count 200000)
echo "instructions_per_answer=$(( (full - base) / 200000 ))"
