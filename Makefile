# Convenience wrappers around run.sh (which works without make on a fresh machine).
.PHONY: report test bench setup picture schema env lock
report: ; ./run.sh report
test: ; ./run.sh test
bench: ; ./run.sh bench
setup: ; ./run.sh setup
env: ; ./run.sh env
lock: ; ./run.sh lock
schema: setup ; .venv/bin/flowatlas schema > lib/flowatlas/data/map.schema.json && cp lib/flowatlas/data/map.schema.json lib/flowatlas/data/map-format-1.schema.json
