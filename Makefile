# motcua — every target sets up its own virtual environment first (Python 3.11+).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SHARED ?= ../shared

.PHONY: setup run test lint format eval bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

## The main job on embedded defaults: answer sample citizen questions from the shipped catalogue.
run: setup
	$(BIN)/motcua catalogue stats --top 5
	$(BIN)/motcua ask "lam giay khai sinh cho con can giay to gi"
	$(BIN)/motcua ask "đổi cccd hết hạn mất bao lâu"
	$(BIN)/motcua ask "How do I get a criminal record certificate?"
	$(BIN)/motcua ask "rut bhxh 1 lan"

test: setup lint
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

eval: setup
	$(BIN)/motcua eval --questions $(SHARED)/eval/dev-questions.jsonl --catalogue $(SHARED)/catalogue/dvc-national-2026.jsonl.gz

bench: setup
	$(BIN)/python bench/retrieval.py --shared $(SHARED)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
