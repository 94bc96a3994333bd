#!/usr/bin/python3
"""PyTorch peer of `clprop bench --workload cnn`: the reference CNN on Fashion-MNIST on the CPU: conv 32 3x3
pad 1, ReLU, maxpool 2, conv 64 3x3 pad 1, ReLU, maxpool 2, flatten, dense 128, ReLU, dense 10; softmax
cross-entropy; Adam lr 1e-3; batch 128; 421,642 parameters; pixels scaled to [0,1], no other normalisation.

The loop is the plain one PyTorch users write: nn.Sequential, the data in one tensor in memory, per step a
batch indexed from the epoch's seeded permutation, zero_grad, forward, F.cross_entropy, backward, step.  The
loss is accumulated as a tensor and read once per epoch (as bench/torch_mlp.py does).  Timing mode: one
warm-up epoch (or --warmup-steps S steps), then --epochs timed epochs (optionally cut to --steps steps each,
for quick setting searches); test accuracy once at the end, not timed (--no-test skips it).

Run with /usr/bin/python3 (Debian's python3-torch).  The BLAS thread count is read by OpenBLAS when the
process starts, so set OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS) in the environment, not here.

  /usr/bin/python3 bench/torch_cnn.py --threads 2 --mkldnn off --epochs 2 --json out.json
  /usr/bin/python3 bench/torch_cnn.py --accuracy-epochs 10 --json acc.json   # accuracy after each epoch
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

from torch_mlp import DEFAULT_DATA, blas_report, load  # the same IDX reading and [0,1] scaling as the MLP peer


def model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def images(x):
    """(n, 784) -> (n, 1, 28, 28), a view of the same memory."""
    return x.view(-1, 1, 28, 28)


def train_epoch(net, opt, x, y, batch, gen, max_steps=None):
    """One epoch over a fresh permutation (the last partial batch is kept), or its first max_steps steps.
    Returns (mean loss, seconds, samples)."""
    n = x.shape[0]
    perm = torch.randperm(n, generator=gen)
    total = torch.zeros(())
    samples = 0
    t0 = time.perf_counter()
    for i, s in enumerate(range(0, n, batch)):
        if max_steps is not None and i >= max_steps:
            break
        idx = perm[s:s + batch]
        xb, yb = x[idx], y[idx]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(xb), yb)
        loss.backward()
        opt.step()
        total += loss.detach() * idx.numel()
        samples += idx.numel()
    mean_loss = total.item() / samples  # the epoch's single read-back
    return mean_loss, time.perf_counter() - t0, samples


@torch.no_grad()
def accuracy(net, x, y):
    net.eval()
    correct = 0
    for s in range(0, x.shape[0], 1000):
        correct += (net(x[s:s + 1000]).argmax(1) == y[s:s + 1000]).sum().item()
    net.train()
    return correct / x.shape[0]


def setup(args, test=True):
    torch.manual_seed(args.seed)
    x, y = load(args.data, "train")
    xt, yt = load(args.data, "t10k") if test else (None, None)
    net = model()
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    return images(x), y, (images(xt) if test else None), yt, net, opt, gen


def run_train(args):
    x, y, xt, yt, net, opt, gen = setup(args, not args.no_test)
    n = x.shape[0]
    steps = (n + args.batch - 1) // args.batch
    # warm-up: a full epoch by default, else its first --warmup-steps steps
    loss, sec, m = train_epoch(net, opt, x, y, args.batch, gen, args.warmup_steps)
    print(f"warm-up  batch {args.batch:4d}: loss {loss:.4f}  {sec:6.2f} s  {m / sec:9.0f} samples/s  "
          f"({m // args.batch} steps)", flush=True)
    eps, secs = [], []
    for e in range(1, args.epochs + 1):
        loss, sec, m = train_epoch(net, opt, x, y, args.batch, gen, args.steps)
        eps.append(m / sec)
        secs.append(sec)
        print(f"epoch {e:2d} batch {args.batch:4d}: loss {loss:.4f}  {sec:6.2f} s  {m / sec:9.0f} samples/s  "
              f"{1000 * sec / ((m + args.batch - 1) // args.batch):.3f} ms/step", flush=True)
    acc = None if args.no_test else accuracy(net, xt, yt)
    if acc is not None:
        print(f"test accuracy {acc:.4f}", flush=True)
    med = statistics.median(eps)
    return {
        "workload": "cnn",
        "batch": args.batch,
        "steps_per_epoch": steps,
        "timed_steps_per_epoch": min(steps, args.steps) if args.steps else steps,
        "warmup": f"{args.warmup_steps} steps" if args.warmup_steps else "1 epoch",
        "epoch_samples_per_sec": eps,
        "epoch_seconds": secs,
        "samples_per_sec": med,
        "step_ms": 1000.0 / med * args.batch,
        "final_train_loss": loss,
        "test_accuracy": acc,
    }


def run_accuracy(args):
    x, y, xt, yt, net, opt, gen = setup(args)
    rows = []
    for e in range(1, args.accuracy_epochs + 1):
        loss, sec, m = train_epoch(net, opt, x, y, args.batch, gen)
        acc = accuracy(net, xt, yt)
        print(f"epoch {e:2d}: train loss {loss:.4f}  {sec:6.2f} s  {m / sec:7.0f} samples/s  "
              f"test accuracy {acc:.4f}", flush=True)
        rows.append({"epoch": e, "train_loss": loss, "seconds": sec, "samples_per_sec": m / sec,
                     "test_accuracy": acc})
    return {"workload": "cnn", "batch": args.batch, "accuracy_epochs": rows,
            "final_train_loss": rows[-1]["train_loss"], "test_accuracy": rows[-1]["test_accuracy"]}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=DEFAULT_DATA, help="IDX folder (default %(default)s)")
    p.add_argument("--epochs", type=int, default=2, help="timed epochs after the warm-up (default %(default)s)")
    p.add_argument("--warmup-steps", type=int, default=None,
                   help="warm up for this many steps instead of one full epoch")
    p.add_argument("--steps", type=int, default=None,
                   help="time only the first STEPS steps of each epoch (default: whole epochs)")
    p.add_argument("--batch", type=int, default=128, help="mini-batch size (default %(default)s)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default %(default)s)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's choice)")
    p.add_argument("--mkldnn", choices=("on", "off"), default="off",
                   help="torch.backends.mkldnn.enabled: oneDNN convolutions (on) or im2col + BLAS (off; "
                        "default %(default)s)")
    p.add_argument("--accuracy-epochs", type=int, metavar="E", default=None,
                   help="instead of timing: train E epochs from --seed, test accuracy after each")
    p.add_argument("--no-test", action="store_true", help="skip the test accuracy after the timed epochs")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = p.parse_args()
    if args.epochs < 1 or args.batch < 1:
        p.error("--epochs and --batch must be positive")
    for name in ("warmup_steps", "steps", "accuracy_epochs"):
        v = getattr(args, name)
        if v is not None and v < 1:
            p.error(f"--{name.replace('_', '-')} must be positive")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    torch.backends.mkldnn.enabled = args.mkldnn == "on"

    out = {
        "peer": "pytorch",
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_report(),
        "mkldnn": args.mkldnn,
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "omp_threads": os.environ.get("OMP_NUM_THREADS"),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "openblas_l2_size": os.environ.get("OPENBLAS_L2_SIZE"),
        "aten_cpu_capability": os.environ.get("ATEN_CPU_CAPABILITY"),
        "parameters": sum(t.numel() for t in model().parameters()),
        "device": "cpu",
        "seed": args.seed,
    }
    out.update(run_accuracy(args) if args.accuracy_epochs else run_train(args))
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
