# SPDX-License-Identifier: BSD-2-Clause
# The front door. Every target installs what it needs (scripts/bootstrap) and then drives
# meson. Two commands set everything up on a fresh Debian 12 machine:
#   make run     build and start ipbld on 127.0.0.1:5353 (etc/ipbl.dev.conf)
#   make check   build with ASan+UBSan and -Werror and run every test suite, then the
#                system suite again under ThreadSanitizer
BUILD        ?= build
CHECK_BUILD  ?= build-check
TSAN_BUILD   ?= build-tsan
BENCH_BUILD  ?= build-bench
FUZZ_BUILD   ?= build-fuzz
PREFIX       ?= /usr/local
FUZZ_SECONDS ?= 60
PYTHON       ?= /usr/bin/python3

.PHONY: all build bootstrap run check unit bench fuzz install clean format

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --buildtype=debugoptimized
	ninja -C $(BUILD)

run: build
	@mkdir -p data
	@[ -f data/example.rbldnsd ] || cp etc/example.rbldnsd data/example.rbldnsd
	./$(BUILD)/src/ipbld/ipbld -c etc/ipbl.dev.conf

check: bootstrap
	@[ -f $(CHECK_BUILD)/build.ninja ] || meson setup $(CHECK_BUILD) \
		--buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true
	ninja -C $(CHECK_BUILD)
	scripts/check_banned.sh
	scripts/check_includes.sh
	scripts/check_format.sh
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		meson test -C $(CHECK_BUILD) --print-errorlogs --num-processes 2
	@# the threads (UDP workers, TCP, snapshot publication) once more under ThreadSanitizer
	@[ -f $(TSAN_BUILD)/build.ninja ] || meson setup $(TSAN_BUILD) \
		--buildtype=debug -Db_sanitize=thread -Db_lundef=false -Dwerror=true
	ninja -C $(TSAN_BUILD)
	TSAN_OPTIONS=halt_on_error=1 meson test -C $(TSAN_BUILD) --suite system --print-errorlogs

unit: build
	meson test -C $(BUILD) --suite unit --suite golden --suite fuzz-replay --print-errorlogs

bench: bootstrap
	@[ -f $(BENCH_BUILD)/build.ninja ] || meson setup $(BENCH_BUILD) --buildtype=release -Dtests=disabled
	ninja -C $(BENCH_BUILD)
	$(PYTHON) bench/run.py --ipbld $(BENCH_BUILD)/src/ipbld/ipbld \
		--nullresp $(BENCH_BUILD)/bench/nullresp --dnsload $(BENCH_BUILD)/bench/dnsload \
		--work $(BENCH_BUILD)/bench-work $(BENCH_ARGS)
	bench/answer_cost.sh $(BENCH_BUILD)/bench/bench_answer
	@# the source finder (issue #4): messages/s over the shared corpus, one core; 3 seconds
	$(BENCH_BUILD)/bench/bench_source ../shared/corpus/received 3
	@# the listing engine (issue #3): writes/s, report-to-DNS latency, mass expiry; ~3 minutes
	$(PYTHON) bench/engine_bench.py --ipbld $(BENCH_BUILD)/src/ipbld/ipbld \
		--ipbl $(BENCH_BUILD)/src/cli/ipbl --bench-engine $(BENCH_BUILD)/bench/bench_engine \
		--dnsload $(BENCH_BUILD)/bench/dnsload --work $(BENCH_BUILD)/bench-work \
		$(filter --quick,$(BENCH_ARGS))
	@# the web component (issue #5): wrk on the JSON lookup and the lookup page; ~30 seconds
	$(PYTHON) bench/web_bench.py --ipbld $(BENCH_BUILD)/src/ipbld/ipbld \
		--ipbl $(BENCH_BUILD)/src/cli/ipbl --work $(BENCH_BUILD)/web-work \
		$(filter --quick,$(BENCH_ARGS))
	@# the spamtrap listener (issue #4): smtp-source sessions/s, RSS with 10,000 idle; ~1 minute
	$(PYTHON) bench/trap_bench.py --ipbld $(BENCH_BUILD)/src/ipbld/ipbld --work $(BENCH_BUILD)/trap-work $(filter --quick,$(BENCH_ARGS))

fuzz: bootstrap
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) \
		-Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false -Dtests=disabled
	ninja -C $(FUZZ_BUILD)
	@# new inputs go to build-fuzz/corpus-NAME; the committed seeds stay as they are
	@for t in $(FUZZ_BUILD)/fuzz/fuzz_*; do \
		[ -f "$$t" ] && [ -x "$$t" ] || continue; \
		name=$$(basename $$t); corpus=fuzz/corpus/$${name#fuzz_}; \
		mkdir -p $(FUZZ_BUILD)/corpus-$$name; \
		echo "== $$name ($(FUZZ_SECONDS)s, seeds $$corpus)"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(FUZZ_BUILD)/corpus-$$name $$corpus || exit 1; \
	done

install: bootstrap
	@if [ -f build-install/build.ninja ]; then \
		meson configure build-install -Dprefix=$(abspath $(PREFIX)); \
	else \
		meson setup build-install --buildtype=release -Dtests=disabled --prefix=$(abspath $(PREFIX)); \
	fi
	meson install -C build-install

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(TSAN_BUILD) $(BENCH_BUILD) $(FUZZ_BUILD) build-install
