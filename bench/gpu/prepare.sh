#!/usr/bin/env bash
# Packs what a GPU machine without Java or network needs to run clprop, into target/gpu-kit/ (ignored by
# git; carry it with the device tool, about 60 MB):
#   jre/        a jlink runtime (java.base, java.logging, java.management, jdk.unsupported; no java.desktop, so no --plot),
#               compressed, with libjsig.so (see README: signal chaining)
#   clprop.jar  the shaded jar
#   ocl/        the ICD loader (libOpenCL.so.1, and libOpenCL.so for JOCL) unpacked from Debian's .deb
#   data/       Fashion-MNIST cut to its first TRAIN (default 20000) training and all 10000 test samples,
#               gzipped, so the kit stays under the device tool's 64 MiB carry limit
#   torch_mlp.py the PyTorch peer, run there on the GPU if the machine has python3 with CUDA torch
# then run bench/gpu/run.sh there. Usage: bench/gpu/prepare.sh [TRAIN]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
kit="$root/target/gpu-kit"
cd "$root"
source bin/lib/deps.sh
ensure_jar
rm -rf "$kit"
mkdir -p "$kit/ocl"
jlink --add-modules java.base,java.logging,java.management,jdk.unsupported --compress=2 --no-header-files \
  --no-man-pages --strip-debug --output "$kit/jre"
cp target/clprop.jar "$kit/"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download ocl-icd-libopencl1 >/dev/null)
dpkg -x "$work"/ocl-icd-libopencl1_*.deb "$work/x"
cp -L "$work"/x/usr/lib/x86_64-linux-gnu/libOpenCL.so.1 "$kit/ocl/"
ln -sf libOpenCL.so.1 "$kit/ocl/libOpenCL.so"
train_n="${1:-20000}"
mkdir -p "$kit/data"
python3 - "$train_n" "$kit/data" <<'PY'
import gzip, struct, sys
n, out = int(sys.argv[1]), sys.argv[2]
src = "/usr/share/datasets/fashion-mnist/"
def cut(name, count, header):
    with gzip.open(src + name + ".gz") as f:
        b = f.read()
    total = struct.unpack(">I", b[4:8])[0]
    count = min(count, total)
    item = (len(b) - header) // total
    with gzip.open(out + "/" + name + ".gz", "wb") as f:
        f.write(b[:4] + struct.pack(">I", count) + b[8:header] + b[header:header + count * item])
cut("train-images-idx3-ubyte", n, 16); cut("train-labels-idx1-ubyte", n, 8)
cut("t10k-images-idx3-ubyte", 10000, 16); cut("t10k-labels-idx1-ubyte", 10000, 8)
PY
cp bench/gpu/run.sh bench/torch_mlp.py "$kit/"
du -sh "$kit"
