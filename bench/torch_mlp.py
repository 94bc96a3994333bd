#!/usr/bin/python3
"""PyTorch peer of `clprop bench`: the same workload (784-256-128-10 ReLU MLP, softmax cross-entropy,
SGD lr 0.1, Fashion-MNIST; --hidden for other widths) on the CPU (or a CUDA GPU with --device cuda), and
torch.mm GFLOP/s for the same matrix shapes.

The training loop is written as PyTorch's users write it (index the batch, zero_grad, forward,
cross_entropy, backward, step), with the settings PyTorch's performance guide recommends (gradients set to
None rather than zeroed). The BLAS that ran is reported from threadpoolctl: library, version, the kernel
OpenBLAS chose for this CPU (its "architecture") and its thread count.

Run with /usr/bin/python3 (Debian's python3-torch).  The BLAS thread count is read by OpenBLAS when the
process starts, so set OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS) in the environment, not here.

  /usr/bin/python3 bench/torch_mlp.py --threads 1 --epochs 3 --json out.json
  /usr/bin/python3 bench/torch_mlp.py --gemm --json gemm.json
"""
import argparse
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
# M x N x K: C (M x N) = A (M x K) . B (K x N)
DEFAULT_SHAPES = [(128, 256, 784), (128, 128, 256), (128, 10, 128), (256, 784, 128), (128, 256, 128),
                  (1024, 1024, 1024)]


def read_idx(path):
    """Reads an IDX file (raw or .gz): 0x803 = uint8 images (n, rows*cols), 0x801 = uint8 labels (n,)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    if magic == 0x803:
        n, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
        data = np.frombuffer(raw, dtype=np.uint8, offset=16)
        if data.size != n * rows * cols:
            raise ValueError(f"{path}: expected {n * rows * cols} pixels, found {data.size}")
        return data.reshape(n, rows * cols)
    if magic == 0x801:
        n = int.from_bytes(raw[4:8], "big")
        data = np.frombuffer(raw, dtype=np.uint8, offset=8)
        if data.size != n:
            raise ValueError(f"{path}: expected {n} labels, found {data.size}")
        return data
    raise ValueError(f"{path}: unknown IDX magic 0x{magic:x}")


def find(folder, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{folder}: neither {stem}.gz nor {stem}")


def load(folder, part):
    x = read_idx(find(folder, f"{part}-images-idx3-ubyte"))
    y = read_idx(find(folder, f"{part}-labels-idx1-ubyte"))
    if len(x) != len(y):
        raise ValueError(f"{part}: {len(x)} images but {len(y)} labels")
    xt = torch.from_numpy(x.astype(np.float32) / np.float32(255.0)).contiguous()
    yt = torch.from_numpy(y.astype(np.int64)).contiguous()
    return xt, yt


def model(hidden=(256, 128)):
    layers, width = [], 784
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    return nn.Sequential(*layers, nn.Linear(width, 10))


def train_epoch(net, opt, x, y, batch, gen):
    """One epoch over a fresh permutation, the last partial batch kept. The loss is summed as a tensor and
    read once at the end: on the CPU .item() per step would cost about as little, on a GPU it would wait for
    every step. On a GPU the data already lives there and the permutation is uploaded once, as clprop does."""
    n = x.shape[0]
    perm = torch.randperm(n, generator=gen).to(x.device)
    total = torch.zeros((), device=x.device)
    t0 = time.perf_counter()
    for s in range(0, n, batch):
        idx = perm[s:s + batch]
        xb, yb = x[idx], y[idx]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(xb), yb)
        loss.backward()
        opt.step()
        total += loss.detach() * len(idx)
    mean_loss = total.item() / n
    seconds = time.perf_counter() - t0
    return mean_loss, seconds


def blas_report():
    """What threadpoolctl sees loaded: [{library, version, architecture, threads, path}], or None without it."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return [{"library": i.get("internal_api"), "version": i.get("version"), "architecture": i.get("architecture"),
             "threads": i.get("num_threads"), "path": i.get("filepath")} for i in threadpool_info()]


@torch.no_grad()
def accuracy(net, x, y):
    correct = 0
    for s in range(0, x.shape[0], 1024):
        correct += (net(x[s:s + 1024]).argmax(1) == y[s:s + 1024]).sum().item()
    return correct / x.shape[0]


def run_train(args):
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    x, y = (t.to(dev) for t in load(args.data, "train"))
    if args.samples:
        x, y = x[:args.samples].contiguous(), y[:args.samples].contiguous()
    xt, yt = (t.to(dev) for t in load(args.data, "t10k")) if args.eval else (None, None)
    n = x.shape[0]
    steps = (n + args.batch - 1) // args.batch
    net = model(args.hidden).to(dev)
    opt = torch.optim.SGD(net.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    eps, accs = [], []
    for e in range(args.epochs + 1):
        loss, sec = train_epoch(net, opt, x, y, args.batch, gen)
        sps = n / sec
        tag = "warm-up" if e == 0 else f"epoch {e}"
        line = f"{tag:8s} batch {args.batch:4d}: loss {loss:.4f}  {sec:6.2f} s  {sps:9.0f} samples/s  " \
               f"{1000 * sec / steps:.3f} ms/step"
        if e > 0:
            eps.append(sps)
        if args.eval:
            acc = accuracy(net, xt, yt)
            accs.append(acc)
            line += f"  test accuracy {acc:.4f}"
        print(line, flush=True)
    med = statistics.median(eps)
    return {
        "batch": args.batch,
        "hidden": list(args.hidden),
        "train_samples": n,
        "steps_per_epoch": steps,
        "epoch_samples_per_sec": eps,
        "samples_per_sec": med,
        "step_ms": 1000.0 * n / med / steps,
        "final_train_loss": loss,
        "test_accuracy": accs[-1] if accs else None,
    }


def time_mm(m, n, k, device="cpu", min_trial=0.2, trials=5):
    g = torch.Generator().manual_seed(1)
    a = (torch.rand(m, k, generator=g) - 0.5).to(device)
    b = (torch.rand(k, n, generator=g) - 0.5).to(device)
    c = torch.empty(m, n, device=device)
    # GPU kernels are asynchronous: wait for them before reading the clock.
    sync = torch.cuda.synchronize if str(device).startswith("cuda") else (lambda: None)
    for _ in range(2):
        torch.mm(a, b, out=c)
    sync()
    # calibrate: double the repetitions until one trial takes at least min_trial seconds
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b, out=c)
        sync()
        dt = time.perf_counter() - t0
        if dt >= min_trial:
            break
        reps = max(reps * 2, int(reps * min_trial * 1.2 / max(dt, 1e-9)))
    flops = 2.0 * m * n * k
    res = []
    for _ in range(trials):
        t0 = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b, out=c)
        sync()
        res.append(flops * reps / (time.perf_counter() - t0) / 1e9)
    return statistics.median(res), reps


def parse_shapes(text):
    shapes = []
    for item in text.split(","):
        m, n, k = (int(v) for v in item.lower().split("x"))
        shapes.append((m, n, k))
    return shapes


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=DEFAULT_DATA, help="IDX folder (default %(default)s)")
    p.add_argument("--epochs", type=int, default=3, help="timed epochs after one warm-up (default %(default)s)")
    p.add_argument("--batch", type=int, default=128, help="mini-batch size (default %(default)s)")
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--hidden", type=lambda t: tuple(int(v) for v in t.split(",")), default=(256, 128),
                   help="hidden widths, W,W,... (default 256,128)")
    p.add_argument("--samples", type=int, default=None, help="train on the first N samples only")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's choice)")
    p.add_argument("--eval", action="store_true", help="test accuracy after each epoch (not timed)")
    p.add_argument("--gemm", action="store_true", help="time torch.mm instead of training")
    p.add_argument("--shapes", type=parse_shapes, default=DEFAULT_SHAPES,
                   help="--gemm shapes as MxNxK,MxNxK,... (default: the reference shapes and 1024^3)")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda[:N]")
    args = p.parse_args()
    if args.epochs < 1 or args.batch < 1:
        p.error("--epochs and --batch must be positive")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        p.error(f"--device {args.device}: this torch has no CUDA device")

    out = {
        "peer": "pytorch",
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "omp_threads": os.environ.get("OMP_NUM_THREADS"),
        "device": args.device if not args.device.startswith("cuda") else torch.cuda.get_device_name(args.device),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "blas": blas_report(),
    }
    for b in out["blas"] or []:
        print(f"blas     {b['library']} {b['version']} kernel {b['architecture']}, {b['threads']} threads "
              f"({b['path']})", flush=True)
    if args.device == "cpu" and out["blas"] is not None and not any(b["library"] == "openblas" for b in out["blas"]):
        # The reference BLAS (Debian's libblas3) is tens of times slower: a peer measured on it is handicapped.
        p.error("PyTorch is not running on OpenBLAS (threadpoolctl sees " +
                (", ".join(f"{b['library']} {b['path']}" for b in out["blas"]) or "no BLAS") +
                "); install libopenblas0-pthread")
    if args.gemm:
        rows = []
        for m, n, k in args.shapes:
            gf, reps = time_mm(m, n, k, args.device)
            print(f"torch.mm {m:5d} x {n:5d} x {k:5d}  {gf:8.1f} GFLOP/s  ({reps} calls/trial)", flush=True)
            rows.append({"m": m, "n": n, "k": k, "gflops": gf})
        out["gemm"] = rows
    else:
        out.update(run_train(args))
    summary = json.dumps(out)
    print(summary)
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            f.write(json.dumps(out, indent=2) + "\n")
        os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
