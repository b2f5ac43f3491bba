#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Fails when C sources call functions the house style bans (STYLE.md B8).
set -eu
cd "$(dirname "$0")/.."
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok)[[:space:]]*\('
if git ls-files '*.c' '*.h' | xargs grep -nE "$banned" 2>/dev/null; then
	echo "check_banned: use the bounded alternatives (snprintf, ipbl_buf_t, memcpy with lengths)" >&2
	exit 1
fi
