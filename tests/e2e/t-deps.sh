#!/usr/bin/env bash
# `make check` on a machine that lacks a package of debian-packages.txt stops
# before the compiler, naming the missing package and `make deps`.  A list
# with one package that cannot exist stands in for such a machine
# (DEPS_LIST, read by .ci/missing-deps).
. "$(dirname "$0")/lib.sh"
need_cmd make
need_cmd dpkg-query

list=$T/packages.txt
printf '# a test list\ngcc\nsockscope-no-such-package\n' >"$list"
rc=0
DEPS_LIST=$list timeout 30 make -C "$ROOT" --no-print-directory check \
	>"$T/out" 2>"$T/err" || rc=$?
if [ "$rc" -ne 0 ]; then ok "make check fails (exit $rc)"; else fail "make check exits 0"; fi
if grep -q 'missing Debian packages: sockscope-no-such-package$' "$T/err"; then
	ok "names the missing package, and only it"
else
	fail "missing package not named"; sed 's/^/       | /' "$T/err"
fi
if grep -q 'run make deps (as root)' "$T/err"; then ok "says to run make deps"; else fail "no make deps hint"; fi
# It stopped at once: no compiler, no test ran.
if grep -qE '(^| )(cc|gcc|clang) |unit-tests|e2e:' "$T/out" "$T/err"; then
	fail "went on past the check"; sed 's/^/       | /' "$T/out"
else
	ok "nothing was built or run"
fi

# The real list: every package is installed here, so the check is silent.
if "$ROOT"/.ci/missing-deps >"$T/missing" 2>&1 || [ ! -s "$T/missing" ]; then
	ok "the real list has nothing missing on this machine"
else
	fail "missing here: $(tr '\n' ' ' <"$T/missing")"
fi
finish
