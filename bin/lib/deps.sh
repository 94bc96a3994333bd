# Shared by bin/clprop and bin/test: make sure the OpenCL stack, the data set and a current jar are here.
# Sourced, not run. On a fresh Debian machine as root, missing packages are installed with apt-get;
# otherwise the exact command is printed and the caller exits with status 2.

CLPROP_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLPROP_JAR="$CLPROP_HOME/target/clprop.jar"
OPENCL_PACKAGES=(ocl-icd-libopencl1 ocl-icd-opencl-dev pocl-opencl-icd)
DATA_PACKAGE=dataset-fashion-mnist
DATA_DIR=/usr/share/datasets/fashion-mnist

# PoCL compiles kernels with LLVM; keep its binaries between runs.
export POCL_CACHE_DIR="${POCL_CACHE_DIR:-$HOME/.cache/clprop/pocl}"
mkdir -p "$POCL_CACHE_DIR" 2>/dev/null || true

# LD_PRELOAD for running clprop's JVM: HotSpot's signal chaining (libjsig). PoCL's LLVM replaces the JVM's
# SIGSEGV handler while it compiles a kernel, and the JVM, which raises SIGSEGV itself (safepoint polls,
# null checks), then dies at random with "Segmentation fault". With libjsig preloaded the JVM keeps its
# handler and chains LLVM's behind it. Prints the current LD_PRELOAD unchanged if there is no libjsig.
jvm_preload() {
  local java_bin jsig
  java_bin="$(readlink -f "$(command -v java 2>/dev/null)" 2>/dev/null || true)"
  jsig="${java_bin%/bin/java}/lib/libjsig.so"
  if [ -n "$java_bin" ] && [ -f "$jsig" ] && [[ ":${LD_PRELOAD:-}:" != *":$jsig:"* ]]; then
    echo "$jsig${LD_PRELOAD:+:$LD_PRELOAD}"
  else
    echo "${LD_PRELOAD:-}"
  fi
}

apt_updated=0
install_packages() { # what-is-missing package...
  local what="$1"; shift
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "clprop: $what missing; installing: $*" >&2
    if [ "$apt_updated" = 0 ]; then
      apt-get update -qq >&2 || { echo "clprop: apt-get update failed" >&2; exit 2; }
      apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 \
      || { echo "clprop: apt-get install $* failed" >&2; exit 2; }
  else
    echo "clprop: $what missing; install it with: sudo apt-get install -y $*" >&2
    exit 2
  fi
}

# JOCL loads the unversioned libOpenCL.so; the ICD loader then needs at least one vendor driver.
opencl_present() {
  ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so ' || return 1
  [ -n "${OCL_ICD_FILENAMES:-}" ] && return 0
  ls "${OCL_ICD_VENDORS:-/etc/OpenCL/vendors}"/*.icd >/dev/null 2>&1
}

ensure_opencl() {
  opencl_present || install_packages "an OpenCL loader or platform" "${OPENCL_PACKAGES[@]}"
}

ensure_data() {
  [ -d "$DATA_DIR" ] || install_packages "the Fashion-MNIST data set ($DATA_DIR)" "$DATA_PACKAGE"
}

# Rebuilds target/clprop.jar when it is missing or older than any source, kernel or the pom.
ensure_jar() {
  if [ ! -f "$CLPROP_JAR" ] || [ -n "$(find "$CLPROP_HOME/src/main" "$CLPROP_HOME/kernels" "$CLPROP_HOME/pom.xml" \
        -newer "$CLPROP_JAR" -print -quit 2>/dev/null)" ]; then
    command -v mvn >/dev/null 2>&1 || { echo "clprop: Maven (mvn) is needed to build; apt-get install -y maven" >&2; exit 2; }
    echo "clprop: building $CLPROP_JAR ..." >&2
    (cd "$CLPROP_HOME" && mvn -q -B -Dstyle.color=never -DskipTests package >&2) || { echo "clprop: build failed" >&2; exit 2; }
  fi
}
