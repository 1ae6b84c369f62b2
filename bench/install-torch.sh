#!/usr/bin/env bash
# Installs the PyTorch reference for `./engram bench --torch`: Debian's python3-torch (PyTorch 1.13)
# for /usr/bin/python3, and OpenBLAS (libopenblas0-pthread). Without OpenBLAS, Debian's torch does
# its matrix products with the reference BLAS (libblas3), 3-10x slower, and the Engram/PyTorch
# ratio would flatter Engram. Uses sudo when not root.
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
if /usr/bin/python3 -c 'import torch' 2>/dev/null && ls /usr/lib/x86_64-linux-gnu/libopenblas*.so* >/dev/null 2>&1; then
  echo "python3-torch and OpenBLAS are already installed (torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'))"
  exit 0
fi
$sudo apt-get update
$sudo apt-get install -y python3-torch libopenblas0-pthread
/usr/bin/python3 -c 'import torch; print("installed torch", torch.__version__)'
