#!/usr/bin/env bash
# On a GPU machine, from the kit bench/gpu/prepare.sh made (no Java or OpenCL loader installed there):
# finds the vendor's OpenCL driver, registers it with the bundled ICD loader, and runs clprop's device
# checks and measurements, writing their output and JSON to OUT (default ./gpu-results).
#   KIT/run.sh [OUT]
set -uo pipefail
kit="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$PWD/gpu-results}"
mkdir -p "$out"
vendors="$(mktemp -d)"
# NVIDIA's OpenCL library lives beside the driver; an ICD file naming it is all the loader needs.
nv="$(ls /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1 /usr/lib64/libnvidia-opencl.so.1 \
       /usr/local/nvidia/lib64/libnvidia-opencl.so.1 2>/dev/null | head -1)"
[ -z "$nv" ] && nv="$(find / -xdev -name 'libnvidia-opencl.so.1' 2>/dev/null | head -1)"
if [ -n "$nv" ]; then
  echo "$nv" > "$vendors/nvidia.icd"
  echo "run.sh: NVIDIA OpenCL library: $nv" | tee "$out/driver.txt"
fi
for f in /etc/OpenCL/vendors/*.icd; do [ -f "$f" ] && cp "$f" "$vendors/"; done
export OCL_ICD_VENDORS="$vendors"
export LD_LIBRARY_PATH="$kit/ocl${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_PRELOAD="$kit/jre/lib/libjsig.so"
export CLPROP_CACHE_DIR="$out/cache"
java="$kit/jre/bin/java"
clprop() { "$java" -jar "$kit/clprop.jar" "$@"; }
command -v nvidia-smi >/dev/null && nvidia-smi > "$out/nvidia-smi.txt" 2>&1
clprop devices 2>&1 | tee "$out/devices.txt"
clprop verify --json "$out/verify.json" > "$out/verify.txt" 2>&1; echo "verify (default kernels): exit $?"
clprop verify --gemm-config tiled --json "$out/verify-tiled.json" > "$out/verify-tiled.txt" 2>&1
echo "verify (tiled): exit $?"
clprop gradcheck > "$out/gradcheck.txt" 2>&1; echo "gradcheck: exit $?"
clprop tune --tiled > "$out/tune.txt" 2>&1; echo "tune: exit $?"; tail -3 "$out/tune.txt"
data="${CLPROP_DATA:-$kit/data}"
if [ -d "$data" ]; then
  clprop bench --data "$data" --json "$out/bench.json" > "$out/bench.txt" 2>&1; echo "bench: exit $?"
  clprop bench --data "$data" --gemm-config block --batches 128 --json "$out/bench-block.json" \
    > "$out/bench-block.txt" 2>&1; echo "bench (register blocks): exit $?"
  # The peer on the same GPU, on the same data, when the machine has PyTorch with CUDA (issue 4).
  if command -v python3 >/dev/null && python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" \
       2>/dev/null; then
    python3 "$kit/torch_mlp.py" --device cuda --data "$data" --json "$out/torch-train.json" > "$out/torch-train.txt" 2>&1
    echo "pytorch (cuda) training: exit $?"
    python3 "$kit/torch_mlp.py" --device cuda --gemm --json "$out/torch-gemm.json" > "$out/torch-gemm.txt" 2>&1
    echo "pytorch (cuda) gemm: exit $?"
  else
    echo "run.sh: no python3 with CUDA torch here; the PyTorch peer is skipped" | tee "$out/torch-skipped.txt"
  fi
else
  echo "run.sh: no data set at $data (set CLPROP_DATA, or carry the IDX files); bench skipped"
fi
