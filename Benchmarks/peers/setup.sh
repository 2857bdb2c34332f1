#!/usr/bin/env bash
# Creates the peers' virtual environment (PyTorch CPU, scikit-learn, numpy, safetensors)
# in Benchmarks/peers/.venv, which git ignores. Safe to run again: it only installs what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"
"$venv/bin/python" -c 'import torch, sklearn, numpy; print("peers ready: torch", torch.__version__, "scikit-learn", sklearn.__version__, "numpy", numpy.__version__)'
