# Sourced by the PyTorch peer's scripts: one setting of the peer as a line of key=value words, as
# bench/find_torch_setting.sh prints it, e.g. "threads=1 openblas=2 coretype=unset malloc=tcmalloc", and the
# environment its command runs in.
#   threads   torch.set_num_threads (pass it as --threads) and OMP_NUM_THREADS
#   openblas  OPENBLAS_NUM_THREADS
#   coretype  inherit: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE as in the environment; unset: both removed, so
#             OpenBLAS picks its kernel for this CPU itself
#   aten      default: ATEN_CPU_CAPABILITY unset; avx2 / avx512: set to that
#   mkldnn    on / off: oneDNN convolutions (torch_cnn.py --mkldnn; no variable)
#   malloc    glibc: the C library's malloc as configured; tcmalloc: libtcmalloc_minimal preloaded (PyTorch's
#             CPU performance guide recommends it or jemalloc); mmap: glibc with a fixed 32 MiB mmap
#             threshold and no trimming. glibc returns every freed block of 128 KiB or more to the kernel
#             and maps it again at the next step; on this kind of machine page faults are slow (a 188 MB
#             buffer took 0.56 s to touch), and the reference MLP's epochs ran at 39-50k samples/s with
#             glibc's default against 68-98k with the other two (BENCHMARKS.md).
# Only the peer's command gets this environment: never tests or CI.

# The value of KEY in SETTING, or DEFAULT.
setting_value() { # setting key default
  local v; v="$(tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p" | tail -1)"
  echo "${v:-$3}"
}

TCMALLOC_LIB=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4

# Fills PEER_ENV with `env …` for SETTING; exits 2 on a value it does not know.
peer_env_from() { # setting
  local t b c a m
  t="$(setting_value "$1" threads 1)"; b="$(setting_value "$1" openblas 2)"
  c="$(setting_value "$1" coretype inherit)"; a="$(setting_value "$1" aten default)"
  m="$(setting_value "$1" malloc glibc)"
  [[ "$t" =~ ^[1-9][0-9]*$ && "$b" =~ ^[1-9][0-9]*$ ]] || { echo "peer setting '$1': threads and openblas are counts" >&2; exit 2; }
  # env's options (-u) come before its assignments
  local unsets=() sets=(OMP_NUM_THREADS="$t" OPENBLAS_NUM_THREADS="$b")
  case "$c" in
    inherit) ;;
    unset) unsets+=(-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE) ;;
    *) echo "peer setting '$1': coretype is inherit or unset" >&2; exit 2 ;;
  esac
  case "$a" in
    default) unsets+=(-u ATEN_CPU_CAPABILITY) ;;
    avx2|avx512) sets+=(ATEN_CPU_CAPABILITY="$a") ;;
    *) echo "peer setting '$1': aten is default, avx2 or avx512" >&2; exit 2 ;;
  esac
  case "$m" in
    glibc) ;;
    tcmalloc)
      [ -f "$TCMALLOC_LIB" ] || { echo "peer setting '$1': $TCMALLOC_LIB missing (apt-get install libgoogle-perftools4)" >&2; exit 2; }
      sets+=(LD_PRELOAD="$TCMALLOC_LIB${LD_PRELOAD:+:$LD_PRELOAD}") ;;
    mmap) sets+=(GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456") ;;
    *) echo "peer setting '$1': malloc is glibc, tcmalloc or mmap" >&2; exit 2 ;;
  esac
  PEER_ENV=(env "${unsets[@]}" "${sets[@]}")
}

# As root with apt-get, installs tcmalloc when it is missing, so that the search can try it.
require_tcmalloc() { # script-name
  [ -f "$TCMALLOC_LIB" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "$1: $TCMALLOC_LIB missing; installing libgoogle-perftools4" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgoogle-perftools4 >&2 && [ -f "$TCMALLOC_LIB" ] && return 0
  fi
  echo "$1: $TCMALLOC_LIB missing and not installable here: the search leaves malloc=tcmalloc out" >&2
  return 1
}
