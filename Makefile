# kyokun - plain Makefile, dependencies through pkg-config.
#   make            build ./kyokun
#   make test       build and run the whole test suite (unit + CLI + HTTP + e2e)
#   make asan       build into build-asan/ with AddressSanitizer + UBSan
#   make bench      run the benchmarks in bench/

PKGS     = sqlite3 jansson libutf8proc libmicrohttpd poppler-glib libargon2
CC      ?= cc
CFLAGS  ?= -O2 -g
KFLAGS   = -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
           -Wno-unused-parameter $(shell pkg-config --cflags $(PKGS))
LIBS     = $(shell pkg-config --libs $(PKGS)) -lm -lpthread
O       ?= build

SRCS     = $(filter-out src/main.c,$(wildcard src/*.c))
OBJS     = $(SRCS:src/%.c=$(O)/%.o)
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

$(O)/%.o: src/%.c $(wildcard src/*.h) | $(O)
	@echo "  CC $<"
	@$(CC) $(KFLAGS) $(CFLAGS) -DKYOKUN_VERSION='"$(VERSION)"' -c -o $@ $<

$(O)/tests/%: tests/unit/%.c $(O)/libkyokun.a tests/unit/testutil.h $(wildcard tests/tools/*.c) | $(O)
	@mkdir -p $(O)/tests
	$(CC) $(KFLAGS) $(CFLAGS) -Isrc $(shell pkg-config --cflags cmocka) -o $@ $< \
		$(O)/libkyokun.a $(LIBS) $(shell pkg-config --libs cmocka)

$(O):
	mkdir -p $(O)

# The tokenizer as a loadable SQLite extension, so a plain sqlite3 shell can
# query the full-text index:  sqlite> .load ./build/kyokun_fts
ext: $(O)/kyokun_fts.so

$(O)/kyokun_fts.so: ext/kyokun_fts.c src/tokenizer.c src/tokenizer.h | $(O)
	$(CC) $(KFLAGS) $(CFLAGS) -fPIC -shared -fvisibility=hidden -o $@ ext/kyokun_fts.c \
		$(shell pkg-config --libs libutf8proc)

unit: $(TESTBINS)

test: kyokun unit asan
	tests/run.sh --all

asan:
	$(MAKE) O=build-asan CC=gcc CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" LDFLAGS="-fsanitize=address,undefined" build-asan/kyokun unit-asan

unit-asan: $(TESTSRCS:tests/unit/%.c=build-asan/tests/%)

bench: kyokun
	bench/run.sh

clean:
	rm -rf build build-asan kyokun

.PHONY: all test unit asan unit-asan bench clean ext
.SECONDARY:

# ---- fuzzing -----------------------------------------------------------------
# make fuzz    libFuzzer harnesses tests/fuzz/fuzz_*.c (clang, with ASan and
#              UBSan) into build-fuzz/fuzz_*; tests/fuzz/run.sh runs them.
FUZZ_O       = build-fuzz
FUZZ_SRCS    = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_CFLAGS  = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=undefined -Wno-string-concatenation

fuzz:
	$(MAKE) O=$(FUZZ_O) CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
		$(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_O)/%)

$(FUZZ_O)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_O)/libkyokun.a
	$(CC) $(KFLAGS) $(CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_O)/libkyokun.a $(LIBS)

clean-fuzz:
	rm -rf $(FUZZ_O)

clean: clean-fuzz

.PHONY: fuzz clean-fuzz
