# SPDX-License-Identifier: GPL-2.0
# Shared by the pinaudit test scripts (sourced): a scratch folder removed
# on exit, and the pass/fail counters with ok/nok to bump them.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); [ -n "$VERBOSE" ] && echo "ok - $*"; return 0; }
nok() { fail=$((fail + 1)); echo "FAIL - $*"; }
