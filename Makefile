# annosim: `make demo` and `make test` set up a fresh Debian machine (root) themselves.
PY := .venv/bin/python

.PHONY: setup demo test
setup:
	bash scripts/setup.sh

demo: setup
	$(PY) -m simcore.preview --task colored_dot_tracking --seed 0 --out out/demo

test: setup
	$(PY) -m pytest -q
