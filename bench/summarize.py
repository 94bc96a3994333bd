#!/usr/bin/python3
"""Summarises one bench/compare.sh results folder: medians across rounds of clprop, PyTorch and CLBlast,
and clprop's ratios to the peers.  Prints a table and writes summary.json into the folder.

  /usr/bin/python3 bench/summarize.py bench/results/20250101-120000

Expected files (r = round number): r{r}-clprop.json (`clprop bench --json`), r{r}-torch-b{B}.json
(torch_mlp.py, or torch_cnn.py for the cnn workload), r{r}-torch-gemm.json (torch_mlp.py --gemm),
r{r}-clblast.json (clblast_sgemm --json); the cnn workload has no torch-gemm or clblast files.
Matrix products are matched by (m, n, k): C is m x n, inner dimension k, whatever form clprop used.
"""
import glob
import json
import os
import re
import statistics
import sys


TITLES = {"mlp": "784-256-128-10, SGD 0.1, softmax-CE",
          "cnn": "reference CNN conv32-pool-conv64-pool-128-10, Adam 1e-3, softmax-CE"}


def load(path):
    with open(path) as f:
        return json.load(f)


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def fmt(v, spec):
    return format(v, spec) if v is not None else "-"


def main(folder):
    rounds = sorted({int(m.group(1)) for f in os.listdir(folder) if (m := re.match(r"r(\d+)-", f))})
    if not rounds:
        sys.exit(f"summarize.py: no r<N>-*.json files in {folder}")
    meta = load(os.path.join(folder, "meta.json")) if os.path.exists(os.path.join(folder, "meta.json")) else {}

    clprop_sps, torch_sps, torch_acc = {}, {}, {}  # batch -> [per round]
    clprop_loss, torch_loss, blas = {}, {}, set()  # batch -> [final train loss per round]; OpenBLAS kernels seen
    workload = meta.get("workload")
    clprop_gemm, torch_gemm, clblast_gemm = {}, {}, {}  # (m,n,k) -> [per round]; clprop: (form,m,n,k)
    for r in rounds:
        p = os.path.join(folder, f"r{r}-clprop.json")
        if os.path.exists(p):
            c = load(p)
            for w in c.get("workloads", [{"batch": c.get("batch"), "samples_per_sec": c.get("samples_per_sec")}]):
                clprop_sps.setdefault(w["batch"], []).append(w["samples_per_sec"])
                clprop_loss.setdefault(w["batch"], []).append(w.get("final_train_loss"))
            for g in c.get("gemm", []):
                clprop_gemm.setdefault((g["form"], g["m"], g["n"], g["k"]), []).append(g["gflops"])
        for p in glob.glob(os.path.join(folder, f"r{r}-torch-b*.json")):
            t = load(p)
            torch_sps.setdefault(t["batch"], []).append(t["samples_per_sec"])
            torch_acc.setdefault(t["batch"], []).append(t.get("test_accuracy"))
            torch_loss.setdefault(t["batch"], []).append(t.get("final_train_loss"))
            for b in t.get("blas") or []:
                if b.get("library") == "openblas":
                    blas.add(f"OpenBLAS {b.get('version')} kernel {b.get('architecture')}, {b.get('threads')} threads")
            workload = workload or t.get("workload")
        for name, into in (("torch-gemm", torch_gemm), ("clblast", clblast_gemm)):
            p = os.path.join(folder, f"r{r}-{name}.json")
            if os.path.exists(p):
                for g in load(p).get("gemm", []):
                    into.setdefault((g["m"], g["n"], g["k"]), []).append(g["gflops"])

    workload = workload or "mlp"
    setting = meta.get("torch_setting", {})
    lines = []
    lines.append(f"results  {folder}  ({len(rounds)} round(s); medians across rounds)")
    if setting.get("setting"):
        lines.append(f"pytorch  torch {meta.get('torch_version', '?')}, {setting['setting']} ({setting.get('source', '')})")
    elif setting:
        lines.append(f"pytorch  torch {meta.get('torch_version', '?')}, torch threads {setting.get('threads')}, "
                     f"OPENBLAS_NUM_THREADS {setting.get('openblas_threads')} ({setting.get('source', '')})")
    if blas:
        lines.append("blas     " + "; ".join(sorted(blas)) + " (threadpoolctl, in the peer's process)")
    lines.append("")
    lines.append(f"training throughput (samples/s, {TITLES.get(workload, workload)})")
    lines.append(f"  {'batch':>5}  {'clprop':>10}  {'pytorch':>10}  {'clprop/pytorch':>14}  {'paired':>6}  "
                 f"rounds clprop | pytorch")
    train_rows = []
    for b in sorted(set(clprop_sps) | set(torch_sps)):
        cs, ts = clprop_sps.get(b, []), torch_sps.get(b, [])
        c, t = med(cs), med(ts)
        # paired: the median over rounds of that round's ratio (both ran within a minute of each other)
        paired = med([ratio(x, y) for x, y in zip(cs, ts)]) if len(cs) == len(ts) else None
        per = " ".join(f"{v:.0f}" for v in cs) + " | " + " ".join(f"{v:.0f}" for v in ts)
        lines.append(f"  {b:>5}  {fmt(c, '10.0f')}  {fmt(t, '10.0f')}  {fmt(ratio(c, t), '14.3f')}  "
                     f"{fmt(paired, '6.3f')}  {per}")
        train_rows.append({"batch": b, "clprop_samples_per_sec": c, "pytorch_samples_per_sec": t,
                           "clprop_over_pytorch": ratio(c, t), "clprop_over_pytorch_paired": paired,
                           "clprop_rounds": cs, "pytorch_rounds": ts})
        if workload == "cnn":
            train_rows[-1]["pytorch_test_accuracy"] = med(torch_acc.get(b, []))
    if workload == "cnn":
        accs = {b: med(v) for b, v in torch_acc.items() if med(v) is not None}
        if accs:
            lines.append("  pytorch test accuracy after its warm-up and timed epochs (median of rounds): "
                         + ", ".join(f"batch {b} {a:.4f}" for b, a in sorted(accs.items())))
    # The peer's loss against clprop's, as a check that both trained the same thing: same network, data,
    # optimizer and epochs, different initial weights and batch order, so close but not equal.
    loss_rows = []
    for b in sorted(set(clprop_loss) & set(torch_loss)) if workload == "mlp" else []:
        c, t = med(clprop_loss[b]), med(torch_loss[b])
        if c is None or t is None:
            continue
        off = abs(c - t) / max(c, t)
        loss_rows.append({"batch": b, "clprop_final_train_loss": c, "pytorch_final_train_loss": t,
                          "relative_difference": off})
        lines.append(f"  loss check, batch {b}: final train loss clprop {c:.4f}, pytorch {t:.4f} "
                     f"({100 * off:.1f}% apart{'; MORE THAN 20%: the two did not train the same thing' if off > 0.20 else ''})")
    have_gemm = bool(clprop_gemm or torch_gemm or clblast_gemm)
    if have_gemm:
        lines.append("")
        lines.append("matrix multiply (GFLOP/s; C is M x N, inner dimension K; peers compute row-major A.B)")
        lines.append(f"  {'form':<4} {'M x N x K':>16}  {'clprop':>8}  {'CLBlast':>8}  {'PyTorch':>8}  "
                     f"{'÷CLBlast':>8}  {'÷PyTorch':>8}")
    gemm_rows = []
    keys = list(clprop_gemm)
    keys += [("-",) + k for k in list(clblast_gemm) + list(torch_gemm)
             if not any(ck[1:] == k for ck in clprop_gemm)]
    seen = set()
    for key in keys:
        if key in seen:
            continue
        seen.add(key)
        form, mnk = key[0], key[1:]
        c = med(clprop_gemm.get(key, []))
        cb, tg = med(clblast_gemm.get(mnk, [])), med(torch_gemm.get(mnk, []))
        shape = "x".join(str(v) for v in mnk)
        lines.append(f"  {form:<4} {shape:>16}  {fmt(c, '8.1f')}  {fmt(cb, '8.1f')}  {fmt(tg, '8.1f')}  "
                     f"{fmt(ratio(c, cb), '8.2f')}  {fmt(ratio(c, tg), '8.2f')}")
        gemm_rows.append({"form": None if form == "-" else form, "m": mnk[0], "n": mnk[1], "k": mnk[2],
                          "clprop_gflops": c, "clblast_gflops": cb, "pytorch_gflops": tg,
                          "clprop_over_clblast": ratio(c, cb), "clprop_over_pytorch": ratio(c, tg)})
    text = "\n".join(lines)
    print(text)
    summary = {"folder": folder, "workload": workload, "rounds": len(rounds), "meta": meta,
               "training": train_rows, "loss_check": loss_rows, "openblas": sorted(blas), "gemm": gemm_rows}
    with open(os.path.join(folder, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    with open(os.path.join(folder, "summary.txt"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
