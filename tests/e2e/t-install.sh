#!/usr/bin/env bash
# `make install DESTDIR=... PREFIX=/usr` puts exactly the program, the man
# page and the three completion files where packagers expect them, with
# their modes; the installed program runs; `make uninstall` with the same
# variables leaves no file behind.  make runs in the source tree as it is,
# with the program as built: `-o sockscope` tells it not to rebuild it, even
# when a source is newer (someone editing while the tests run).
. "$(dirname "$0")/lib.sh"
need_sockscope
need_cmd make
[ -x "$ROOT/sockscope" ] || die "not built: $ROOT/sockscope (run make)"

dest=$T/dest
mkdir -p "$dest"
want="./usr/bin/sockscope 755
./usr/share/bash-completion/completions/sockscope 644
./usr/share/fish/vendor_completions.d/sockscope.fish 644
./usr/share/man/man1/sockscope.1 644
./usr/share/zsh/site-functions/_sockscope 644"

# The files and links under DESTDIR, with their modes, sorted.
installed() { (cd "$dest" && find . \( -type f -o -type l \) -printf '%p %m\n' | LC_ALL=C sort); }

if make -C "$ROOT" -o sockscope install DESTDIR="$dest" PREFIX=/usr >"$T/install.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
else
	fail "make install exits $?"
	tail -n 20 "$T/install.log" | sed 's/^/       | /'
fi
got=$(installed)
if [ "$got" = "$want" ]; then
	ok "installs exactly the 5 files, with modes 755 and 644"
else
	fail "installed files differ"
	diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/       | /'
fi

# The copies are the tree's files, and they work from where they are.
for pair in "man/sockscope.1 usr/share/man/man1/sockscope.1" \
	"completions/sockscope.bash usr/share/bash-completion/completions/sockscope" \
	"completions/_sockscope usr/share/zsh/site-functions/_sockscope" \
	"completions/sockscope.fish usr/share/fish/vendor_completions.d/sockscope.fish"; do
	set -- $pair
	if cmp -s "$ROOT/$1" "$dest/$2"; then ok "$2 is $1"; else fail "$2 differs from $1"; fi
done
if out=$("$dest/usr/bin/sockscope" --version 2>&1) && [ -n "$out" ]; then
	ok "the installed program runs: $out"
else
	fail "the installed program does not run: $out"
fi
if command -v mandoc >/dev/null 2>&1; then
	if mandoc -Tascii "$dest/usr/share/man/man1/sockscope.1" 2>/dev/null | grep -q 'SOCKSCOPE(1)'; then
		ok "the installed man page renders"
	else
		fail "the installed man page does not render"
	fi
fi
out=$(bash --norc --noprofile -c '. "$1" && complete -p sockscope' _ \
	"$dest/usr/share/bash-completion/completions/sockscope" 2>&1)
case $out in
*"-F _sockscope"*) ok "the installed bash completion loads" ;;
*) fail "the installed bash completion: $out" ;;
esac

# A second install over the first is fine (packagers and upgrades do it).
if make -C "$ROOT" -o sockscope install DESTDIR="$dest" PREFIX=/usr >"$T/install2.log" 2>&1 &&
	[ "$(installed)" = "$want" ]; then
	ok "installing again changes nothing"
else
	fail "a second make install fails or changes the files"
fi

if make -C "$ROOT" -o sockscope uninstall DESTDIR="$dest" PREFIX=/usr >"$T/uninstall.log" 2>&1; then
	ok "make uninstall DESTDIR=... PREFIX=/usr"
else
	fail "make uninstall exits $?"
	tail -n 20 "$T/uninstall.log" | sed 's/^/       | /'
fi
left=$(installed)
if [ -z "$left" ]; then
	ok "uninstall leaves no file"
else
	fail "uninstall leaves: $(printf '%s' "$left" | tr '\n' ' ')"
fi

finish
