# SPDX-License-Identifier: Apache-2.0
# ackprof: SysOM pod diagnosis over the aliyun CLI.  See README.md.
#   make demo     install what is missing, build, diagnose a pod on the simulator
#   make check    install what the tests need (as root; else print the one command),
#                 then every test: unit, end to end, double, Python, docs, ASan+UBSan, valgrind
#   make deps     install everything `make check` needs (as root; else print the command)
SHELL	:= /bin/bash
PREFIX	?= /usr/local
# PREFIX and DESTDIR are taken as written: a '$' in them is a character, not a make
# variable (simple variables are never expanded again).  Every path below reaches the
# shell through $(call q,...), single-quoted, so a space or a quote is a character too.
override PREFIX := $(value PREFIX)
override DESTDIR := $(value DESTDIR)
q	 = '$(subst ','\'',$(1))'
# A C string literal of a path, for -D: backslashes and double quotes escaped.
cstr	 = "$(subst ",\",$(subst \,\\,$(1)))"
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/ackprof
LOCALEDIR ?= $(PREFIX)/share/locale
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
VERSION	 = 0.1.0
# The agent skill: skill/NAME/SKILL.md, installed as $(SHAREDIR)/skills/NAME/SKILL.md (the
# directory's name is the skill's name, as the Agent Skills format wants).
SKILL	 = ackprof-ack-pod-diagnosis
# O: where objects and binaries go (the sanitizer build uses build/asan).
O	?= .

CC	?= cc
CFLAGS	?= -O2 -g
PKG_CONFIG ?= pkg-config
CJSON_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcjson 2>/dev/null)
CJSON_LIBS   := $(shell $(PKG_CONFIG) --libs libcjson 2>/dev/null || echo -lcjson)
PCRE_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libpcre2-8 2>/dev/null)
PCRE_LIBS    := $(shell $(PKG_CONFIG) --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)
override CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra $(CFLAGS) $(CJSON_CFLAGS) $(PCRE_CFLAGS) \
	-DVERSION=\"$(VERSION)\" -DSCRIPTSDIR=$(call q,$(call cstr,$(SHAREDIR)/scripts)) \
	-DLOCALEDIR=$(call q,$(call cstr,$(LOCALEDIR)))
LIBS	 = $(CJSON_LIBS) $(PCRE_LIBS) -lm

SRCS	 = src/agenterr.c src/aliyun.c src/backoff.c src/batch.c src/buf.c src/cmd.c src/complete.c src/contract.c src/doctor.c src/filelock.c src/gate.c src/i18n.c src/lease.c src/mcp.c \
	   src/mcp_jobs.c src/mcp_result.c src/mcp_rpc.c src/mcp_server.c src/mcp_tasks.c src/mcp_tools.c src/metrics.c src/msg.c \
	   src/redact.c src/report.c src/push.c src/run.c src/scope.c src/scrub.c src/shard.c src/target.c src/timewin.c src/utf8.c src/util.c src/workflow.c
OBJS	 = $(SRCS:%.c=$(O)/%.o)
HDRS	 = $(wildcard src/*.h)
# The message catalogs (po/LANG.po), compiled where the binary looks when run from here.
LINGUAS	 = zh_CN
MOS	 = $(LINGUAS:%=$(O)/locale/%/LC_MESSAGES/ackprof.mo)

SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

COMPLETIONS = $(O)/completion/ackprof.bash $(O)/completion/_ackprof $(O)/completion/ackprof.fish

all: $(O)/ackprof $(MOS) $(COMPLETIONS) tests/double/aliyun tests/double/venv/bin/python

$(O)/ackprof: $(OBJS) $(O)/src/main.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(O)/src/main.o $(LIBS)

$(O)/src/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# `ackprof version`: the commit and the build date (SOURCE_DATE_EPOCH, else the commit's
# date: the same tree builds the same binary), for contract.o only.
GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
BUILD_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null))
BUILD_DATE := $(if $(BUILD_EPOCH),$(shell date -u -d @$(BUILD_EPOCH) +%Y-%m-%dT%H:%M:%SZ 2>/dev/null),unknown)
# Rewritten only when the commit or the date changes, so contract.o follows them.
$(O)/src/build-id.stamp: FORCE
	@mkdir -p $(@D); echo $(call q,$(GIT_COMMIT) $(BUILD_DATE)) > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(O)/src/contract.o: $(O)/src/build-id.stamp
$(O)/src/contract.o: override CFLAGS += -DGIT_COMMIT=$(call q,$(call cstr,$(GIT_COMMIT))) \
	-DBUILD_DATE=$(call q,$(call cstr,$(or $(BUILD_DATE),unknown)))

# Shell completions, written by ackprof from its command table (src/cmd.c).
$(O)/completion/ackprof.bash: $(O)/ackprof
	@mkdir -p $(@D); $(O)/ackprof completion bash > $@.tmp && mv $@.tmp $@
$(O)/completion/_ackprof: $(O)/ackprof
	@mkdir -p $(@D); $(O)/ackprof completion zsh > $@.tmp && mv $@.tmp $@
$(O)/completion/ackprof.fish: $(O)/ackprof
	@mkdir -p $(@D); $(O)/ackprof completion fish > $@.tmp && mv $@.tmp $@

# The scripts and catalog directories are compiled in: rebuild cmd.o and i18n.o when
# PREFIX, SHAREDIR or LOCALEDIR change, so that `make install PREFIX=/usr` installs a
# binary that finds its scripts (cmd.c) and its messages (i18n.c).
$(O)/src/scriptsdir.stamp: FORCE
	@mkdir -p $(@D); echo $(call q,$(SHAREDIR)/scripts $(LOCALEDIR)) | cmp -s - $@ || \
		echo $(call q,$(SHAREDIR)/scripts $(LOCALEDIR)) > $@
$(O)/src/cmd.o $(O)/src/i18n.o: $(O)/src/scriptsdir.stamp
FORCE:

# ---- messages (GNU gettext) ------------------------------------------------------
# po/LANG.po -> $(O)/locale/LANG/LC_MESSAGES/ackprof.mo, where the binary looks first
# when it runs from the tree; `make pot` regenerates po/ackprof.pot from the sources.
# The message functions of msg.c take their format through gettext.
XGETTEXT_FLAGS = --language=C --from-code=UTF-8 --add-comments=TRANSLATORS: \
	--keyword=_ --keyword=N_ $(foreach f,errorf warnf notef verbosef progressf usage_error,\
	--keyword=$(f) --flag=$(f):1:c-format) --keyword=template_printf:2 --keyword=i18n_snprintf:3 \
	--flag=i18n_snprintf:3:c-format \
	--flag=template_printf:2:c-format --flag=buf_printf:2:c-format \
	--flag=xasprintf:1:c-format --flag=snprintf:3:c-format --flag=fprintf:2:c-format \
	--flag=printf:1:c-format --package-name=ackprof --package-version=$(VERSION) \
	--add-location=file --sort-output

$(O)/locale/%/LC_MESSAGES/ackprof.mo: po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

# The pseudo-translation catalog of tests/pseudo.sh: every msgstr its msgid in ⟦…⟧.
pseudo: $(O)/pseudo/ackprof.mo
$(O)/pseudo/ackprof.mo: po/ackprof.pot tools/pseudo-po
	@mkdir -p $(@D)
	sh tools/pseudo-po po/ackprof.pot $(O)/pseudo/ackprof.po
	msgfmt --check -o $@ $(O)/pseudo/ackprof.po 2>/dev/null || msgfmt --check -o $@ $(O)/pseudo/ackprof.po

pot: po/ackprof.pot
po/ackprof.pot: $(SRCS) src/main.c scripts/setup-sdk.sh
	xgettext $(XGETTEXT_FLAGS) -o $@ $(SRCS) src/main.c
	xgettext --language=Shell --from-code=UTF-8 --keyword=t --keyword=say --keyword=die \
		--add-location=file --sort-output -j -o $@ scripts/setup-sdk.sh

# Bring each catalog in step with the sources (new msgids come in untranslated).
update-po: po/ackprof.pot
	for l in $(LINGUAS); do msgmerge -q --update --backup=none --no-fuzzy-matching \
		--add-location=file --sort-output po/$$l.po po/ackprof.pot; done

-include tests/double/Makefile.inc
-include tests/unit/Makefile.inc

# ---- tests ---------------------------------------------------------------
# Each check target's recipe line is one test script, run by tests/script (the SHELL of
# every target in CHECKS), which prints "== script NAME" before it and "== end NAME:
# exit N" after it.  Each script ends with one closing line, "N passed, N failed[,
# N skipped]" (or cmocka's, pytest's summary).  `make check` runs the targets in CHECKS
# after a "== check-NAME" line each; tests/tally sums the closing lines per script into
# "N passed, N failed, N skipped": a script that printed none is one failure, named.
# To add a test script: one recipe line in a check target below (or a new target in
# CHECKS); nothing else is needed for the tally to see it.
CHECKS	= check-unit check-double check-e2e check-real check-py check-docs check-fuzz \
	  check-sanitize check-valgrind check-bench
$(CHECKS): private SHELL := $(CURDIR)/tests/script
$(CHECKS): private .SHELLFLAGS = $@ -c

check: deps
	@rm -f build/check.log; mkdir -p build
	@set -e; status=0; \
	$(MAKE) --no-print-directory all CFLAGS='-O2 -g -Werror' || exit 1; \
	for t in $(CHECKS); do \
		echo "== $$t" | tee -a build/check.log; \
		$(MAKE) --no-print-directory $$t 2>&1 | tee -a build/check.log; \
		[ $${PIPESTATUS[0]} -eq 0 ] || status=1; \
	done; \
	sh tests/tally build/check.log $$status; exit $$status

# check-unit also checks that no two objects of src/ need each other, through any
# chain (tools/cycles reads nm; exemptions, documented, in tools/cycles.exempt).
check-unit: unit $(OBJS) $(O)/src/main.o
	sh tests/cycles.sh $(O)/src

check-e2e: $(O)/ackprof $(O)/pseudo/ackprof.mo tests/double/aliyun tests/double/venv/bin/python
	ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/e2e/run.sh
	PERSONALITY=3.5.1 ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/e2e/run.sh --list tests/e2e/cli35.list
	ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/e2e/concurrency.sh
	ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/e2e/batch.sh
	FAKE_ALIYUN_PERSONALITY=3.5.1 ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/e2e/batch.sh
	ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/e2e/hardening.sh
	ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/e2e/metrics.sh
	ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/e2e/lang.sh
	ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/e2e/prometheus.sh
	ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/e2e/shard.sh
	ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/e2e/paths.sh
	ACKPROF=$(CURDIR)/$(O)/ackprof PSEUDO_MO=$(CURDIR)/$(O)/pseudo/ackprof.mo bash tests/pseudo.sh

check-py:
	sh tests/py/run
	sh tests/py/run --mcp-latest

# ackprof through the real aliyun CLI (../shared/realcli or ALIYUN_REAL), on loopback
# only; skipped, and counted so, when neither is there.  See tests/real/run.sh.
check-real: $(O)/ackprof tests/double/aliyun tests/double/venv/bin/python
	ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/real/run.sh

check-docs: $(O)/ackprof $(MOS)
	sh tests/man-lint.sh man/ackprof.1 man/zh_CN/ackprof.1
	sh tests/man-render.sh man/ackprof.1 man/zh_CN/ackprof.1
	sh tests/po.sh
	sh tests/docs.sh $(O)/ackprof
	bash tests/completion.sh $(O)/ackprof
	sh tests/install.sh
	sh tests/tally-test.sh
	sh tests/spdx.sh
	bash tests/pkg-meta.sh

# The mutation check (tests/mutations/README.md): each deliberate one-line bug must be
# killed by the suites it names.  Separate from `make check`; .ci/run runs it after.
MUTATION_JOBS ?= 2
check-mutations: all
	JOBS=$(MUTATION_JOBS) MUTATIONS='$(MUTATIONS)' python3 tests/mutations/run

# mutmut on the Step 7 script against its own pytest file (tools/mutmut; README, "The
# mutation check").  Long (about 20 s a surviving mutant), so in neither `make check` nor
# CI; MUTMUT_LINES=A-B mutates only those lines of the script.
mutmut:
	MUTMUT_LINES='$(MUTMUT_LINES)' sh tools/mutmut

# Every parser of untrusted text under libFuzzer (clang), bounded; `make fuzz` runs longer.
FUZZ_SECONDS ?= 10
check-fuzz:
	$(MAKE) -s -C fuzz check FUZZ_SECONDS=$(FUZZ_SECONDS)

fuzz:
	$(MAKE) -C fuzz fuzz

# The same unit, end-to-end and MCP suites on an ASan+UBSan build in build/asan.
check-sanitize: tests/double/aliyun tests/double/venv/bin/python
	$(MAKE) --no-print-directory O=build/asan CFLAGS='$(SAN_FLAGS) -Werror' \
		LDFLAGS='-fsanitize=address,undefined' build/asan/ackprof build/asan/locale/zh_CN/LC_MESSAGES/ackprof.mo unit UNIT_SKIP=oom
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ACKPROF=$(CURDIR)/build/asan/ackprof bash tests/e2e/run.sh
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		PERSONALITY=3.5.1 ACKPROF=$(CURDIR)/build/asan/ackprof bash tests/e2e/run.sh --list tests/e2e/cli35.list
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		NO_RSS=1 ACKPROF=$(CURDIR)/build/asan/ackprof bash tests/e2e/batch.sh
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ACKPROF=$(CURDIR)/build/asan/ackprof bash tests/e2e/metrics.sh
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ACKPROF=$(CURDIR)/build/asan/ackprof bash tests/e2e/shard.sh
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ACKPROF=$(CURDIR)/build/asan/ackprof sh tests/py/run -k mcp
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		ACKPROF=$(CURDIR)/build/asan/ackprof bash tests/e2e/lang.sh

check-valgrind: $(O)/ackprof tests/double/aliyun tests/double/venv/bin/python
	WRAP='valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --trace-children=no' \
		ACKPROF=$(CURDIR)/$(O)/ackprof bash tests/e2e/run.sh

# The performance gate (issue 25, bench/README.md "The regression gate"): ackprof's own
# instruction counts (callgrind) for a fixed set of runs on the double, against the
# committed bench/baseline.txt; fails on a rise of more than 5 %, naming the run.
# bench-baseline rewrites the baseline: commit it with the reason.  check-bench shows
# the gate failing on a deliberately slowed copy.
bench-check: all
	@bench/check

bench-baseline: all
	@bench/check --baseline

check-bench: all
	bash tests/bench-check-test.sh

# Is the tool chain here?  tools/deps installs what is missing (apt-get) when run as
# root, else prints the one command that does and fails; --check only reports.
deps-check:
	@sh tools/deps --check --all

deps:
	@sh tools/deps --all

deps-build:
	@sh tools/deps

# ---- the simulator demo ----------------------------------------------------
demo: deps-build
	$(MAKE) --no-print-directory all
	sh tools/demo

# The PrometheusRule of deploy/kubernetes holds the alert rules of contrib/prometheus.
deploy/kubernetes/prometheusrule.yaml: contrib/prometheus/ackprof.rules.yml tools/prometheusrule
	sh tools/prometheusrule $< > $@.tmp && mv $@.tmp $@

# ---- install -----------------------------------------------------------------
# What install installs, built (debian/rules builds this, not `all`, which adds the tests' double).
programs: $(O)/ackprof $(MOS) $(COMPLETIONS)

# Every installed path, quoted for the shell (D: under DESTDIR).
D	 = $(call q,$(DESTDIR)$(1))
# The skill alone (no build): tests/py/test_skill.py validates what this installs.
install-skill:
	install -d $(call D,$(SHAREDIR)/skills/$(SKILL))
	install -m 644 skill/$(SKILL)/SKILL.md $(call D,$(SHAREDIR)/skills/$(SKILL)/SKILL.md)

install: programs install-skill
	install -d $(call D,$(BINDIR)) $(call D,$(MANDIR)/man1) $(call D,$(SHAREDIR)/scripts) \
		$(call D,$(BASHCOMPDIR)) $(call D,$(ZSHCOMPDIR)) \
		$(call D,$(FISHCOMPDIR)) $(call D,$(MANDIR)/zh_CN/man1)
	install -m 755 $(O)/ackprof $(call D,$(BINDIR)/ackprof)
	install -m 644 man/ackprof.1 $(call D,$(MANDIR)/man1/ackprof.1)
	@# The Chinese page only: man shows it under a generated zh_CN.UTF-8 locale, which
	@# install does not create; README says how to read it without one (LANG=C.UTF-8 man -M).
	install -m 644 man/zh_CN/ackprof.1 $(call D,$(MANDIR)/zh_CN/man1/ackprof.1)
	for l in $(LINGUAS); do \
		install -d $(call D,$(LOCALEDIR))/"$$l"/LC_MESSAGES && \
		install -m 644 $(O)/locale/"$$l"/LC_MESSAGES/ackprof.mo \
			$(call D,$(LOCALEDIR))/"$$l"/LC_MESSAGES/ackprof.mo || exit 1; \
	done
	install -d $(call D,$(SHAREDIR)/schema)
	for f in schema/*.schema.json; do install -m 644 "$$f" $(call D,$(SHAREDIR))/"$$f" || exit 1; done
	install -m 755 scripts/setup-sdk.sh $(call D,$(SHAREDIR)/scripts/setup-sdk.sh)
	install -m 755 scripts/rrsa-profile.sh $(call D,$(SHAREDIR)/scripts/rrsa-profile.sh)
	install -m 644 scripts/create-cluster-vpc-endpoint-connection.py \
		$(call D,$(SHAREDIR)/scripts/create-cluster-vpc-endpoint-connection.py)
	install -m 644 $(O)/completion/ackprof.bash $(call D,$(BASHCOMPDIR)/ackprof)
	install -m 644 $(O)/completion/_ackprof $(call D,$(ZSHCOMPDIR)/_ackprof)
	install -m 644 $(O)/completion/ackprof.fish $(call D,$(FISHCOMPDIR)/ackprof.fish)

uninstall:
	rm -f $(call D,$(BINDIR)/ackprof) $(call D,$(MANDIR)/man1/ackprof.1) \
		$(call D,$(MANDIR)/zh_CN/man1/ackprof.1)
	for l in $(LINGUAS); do rm -f $(call D,$(LOCALEDIR))/"$$l"/LC_MESSAGES/ackprof.mo; done
	rm -f $(call D,$(BASHCOMPDIR)/ackprof) $(call D,$(ZSHCOMPDIR)/_ackprof) \
		$(call D,$(FISHCOMPDIR)/ackprof.fish)
	rm -rf $(call D,$(SHAREDIR))

# ---- packages ------------------------------------------------------------------
# make deb: build/ackprof_VERSION_ARCH.deb with debhelper from debian/ (tools/mkdeb), lintian
# clean of errors; check-deb installs it with apt-get, runs it away from the tree, purges it.
# make image: build/ackprof-image.oci.tar from Debian packages alone (tools/mkimage);
# check-image runs it under buildah.  .ci/run runs check-deb and check-image after make check.
deb:
	sh tools/mkdeb

check-deb: deb tests/double/aliyun
	bash tests/deb.sh

image: deb
	sh tools/mkimage

check-image: tests/double/aliyun
	@[ -f build/ackprof-image.oci.tar ] || $(MAKE) --no-print-directory image
	bash tests/image.sh

lint:
	mandoc -Tlint man/ackprof.1 man/zh_CN/ackprof.1

clean:
	rm -f ackprof src/*.o tests/double/aliyun $(UNIT_BINS) tests/unit/*.o
	rm -rf build completion tests/double/venv locale pseudo po/ackprof.pot

check-mutations: private SHELL := $(CURDIR)/tests/script
check-mutations: private .SHELLFLAGS = $@ -c

.PHONY: FORCE all check check-mutations mutmut check-unit check-double check-e2e check-real check-py check-docs check-fuzz fuzz check-sanitize check-bench bench-check bench-baseline \
	check-valgrind pseudo programs deb check-deb image check-image deps deps-check deps-build demo install install-skill uninstall lint clean unit pot update-po
