# Sourced by start.sh and test.sh: create .venv and install DeepRecall into it.
# Usage: source scripts/bootstrap.sh [extras]   (e.g. "dev")
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "DeepRecall needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate

# torch first: a bare `torch` requirement would pull the newest build with several GB of CUDA packages.
# TORCH_SPEC picks another build (e.g. a CUDA one on a GPU worker); an installed torch is kept.
if ! python -c 'import torch' 2>/dev/null; then
  python -m pip install -q "${TORCH_SPEC:-torch==2.13.0}"
fi
extras=${1:-}
python -m pip install -q -e ".${extras:+[$extras]}"
