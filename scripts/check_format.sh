#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Fails when a C file differs from what clang-format makes of it (.clang-format). Fix with
# `make format`.
set -eu
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null 2>&1; then
	echo "check_format: clang-format is not installed; skipped" >&2
	exit 0
fi
git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror
