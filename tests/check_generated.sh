#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The sample config and ipbl.conf(5) are generated from the schema and committed; this test
# fails when a committed copy is stale. Regenerate with:
#   build/src/cli/ipbl config sample > etc/ipbl.conf.sample
#   build/src/cli/ipbl config man > docs/man/ipbl.conf.5
set -eu
ipbl=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$ipbl" config sample > "$tmp/sample"
"$ipbl" config man > "$tmp/man"
status=0
diff -u "$src/etc/ipbl.conf.sample" "$tmp/sample" || status=1
diff -u "$src/docs/man/ipbl.conf.5" "$tmp/man" || status=1
# the sample must itself be a valid config once its [dns] zone is filled in
sed 's/^#zone =$/zone = bl.example.org/' "$tmp/sample" | sed 's/^#\([a-z_]* = .*\)$/\1/' > "$tmp/conf"
"$ipbl" -c "$tmp/conf" config check > /dev/null || status=1
[ $status -eq 0 ] && echo "generated files are up to date"
exit $status
