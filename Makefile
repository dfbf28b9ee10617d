# formpipe: `make` builds ./formpipe; `make check` runs the tests under
# AddressSanitizer and UBSan; `make install PREFIX=... DESTDIR=...`;
# `make bench` measures read against catdoc and bare freexl, read of an
# .xlsx against xlsx2csv, openpyxl, SheetJS, orcus, gnumeric and
# LibreOffice, and the map | check | merge pipeline against gnumeric's
# ssconvert; `make fuzz` runs a fuzz target (fuzz_xls by default; see
# below), `make fuzz-smoke` every one. `make WERROR=` relaxes -Werror.

CC ?= cc
PKG_CONFIG ?= pkg-config
VERSION = 0.3.0
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
DATADIR = $(PREFIX)/share/formpipe
MANDIR = $(PREFIX)/share/man
WERROR ?= -Werror
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes $(WERROR)
OPT ?= -O2 -g
CFLAGS ?= $(OPT)
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS)

# Libraries through pkg-config, each with a fallback for a system without
# its .pc file (libcsv ships none).
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null || echo $(2))
# libxlsxwriter is not linked: src/xlsx.c loads it by its soname when a
# command first writes .xlsx, so that the commands that never do (read,
# map, check) do not pay at start-up for relocating what it brings
# (libcrypto above all).
LIB_CFLAGS := $(call pc_cflags,freexl xlsxwriter minizip expat)
LIBS := $(call pc_libs,freexl,-lfreexl) -lcsv \
	$(call pc_libs,expat,-lexpat) $(call pc_libs,minizip,-lminizip -lz) \
	-lunistring -ldl -lm -pthread
LXW_LIBDIR := $(shell $(PKG_CONFIG) --variable=libdir xlsxwriter 2>/dev/null)
LXW_SO := $(or $(wildcard $(LXW_LIBDIR)/libxlsxwriter.so),\
	$(shell $(CC) -print-file-name=libxlsxwriter.so))
LXW_SONAME := $(or $(shell objdump -p $(LXW_SO) 2>/dev/null | \
	awk '$$1 == "SONAME" { print $$2 }'),libxlsxwriter.so)
CPPFLAGS += -Ibuild/gen -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(LIB_CFLAGS) \
	-DFP_DATADIR='"$(DATADIR)"' -DFP_VERSION='"$(VERSION)"' \
	-DFP_LXW_SONAME='"$(LXW_SONAME)"'

SRC = src/util.c src/utf8re.c src/numfmt.c src/workbook.c src/fmt_shown.c \
	src/workbook_open.c src/cfb.c \
	src/biff.c src/formula.c src/xls_freexl.c src/zip.c src/xml.c \
	src/ooxml.c src/ooxml_looks.c src/ods.c src/ods_style.c src/csvio.c \
	src/opts.c src/outfile.c src/cli.c \
	src/normalize.c src/collate.c src/form.c src/expr.c src/mapping_lex.c \
	src/mapping_parse.c src/mapping_check.c src/mapping_apply.c \
	src/mapping_stack.c src/mapping_hidden.c src/mapping_sheets.c \
	src/mapping_header.c src/mapping_table.c \
	src/mapping_layout.c \
	src/mapping_keyparts.c src/mapping_groups.c src/mapping_value.c \
	src/canon.c src/rules.c src/rules_units.c src/rules_expr.c src/spool.c src/xlsx.c src/xlsxstore.c \
	src/xlsxnotes.c src/xlsxlinks.c src/xlsxpost.c src/xlsxverify.c \
	src/convert.c src/annotate.c src/summary.c src/cmd_read.c \
	src/cmd_map.c src/cmd_check.c src/cmd_merge.c src/cmd_convert.c \
	src/cmd_annotate.c
OBJ = $(SRC:src/%.c=build/%.o)
# Each object depends on the headers it includes (-MMD -MP writes
# build/*.d), and on build/flags, which changes whenever the compiler or
# its flags do: a new PREFIX (baked in as FP_DATADIR) or VERSION rebuilds.
DEPFLAGS = -MMD -MP

SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_OBJ = $(SRC:src/%.c=build/san/%.o)

UNIT = $(patsubst tests/%.c,%,$(wildcard tests/test_*.c))

all: formpipe

# write-if-changed TEXT: rewrites $@ only when its text changes.
define write-if-changed
	@mkdir -p $(@D)
	@echo '$(subst ','\'',$(1))' >$@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi
endef

build/flags: FORCE
	$(call write-if-changed,$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LIBS))

# Generated at build time: the traditional characters labels read as
# simplified, from OpenCC's dictionary (tools/t2s_table.c). OpenCC builds
# formpipe; formpipe does not load it.
GEN = build/gen/t2s_table.h
OPENCC_CFLAGS := $(call pc_cflags,opencc)
OPENCC_LIBS := $(call pc_libs,opencc,-lopencc)

build/gen/t2s_table: tools/t2s_table.c
	@mkdir -p build/gen
	$(CC) -D_DEFAULT_SOURCE $(OPENCC_CFLAGS) $(ALL_CFLAGS) -o $@ $< $(OPENCC_LIBS)

$(GEN): build/gen/t2s_table
	build/gen/t2s_table >$@.new && mv $@.new $@

build/normalize.o build/san/normalize.o: $(GEN)

build/%.o: src/%.c build/flags
	@mkdir -p build
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/libformpipe.a: $(OBJ)
	rm -f $@
	ar rcs $@ $(OBJ)

formpipe: build/main.o build/libformpipe.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ build/main.o build/libformpipe.a $(LIBS)

# The sanitized copy, for the tests.
build/san/flags: FORCE
	$(call write-if-changed,$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(SAN) $(LIBS))

build/san/%.o: src/%.c build/san/flags
	@mkdir -p build/san
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) $(SAN) -O1 -c -o $@ $<

build/san/libformpipe.a: $(SAN_OBJ)
	rm -f $@
	ar rcs $@ $(SAN_OBJ)

build/san/formpipe: build/san/main.o build/san/libformpipe.a
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ build/san/main.o build/san/libformpipe.a $(LIBS)

build/san/test_%: tests/test_%.c build/san/libformpipe.a build/san/flags
	$(CC) -Isrc $(CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) $(SAN) -O1 -o $@ $< \
		build/san/libformpipe.a $(LIBS) -lcmocka

check: build/san/formpipe $(UNIT:%=build/san/%) man
	@tests/tools/numfmt-table | cmp -s - src/numfmt_table.h || \
		{ echo "src/numfmt_table.h differs from tests/tools/numfmt-table's"; exit 1; }
	@tests/run-tests build/san $(UNIT)

# The same command-line and language cases with the optimised binary under
# valgrind (memcheck): any error it finds, or a leak it calls definite,
# fails the case. Slow (the largest cases take a minute or two); not in CI.
VALGRIND ?= valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite
valgrind: formpipe man
	@mkdir -p build/valgrind
	@printf '#!/bin/sh\nexec %s "%s/formpipe" "$$@"\n' "$(VALGRIND)" \
		"$(CURDIR)" >build/valgrind/formpipe
	@chmod +x build/valgrind/formpipe
	@tests/run-tests build/valgrind

# Fuzz targets: each tests/fuzz/fuzz_NAME.c, built with clang's libFuzzer
# over every source. `make fuzz` runs FUZZ_TARGET (fuzz_xls) for
# FUZZ_SECONDS on a corpus seeded from the fixtures, the regression inputs
# and every file under FUZZ_SEEDS (make fuzz FUZZ_SEEDS=DIR);
# FUZZ_FLAGS passes more libFuzzer options; tests/fuzz/NAME.dict is its
# dictionary if there is one. Findings go to build/fuzz/artifacts/;
# tests/fuzz/regressions/ keeps the ones fixed (in a folder NAME/ for a
# target's own, else at its top), each a case in tests/cli/;
# tests/fuzz/seeds/NAME/ holds inputs that lead a target to code its
# mutations seldom reach (a grid with hidden columns for fuzz_form).
# `make fuzz-smoke` runs every target for FUZZ_SMOKE_SECONDS (CI does).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 60
FUZZ_TARGET ?= fuzz_xls
FUZZ_SEEDS ?=
FUZZ_FLAGS ?=
FUZZ_SAN = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(SRC) $(wildcard src/*.h tests/fuzz/*.h) $(GEN)
	@mkdir -p build/fuzz
	$(FUZZ_CC) -Isrc $(CPPFLAGS) -std=c11 $(WARN) $(FUZZ_SAN) -g -O1 \
		-o $@ $< $(SRC) $(LIBS)

# fuzz-run TARGET SECONDS SEEDS...: seeds a corpus, then fuzzes.
define fuzz-run
	@name=$(1); short=$${name#fuzz_}; \
	corpus=build/fuzz/corpus-$$name; \
	mkdir -p $$corpus build/fuzz/artifacts || exit 2; \
	regs=tests/fuzz/regressions; \
	[ -d $$regs/$$short ] && regs=$$regs/$$short; \
	seeds=; [ -d tests/fuzz/seeds/$$short ] && seeds=tests/fuzz/seeds/$$short; \
	for f in $$(find $$regs $$seeds -maxdepth 1 -type f) $(3); do \
		sum=$$(cksum <"$$f" | tr ' ' -); \
		cp "$$f" "$$corpus/seed-$$sum" || exit 2; \
	done; \
	dict=; [ -f tests/fuzz/$$short.dict ] && dict=-dict=tests/fuzz/$$short.dict; \
	echo "fuzzing $$name for $(2) s"; \
	build/fuzz/$$name -max_total_time=$(2) -max_len=262144 -timeout=10 \
		-rss_limit_mb=2048 $$dict -artifact_prefix=build/fuzz/artifacts/ \
		-print_final_stats=1 $(FUZZ_FLAGS) $$corpus 2>build/fuzz/$$name.log || \
		{ tail -40 build/fuzz/$$name.log; exit 1; }; \
	grep -E "stat::number_of_executed_units" build/fuzz/$$name.log
endef

fuzz: build/fuzz/$(FUZZ_TARGET)
	$(call fuzz-run,$(FUZZ_TARGET),$(FUZZ_SECONDS),fixtures/*.xls fixtures/bad/* \
	    $$(if [ -n "$(FUZZ_SEEDS)" ]; then find "$(FUZZ_SEEDS)" -type f; fi))

fuzz-smoke: $(FUZZ_TARGETS:%=fuzz-smoke-%)

fuzz-smoke-%: build/fuzz/%
	$(call fuzz-run,$*,$(FUZZ_SMOKE_SECONDS),fixtures/*.xls)

# The long check of the number printer: NUMFMT_COUNT doubles (100
# million, some minutes) against printf and strtod. make check runs a
# sample of it (tests/test_numfmt.c); this is for changes to numfmt.c.
NUMFMT_COUNT ?= 100000000
NUMFMT_SEED ?= 1

build/numfmt_check: tests/numfmt_check.c tests/numfmt_ref.h build/libformpipe.a
	$(CC) -Isrc $(CPPFLAGS) $(ALL_CFLAGS) -o $@ tests/numfmt_check.c \
		build/libformpipe.a $(LIBS)

numfmt-check: build/numfmt_check
	build/numfmt_check $(NUMFMT_COUNT) $(NUMFMT_SEED)

# The table numfmt.c scales by is generated; check compares it.
numfmt-table:
	tests/tools/numfmt-table >src/numfmt_table.h

# The zip and XML readers' fuzz target: workbooks as they are, and as
# lists of parts (tests/fuzz/unpack-seeds) whose XML the fuzzer mutates.
# The bomb and the 70,000-row .ods are no seeds: each run would take a
# second.
build/fuzz/fuzz_zip: tests/fuzz/fuzz_zip.c $(SRC) $(HDR)
	@mkdir -p build/fuzz
	$(FUZZ_CC) -Isrc $(CPPFLAGS) -std=c11 $(WARN) $(FUZZ_SAN) -g -O1 \
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

build/bench/xls_floor: tests/bench/xls_floor.c build/libformpipe.a
	@mkdir -p build/bench
	$(CC) -Isrc $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ \
		tests/bench/xls_floor.c build/libformpipe.a $(LIBS)

# What make bench runs besides formpipe, as COMMAND:PACKAGE.
BENCH_NEEDS = hyperfine:hyperfine xls2csv:catdoc ssconvert:gnumeric \
	/usr/bin/time:time

bench-needs:
	@missing=; for n in $(BENCH_NEEDS); do \
		command -v $${n%%:*} >/dev/null 2>&1 || missing="$$missing $${n#*:}"; \
	done; \
	/usr/bin/python3 -c 'import xlwt' 2>/dev/null || missing="$$missing python3-xlwt"; \
	if [ -n "$$missing" ]; then \
		echo "make bench needs$$missing; as root: apt-get install -y$$missing" >&2; \
		exit 2; \
	fi

bench: bench-needs formpipe build/bench/freexl_parse build/bench/xlsx_floor \
	build/bench/xls_floor
	tests/bench/run-read
	tests/bench/run-read-xlsx
	tests/bench/run-pipeline
	tests/bench/run-map-ledger
	tests/bench/run-check-rows
	tests/bench/run-numfmt
	tests/bench/run-startup
	tests/bench/run-convert

# Manual pages: formpipe(1), written in man(7), and formpipe-mapping(5),
# the mapping language's manual (mappings/README.md) made a page by
# go-md2man.
GO_MD2MAN ?= go-md2man

man: build/man/formpipe.1 build/man/formpipe-mapping.5

build/man/formpipe.1: man/formpipe.1 build/flags
	@mkdir -p build/man
	sed 's/@VERSION@/$(VERSION)/' man/formpipe.1 >$@

build/man/formpipe-mapping.5: mappings/README.md build/flags
	@mkdir -p build/man
	@command -v $(GO_MD2MAN) >/dev/null || \
		{ echo "$(GO_MD2MAN) not found: apt-get install go-md2man" >&2; exit 2; }
	{ printf '%% FORMPIPE-MAPPING 5 "" "formpipe $(VERSION)"\n\n'; \
	  printf '# NAME\n\nformpipe-mapping \\- the mapping language of '; \
	  printf 'formpipe(1)\n\n# DESCRIPTION\n\n'; \
	  sed '1,/^$$/d; s/^## /# /; s/^### /## /' mappings/README.md; \
	} >$@.md
	$(GO_MD2MAN) -in $@.md -out $@
	rm -f $@.md

install: formpipe man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/mappings \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 formpipe $(DESTDIR)$(BINDIR)/formpipe
	install -m 644 mappings/*.map mappings/README.md $(DESTDIR)$(DATADIR)/mappings/
	install -m 644 build/man/formpipe.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 build/man/formpipe-mapping.5 $(DESTDIR)$(MANDIR)/man5/

clean:
	rm -rf build formpipe

-include $(OBJ:.o=.d) $(SAN_OBJ:.o=.d) build/main.d build/san/main.d \
	$(UNIT:%=build/san/%.d)

.PHONY: valgrind all check install clean bench bench-needs fuzz fuzz-smoke man numfmt-check numfmt-table FORCE
