#!/usr/bin/env bash
# clprop against its peers on this machine, in one run: N rounds (default 3), each running in turn
#   (a) clprop bench (training throughput + matrix-multiply GFLOP/s on clprop's OpenCL device),
#   (b) the same training workload in PyTorch on the CPU (bench/torch_mlp.py) in its fastest thread setting,
#   (c) torch.mm GFLOP/s (OpenBLAS) for clprop's matrix shapes,
#   (d) CLBlast SGEMM GFLOP/s on the same OpenCL device for the same shapes,
# so that the peers share the machine's noisy moments.  Every JSON goes to bench/results/<timestamp>/; the
# end prints medians across rounds and clprop's ratios to the peers (bench/summarize.py, also summary.txt).
#
#   bench/compare.sh                          # 3 rounds at batch 128 (about 2.5 minutes on 2 cores)
#   bench/compare.sh --rounds 5 --batches 128,32,512
#   bench/compare.sh --skip-search            # PyTorch in the setting the searches here found fastest:
#                                             # "threads=1 openblas=2 coretype=unset malloc=tcmalloc"
#   bench/compare.sh --torch-setting "threads=1 openblas=2 coretype=unset malloc=mmap"   # a given setting
#   bench/compare.sh --workload cnn           # the reference CNN (Adam): clprop bench --workload cnn against
#                                             # bench/torch_cnn.py; no matrix-multiply peers (c), (d)
#   bench/compare.sh --workload cnn --samples 12800   # both trainers on 100 batches of 128 per epoch
#   bench/compare.sh --workload cnn --torch-setting "threads=2 openblas=1 mkldnn=off coretype=unset aten=default malloc=tcmalloc"
#                                             # cnn: the setting an earlier search printed, without searching
#
# Options: --workload mlp|cnn (default mlp); --rounds N; --batches B[,B…] (the headline batch, which also
# sets the matrix shapes, is 128 if listed, else the first); --epochs E (timed epochs of both trainers,
# default 2 for mlp and 1 for cnn, after one warm-up each); --skip-search (cnn: "threads=2 openblas=1
# mkldnn=off coretype=unset aten=default malloc=tcmalloc"); --out DIR (instead of
# bench/results/<timestamp>); --samples N (cnn only: each epoch of both trainers is its first N samples —
# clprop bench --samples N, torch_cnn.py --steps N/B with a warm-up of 20 steps).
# Environment: CLPROP_CL_PLATFORM / CLPROP_CL_DEVICE pick CLBlast's device (default 0 / 0); CLPROP_DEVICE
# is clprop's --device (default opencl, i.e. `clprop devices` index 0): keep the two on the same device.
# Needs /usr/bin/python3 with torch (python3-torch), libclblast-dev, an OpenCL ICD, gcc, a JDK and Maven
# (the jar is built if target/clprop.jar is missing).
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$bench/.." && pwd)"
py=/usr/bin/python3

workload=mlp; rounds=3; batches=128; epochs=""; skip_search=0; out=""; samples=""; given_setting=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --batches) batches="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --skip-search) skip_search=1; shift ;;
    --torch-setting) given_setting="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --workload) workload="$2"; shift 2 ;;
    --samples) samples="$2"; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$workload" in
  mlp) epochs="${epochs:-2}" ;;
  cnn) epochs="${epochs:-1}" ;;
  *) echo "compare.sh: --workload is mlp or cnn" >&2; exit 2 ;;
esac
[ -z "$samples" ] || [[ "$samples" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: --samples must be a positive integer" >&2; exit 2; }
[ -z "$samples" ] || [ "$workload" = cnn ] || { echo "compare.sh: --samples applies to --workload cnn" >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: --rounds must be a positive integer" >&2; exit 2; }
[[ "$epochs" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: --epochs must be a positive integer" >&2; exit 2; }
[[ "$batches" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "compare.sh: --batches wants B[,B…]" >&2; exit 2; }
IFS=, read -r -a batch_list <<< "$batches"
# The headline batch (clprop bench's first, which also sets the matrix shapes) is 128 when listed, else the
# first one given; clprop gets it first.
head_batch="${batch_list[0]}"
for b in "${batch_list[@]}"; do [ "$b" = 128 ] && head_batch=128; done
ordered=("$head_batch")
for b in "${batch_list[@]}"; do [ "$b" = "$head_batch" ] || ordered+=("$b"); done
batch_list=("${ordered[@]}")
batches="$(IFS=,; echo "${batch_list[*]}")"

log() { printf '[compare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- prerequisites -----------------------------------------------------------------------------------
"$py" -c 'import torch, numpy' 2>/dev/null \
  || { echo "compare.sh: $py cannot import torch/numpy (apt-get install python3-torch)" >&2; exit 2; }
source "$bench/require_openblas.sh"
require_openblas compare.sh
[ "$workload" = cnn ] || [ -f /usr/include/clblast_c.h ] || { echo "compare.sh: clblast_c.h missing (apt-get install libclblast-dev)" >&2; exit 2; }

jar="$root/target/clprop.jar"
# clprop's JVM runs as bin/clprop starts it (bin/lib/deps.sh: libjsig, transparent huge pages); the
# environment the peers see is left as it was.
source "$root/bin/lib/deps.sh"
if [ ! -f "$jar" ]; then
  log "building $jar"
  (cd "$root" && mvn -q -B -DskipTests package)
fi

mkdir -p "$bench/build"
cb="$bench/build/clblast_sgemm"
if [ "$workload" = mlp ] && { [ ! -x "$cb" ] || [ "$bench/clblast_sgemm.c" -nt "$cb" ]; }; then
  log "compiling $cb"
  gcc -O2 -Wall -o "$cb" "$bench/clblast_sgemm.c" -lclblast -lOpenCL
fi

stamp="$(date +%Y%m%d-%H%M%S)"
dir="${out:-$bench/results/$stamp}"
mkdir -p "$dir"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

# A private copy of the jar, so that a concurrent `mvn package` cannot change clprop between rounds.
snapshot_jar() {
  cp "$jar" "$work/clprop.jar.tmp" && mv "$work/clprop.jar.tmp" "$work/clprop.jar"
}
snapshot_jar

# --- PyTorch's setting ------------------------------------------------------------------------------
# A line of key=value words (bench/peer_setting.sh): threads, OPENBLAS_NUM_THREADS, OpenBLAS's kernel
# choice (coretype), the allocator (malloc) and, for the cnn, oneDNN convolutions and ATen's kernel set.
source "$bench/peer_setting.sh"
if [ "$skip_search" = 1 ]; then
  # The fastest settings of the searches so far on this machine.
  if [ "$workload" = cnn ]; then setting="threads=2 openblas=1 mkldnn=off coretype=unset aten=default malloc=tcmalloc"
  else setting="threads=1 openblas=2 coretype=unset malloc=tcmalloc"; fi
  source_note="--skip-search default"
elif [ -n "$given_setting" ]; then
  setting="$given_setting"; source_note="given by --torch-setting"
else
  log "searching PyTorch's setting (bench/find_torch_setting.sh --workload $workload; the cnn's takes about 30 minutes)"
  setting="$("$bench/find_torch_setting.sh" --workload "$workload" --batch 128 --json "$dir/torch-setting.json")"
  source_note="fastest of bench/find_torch_setting.sh"
fi
peer_env_from "$setting"
torch_env=("${PEER_ENV[@]}")
tthreads="$(setting_value "$setting" threads 1)"; oblas="$(setting_value "$setting" openblas 2)"
coretype="$(setting_value "$setting" coretype inherit)"; malloc="$(setting_value "$setting" malloc glibc)"
mkldnn="$(setting_value "$setting" mkldnn off)"; aten="$(setting_value "$setting" aten default)"
log "PyTorch setting: $setting ($source_note)"

# clprop's matrix shapes at the headline batch (Bench.referenceShapes), as M N K triples.
B="$head_batch"
shapes=("$B" 256 784  "$B" 128 256  "$B" 10 128  256 784 "$B"  128 256 "$B"  10 128 "$B"
        "$B" 256 128  "$B" 128 10  1024 1024 1024)
torch_shapes=""
for ((i = 0; i < ${#shapes[@]}; i += 3)); do
  torch_shapes+="${torch_shapes:+,}${shapes[i]}x${shapes[i+1]}x${shapes[i+2]}"
done

"$py" - "$dir/meta.json" <<EOF
import json, os, platform, subprocess, sys, hashlib, torch
def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, cwd="$root").stdout.strip()
    except Exception:
        return None
meta = {
    "timestamp": "$stamp", "workload": "$workload", "rounds": $rounds, "batches": [int(b) for b in "$batches".split(",")],
    "epochs": $epochs, "samples": ${samples:-None}, "host": platform.node(), "cpus": os.cpu_count(), "cpu": sh("lscpu | sed -n 's/^Model name: *//p'"),
    "torch_version": torch.__version__,
    "torch_setting": {"setting": "$setting", "threads": $tthreads, "openblas_threads": $oblas, "omp_threads": $tthreads,
                      "coretype": "$coretype", "malloc": "$malloc", "source": "$source_note",
                      "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE") if "$coretype" == "inherit" else None,
                      "openblas_l2_size": os.environ.get("OPENBLAS_L2_SIZE") if "$coretype" == "inherit" else None},
    "shapes": "$torch_shapes" if "$workload" == "mlp" else None,
    "clprop_jar_sha256": hashlib.sha256(open("$work/clprop.jar", "rb").read()).hexdigest(),
    "clprop_git_head": sh("git rev-parse HEAD"), "clprop_git_dirty": bool(sh("git status --porcelain -- src kernels pom.xml")),
    "clprop_device": os.environ.get("CLPROP_DEVICE", "opencl"),
    "cl_platform": os.environ.get("CLPROP_CL_PLATFORM", "0"), "cl_device": os.environ.get("CLPROP_CL_DEVICE", "0"),
}
if "$workload" == "cnn":
    meta["torch_setting"].update({"mkldnn": "$mkldnn", "aten": "$aten"})
# clprop's gemm tuning cache (clprop tune), if any: it changes clprop's kernels, so it belongs to the record
cache = os.path.join(os.environ.get("CLPROP_CACHE_DIR") or os.path.expanduser("~/.cache/clprop"), "gemm-tuning.json")
try:
    meta["clprop_tuning_cache"] = json.load(open(cache))
except Exception:
    meta["clprop_tuning_cache"] = None
json.dump(meta, open(sys.argv[1], "w"), indent=2)
EOF

run_clprop() {  # $1 = output JSON; retries when a concurrent rebuild broke the jar
  local tries=0
  local wl=(); [ "$workload" = mlp ] || wl=(--workload "$workload")
  [ -z "$samples" ] || wl+=(--samples "$samples")
  until LD_PRELOAD="$(jvm_preload)" GLIBC_TUNABLES="$(jvm_glibc_tunables)" java $(jvm_memory_options) -jar "$work/clprop.jar" bench --device "${CLPROP_DEVICE:-opencl}" "${wl[@]}" --batches "$batches" \
        --epochs "$epochs" --no-profile --json "$1" > "${1%.json}.log" 2>&1; do
    tries=$((tries + 1))
    tail -5 "${1%.json}.log" >&2
    if [ "$tries" -ge 3 ]; then echo "compare.sh: clprop bench failed $tries times" >&2; return 1; fi
    log "clprop bench failed; retrying in 60 s with a fresh copy of the jar"
    sleep 60
    snapshot_jar
  done
}

# --- the rounds --------------------------------------------------------------------------------------
wl_note=""; peer_note=""
[ "$workload" = mlp ] || { wl_note=" --workload $workload"; peer_note=" ($workload)"; }
t_start=$SECONDS
for ((r = 1; r <= rounds; r++)); do
  log "round $r/$rounds: clprop bench$wl_note --batches $batches --epochs $epochs"
  run_clprop "$dir/r$r-clprop.json"
  for b in "${batch_list[@]}"; do
    log "round $r/$rounds: pytorch training$peer_note, batch $b"
    if [ "$workload" = mlp ]; then
      peer=("$bench/torch_mlp.py" --threads "$tthreads")
    else
      peer=("$bench/torch_cnn.py" --threads "$tthreads" --mkldnn "$mkldnn")
      [ -z "$samples" ] || peer+=(--steps $((samples / b > 0 ? samples / b : 1)) --warmup-steps 20)
    fi
    "${torch_env[@]}" "$py" "${peer[@]}" --batch "$b" --epochs "$epochs" \
      --json "$dir/r$r-torch-b$b.json" > "$dir/r$r-torch-b$b.log" 2>&1 \
      || { cat "$dir/r$r-torch-b$b.log" >&2; exit 1; }
  done
  [ "$workload" = mlp ] || continue  # the matrix-multiply peers time the MLP's shapes
  log "round $r/$rounds: torch.mm"
  "${torch_env[@]}" "$py" "$bench/torch_mlp.py" --threads "$tthreads" --gemm --shapes "$torch_shapes" \
    --json "$dir/r$r-torch-gemm.json" > "$dir/r$r-torch-gemm.log" 2>&1 \
    || { cat "$dir/r$r-torch-gemm.log" >&2; exit 1; }
  log "round $r/$rounds: CLBlast SGEMM"
  "$cb" --json "$dir/r$r-clblast.json" "${shapes[@]}" > "$dir/r$r-clblast.log" 2>&1 \
    || { cat "$dir/r$r-clblast.log" >&2; exit 1; }
done
log "rounds done in $((SECONDS - t_start)) s; results in $dir"
echo
"$py" "$bench/summarize.py" "$dir"
