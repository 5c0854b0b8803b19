#!/usr/bin/env bash
# The GPU check (bench/gpu_check.py): start-up, every operation (the five, and /classify for a
# conditional model) against the CPU, batching on and off, serving at c = 8 and 64, GMM EM and
# VAE training, in under 10 minutes.
#   bench/gpu_check.sh [--device auto|cpu|cuda] [--quick] [--results-dir DIR]
# Runs with the project's venv (make .venv/bin/.installed-test), or $PYTHON when set.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
if [ ! -x "$PYTHON" ]; then
    echo "gpu_check: $PYTHON is missing; run 'make .venv/bin/.installed-test' first" >&2
    exit 2
fi
exec "$PYTHON" -m bench.gpu_check "$@"
