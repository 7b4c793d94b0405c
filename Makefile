# kyokun - plain Makefile, dependencies through pkg-config.
#   make            build ./kyokun
#   make unit       build the unit tests (build/tests/)
#   make test       build and run the whole test suite (unit + CLI + HTTP + e2e)
#   make asan       build into build-asan/ with AddressSanitizer + UBSan
#   make ext        the tokenizer as a loadable SQLite extension (build/kyokun_fts.so)
#   make bench      run the benchmarks in bench/

PKGS     = sqlite3 jansson libutf8proc libmicrohttpd poppler-glib libargon2 gnutls pangocairo
CC      ?= cc
CFLAGS  ?= -O2 -g
KFLAGS   = -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
           -Wno-unused-parameter $(shell pkg-config --cflags $(PKGS))
# poppler-glib is not linked: pdf.c loads it (by its soname) at the first PDF,
# so that other commands do not pay for loading it and what it needs
# pangocairo likewise: pdfdoc.c loads it at the first PDF written
LINKED   = $(filter-out poppler-glib pangocairo,$(PKGS))
LIBS     = $(shell pkg-config --libs $(LINKED)) -lm -lpthread -ldl
# the unit tests link everything (test_pdf makes PDFs with cairo, which poppler-glib brings)
TESTLIBS = $(shell pkg-config --libs $(PKGS)) -lm -lpthread -ldl
POPPLER_SONAME := $(shell readelf -d "$$(pkg-config --variable=libdir poppler-glib)/libpoppler-glib.so" \
                    2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
O       ?= build

SRCS     = $(filter-out src/main.c,$(wildcard src/*.c))
OBJS     = $(SRCS:src/%.c=$(O)/%.o) $(O)/embedded.o
# files served as they are, compiled in as byte arrays (tools/embed.c)
EMBEDDED = assets/kyokun.css assets/print.css assets/report.css assets/kyokun.js assets/icon.svg assets/openapi.json data/crosswalk.tsv
TESTSRCS = $(wildcard tests/unit/test_*.c)
TESTBINS = $(TESTSRCS:tests/unit/%.c=$(O)/tests/%)
VERSION  = $(shell cat VERSION 2>/dev/null || echo 0.0.0)

all: kyokun

kyokun: $(O)/kyokun
	cp $(O)/kyokun $@.tmp && mv -f $@.tmp $@

$(O)/kyokun: $(O)/main.o $(O)/libkyokun.a
	$(CC) $(KFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/libkyokun.a: $(OBJS)
	rm -f $@
	ar rcs $@ $^

# -MMD -MP: each object's header dependencies in $(O)/*.d, read back below
$(O)/%.o: src/%.c | $(O)
	@echo "  CC $<"
	@$(CC) $(KFLAGS) $(CFLAGS) -MMD -MP -I$(O) -DKYOKUN_VERSION='"$(VERSION)"' \
		$(if $(POPPLER_SONAME),-DKYOKUN_POPPLER_SONAME='"$(POPPLER_SONAME)"') -c -o $@ $<

$(O)/embed: tools/embed.c | $(O)
	$(CC) $(KFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(O)/embedded.c $(O)/embedded.h &: $(O)/embed $(EMBEDDED)
	$(O)/embed $(O)/embedded.c $(O)/embedded.h $(EMBEDDED)

$(O)/embedded.o: $(O)/embedded.c
	@echo "  CC $<"
	@$(CC) $(KFLAGS) $(CFLAGS) -MMD -MP -I$(O) -c -o $@ $<

# before their first build, when there are no .d files yet
$(O)/assets.o $(O)/api.o $(O)/crosswalk.o $(O)/pubreport.o: $(O)/embedded.h
# the objects that print KYOKUN_VERSION
$(O)/main.o $(O)/api.o: $(wildcard VERSION)

$(O)/tests/%: tests/unit/%.c $(O)/libkyokun.a | $(O)
	@mkdir -p $(O)/tests
	$(CC) $(KFLAGS) $(CFLAGS) -MMD -MP -Isrc $(shell pkg-config --cflags cmocka) -o $@ $< \
		$(O)/libkyokun.a $(TESTLIBS) $(shell pkg-config --libs cmocka)

$(O):
	mkdir -p $(O)

# The tokenizer as a loadable SQLite extension, so a plain sqlite3 shell can
# query the full-text index:  sqlite> .load ./build/kyokun_fts
ext: $(O)/kyokun_fts.so

$(O)/kyokun_fts.so: ext/kyokun_fts.c | $(O)
	$(CC) $(KFLAGS) $(CFLAGS) -MMD -MP -fPIC -shared -fvisibility=hidden -o $@ ext/kyokun_fts.c \
		$(shell pkg-config --libs libutf8proc)

unit: $(TESTBINS)

test: kyokun unit asan
	tests/run.sh --all

# -g1: the line tables and functions the sanitizers' stack traces name, in
# four fifths of -g's compile time; `make asan ASAN_DEBUG=-g` for a debugger
ASAN_DEBUG = -g1
# linked without PIE and with UBSan's runtime inside: a sanitized process
# starts and ends a fifth faster (`kyokun --version` 78 -> 61 ms: fewer
# relocations, and no libubsan.so, whose 6 MB of zeroed data LeakSanitizer
# reads page by page at every exit); the suite starts it thousands of times
# (its CLI tests 5-25% less CPU, side by side)
ASAN_LDFLAGS = -fsanitize=address,undefined -no-pie -static-libubsan
asan:
	$(MAKE) O=build-asan CC=gcc CFLAGS="-O1 $(ASAN_DEBUG) -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" LDFLAGS="$(ASAN_LDFLAGS)" build-asan/kyokun unit-asan

unit-asan: $(TESTSRCS:tests/unit/%.c=build-asan/tests/%)

bench: kyokun
	bench/run.sh

clean:
	rm -rf build build-asan kyokun

.PHONY: all test unit asan unit-asan bench clean ext
# ---- fuzzing -----------------------------------------------------------------
# make fuzz    libFuzzer harnesses tests/fuzz/fuzz_*.c (clang, with ASan and
#              UBSan) into build-fuzz/fuzz_*; tests/fuzz/run.sh runs them.
#              The harnesses exercise the layers below web (model, store,
#              search/import/output; tests/cli/test_layers.sh), so only those
#              are built for them.
# make fuzz FUZZ_O=build-fuzz/quick FUZZ_OPT=-O0 FUZZ_DEBUG=-gline-tables-only
#              what the test suite's short run builds: unoptimised compiles
#              in a third of the time, with only the line tables a crash's
#              stack trace needs, in a folder of their own (make does not
#              see a change of flags).
FUZZ_O       = build-fuzz
FUZZ_OPT     = -O1
FUZZ_SRCS    = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_DEBUG   = -g
FUZZ_CFLAGS  = $(FUZZ_OPT) $(FUZZ_DEBUG) -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=undefined -Wno-string-concatenation
CORE_SRCS    = $(filter-out src/http.c src/route.c src/api% src/web% src/assets.c src/cli% src/cmd_% \
                 src/config.c,$(SRCS))
CORE_OBJS    = $(CORE_SRCS:src/%.c=$(O)/%.o) $(O)/embedded.o

fuzz:
	$(MAKE) O=$(FUZZ_O) CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
		$(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_O)/%)

$(O)/libkyokun-core.a: $(CORE_OBJS)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_O)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_O)/libkyokun-core.a
	$(CC) $(KFLAGS) $(CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_O)/libkyokun-core.a $(LIBS)

clean-fuzz:
	rm -rf $(FUZZ_O)

clean: clean-fuzz

.PHONY: fuzz clean-fuzz

# the dependency files of this build directory (none yet in a clean tree)
-include $(wildcard $(O)/*.d $(O)/tests/*.d)

# ---- installation ------------------------------------------------------------
# make install     the binary, the systemd units (and the sysusers.d and
#                  tmpfiles.d files for the user kyokun and the backup
#                  directory), the example configuration, the README, and the
#                  manual and the bash and zsh completions when they are built
#                  ($(O)/kyokun.1, $(O)/kyokun.bash, $(O)/_kyokun).  Nothing
#                  is written in /etc: copy the example configuration to
#                  /etc/kyokun/kyokun.conf yourself.
# make uninstall   remove what make install put there.
# PREFIX (default /usr/local) and DESTDIR (a staging root for packages) as
# usual; each directory below can be set on its own.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
SYSTEMDDIR  ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
DOCDIR      ?= $(PREFIX)/share/doc/kyokun
INSTALL     ?= install
UNITS        = kyokun.service kyokun-backup.service kyokun-backup.timer

# the units name the binary and the example where they are installed
UNIT_SED = -e 's|/usr/local/bin/kyokun|$(BINDIR)/kyokun|g' -e 's|/usr/local/share/doc/kyokun|$(DOCDIR)|g'

install: kyokun man
	$(INSTALL) -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 0755 kyokun $(DESTDIR)$(BINDIR)/kyokun
	for u in $(UNITS); do \
		sed $(UNIT_SED) contrib/$$u > $(DESTDIR)$(SYSTEMDDIR)/$$u.tmp && \
		chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/$$u.tmp && \
		mv -f $(DESTDIR)$(SYSTEMDDIR)/$$u.tmp $(DESTDIR)$(SYSTEMDDIR)/$$u || exit 1; \
	done
	$(INSTALL) -m 0644 contrib/kyokun.sysusers $(DESTDIR)$(SYSUSERSDIR)/kyokun.conf
	$(INSTALL) -m 0644 contrib/kyokun.tmpfiles $(DESTDIR)$(TMPFILESDIR)/kyokun.conf
	$(INSTALL) -m 0644 contrib/kyokun.conf.example $(DESTDIR)$(DOCDIR)/kyokun.conf.example
	$(INSTALL) -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	if [ -f $(O)/kyokun.1 ]; then \
		$(INSTALL) -d -m 0755 $(DESTDIR)$(MANDIR)/man1 && \
		$(INSTALL) -m 0644 $(O)/kyokun.1 $(DESTDIR)$(MANDIR)/man1/kyokun.1; \
	else echo "install: no $(O)/kyokun.1: the manual is not installed"; fi
	if [ -f $(O)/kyokun.bash ]; then \
		$(INSTALL) -d -m 0755 $(DESTDIR)$(BASHCOMPDIR) && \
		$(INSTALL) -m 0644 $(O)/kyokun.bash $(DESTDIR)$(BASHCOMPDIR)/kyokun; \
	else echo "install: no $(O)/kyokun.bash: the bash completion is not installed"; fi
	if [ -f $(O)/_kyokun ]; then \
		$(INSTALL) -d -m 0755 $(DESTDIR)$(ZSHCOMPDIR) && \
		$(INSTALL) -m 0644 $(O)/_kyokun $(DESTDIR)$(ZSHCOMPDIR)/_kyokun; \
	else echo "install: no $(O)/_kyokun: the zsh completion is not installed"; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kyokun
	for u in $(UNITS); do rm -f $(DESTDIR)$(SYSTEMDDIR)/$$u; done
	rm -f $(DESTDIR)$(SYSUSERSDIR)/kyokun.conf $(DESTDIR)$(TMPFILESDIR)/kyokun.conf
	rm -f $(DESTDIR)$(DOCDIR)/kyokun.conf.example $(DESTDIR)$(DOCDIR)/README.md
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
	rm -f $(DESTDIR)$(MANDIR)/man1/kyokun.1 $(DESTDIR)$(BASHCOMPDIR)/kyokun $(DESTDIR)$(ZSHCOMPDIR)/_kyokun

.PHONY: install uninstall

# ---- manual and shell completion ---------------------------------------------
# make man    build/kyokun.1 (the manual page), build/kyokun.bash (bash
#             completion) and build/_kyokun (zsh completion), printed by the
#             built binary from its command table (kyokun help --man,
#             kyokun help --completion bash|zsh), so they follow the help texts.
#             The page is dated by the last commit (or $SOURCE_DATE_EPOCH).
MAN_DATE = $${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null)}

man: $(O)/kyokun.1 $(O)/kyokun.bash $(O)/_kyokun

$(O)/kyokun.1: $(O)/kyokun
	SOURCE_DATE_EPOCH=$(MAN_DATE) $(O)/kyokun help --man >$@.tmp && mv -f $@.tmp $@

$(O)/kyokun.bash: $(O)/kyokun
	$(O)/kyokun help --completion bash >$@.tmp && mv -f $@.tmp $@

$(O)/_kyokun: $(O)/kyokun
	$(O)/kyokun help --completion zsh >$@.tmp && mv -f $@.tmp $@

.PHONY: man
