# eksperiment - structured experimentation in the public sector.
#
#   make              build the library, the binary and the man pages
#   make check        build and run every test (unit and command-line)
#   make run          install missing packages, build, run the demo
#   make bench        benchmarks against baselines measured in the same run
#   make fuzz         run the fuzz target for FUZZ_SECONDS (default 60)
#   make install      PREFIX=/usr/local DESTDIR= (the program, man pages,
#                     templates, libeksperiment, its headers and eksperiment.pc)
#
# Options: SANITIZE=address,undefined  DEVELOPER=1 (warnings are errors)
#          V=1 (show command lines)  BUILD=dir (where objects go; default build)

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/eksperiment
MANDIR    ?= $(PREFIX)/share/man
LIBDIR    ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# The library's ABI version: the soname's number changes when a change of
# include/ breaks programs built against an older release.
SOVERSION := 0
BUILD     ?= build
CC        ?= cc
FUZZ_SECONDS ?= 60

PKGS      := libgit2 yaml-0.1 sqlite3 libRmath
TEST_PKGS := cmocka

ifeq ($(V),1)
Q :=
else
Q := @
endif

# pkg-config is asked lazily so that `make deps` works before the packages exist.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

CFLAGS    ?= -O2 -g
WARNINGS  := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wno-unused-parameter -Wformat=2
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
             $(WARNINGS) $(CFLAGS) -Iinclude -Ilib -Icmd -I$(BUILD)/gen $(PKG_CFLAGS) \
             -DEKS_VERSION='"$(VERSION)"' -DEKS_TEMPLATE_DIR='"$(DATADIR)/templates"' \
             -MMD -MP
ALL_LDFLAGS = $(LDFLAGS)

ifeq ($(DEVELOPER),1)
ALL_CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
ALL_CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

LIB_SRC   := $(sort $(wildcard lib/*.c))
CMD_SRC   := $(sort $(wildcard cmd/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
CLI_TESTS := $(sort $(wildcard tests/cli/t[0-9]*.sh))
HELP_SRC  := $(sort $(wildcard doc/*.txt))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ   := $(CMD_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/help.o
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
MAN_PAGES := $(HELP_SRC:doc/%.txt=$(BUILD)/man/%.1)

LIBRARY   := $(BUILD)/libeksperiment.a
SHLIB     := $(BUILD)/libeksperiment.so.$(VERSION)
SONAME    := libeksperiment.so.$(SOVERSION)
BINARY    := $(BUILD)/eksperiment

.PHONY: all deps check check-unit check-cli check-install check-r run bench fuzz install uninstall clean

all: $(BINARY) $(MAN_PAGES) $(SHLIB)

deps:
	$(Q)sh .ci/deps $(DEPS_EXTRA)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The index stores verdicts; it records which statistics computed them, so
# that a build whose statistics differ (another release, or a changed
# source) rebuilds it instead of serving old verdicts (SPEC 4).
STATS_SRC := lib/evaluate.c lib/accumulate.c $(sort $(wildcard lib/stats_*.c)) \
             lib/stats_internal.h include/eksperiment/stats.h include/eksperiment/evaluate.h
STATS_ID   = $(shell cat $(STATS_SRC) | sha256sum | cut -c1-16)
$(BUILD)/lib/index.o: $(STATS_SRC)
$(BUILD)/lib/index.o: ALL_CFLAGS += -DEKS_STATS_ID='"$(STATS_ID)"'

$(LIBRARY): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

# The library is built position-independent, so that the same objects
# make the static and the shared library (and a build made before this
# rule is rebuilt: the flags changed).
$(LIB_OBJ): ALL_CFLAGS += -fPIC
$(LIB_OBJ): Makefile

$(SHLIB): $(LIB_OBJ)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) -shared -Wl,-soname,$(SONAME) $(ALL_LDFLAGS) -o $@ $(LIB_OBJ) $(PKG_LIBS)

# The help text of each command is its man page: doc/<page>.txt is the one
# source of both (see doc/README).
$(BUILD)/gen/help.c: $(HELP_SRC) doc/help.awk
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)awk -f doc/help.awk -v mode=c $(HELP_SRC) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/help.o: $(BUILD)/gen/help.c
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/man/%.1: doc/%.txt doc/help.awk
	@mkdir -p $(dir $@)
	$(Q)awk -f doc/help.awk -v mode=man -v version=$(VERSION) $< > $@.tmp && mv $@.tmp $@

$(BINARY): $(CMD_OBJ) $(LIBRARY)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJ) $(LIBRARY) $(PKG_LIBS)

# Unit tests: one cmocka program per library module.  A test may ask for
# symbols to be wrapped (failure injection) with a line `// WRAP: sym sym`.
$(BUILD)/tests/%: tests/unit/%.c $(LIBRARY)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST-CC $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -o $@ $< $(LIBRARY) $(ALL_LDFLAGS) \
		$(patsubst %,-Wl$(comma)--wrap=%,$(shell sed -n 's,^// WRAP: ,,p' $<)) \
		$(PKG_LIBS) $(TEST_LIBS)
comma := ,

check: deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BIN)
	$(Q)$(MAKE) --no-print-directory check-unit check-cli check-install

check-unit: $(UNIT_BIN)
	$(Q)sh tests/run-unit.sh $(UNIT_BIN)

# make install into a directory of the build, then a small program built
# against the installed library with pkg-config alone (shared and static).
INSTALL_TEST = $(CURDIR)/$(BUILD)/install-test
check-install: all
	$(Q)rm -rf $(INSTALL_TEST)
	$(Q)$(MAKE) --no-print-directory install PREFIX=$(INSTALL_TEST) DESTDIR= >/dev/null
	$(Q)CC="$(CC)" LDFLAGS="$(ALL_LDFLAGS)" sh tests/install/check.sh $(INSTALL_TEST)

check-cli: $(BINARY)
	$(Q)EKSPERIMENT=$(CURDIR)/$(BINARY) sh tests/run-cli.sh $(CLI_TESTS)

check-r: $(BINARY)
	$(Q)sh tests/r/check-r.sh $(CURDIR)/$(BUILD)

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh tests/demo.sh $(CURDIR)/$(BINARY)

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh bench/run.sh $(CURDIR)/$(BUILD)

FUZZ_BUILD := build-fuzz
fuzz:
	$(Q)$(MAKE) --no-print-directory deps DEPS_EXTRA=--fuzz
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang \
		SANITIZE=fuzzer-no-link,address,undefined $(FUZZ_BUILD)/libeksperiment.a
	$(Q)clang -std=c11 -g -O1 -Iinclude -fsanitize=fuzzer,address,undefined \
		-o $(FUZZ_BUILD)/fuzz_validate tests/fuzz/fuzz_validate.c \
		$(FUZZ_BUILD)/libeksperiment.a $(PKG_LIBS)
	$(Q)mkdir -p $(FUZZ_BUILD)/corpus
	$(Q)$(FUZZ_BUILD)/fuzz_validate -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix=$(FUZZ_BUILD)/ \
		$(FUZZ_BUILD)/corpus tests/fuzz/corpus

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/eksperiment $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(BINARY) $(DESTDIR)$(BINDIR)/eksperiment
	install -m 644 templates/*.yaml $(DESTDIR)$(DATADIR)/templates/
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(LIBRARY) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libeksperiment.so
	install -m 644 include/eksperiment.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 include/eksperiment/*.h $(DESTDIR)$(INCLUDEDIR)/eksperiment/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@REQUIRES@|$(PKGS)|' eksperiment.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/eksperiment.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/eksperiment
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(patsubst $(BUILD)/man/%,$(DESTDIR)$(MANDIR)/man1/%,$(MAN_PAGES))
	rm -rf $(DESTDIR)$(INCLUDEDIR)/eksperiment
	rm -f $(DESTDIR)$(LIBDIR)/libeksperiment.a $(DESTDIR)$(LIBDIR)/$(notdir $(SHLIB)) \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libeksperiment.so \
		$(DESTDIR)$(INCLUDEDIR)/eksperiment.h $(DESTDIR)$(PKGCONFIGDIR)/eksperiment.pc

clean:
	rm -rf build build-* demo

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d)
