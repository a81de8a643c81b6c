# motcua — every target sets up its own virtual environment first (Python 3.11+).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SHARED ?= ../shared

.PHONY: setup run demo test lint format eval bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,st]"
	touch $@

# Debian's chromium drives the browser tests (Playwright uses it through executable_path;
# nothing downloads a browser). Installed once with apt when missing.
$(VENV)/.browser: | $(VENV)/.installed
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	} || echo "warning: could not install chromium; the browser tests will be skipped"
	touch $@

setup: $(VENV)/.installed $(VENV)/.browser

## The main job on embedded defaults: every channel on one server (http://127.0.0.1:8080/chat),
## platforms without secrets wired to local stand-ins, embedded catalogue, SQLite under var/.
run: setup
	$(BIN)/motcua serve --standins

## A scripted conversation on the console channel (no server), in its own database under
## DEMO_DIR, started afresh each time: never the one `make run` serves.
DEMO_DIR ?= var/demo
demo: setup
	rm -f $(DEMO_DIR)/motcua.db
	printf '%s\n' "xin chao" "lam cccd lan dau can giay to gi" "mat bao lau" "o dau" "Tu Son" \
		"gop y" "Nen co them cho de xe cho nguoi dan" "/1" "/1" "/1" \
		| MOTCUA_DATA_DIR=$(DEMO_DIR) MOTCUA_DATABASE_URL= $(BIN)/motcua chat --user demo

test: setup lint
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

eval: setup
	$(BIN)/motcua eval --questions $(SHARED)/eval/dev-questions.jsonl --catalogue $(SHARED)/catalogue/dvc-national-2026.jsonl.gz

bench: setup
	$(BIN)/python bench/retrieval.py --shared $(SHARED)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
