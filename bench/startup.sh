#!/usr/bin/env bash
# Start-up time: JVM start to the first training step done, as `clprop bench` reports it (its "startup"
# line), for the reference MLP on PoCL, started as bin/clprop starts it. Cold: each run with an empty PoCL
# kernel cache (a fresh POCL_CACHE_DIR, so PoCL compiles every program and work-group function, as on a
# fresh machine); warm: each run with the cache the cold runs left. Prints every run and the medians.
#
#   bench/startup.sh              # 5 cold and 5 warm runs, cold and warm alternating
#   bench/startup.sh --runs 3 --json FILE
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$bench/.." && pwd)"
runs=5; json=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --json) json="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "startup.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "startup.sh: --runs must be a positive integer" >&2; exit 2; }
source "$root/bin/lib/deps.sh"
[ -f "$CLPROP_JAR" ] || (cd "$root" && mvn -q -B -DskipTests package)
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cp "$CLPROP_JAR" "$work/clprop.jar"
one() {  # cache-dir label
  LD_PRELOAD="$(jvm_preload)" GLIBC_TUNABLES="$(jvm_glibc_tunables)" POCL_CACHE_DIR="$1" java $(jvm_memory_options) -jar "$work/clprop.jar" bench \
    --batches 128 --epochs 1 --no-gemm --no-profile --json "$work/$2.json" > "$work/$2.log" 2>&1 \
    || { tail -5 "$work/$2.log" >&2; exit 1; }
  printf '%-5s %s\n' "$2" "$(grep '^startup' "$work/$2.log")" >&2
}
for ((r = 1; r <= runs; r++)); do
  cache="$work/pocl-$r"
  one "$cache" "cold$r"
  one "$cache" "warm$r"
done
/usr/bin/python3 - "$work" "$runs" "$json" <<'PY'
import json, statistics, sys
work, runs, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
res = {}
for kind in ("cold", "warm"):
    rows = [json.load(open(f"{work}/{kind}{r}.json")) for r in range(1, runs + 1)]
    res[kind] = {k: statistics.median(r[k] for r in rows) for k in
                 ("startup_ms", "data_load_ms", "backend_open_ms", "data_and_backend_ms", "first_step_ms")}
    res[kind]["runs_ms"] = [r["startup_ms"] for r in rows]
    m = res[kind]
    print(f"{kind}: JVM start to first step {m['startup_ms']:.0f} ms median of {runs} "
          f"({', '.join(f'{v:.0f}' for v in m['runs_ms'])}); data {m['data_load_ms']:.0f} ms while backend and "
          f"kernels {m['backend_open_ms']:.0f} ms, first step {m['first_step_ms']:.0f} ms")
if out:
    json.dump(res, open(out, "w"), indent=2)
PY
