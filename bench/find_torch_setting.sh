#!/usr/bin/env bash
# Finds the fastest setting of the PyTorch peer on this machine: every combination of
#   threads    torch threads (torch.set_num_threads, OMP_NUM_THREADS the same), --values (default 1,2)
#   openblas   OPENBLAS_NUM_THREADS, --values
#   coretype   OpenBLAS's kernel choice, --coretype (default inherit,unset): "inherit" runs with the
#              environment's OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, "unset" removes both so that OpenBLAS
#              picks its kernel for the CPU itself; "inherit" is dropped when neither is set
#   malloc     --malloc (default glibc,tcmalloc,mmap): see bench/peer_setting.sh
#   mkldnn     cnn only, oneDNN convolutions, --mkldnn (default on,off)
#   aten       cnn only, ATEN_CPU_CAPABILITY, --aten (default "default": unset; also avx2, avx512)
# each tried once in each of --passes alternating passes (default 3), so that a noisy moment does not
# favour one setting. The environment changes are made for the peer's command alone.
#
# --workload mlp (default): one warm-up and one timed epoch of bench/torch_mlp.py at --batch (128); the best
# epoch of a setting counts (noise on this machine only ever slows a run).
# --workload cnn: bench/torch_cnn.py (the reference CNN, Adam), --warmup-steps (10) then --steps (50) timed
# steps; the median of the passes counts.
# Prints the table (with the OpenBLAS kernel threadpoolctl saw) on stderr and the winner on stdout, as
# bench/peer_setting.sh reads it: `threads=T openblas=B coretype=C malloc=M` (cnn: with mkldnn= and aten=).
#
#   bench/find_torch_setting.sh
#   bench/find_torch_setting.sh --export        # `export OMP_NUM_THREADS=…` lines instead (TORCH_THREADS=… is
#                                               # the --threads to pass; malloc as LD_PRELOAD/GLIBC_TUNABLES)
#   bench/find_torch_setting.sh --values 1,2,4 --batch 128 --passes 2 --json FILE
#   bench/find_torch_setting.sh --workload cnn --mkldnn off --coretype unset --malloc glibc,tcmalloc
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py=/usr/bin/python3
source "$here/require_openblas.sh"
source "$here/peer_setting.sh"
require_openblas find_torch_setting.sh
workload=mlp; values="1,2"; batch=128; passes=3; export_fmt=0; json=""
mkldnn="on,off"; coretype="inherit,unset"; aten="default"; malloc="glibc,tcmalloc,mmap"; steps=50; warmup=10
while [ $# -gt 0 ]; do
  case "$1" in
    --workload) workload="$2"; shift 2 ;;
    --values) values="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --passes) passes="$2"; shift 2 ;;
    --export) export_fmt=1; shift ;;
    --json) json="$2"; shift 2 ;;
    --mkldnn) mkldnn="$2"; shift 2 ;;
    --coretype) coretype="$2"; shift 2 ;;
    --aten) aten="$2"; shift 2 ;;
    --malloc) malloc="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --warmup-steps) warmup="$2"; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "find_torch_setting.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$workload" =~ ^(mlp|cnn)$ ]] || { echo "find_torch_setting.sh: --workload is mlp or cnn" >&2; exit 2; }
[[ "$passes" =~ ^[1-9][0-9]*$ ]] || { echo "find_torch_setting.sh: --passes must be a positive integer" >&2; exit 2; }
IFS=, read -r -a vals <<< "$values"
IFS=, read -r -a cts <<< "$coretype"
IFS=, read -r -a mls <<< "$malloc"
if [ "$workload" = cnn ]; then IFS=, read -r -a mks <<< "$mkldnn"; IFS=, read -r -a ats <<< "$aten"; else mks=(-); ats=(-); fi
if [ -z "${OPENBLAS_CORETYPE+x}${OPENBLAS_L2_SIZE+x}" ]; then
  kept=(); for c in "${cts[@]}"; do [ "$c" = inherit ] || kept+=("$c"); done
  [ ${#kept[@]} -gt 0 ] || kept=(unset)
  cts=("${kept[@]}")
fi
if [[ " ${mls[*]} " == *" tcmalloc "* ]] && ! require_tcmalloc find_torch_setting.sh; then
  kept=(); for m in "${mls[@]}"; do [ "$m" = tcmalloc ] || kept+=("$m"); done
  mls=("${kept[@]}")
fi

# Every setting as a line of key=value words.
settings=()
for t in "${vals[@]}"; do for b in "${vals[@]}"; do for c in "${cts[@]}"; do for m in "${mls[@]}"; do
  for k in "${mks[@]}"; do for a in "${ats[@]}"; do
    s="threads=$t openblas=$b"
    [ "$workload" = cnn ] && s+=" mkldnn=$k"
    s+=" coretype=$c"
    [ "$workload" = cnn ] && s+=" aten=$a"
    settings+=("$s malloc=$m")
  done; done
done; done; done; done
for k in "${mks[@]}"; do [[ "$k" =~ ^(on|off|-)$ ]] || { echo "find_torch_setting.sh: --mkldnn wants on,off" >&2; exit 2; }; done
for s in "${settings[@]}"; do peer_env_from "$s"; done  # refuse a bad value before any run
{
  echo "environment: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-<unset>} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE-<unset>}"
  echo "${#settings[@]} settings x $passes passes ($workload, batch $batch)"
} >&2

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for ((p = 1; p <= passes; p++)); do
  for i in "${!settings[@]}"; do
    s="${settings[$i]}"
    peer_env_from "$s"
    t="$(setting_value "$s" threads 1)"
    out="$tmp/s${i}_p${p}.json"
    if [ "$workload" = mlp ]; then
      cmd=("$here/torch_mlp.py" --threads "$t" --batch "$batch" --epochs 1)
    else
      cmd=("$here/torch_cnn.py" --threads "$t" --mkldnn "$(setting_value "$s" mkldnn on)" --batch "$batch"
           --warmup-steps "$warmup" --steps "$steps" --epochs 1 --no-test)
    fi
    if ! "${PEER_ENV[@]}" "$py" "${cmd[@]}" --json "$out" > "$tmp/log" 2>&1; then
      cat "$tmp/log" >&2; echo "find_torch_setting.sh: the peer failed with $s" >&2; exit 1
    fi
    printf '  pass %d  %-62s %8.0f samples/s  (load %s)\n' "$p" "$s" \
      "$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["samples_per_sec"])' "$out")" \
      "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo ?)" >&2
  done
done
printf '%s\n' "${settings[@]}" > "$tmp/settings.txt"

"$py" - "$tmp" "$workload" "$export_fmt" "$json" "${OPENBLAS_CORETYPE-}" "${OPENBLAS_L2_SIZE-}" "$TCMALLOC_LIB" <<'EOF'
import glob, json, os, re, statistics, sys
tmp, workload, export_fmt, out, env_core, env_l2, tcmalloc = sys.argv[1:8]
settings = open(os.path.join(tmp, "settings.txt")).read().splitlines()
runs, kernel = {}, {}
for f in glob.glob(os.path.join(tmp, "s*_p*.json")):
    i = int(re.match(r"s(\d+)_p\d+\.json", os.path.basename(f)).group(1))
    d = json.load(open(f))
    runs.setdefault(i, []).append(d["samples_per_sec"])
    kernel[i] = ",".join(str(x["architecture"]) for x in d.get("blas") or [] if x["library"] == "openblas") or "?"
pick = max if workload == "mlp" else statistics.median
rows = sorted(((i, pick(v), min(v), max(v), v) for i, v in runs.items()), key=lambda r: -r[1])
print(f"{'setting':<62}  {'OpenBLAS kernel':>15}  samples/s {'best' if workload == 'mlp' else 'median'} "
      "(min-max, passes)", file=sys.stderr)
for i, val, lo, hi, v in rows:
    print(f"{settings[i]:<62}  {kernel[i]:>15}  {val:14.0f} ({lo:.0f}-{hi:.0f}, {len(v)})", file=sys.stderr)
win = settings[rows[0][0]]
kv = dict(w.split("=", 1) for w in win.split())
if out:
    json.dump({"workload": workload, "setting": win, **kv, "openblas_kernel": kernel[rows[0][0]],
               "openblas_coretype": env_core if kv["coretype"] == "inherit" else None,
               "openblas_l2_size": env_l2 if kv["coretype"] == "inherit" else None,
               "samples_per_sec": rows[0][1],
               "all": [{"setting": settings[i], "openblas_kernel": kernel[i], "samples_per_sec": val, "min": lo,
                        "max": hi, "passes": v} for i, val, lo, hi, v in rows]}, open(out, "w"), indent=2)
if export_fmt == "1":
    print(f"export OMP_NUM_THREADS={kv['threads']}\nexport OPENBLAS_NUM_THREADS={kv['openblas']}\n"
          f"export TORCH_THREADS={kv['threads']}")
    if kv.get("mkldnn"):
        print(f"export TORCH_MKLDNN={kv['mkldnn']}")
    if kv["coretype"] == "unset":
        print("unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE")
    if kv.get("aten"):
        print("unset ATEN_CPU_CAPABILITY" if kv["aten"] == "default" else f"export ATEN_CPU_CAPABILITY={kv['aten']}")
    if kv["malloc"] == "tcmalloc":
        print(f"export LD_PRELOAD={tcmalloc}")
    elif kv["malloc"] == "mmap":
        print("export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456")
else:
    print(win)
EOF
