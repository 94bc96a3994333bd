#!/usr/bin/env bash
# Finds the fastest thread setting of the PyTorch peer on this machine: torch threads (torch.set_num_threads,
# OMP_NUM_THREADS the same) x OPENBLAS_NUM_THREADS, each in {1,2} by default, one warm-up and one timed epoch
# of bench/torch_mlp.py at batch 128 per setting, every setting tried in each of --passes passes (default 2,
# alternating so that a noisy moment does not favour one setting); the best epoch of each setting counts.
#
#   bench/find_torch_setting.sh                 # table on stderr, then `threads=T openblas=B` on stdout
#   bench/find_torch_setting.sh --export        # `export OMP_NUM_THREADS=… OPENBLAS_NUM_THREADS=…` and
#                                               # `export TORCH_THREADS=…` (pass it as --threads) instead
#   bench/find_torch_setting.sh --values 1,2,4 --batch 128 --passes 2 --json FILE
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py=/usr/bin/python3
values="1,2"; batch=128; passes=2; export_fmt=0; json=""
while [ $# -gt 0 ]; do
  case "$1" in
    --values) values="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --passes) passes="$2"; shift 2 ;;
    --export) export_fmt=1; shift ;;
    --json) json="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "find_torch_setting.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a vals <<< "$values"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

for ((p = 1; p <= passes; p++)); do
  for t in "${vals[@]}"; do
    for b in "${vals[@]}"; do
      out="$tmp/t${t}_b${b}_p${p}.json"
      if ! OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$b" \
          "$py" "$here/torch_mlp.py" --threads "$t" --batch "$batch" --epochs 1 --json "$out" > "$tmp/log" 2>&1; then
        cat "$tmp/log" >&2; echo "find_torch_setting.sh: torch_mlp.py failed (threads=$t openblas=$b)" >&2; exit 1
      fi
    done
  done
done

"$py" - "$tmp" "$export_fmt" "$json" <<'EOF'
import glob, json, os, re, sys
tmp, export_fmt, out = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
best = {}
for f in glob.glob(os.path.join(tmp, "*.json")):
    t, b = map(int, re.match(r"t(\d+)_b(\d+)_p\d+\.json", os.path.basename(f)).groups())
    sps = json.load(open(f))["samples_per_sec"]
    best[(t, b)] = max(best.get((t, b), 0.0), sps)
rows = sorted(best.items(), key=lambda kv: -kv[1])
print("torch threads  OPENBLAS_NUM_THREADS  samples/s (best epoch)", file=sys.stderr)
for (t, b), s in rows:
    print(f"{t:13d}  {b:20d}  {s:10.0f}", file=sys.stderr)
(t, b), s = rows[0]
if out:
    json.dump({"threads": t, "openblas_threads": b, "omp_threads": t, "samples_per_sec": s,
               "all": [{"threads": k[0], "openblas_threads": k[1], "samples_per_sec": v} for k, v in rows]},
              open(out, "w"), indent=2)
if export_fmt:
    print(f"export OMP_NUM_THREADS={t}\nexport OPENBLAS_NUM_THREADS={b}\nexport TORCH_THREADS={t}")
else:
    print(f"threads={t} openblas={b}")
EOF
