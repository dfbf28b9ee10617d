# formpipe: `make` builds ./formpipe; `make check` runs the tests under
# AddressSanitizer and UBSan; `make install PREFIX=... DESTDIR=...`;
# `make bench` measures read against catdoc and bare freexl, read of an
# .xlsx against xlsx2csv, openpyxl, SheetJS, orcus, gnumeric and
# LibreOffice, and the map | check | merge pipeline against gnumeric's
# ssconvert; `make fuzz` and `make fuzz-zip` run the readers' fuzz
# targets. `make WERROR=` relaxes -Werror.

CC ?= cc
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
DATADIR = $(PREFIX)/share/formpipe
WERROR ?= -Werror
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes $(WERROR)
OPT ?= -O2 -g
CPPFLAGS += -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
	-DFP_DATADIR='"$(DATADIR)"'
CFLAGS ?= $(OPT)
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS)
LIBS = -lfreexl -lcsv -lxlsxwriter -lexpat -lminizip -lm -pthread

SRC = src/util.c src/workbook.c src/workbook_open.c src/cfb.c src/biff.c \
	src/xls_freexl.c src/zip.c src/xml.c src/ooxml.c src/ods.c src/csvio.c src/cli.c src/normalize.c src/form.c src/mapping.c \
	src/canon.c src/rules.c src/xlsx.c src/summary.c src/cmd_read.c \
	src/cmd_map.c src/cmd_check.c src/cmd_merge.c src/cmd_convert.c
OBJ = $(SRC:src/%.c=build/%.o)
HDR = $(wildcard src/*.h)

SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_OBJ = $(SRC:src/%.c=build/san/%.o)

UNIT = $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))

all: formpipe

build/%.o: src/%.c $(HDR)
	@mkdir -p build
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

build/libformpipe.a: $(OBJ)
	rm -f $@
	ar rcs $@ $(OBJ)

formpipe: build/main.o build/libformpipe.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ build/main.o build/libformpipe.a $(LIBS)

# The sanitized copy, for the tests.
build/san/%.o: src/%.c $(HDR)
	@mkdir -p build/san
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SAN) -O1 -c -o $@ $<

build/san/libformpipe.a: $(SAN_OBJ)
	rm -f $@
	ar rcs $@ $(SAN_OBJ)

build/san/formpipe: build/san/main.o build/san/libformpipe.a
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ build/san/main.o build/san/libformpipe.a $(LIBS)

build/san/test_%: tests/test_%.c tests/testutil.h build/san/libformpipe.a
	$(CC) $(CPPFLAGS) -Isrc $(ALL_CFLAGS) $(SAN) -O1 -o $@ $< \
		build/san/libformpipe.a $(LIBS) -lcmocka

check: build/san/formpipe $(UNIT:%=build/san/%)
	@tests/run-tests build/san $(UNIT)

# The reader's fuzz target, built with clang's libFuzzer and run for
# FUZZ_SECONDS on a corpus seeded from the fixtures and from every file
# under FUZZ_SEEDS (make fuzz FUZZ_SEEDS=../shared/corpus). FUZZ_FLAGS
# passes more libFuzzer options. Findings go to build/fuzz/artifacts/;
# tests/fuzz/regressions/ keeps the ones fixed, each a case in tests/cli/.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SEEDS ?=
FUZZ_FLAGS ?=
FUZZ_SAN = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

build/fuzz/fuzz_xls: tests/fuzz/fuzz_xls.c $(SRC) $(HDR)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(CPPFLAGS) -Isrc -std=c11 $(WARN) $(FUZZ_SAN) -g -O1 \
		-o $@ tests/fuzz/fuzz_xls.c $(SRC) $(LIBS)

fuzz: build/fuzz/fuzz_xls
	@mkdir -p build/fuzz/corpus build/fuzz/artifacts
	@for f in fixtures/*.xls fixtures/bad/* \
	    $$(if [ -n "$(FUZZ_SEEDS)" ]; then find "$(FUZZ_SEEDS)" -type f; fi); do \
		sum=$$(cksum <"$$f" | tr ' ' -); \
		cp "$$f" "build/fuzz/corpus/seed-$$sum" || exit 2; \
	done
	build/fuzz/fuzz_xls -max_total_time=$(FUZZ_SECONDS) -max_len=262144 \
		-timeout=10 -rss_limit_mb=2048 -dict=tests/fuzz/xls.dict \
		-artifact_prefix=build/fuzz/artifacts/ $(FUZZ_FLAGS) build/fuzz/corpus

# The zip and XML readers' fuzz target: workbooks as they are, and as
# lists of parts (tests/fuzz/unpack-seeds) whose XML the fuzzer mutates.
# The bomb and the 70,000-row .ods are no seeds: each run would take a
# second.
build/fuzz/fuzz_zip: tests/fuzz/fuzz_zip.c $(SRC) $(HDR)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(CPPFLAGS) -Isrc -std=c11 $(WARN) $(FUZZ_SAN) -g -O1 \
		-o $@ tests/fuzz/fuzz_zip.c $(SRC) $(LIBS) -lz

fuzz-zip: build/fuzz/fuzz_zip
	@mkdir -p build/fuzz/zipcorpus build/fuzz/artifacts
	@for f in fixtures/*.xlsx fixtures/*.xlsm fixtures/*.ods \
	    fixtures/bad/*.xlsx fixtures/bad/*.ods fixtures/bad/*.zip \
	    $$(if [ -n "$(FUZZ_SEEDS)" ]; then find "$(FUZZ_SEEDS)" -type f \
	    -name '*.xlsx' -o -type f -name '*.ods'; fi); do \
		[ -f "$$f" ] || continue; \
		case $$f in *bomb*|*long-repeat*) continue ;; esac; \
		sum=$$(cksum <"$$f" | tr ' ' -); \
		cp "$$f" "build/fuzz/zipcorpus/seed-$$sum" || exit 2; \
		tests/fuzz/unpack-seeds build/fuzz/zipcorpus "$$f" || exit 2; \
	done
	build/fuzz/fuzz_zip -max_total_time=$(FUZZ_SECONDS) -max_len=262144 \
		-timeout=10 -rss_limit_mb=2048 -dict=tests/fuzz/zip.dict \
		-artifact_prefix=build/fuzz/artifacts/ $(FUZZ_FLAGS) \
		build/fuzz/zipcorpus

# Benchmarks, for people measuring (not run by check): each script in
# tests/bench/ prints its table and keeps it in build/bench/.
build/bench/freexl_parse: tests/bench/freexl_parse.c
	@mkdir -p build/bench
	$(CC) -std=c11 $(WARN) -O2 $(LDFLAGS) -o $@ tests/bench/freexl_parse.c -lfreexl

build/bench/xlsx_floor: tests/bench/xlsx_floor.c
	@mkdir -p build/bench
	$(CC) -std=c11 $(WARN) -O2 $(LDFLAGS) -o $@ tests/bench/xlsx_floor.c \
		-lminizip -lexpat

bench: formpipe build/bench/freexl_parse build/bench/xlsx_floor
	tests/bench/run-read
	tests/bench/run-read-xlsx
	tests/bench/run-pipeline

install: formpipe
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/mappings
	install -m 755 formpipe $(DESTDIR)$(BINDIR)/formpipe
	install -m 644 mappings/*.map mappings/README.md $(DESTDIR)$(DATADIR)/mappings/

clean:
	rm -rf build formpipe

.PHONY: all check install clean bench fuzz fuzz-zip
