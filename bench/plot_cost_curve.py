#!/usr/bin/python3
"""Summarises a bench/cost_curve.sh results folder: for every width W and batch B, the median samples/s of
clprop and PyTorch across rounds, their ratio and the paired ratio (median of each round's own ratio).
Writes cost_curve.md (markdown tables), cost_curve.json and cost_curve.png (heat map of the paired ratio)
into the folder, and prints the tables.

  /usr/bin/python3 bench/plot_cost_curve.py bench/results/cost-20261202-150000
"""
import glob
import json
import os
import re
import statistics
import sys


def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def main(folder):
    meta = json.load(open(os.path.join(folder, "meta.json")))
    widths, batches = meta["widths"], meta["batches"]
    clprop, torch, blas = {}, {}, set()  # (w, b) -> {round: samples/s}
    for p in glob.glob(os.path.join(folder, "r*-w*-clprop.json")):
        r, w = map(int, re.match(r"r(\d+)-w(\d+)-clprop\.json", os.path.basename(p)).groups())
        for row in json.load(open(p))["workloads"]:
            clprop.setdefault((w, row["batch"]), {})[r] = row["samples_per_sec"]
    for p in glob.glob(os.path.join(folder, "r*-w*-b*-torch.json")):
        r, w, b = map(int, re.match(r"r(\d+)-w(\d+)-b(\d+)-torch\.json", os.path.basename(p)).groups())
        d = json.load(open(p))
        torch.setdefault((w, b), {})[r] = d["samples_per_sec"]
        for x in d.get("blas") or []:
            if x.get("library") == "openblas":
                blas.add(f"OpenBLAS {x.get('version')} kernel {x.get('architecture')}, {x.get('threads')} threads")

    cells = {}
    for w in widths:
        for b in batches:
            c, t = clprop.get((w, b), {}), torch.get((w, b), {})
            paired = med([c[r] / t[r] for r in c if r in t and t[r]])
            cm, tm = med(list(c.values())), med(list(t.values()))
            cells[(w, b)] = {"width": w, "batch": b, "clprop": cm, "pytorch": tm,
                             "ratio": cm / tm if cm and tm else None, "paired": paired, "rounds": len(c)}

    def table(title, key, spec):
        lines = [f"**{title}**", "", "| width \\ batch | " + " | ".join(str(b) for b in batches) + " |",
                 "|---|" + "---|" * len(batches)]
        for w in widths:
            vals = [cells[(w, b)][key] for b in batches]
            lines.append(f"| {w} | " + " | ".join(format(v, spec) if v is not None else "-" for v in vals) + " |")
        return "\n".join(lines)

    md = "\n\n".join([
        table("clprop ÷ PyTorch, paired (median over rounds of each round's ratio)", "paired", ".2f"),
        table("clprop, samples/s (median of rounds)", "clprop", ",.0f"),
        table("PyTorch, samples/s (median of rounds)", "pytorch", ",.0f"),
    ])
    md += (f"\n\n{meta['rounds']} round(s), {meta['epochs']} timed epoch(s) after a warm-up; PyTorch in the setting "
           f"\"{meta.get('torch_setting')}\"" + (f" ({'; '.join(sorted(blas))})" if blas else "")
           + f"; clprop at {meta.get('clprop_git_head', '?')[:7]}.\n")
    print(md)
    with open(os.path.join(folder, "cost_curve.md"), "w") as f:
        f.write(md)
    with open(os.path.join(folder, "cost_curve.json"), "w") as f:
        json.dump({"meta": meta, "openblas": sorted(blas), "cells": list(cells.values())}, f, indent=2)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm
    grid = [[cells[(w, b)]["paired"] if cells[(w, b)]["paired"] is not None else float("nan") for b in batches]
            for w in widths]
    flat = [v for row in grid for v in row if v == v]
    lo, hi = min(flat + [0.99]), max(flat + [1.01])
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    im = ax.imshow(grid, cmap="RdBu", norm=TwoSlopeNorm(vcenter=1.0, vmin=min(lo, 0.99), vmax=max(hi, 1.01)),
                   origin="lower", aspect="auto")
    ax.set_xticks(range(len(batches)), [str(b) for b in batches])
    ax.set_yticks(range(len(widths)), [str(w) for w in widths])
    ax.set_xlabel("batch")
    ax.set_ylabel("width of both hidden layers (784-W-W-10)")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            if v == v:  # white on the darkest cells, black elsewhere
                dark = v > 1 + 0.6 * (im.norm.vmax - 1) or v < 1 - 0.6 * (1 - im.norm.vmin)
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=9, color="white" if dark else "black")
    ax.set_title("clprop (PoCL) ÷ PyTorch (CPU) samples/s, paired medians\n>1 blue: clprop faster; <1 red: PyTorch faster",
                 fontsize=10)
    fig.colorbar(im, ax=ax, label="ratio")
    fig.tight_layout()
    fig.savefig(os.path.join(folder, "cost_curve.png"))
    print(f"wrote {folder}/cost_curve.md, cost_curve.json, cost_curve.png")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
