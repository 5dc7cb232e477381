# The two commands: `make run` (demo newsroom at http://127.0.0.1:8000) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench fuzz lock clean

$(STAMP): requirements.lock tests/compat/clients.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --require-hashes --no-deps --ignore-requires-python \
	  -r tests/compat/clients.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/tidings demo
	$(VENV)/bin/tidings serve --worker

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench fuzz
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) -m bench

# Bounded coverage-guided fuzzing (atheris), FUZZ_SECONDS per target, on a scratch copy of
# each seed corpus; crashes go to fuzz/findings/ (copy keepers into fuzz/regressions/).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= feed opml html url
fuzz: $(STAMP)
	mkdir -p fuzz/findings
	for t in $(FUZZ_TARGETS); do \
	  work=$$(mktemp -d) && cp fuzz/corpus/$$t/* fuzz/regressions/$$t/* $$work/ 2>/dev/null; \
	  $(PY) fuzz/run.py $$t $$work -max_total_time=$(FUZZ_SECONDS) -timeout=30 -max_len=8192 \
	    -rss_limit_mb=3072 -artifact_prefix=fuzz/findings/$$t- -print_final_stats=1 \
	    || exit 1; rm -rf $$work; \
	done

lock:
	uv pip compile requirements.in --override requirements-overrides.txt --generate-hashes \
	  --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu -o requirements.lock

clean:
	rm -rf $(VENV)
