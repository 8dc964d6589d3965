# The two commands of the README: `make run` and `make test`. Both create .venv and install the pinned
# dependencies (constraints.txt) when missing or out of date.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install bytecode run test lint clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) bytecode

# Every process of a run (the command, its Prefect server, the extraction and verifying workers) imports the
# pipeline; where Python writes no bytecode (PYTHONDONTWRITEBYTECODE, common in containers) each would compile
# it again. Compiled once here; only what changed is compiled again. So is the MinHash signing loop (numba caches
# it beside its source; the first process to load it would otherwise compile it, ~1 s).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q pipeline flows
	$(BIN)/python -c "from pipeline.dedup.signing import load_compiled; load_compiled()"

run: $(STAMP) bytecode
	$(BIN)/twcorpus run --config configs/sample.yaml

test: $(STAMP) bytecode
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check pipeline flows tests benchmarks

clean:
	rm -rf data/corpus data/raw data/work data/state data/reports
