#!/usr/bin/env bash
# The cost curve: clprop against PyTorch on the CPU over two hidden layers of width W (784-W-W-10, ReLU,
# softmax-CE, SGD 0.1, Fashion-MNIST) and batch B, side by side in one run.  Each round runs, for every
# width, `clprop bench --hidden W,W --batches <all B>` and then bench/torch_mlp.py --hidden W,W at each B,
# so that both meet the machine's noisy moments in turn; the summary (bench/plot_cost_curve.py) takes
# medians across rounds and the paired ratio (median of each round's clprop ÷ PyTorch), writes
# cost_curve.md (tables) and cost_curve.png (heat map of the ratio) into the results folder.
#
#   bench/cost_curve.sh                                   # widths 128..4096 x batches 32..1024, 3 rounds
#   bench/cost_curve.sh --widths 256,1024 --batches 128 --rounds 1
#   bench/cost_curve.sh --torch-setting "threads=1 openblas=2 coretype=unset malloc=mmap"
#
# Options: --widths W[,W…] (default 128,256,512,1024,2048,4096); --batches B[,B…] (default 32,128,512,1024);
# --rounds N (default 3); --epochs E (timed epochs after one warm-up, default 1); --torch-setting as printed
# by bench/find_torch_setting.sh (default "threads=1 openblas=2 coretype=unset malloc=tcmalloc", the fastest
# that search found here; see bench/peer_setting.sh); --out DIR (default bench/results/cost-<timestamp>).
# Each width trains on the first N samples, N = 60,000 × (the reference MLP's parameters ÷ this width's),
# rounded down to a multiple of 1,024, between 8,192 and 60,000, so that an epoch takes seconds at any width.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$bench/.." && pwd)"
py=/usr/bin/python3

widths="128,256,512,1024,2048,4096"; batches="32,128,512,1024"; rounds=3; epochs=1; out=""
setting="threads=1 openblas=2 coretype=unset malloc=tcmalloc"
while [ $# -gt 0 ]; do
  case "$1" in
    --widths) widths="$2"; shift 2 ;;
    --batches) batches="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --torch-setting) setting="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "cost_curve.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$widths" "$batches"; do
  [[ "$v" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "cost_curve.sh: --widths and --batches want N[,N…]" >&2; exit 2; }
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "cost_curve.sh: --rounds must be a positive integer" >&2; exit 2; }
[[ "$epochs" =~ ^[1-9][0-9]*$ ]] || { echo "cost_curve.sh: --epochs must be a positive integer" >&2; exit 2; }
source "$bench/peer_setting.sh"
peer_env_from "$setting"
tthreads="$(setting_value "$setting" threads 1)"

"$py" -c 'import torch, numpy, matplotlib' 2>/dev/null \
  || { echo "cost_curve.sh: $py needs torch, numpy and matplotlib (apt-get install python3-torch python3-matplotlib)" >&2; exit 2; }
source "$bench/require_openblas.sh"
require_openblas cost_curve.sh
"$py" -c 'import threadpoolctl' 2>/dev/null \
  || echo "cost_curve.sh: threadpoolctl missing (apt-get install python3-threadpoolctl): the OpenBLAS kernel goes unrecorded" >&2

log() { printf '[cost %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
jar="$root/target/clprop.jar"
[ -f "$jar" ] || { log "building $jar"; (cd "$root" && mvn -q -B -DskipTests package); }
# clprop's JVM as bin/clprop starts it; the peer's environment is left as it was.
source "$root/bin/lib/deps.sh"

dir="${out:-$bench/results/cost-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$dir"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cp "$jar" "$work/clprop.jar"  # a private copy: a rebuild during the run cannot change clprop between rounds

torch_env=("${PEER_ENV[@]}")

samples_for() {  # width -> samples per epoch
  "$py" -c '
import sys
w = int(sys.argv[1]); ref = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
p = 784 * w + w + w * w + w + w * 10 + 10
print(max(8192, min(60000, int(60000 * ref / p) // 1024 * 1024)))' "$1"
}

IFS=, read -r -a wl <<< "$widths"
IFS=, read -r -a bl <<< "$batches"
cat > "$dir/meta.json" <<EOF
{"widths": [$widths], "batches": [$batches], "rounds": $rounds, "epochs": $epochs,
 "torch_setting": "$setting",
 "clprop_git_head": "$(cd "$root" && git rev-parse HEAD 2>/dev/null || echo unknown)",
 "cpu": "$(lscpu | sed -n 's/^Model name: *//p')", "cpus": $(nproc)}
EOF
log "widths {$widths} x batches {$batches}, $rounds round(s); PyTorch: $setting; results in $dir"
t_start=$SECONDS
for ((r = 1; r <= rounds; r++)); do
  for w in "${wl[@]}"; do
    n="$(samples_for "$w")"
    log "round $r/$rounds: width $w ($n samples): clprop bench"
    LD_PRELOAD="$(jvm_preload)" GLIBC_TUNABLES="$(jvm_glibc_tunables)" java $(jvm_memory_options) -jar "$work/clprop.jar" \
      bench --hidden "$w,$w" --batches "$batches" --samples "$n" --epochs "$epochs" --no-gemm --no-profile \
      --json "$dir/r$r-w$w-clprop.json" > "$dir/r$r-w$w-clprop.log" 2>&1 \
      || { tail -5 "$dir/r$r-w$w-clprop.log" >&2; exit 1; }
    for b in "${bl[@]}"; do
      log "round $r/$rounds: width $w batch $b: pytorch"
      "${torch_env[@]}" "$py" "$bench/torch_mlp.py" --threads "$tthreads" --hidden "$w,$w" --batch "$b" \
        --samples "$n" --epochs "$epochs" --json "$dir/r$r-w$w-b$b-torch.json" > "$dir/r$r-w$w-b$b-torch.log" 2>&1 \
        || { tail -5 "$dir/r$r-w$w-b$b-torch.log" >&2; exit 1; }
    done
  done
done
log "rounds done in $((SECONDS - t_start)) s"
"$py" "$bench/plot_cost_curve.py" "$dir"
