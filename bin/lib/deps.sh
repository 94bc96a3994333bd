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

# Memory for clprop's JVM and its OpenCL buffers in transparent huge pages, where the kernel offers them
# on request ("madvise"). A first touch of a 4 KiB page is slow on virtual machines: reading
# Fashion-MNIST into new Java arrays took 1.3 s, and allocating its 188 MB device buffer on PoCL 0.56 s, most
# of it page faults; with huge pages 0.35 s and 0.36 s (BENCHMARKS.md, "Start-up"). HotSpot asks for them
# with -XX:+UseTransparentHugePages, glibc's malloc (which PoCL's buffers come from) with the hugetlb
# tunable (glibc 2.35+; older ones ignore it).
jvm_memory_options() {
  local thp=/sys/kernel/mm/transparent_hugepage/enabled
  if [ -r "$thp" ] && grep -qE '\[(always|madvise)\]' "$thp"; then
    echo "-XX:+UseTransparentHugePages"
  fi
}
# GLIBC_TUNABLES for clprop's JVM alone (set on its command, not exported: the bench scripts' peers run
# from the same shell with the environment as it was).
jvm_glibc_tunables() {
  case ":${GLIBC_TUNABLES:-}:" in
    *glibc.malloc.hugetlb=*) echo "$GLIBC_TUNABLES" ;;
    *) echo "${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" ;;
  esac
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
  # grep reads the whole list (no -q): with pipefail, grep -q exiting at the first match can leave ldconfig
  # killed by SIGPIPE and the pipeline failing, at random, when the library is there.
  ldconfig -p 2>/dev/null | grep 'libOpenCL\.so ' >/dev/null || return 1
  [ -n "${OCL_ICD_FILENAMES:-}" ] && return 0
  ls "${OCL_ICD_VENDORS:-/etc/OpenCL/vendors}"/*.icd >/dev/null 2>&1
}

ensure_opencl() {
  opencl_present || install_packages "an OpenCL loader or platform" "${OPENCL_PACKAGES[@]}"
}

# A second OpenCL driver for bin/test: Mesa's rusticl on llvmpipe, which compiles kernels with another
# compiler than PoCL (Mesa's SPIR-V → NIR → LLVM path). mesa-opencl-icd depends on libclc-15 (OpenCL C's
# built-ins as SPIR-V, in /usr/lib/clc, where rusticl looks: "Libclc failed to load" otherwise) and
# libllvmspirvlib15; they are named here so that a changed dependency shows in the install line. The package
# also registers Mesa's Clover. Installing it does not move a user's default device: rusticl shows no device
# unless RUSTICL_ENABLE names a driver (bin/test sets RUSTICL_ENABLE=llvmpipe for its own pass only), and
# Clover none on a machine without a GPU it drives, so PoCL stays opencl:0.
RUSTICL_PACKAGES=(mesa-opencl-icd libclc-15 libllvmspirvlib15)
RUSTICL_LIBRARY=libRusticlOpenCL.so.1
RUSTICL_LIBCLC=/usr/lib/clc/spirv64-mesa3d-.spv

rusticl_present() {
  ldconfig -p 2>/dev/null | grep "$RUSTICL_LIBRARY " >/dev/null && [ -f "$RUSTICL_LIBCLC" ]
}

# Installs rusticl if missing. As root (or in CI, where not being root is then a failure) it installs or
# exits 2; otherwise it prints the install line and returns 1, and the caller leaves the pass out.
ensure_rusticl() {
  rusticl_present && return 0
  if [ "$(id -u)" = 0 ] || [ "${CI:-}" = true ]; then
    install_packages "Mesa's rusticl (the second OpenCL driver the tests run on)" "${RUSTICL_PACKAGES[@]}"
    rusticl_present || { echo "clprop: ${RUSTICL_PACKAGES[*]} installed but $RUSTICL_LIBRARY or $RUSTICL_LIBCLC is missing" >&2; exit 2; }
    return 0
  fi
  echo "clprop: Mesa's rusticl missing; install it with: sudo apt-get install -y ${RUSTICL_PACKAGES[*]}" >&2
  return 1
}

# Prints a folder whose only vendor file is rusticl's: OCL_ICD_VENDORS=that folder makes rusticl the one
# OpenCL platform of a process, so its devices are opencl:0.. whatever else is installed.
rusticl_vendors() {
  local dir="$CLPROP_HOME/target/rusticl-vendors"
  mkdir -p "$dir" && echo "$RUSTICL_LIBRARY" > "$dir/rusticl.icd" && echo "$dir"
}

# The ONNX project's validator for the files `clprop export` writes (OnnxCheckerTest): Debian's python3-onnx,
# for the system's python3 (about 5 s to install).
ensure_onnx_checker() {
  /usr/bin/python3 -c 'import onnx' >/dev/null 2>&1 || install_packages "python3-onnx (the ONNX checker the tests use)" python3-onnx
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

# The class path of Spark's jars (clprop's provided dependencies, from Maven), for running the cluster entry
# point without a Spark installation; kept in target/ and rebuilt when pom.xml changes.
SPARK_CLASSPATH_FILE="$CLPROP_HOME/target/spark-classpath.txt"
ensure_spark_classpath() {
  if [ ! -s "$SPARK_CLASSPATH_FILE" ] || [ "$CLPROP_HOME/pom.xml" -nt "$SPARK_CLASSPATH_FILE" ]; then
    echo "clprop: resolving Spark's jars with Maven ..." >&2
    (cd "$CLPROP_HOME" && mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=provided \
        -Dmdep.outputFile="$SPARK_CLASSPATH_FILE" >&2) || { echo "clprop: could not resolve Spark's jars" >&2; exit 2; }
  fi
}

# The module openings Spark's own launcher gives the driver's JVM (JavaModuleOptions in spark-launcher).
SPARK_JAVA_OPTS=(-XX:+IgnoreUnrecognizedVMOptions -Djdk.reflect.useDirectMethodHandle=false
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED)
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  SPARK_JAVA_OPTS+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
