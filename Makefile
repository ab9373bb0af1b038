# Convene: `make run` serves the app with demo data; `make test` runs the whole suite.
VENV    := .venv
PY      := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app convene
STAMP   := $(VENV)/.installed
TSTAMP  := $(VENV)/.installed-test

.PHONY: run test install install-test bench soak worker clean translations

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Name tents and badges need fonts with Arabic, Devanagari, Chinese and Vietnamese letters (Debian packages).
FONTS   := fonts-noto-core fonts-wqy-microhei

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@fc-list 2>/dev/null | grep -q "Noto Sans Devanagari" && fc-list | grep -q "WenQuanYi" || \
	  (command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FONTS) >/dev/null)) || \
	  echo "fonts could not be installed ($(FONTS)): name tents will fall back to other fonts"
	touch $@

$(TSTAMP): pyproject.toml $(STAMP) package.json
	$(PY) -m pip install --quiet -e '.[test]'
	@command -v chromium >/dev/null 2>&1 || command -v /usr/bin/chromium >/dev/null 2>&1 || \
	  (command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ) || \
	  echo "chromium could not be installed: browser tests will be skipped outside CI"
	@command -v pdftotext >/dev/null 2>&1 || \
	  (command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null)) || \
	  echo "poppler-utils could not be installed: the PDF tests will be skipped outside CI"
	@command -v pg_dump >/dev/null 2>&1 || \
	  (command -v apt-get >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null) || \
	  echo "pg_dump not available: the PostgreSQL backup test will fail"
	@command -v npm >/dev/null 2>&1 && npm install --silent --no-audit --no-fund >/dev/null || \
	  echo "npm not available: accessibility scans and the HTML checker will be skipped outside CI"
	@command -v java >/dev/null 2>&1 || \
	  (command -v apt-get >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null) || \
	  echo "Java could not be installed: the HTML checker (vnu-jar) will be skipped outside CI"
	touch $@

install: $(STAMP)
install-test: $(TSTAMP)

run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(FLASK) serve --host 127.0.0.1 --port 5000

test: $(TSTAMP)
	$(PY) -m pytest

bench: $(TSTAMP)
	@command -v wrk >/dev/null 2>&1 || (apt-get install -y -qq wrk >/dev/null 2>&1) || \
	  (apt-get update -qq && apt-get install -y -qq wrk >/dev/null 2>&1) || \
	  echo "wrk could not be installed: the throughput rows will fail (or run with --no-throughput)"
	$(PY) -m bench

# Extract the words to translate, merge them into each language's catalog, compile the catalogs.
translations: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project Convene -o convene/translations/messages.pot .
	$(VENV)/bin/pybabel update -i convene/translations/messages.pot -d convene/translations --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d convene/translations --statistics

# PostgreSQL + Redis + gunicorn + 2 mail workers + an SMTP sink under load and faults, a few minutes,
# loopback only (docs/performance.md, "Soak"). SOAK_RECORD=1 writes the figures into that page.
soak: $(TSTAMP)
	$(PY) -m bench.soak $(if $(SOAK_RECORD),--record,)

worker: $(STAMP)
	$(FLASK) worker

clean:
	rm -rf $(VENV) node_modules .pytest_cache
