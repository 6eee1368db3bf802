# ampt-sync developer and operator entry points.
#   make demo   create the environment and run the offline demo (simulated Strava and Garmin)
#   make test   create the environment, lint, and run the test suite (with a short fault soak)
#   make soak   the long property and fault soaks; the Garmin fault soak prints its counts
# Override the interpreter with `make PYTHON=/path/to/python3.12 ...`.

VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv test lint demo soak bench clean

venv: $(STAMP)

# Rebuilt only when the project metadata changes, so `make test` is quick on a warm tree.
$(STAMP): pyproject.toml scripts/find-python
	@py=$$(./scripts/find-python) || exit 1; \
	if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "removing $(VENV): it was built with an older Python"; rm -rf $(VENV); fi; \
	if [ ! -x $(BIN)/python ]; then echo "creating $(VENV) with $$py"; "$$py" -m venv $(VENV) || exit 1; fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

lint: venv
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest -q

soak: venv
	$(BIN)/pytest -q -m soak

demo: venv
	$(BIN)/ampt-sync demo

bench: venv
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python "$$script" || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
