# Easy Chat - one plain Makefile for the C programs, the SPA and the tests.
#
#   make run      install what is missing, build, start everything under var/
#   make stop     stop what `make run` started
#   make test     sanitizer build + unit, integration and browser tests on a
#                 throw-away stack (free ports), then tear it down;
#                 FRONT=nginx puts nginx in front instead of lighttpd;
#                 TOPOLOGY=multi runs the integration suites and tests/multi
#                 on the multi-host topology (README "Scaling out")
#   make bench    benchmarks (figures only; never fails on numbers)
#   make fuzz     libFuzzer on every harness, SECONDS=N each (tests/fuzz)
#   make migrate  apply new db/migrations to the var/ database
#   make contracts  regenerate fcgi-apps/CONTRACTS.md from the code
#   make format / check-format
#   make check    the conventions CI checks before the tests (see `check`)

SHELL := /bin/bash
.DEFAULT_GOAL := all

FLAVOR ?= release
BUILD_DIR := build/$(FLAVOR)
BIN_DIR := $(BUILD_DIR)/bin
OBJ_DIR := $(BUILD_DIR)/obj
VAR_DIR ?= $(CURDIR)/var

CC ?= cc
PKGS := libpq hiredis json-c libjwt libsodium libcurl libcrypto GraphicsMagickWand libpng
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wformat=2 \
	-Wundef -Wvla -Wno-unused-parameter
CFLAGS_release := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong
CFLAGS_asan := -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS_asan := -fsanitize=address,undefined
CFLAGS_fuzz := -O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined
LDFLAGS_fuzz := -fsanitize=fuzzer,address,undefined
CFLAGS += -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS_$(FLAVOR)) -iquote common $(PKG_CFLAGS) -MMD -MP
LDFLAGS += $(LDFLAGS_$(FLAVOR))
LDLIBS += $(PKG_LIBS) -lfcgi -lm

# common/ is two archives (common/README.md): the base, which knows nothing
# of chat, and the domain over it; each header names its layer.  Domain
# first on the link line, so that it can use the base.
COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(OBJ_DIR)/%.o)
BASE_SRC := $(filter $(COMMON_SRC),$(patsubst %.h,%.c,$(shell grep -l '^ \* Layer: base' common/*.h)))
DOMAIN_SRC := $(filter-out $(BASE_SRC),$(COMMON_SRC))
BASE_LIB := $(BUILD_DIR)/libec-base.a
DOMAIN_LIB := $(BUILD_DIR)/libec-domain.a
COMMON_LIB := $(DOMAIN_LIB) $(BASE_LIB)

APPS := $(notdir $(patsubst %/,%,$(dir $(wildcard fcgi-apps/*/main.c))))
APP_BINS := $(APPS:%=$(BIN_DIR)/easychat-%)

RELAY_SRC := $(wildcard relay/*.c)
RELAY_BIN := $(if $(RELAY_SRC),$(BIN_DIR)/easychat-relay)
RELAY_LIBS := -lwebsockets -lev -lhiredis

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD_DIR)/tests/%)

# Command-line programs over the library (common/cli/<name>.c -> easychat-<name>).
TOOL_SRC := $(wildcard common/cli/*.c)
TOOL_BINS := $(TOOL_SRC:common/cli/%.c=$(BIN_DIR)/easychat-%)

# Fuzz harnesses (tests/fuzz/README.md): built with libFuzzer by
# `make fuzz` (FLAVOR=fuzz, clang), and with replay.c as their main() in
# the sanitizer build, which `make test` uses to replay the corpora.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TARGETS := $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD_DIR)/fuzz/%)
FUZZ_MAIN := $(if $(filter fuzz,$(FLAVOR)),,$(OBJ_DIR)/tests/fuzz/replay.o)
# The relay's objects but main.o, as an archive: a harness pulls in only
# the objects it uses (and what they use).
RELAY_LIB := $(BUILD_DIR)/librelay.a
FUZZ_SECONDS = $(or $(SECONDS),60)

# Small programs the integration tests run (e.g. to drive app.c in process).
FIXTURE_SRC := $(wildcard tests/fixtures/*.c)
FIXTURE_BINS := $(FIXTURE_SRC:tests/fixtures/%.c=$(BUILD_DIR)/tests/fixtures/%)

BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BINS := $(BENCH_SRC:tests/bench/%.c=$(BIN_DIR)/%)

.PHONY: all deps spa run stop status migrate test \
	unit bench contracts format check-format clean fuzz fuzzers routes backup restore check check-spa check-shell check-layers

all: $(APP_BINS) $(RELAY_BIN) $(TOOL_BINS) $(BENCH_BINS)

$(OBJ_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BASE_LIB): $(BASE_SRC:%.c=$(OBJ_DIR)/%.o)
$(DOMAIN_LIB): $(DOMAIN_SRC:%.c=$(OBJ_DIR)/%.o)
$(BASE_LIB) $(DOMAIN_LIB):
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# The layer rule of common/README.md, on the sources and the archives.
check-layers: $(COMMON_LIB)
	common/check-layers.sh $(CURDIR)/$(BASE_LIB) $(CURDIR)/$(DOMAIN_LIB)

define app_rule
$(BIN_DIR)/easychat-$(1): $(patsubst %.c,$(OBJ_DIR)/%.o,$(wildcard fcgi-apps/$(1)/*.c)) $(COMMON_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach a,$(APPS),$(eval $(call app_rule,$(a))))

$(BIN_DIR)/easychat-relay: $(RELAY_SRC:%.c=$(OBJ_DIR)/%.o) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(RELAY_LIBS)

$(TOOL_BINS): $(BIN_DIR)/easychat-%: $(OBJ_DIR)/common/cli/%.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD_DIR)/tests/fixtures/%: $(OBJ_DIR)/tests/fixtures/%.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN_DIR)/%: $(OBJ_DIR)/tests/bench/%.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD_DIR)/tests/%: $(OBJ_DIR)/tests/unit/%.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# fuzz_relay_* harnesses link the relay's objects (all but main.o) and
# libraries; the others the common library only.
$(OBJ_DIR)/tests/fuzz/fuzz_relay_%.o: CFLAGS += -iquote relay

$(RELAY_LIB): $(filter-out $(OBJ_DIR)/relay/main.o,$(RELAY_SRC:%.c=$(OBJ_DIR)/%.o))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD_DIR)/fuzz/fuzz_relay_%: $(OBJ_DIR)/tests/fuzz/fuzz_relay_%.o $(FUZZ_MAIN) $(RELAY_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(RELAY_LIBS)

$(BUILD_DIR)/fuzz/%: $(OBJ_DIR)/tests/fuzz/%.o $(FUZZ_MAIN) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

fuzzers: $(FUZZ_BINS)

# The rooms program's page overlay (fcgi-apps/rooms/overlay.c) has one
# too: tests/unit/test_overlay.c.
$(OBJ_DIR)/tests/unit/test_overlay.o: CFLAGS += -iquote fcgi-apps/rooms
$(BUILD_DIR)/tests/test_overlay: $(OBJ_DIR)/tests/unit/test_overlay.o $(OBJ_DIR)/fcgi-apps/rooms/overlay.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# The relay's leaves (relay/*.h that include nothing of the relay) have
# unit tests of their own: tests/unit/test_relay_*.c.
RELAY_LEAF_OBJ := $(OBJ_DIR)/relay/map.o $(OBJ_DIR)/relay/frame.o $(OBJ_DIR)/relay/wsrx.o
$(OBJ_DIR)/tests/unit/test_relay_%.o: CFLAGS += -iquote relay
$(BUILD_DIR)/tests/test_relay_%: $(OBJ_DIR)/tests/unit/test_relay_%.o $(RELAY_LEAF_OBJ) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

-include $(shell find $(BUILD_DIR) -name '*.d' 2>/dev/null)

deps:
	@conf/deps.sh

# The browser app, with a .gz and a .br beside each text file: the front
# servers send them as they are to a client that accepts the encoding
# (lighttpd: conf/lighttpd-precompressed.lua; nginx: gzip_static and
# brotli_static), so nothing is compressed per request.
SPA_COMPRESS := -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' -o -name '*.json' \)
spa:
	@if [ -f htdocs/package.json ]; then \
		cd htdocs && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build && \
		find dist $(SPA_COMPRESS) -exec gzip -9 -k -f {} + && \
		find dist $(SPA_COMPRESS) -exec brotli -q 11 -k -f {} + ; \
	else echo "spa: htdocs/package.json missing, skipping"; fi

run: deps
	$(MAKE) all
	$(MAKE) spa
	BIN_DIR=$(CURDIR)/$(BIN_DIR) conf/stack.sh start $(VAR_DIR)

stop:
	conf/stack.sh stop $(VAR_DIR)

status:
	conf/stack.sh status $(VAR_DIR)

# make backup [BACKUP=file.tar.gz] / make restore BACKUP=file.tar.gz: the
# database and media of var/ (conf/stack.sh backup / restore).
backup:
	conf/stack.sh backup $(VAR_DIR) $(BACKUP)

restore:
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=file.tar.gz"; exit 2; }
	conf/stack.sh restore $(VAR_DIR) $(BACKUP)

migrate:
	db/migrate.sh $(VAR_DIR)/easychat.env

# The unit tests run in the sanitizer build; run `make unit` alone for a
# quick loop.
# Which program serves which path: the programs' own route tables as the
# front servers route them (conf/routes.txt); tests/stack/front-routes.sh fails
# when they disagree.
routes: $(APP_BINS)
	@node tests/lib/front-routes.mjs list $(BIN_DIR)

unit:
	$(MAKE) FLAVOR=asan $(patsubst build/$(FLAVOR)/%,build/asan/%,$(UNIT_BINS) $(FUZZ_BINS))
	tests/run-unit.sh build/asan/tests
	tests/fuzz/replay.sh build/asan/fuzz

test: deps
	$(MAKE) FLAVOR=asan all check-layers $(patsubst build/$(FLAVOR)/%,build/asan/%,$(UNIT_BINS) $(FUZZ_BINS) $(FIXTURE_BINS))
	$(MAKE) spa
	tests/run.sh $(CURDIR)/build/asan

# libFuzzer on each harness for SECONDS (default 60) seconds, one after
# the other at low priority; TARGETS="fuzz_json ..." picks some.
fuzz: deps
	$(MAKE) FLAVOR=fuzz CC=clang fuzzers
	tests/fuzz/run.sh build/fuzz/fuzz $(FUZZ_SECONDS) $(or $(TARGETS),$(FUZZ_TARGETS))

bench: deps
	$(MAKE) all
	$(MAKE) spa
	tests/bench/run.sh $(CURDIR)/$(BUILD_DIR) $(if $(FULL),full,quick)

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
# fcgi-apps/CONTRACTS.md from the code (checked by make test).
contracts:
	node fcgi-apps/contracts.mjs

format:
	clang-format -i $(FORMAT_FILES)

check-format:
	clang-format --dry-run -Werror $(FORMAT_FILES)

# The conventions, checked by CI (.ci/run) before `make test`. One
# prerequisite per check; a new check (the layer rule of common/, the
# schema snapshot of db/, ...) adds its target to this list.
check: check-format check-spa check-shell check-layers

# The SPA: types (tsc --noEmit), lint with the import boundaries
# (htdocs/eslint.config.js), and the generated API types up to date with
# the reference's sources, and the rooms program's emoji table up to date
# with the SPA's emoji dataset, and the fronts' CSP allowing index.html's
# inline script by its hash.
check-spa:
	@cd htdocs && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund; }
	cd htdocs && npm run --silent typecheck
	cd htdocs && npm run --silent lint
	cd htdocs && npm run --silent check:api
	cd htdocs && node scripts/emoji-table.mjs --check
	cd htdocs && node scripts/csp-hash.mjs --check >/dev/null

SHELL_SCRIPTS = $(shell git ls-files '*.sh') .ci/run
check-shell:
	shellcheck $(SHELL_SCRIPTS)

clean:
	rm -rf build
