# Sourced by the PyTorch peer's scripts. Debian's python3-torch calls whatever libblas.so.3 the alternatives
# system selects, and on a fresh machine that is the reference BLAS (libblas3: naive loops, tens of times
# slower than OpenBLAS), so a peer measured on it is handicapped. As root, OpenBLAS (libopenblas0-pthread) is
# installed and selected by its package; otherwise the script refuses to measure.
require_openblas() { # script-name
  local blas
  blas="$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^Value: //p')"
  case "$blas" in *openblas*) return 0 ;; esac
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "$1: libblas.so.3 is ${blas:-missing}, the reference BLAS; installing libopenblas0-pthread" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas0-pthread >&2 \
      || { echo "$1: apt-get install libopenblas0-pthread failed" >&2; exit 2; }
    blas="$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^Value: //p')"
    case "$blas" in *openblas*) return 0 ;; esac
  fi
  echo "$1: PyTorch would run on ${blas:-no BLAS} (the reference BLAS), not OpenBLAS: a handicapped peer." >&2
  echo "$1: install it with: sudo apt-get install -y libopenblas0-pthread" >&2
  exit 2
}
