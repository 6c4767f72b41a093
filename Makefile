# sockscope: `make`, `make check`, `make install`.  See README.md.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
WERROR ?= -Werror

WARN = -std=c17 -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wconversion -Wsign-conversion $(WERROR)
# Messages are cut to their buffers on purpose: truncation is not a bug here.
# (gcc only: clang has no such warning and rejects the option.)
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null)),)
WARN += -Wno-format-truncation
endif
HARDEN = -D_FORTIFY_SOURCE=3 -fstack-protector-strong
ifeq ($(SANITIZE),1)
HARDEN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_LDFLAGS = -fsanitize=address,undefined
endif

BASE_CPPFLAGS = -D_GNU_SOURCE -Iproto -MMD -MP
# libedit and jansson are opened at run time, by the REPL (cli/core/edit_dl.c)
# and by JSON output (cli/core/jansson_dl.c): a one-shot run maps neither.
# Their headers are needed; their libraries are not linked.
EDIT_CFLAGS := $(shell $(PKG_CONFIG) --cflags libedit jansson 2>/dev/null)
EDIT_LIBS := -ldl
# The unit tests read JSON back, so they link jansson itself.
JANSSON_LIBS := $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null)
# Captures (decode -r, -i) are read by libpcap, linked.
PCAP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcap 2>/dev/null)
PCAP_LIBS := $(shell $(PKG_CONFIG) --libs libpcap 2>/dev/null || echo -lpcap)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

B = build
PROTO_SRC := $(wildcard proto/*.c)
CLI_SRC := $(wildcard cli/*.c cli/*/*.c)
# The layers (doc/ARCHITECTURE.md): core, then view, then one folder per
# front end, then main.c and the option parser.  Each folder is compiled
# seeing only its own headers and those of the layers below it, so an
# upward include (or a front end's include of another's) does not build;
# `make layers` also names it and finds include cycles.
CLI_MODES := $(filter-out core view,$(patsubst cli/%/,%,$(sort $(dir $(wildcard cli/*/*.c)))))
CLI_INC := -Icli -Icli/core -Icli/view $(addprefix -Icli/,$(CLI_MODES))
layer_inc = $(if $(filter cli/,$(dir $1)),$(CLI_INC),\
	$(if $(filter cli/core/,$(dir $1)),-Icli/core,\
	$(if $(filter cli/view/,$(dir $1)),-Icli/core -Icli/view,\
	-Icli/core -Icli/view -I$(patsubst %/,%,$(dir $1)))))
UNIT_SRC := $(wildcard tests/unit/*.c)
PROTO_OBJ := $(PROTO_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o)
PROTO_LIB = $(B)/libsockscope-proto.a
UNIT_BIN = $(B)/unit-tests

.PHONY: all check deps-check layers unit e2e bench bench-watch bench-probe bench-capture fuzz fuzz-check \
	valgrind cppcheck demo install uninstall clean deps deb deb-check
all: sockscope

$(B)/proto/%.o: proto/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CPPFLAGS) $(CPPFLAGS) $(HARDEN) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/cli/%.o: cli/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CPPFLAGS) $(call layer_inc,$<) $(EDIT_CFLAGS) $(PCAP_CFLAGS) $(CPPFLAGS) $(HARDEN) $(WARN) $(CFLAGS) -c -o $@ $<

$(B)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CPPFLAGS) $(CLI_INC) $(CHECK_CFLAGS) $(EDIT_CFLAGS) $(CPPFLAGS) $(HARDEN) $(WARN) $(CFLAGS) -c -o $@ $<

$(PROTO_LIB): $(PROTO_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

sockscope: $(CLI_OBJ) $(PROTO_LIB)
	$(CC) $(CFLAGS) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(PROTO_LIB) $(PCAP_LIBS) $(EDIT_LIBS) $(LDLIBS)

# The unit tests link proto/ and the cli/ modules that hold no main().
UNIT_CLI_OBJ = $(filter-out $(B)/cli/main.o,$(CLI_OBJ))
$(UNIT_BIN): $(UNIT_OBJ) $(UNIT_CLI_OBJ) $(PROTO_LIB)
	$(CC) $(CFLAGS) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(UNIT_CLI_OBJ) $(PROTO_LIB) $(CHECK_LIBS) $(JANSSON_LIBS) $(PCAP_LIBS) $(EDIT_LIBS) $(LDLIBS)

# A machine without the packages stops here, naming them, rather than in
# the compiler.
check: deps-check
	$(MAKE) layers unit e2e fuzz-check

layers:
	tests/layers/check

deps-check:
	@missing=$$(./.ci/missing-deps | xargs); \
	if [ -n "$$missing" ]; then \
		echo "make: missing Debian packages: $$missing" >&2; \
		echo "make: run make deps (as root) to install them" >&2; \
		exit 1; \
	fi

unit: $(UNIT_BIN)
	CK_DEFAULT_TIMEOUT=20 ./$(UNIT_BIN)

e2e: sockscope
	tests/e2e/run

# libFuzzer (clang): every decoder, the parsers, the views.  `make check`
# runs each target briefly; `make fuzz` as long as FUZZ_SECONDS says.
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 15
fuzz:
	tests/fuzz/run $(FUZZ_SECONDS)

fuzz-check:
	tests/fuzz/run $(FUZZ_CHECK_SECONDS)

# memcheck over the unit tests (CK_FORK=no) and representative runs.
valgrind: sockscope $(UNIT_BIN)
	tests/valgrind/run

cppcheck:
	cppcheck --enable=warning,performance,portability --std=c11 --inline-suppr \
		-Iproto $(CLI_INC) --error-exitcode=1 -q proto cli

# watch against a direct connection through the same danted; prints the ratios.
bench-watch: sockscope
	tests/bench/watch

# Side by side with nc through the same danted; prints the ratios.
bench: sockscope
	tests/bench/run

# A throwaway danted and echo service on loopback, then the REPL (on a
# terminal) or a scripted tour; everything is stopped on exit.
demo:
	demo/run

# decode -r on a capture of 10,000 sessions (over 1 GiB) against tshark.
bench-capture: sockscope
	tests/bench/capture

# 1000 CONNECT probes against xargs -P16 nc; peak RSS for 10,000 servers.
bench-probe: sockscope
	tests/bench/probe

# Installs the Debian packages listed in debian-packages.txt that are missing.
deps:
	./.ci/install-deps

install: sockscope
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 sockscope $(DESTDIR)$(BINDIR)/sockscope
	install -m 644 man/sockscope.1 $(DESTDIR)$(MANDIR)/man1/sockscope.1
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 644 completions/sockscope.bash $(DESTDIR)$(BASHCOMPDIR)/sockscope
	install -m 644 completions/_sockscope $(DESTDIR)$(ZSHCOMPDIR)/_sockscope
	install -m 644 completions/sockscope.fish $(DESTDIR)$(FISHCOMPDIR)/sockscope.fish

# The Debian package (debian/), built by dpkg-buildpackage from a copy of
# the tree in DEB_DIR: the .deb lands there, the tree stays clean.
# `make deb-check` builds it and checks it: lintian, an unpacked install
# (dpkg -x), its computed dependencies (tests/deb/check).
DEB_DIR ?= $(B)/deb
deb:
	./.ci/build-deb $(DEB_DIR)

deb-check:
	tests/deb/check

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sockscope $(DESTDIR)$(MANDIR)/man1/sockscope.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/sockscope $(DESTDIR)$(ZSHCOMPDIR)/_sockscope
	rm -f $(DESTDIR)$(FISHCOMPDIR)/sockscope.fish

clean:
	rm -rf $(B) sockscope

-include $(PROTO_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
