# The two commands of the Quick start: `make run` and `make test`. Everything else is a helper.
PY := .venv/bin/python
SCALE ?= city
PORT ?= 8000

.PHONY: run test lint install compiled browser messages clean

# Bytecode is compiled once, at install: worker processes then do not compile big modules (the
# 2025 ward conversion table is 1.5 MB of source) each time they start.
.venv/ready: requirements/dev.txt requirements/base.txt
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv venv --quiet --allow-existing --python 3.12 .venv
	uv pip sync --quiet --compile-bytecode --python $(PY) requirements/dev.txt
	@touch .venv/ready

install: .venv/ready

# The rules under lib/ compiled to C with mypyc (optional; docs/deployment.md).
compiled: .venv/ready
	./scripts/compile.sh

run: .venv/ready
	SCALE=$(SCALE) PORT=$(PORT) ./scripts/run.sh

test: .venv/ready
	./scripts/test.sh

lint: .venv/ready
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	SECRET_KEY=lint-only $(PY) -m mypy .
	.venv/bin/lint-imports

# Apps that keep their own catalogue (<app>/locale) are made from their own directory; the root
# catalogue holds the rest.
APP_CATALOGUES := $(patsubst %/locale,%,$(wildcard */locale))
IGNORED := --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'tests/oidc/*' --ignore 'test-artifacts/*' --ignore 'var/*'

messages: .venv/ready
	DEBUG=1 $(PY) manage.py makemessages -l en $(IGNORED) $(foreach app,$(APP_CATALOGUES),--ignore '$(app)/*')
	for app in $(APP_CATALOGUES); do (cd $$app && DEBUG=1 ../$(PY) ../manage.py makemessages -l en --ignore 'tests/*') || exit 1; done
	DEBUG=1 $(PY) manage.py compilemessages -l en --ignore '.venv/*'

requirements/base.txt: requirements/base.in
	uv pip compile --quiet --python 3.12 --generate-hashes --no-header $< -o $@

requirements/dev.txt: requirements/dev.in requirements/base.txt
	uv pip compile --quiet --python 3.12 --generate-hashes --no-header $< -o $@

clean:
	rm -rf var .venv test-artifacts
