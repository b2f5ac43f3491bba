#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Fails when a header named *_internal.h is included from outside its own folder (STYLE.md B5).
set -eu
cd "$(dirname "$0")/.."
status=0
for f in $(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'fuzz/*.c' 'bench/*.c'); do
	dir=$(dirname "$f")
	for inc in $(sed -n 's/^#include "\([^"]*_internal\.h\)".*/\1/p' "$f"); do
		if [ "src/$(dirname "$inc")" != "$dir" ]; then
			echo "check_includes: $f includes $inc from outside its folder" >&2
			status=1
		fi
	done
done
exit $status
