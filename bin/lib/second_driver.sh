# bin/test's pass on the second OpenCL driver, Mesa's rusticl on llvmpipe. Sourced after deps.sh.
#
# rusticl builds kernels with another compiler than PoCL and is a stricter driver (it refused the device
# query PoCL accepted), so the checks of what the device computes run on it too. It is slow: Mesa 22.3's
# rusticl builds llvmpipe code for every kernel launch, which Mesa's shader cache turns into a lookup of a
# few milliseconds (training runs at about 1k samples/s, PoCL's 120k; with MESA_SHADER_CACHE_DISABLE=true,
# 3 samples/s). So this pass runs only the tests whose subject is the device's arithmetic; the rest of the
# suite tests clprop's own code (files, options, checkpoints, the CLI), which does not change with the
# driver, and runs on the first pass only. Measured on 2 cores, Mesa 22.3.6, an empty shader cache
# (surefire's times; about 4 min for the whole pass with Maven's start):
#   ClDevicesTest            3 s  the device query on a strict driver (rusticl refuses JOCL's constant)
#   KernelCrossCheckTest    15 s  every kernel against its CPU twin, 919 cases
#   TrainingCrossCheckTest  97 s  whole steps, device vs host: 12 activation × loss, 12 with dropout, 4 optimizers
#   CnnTrainingCrossCheckTest  an epoch of a small CNN, device vs host: 2 losses, dropout, Adam, momentum
#   LearningTest            88 s  XOR (sigmoid + MSE), a Fashion-MNIST subset, the same with dropout
# then `clprop verify` with every case (17 s; 26 s on its own, when the tests have not filled the cache)
# and `clprop gradcheck` on the device for every hidden activation with both losses and for a convolutional
# network with both (6 runs, 2 s each).
# Left out here:
#   - LearningTest's Fashion-MNIST runs with leaky-relu, elu and softplus (110 s on llvmpipe): those
#     activations' device steps are compared with the host after 50 steps (TrainingCrossCheckTest) and in
#     verify, which is what a second compiler can get wrong; that they learn is a property of the maths,
#     shown on PoCL and the CPU path.
#   - TrainingCrossCheckTest's tiled-kernel steps: their tile shapes need 64 and 256 work-items, and rusticl
#     allows gemm_tiled.cl's kernels 32, so the backend refuses them before anything runs. The tiled kernels
#     build and pass `clprop verify --gemm-config TSM=16,TSN=16,TSK=8,WPTM=4,WPTN=2` (32 items) here; which
#     shapes a device gets is the tuner's part (GemmConfig), not this pass's.
#   - GemmConfigTest (other block and tile shapes, 25 s and the same tile limits) and VerificationCommandsTest
#     (that verify, gradcheck and the shadow check catch a wrongly built kernel: clprop's checking, 34 s).
RUSTICL_TESTS='ClDevicesTest,KernelCrossCheckTest,TrainingCrossCheckTest,CnnTrainingCrossCheckTest,LearningTest'
RUSTICL_TESTS+=',!TrainingCrossCheckTest#deviceAndHostAgreeWithTiledKernels'
RUSTICL_TESTS+=',!LearningTest#fashionMnistSubsetLearnsWithTheNewerActivations'

# gradcheck networks: each hidden activation, before and after others, with each loss; a convolutional network
# (a padded convolution, a max-pool after tanh, a strided convolution) with each loss.
RUSTICL_GRADCHECKS=(
  "--hidden 8,7,6 --activation relu,sigmoid,tanh --loss softmax-ce"
  "--hidden 8,7,6 --activation relu,sigmoid,tanh --loss mse"
  "--hidden 8,7,6 --activation leaky-relu,elu,softplus --loss softmax-ce"
  "--hidden 8,7,6 --activation leaky-relu,elu,softplus --loss mse"
  "--layers conv:3:3:pad1,tanh,maxpool:2,conv:4:2:stride2,sigmoid,flatten,dense:5 --loss softmax-ce"
  "--layers conv:3:3:pad1,tanh,maxpool:2,conv:4:2:stride2,sigmoid,flatten,dense:5 --loss mse"
)

# rusticl_pass [MAVEN-ARGS…]: without arguments the tests above, verify and gradcheck; with arguments, only
# Maven with them (a targeted run, e.g. -Dtest=LearningTest). Output under target/rusticl/. Returns non-zero
# on any failure.
rusticl_pass() {
  local out="$CLPROP_HOME/target/rusticl" vendors status=0
  vendors="$(rusticl_vendors)"
  mkdir -p "$out"
  # rusticl as the only platform, llvmpipe enabled, and the tests told which platform they must be on.
  local on_rusticl=(env OCL_ICD_VENDORS="$vendors" RUSTICL_ENABLE=llvmpipe CLPROP_TEST_PLATFORM=rusticl
                    CLPROP_TEST_DEVICE=0)
  local maven_args=("$@")
  [ "$#" -gt 0 ] || maven_args=(-Dtest="$RUSTICL_TESTS")
  echo "bin/test: the second driver, rusticl (llvmpipe)" >&2
  (cd "$CLPROP_HOME" && "${on_rusticl[@]}" mvn -B -Dstyle.color=never -Dpocl.cache.dir="$POCL_CACHE_DIR" \
      -Dtest.reports.dir="$out/surefire-reports" test "${maven_args[@]}") || status=1
  [ "$#" -eq 0 ] || return "$status"

  ensure_jar
  local preload; preload="$(jvm_preload)"
  local clprop=("${on_rusticl[@]}" LD_PRELOAD="$preload" GLIBC_TUNABLES="$(jvm_glibc_tunables)" java $(jvm_memory_options) ${CLPROP_JAVA_OPTS:-} -jar "$CLPROP_JAR")
  local start=$SECONDS
  if ! "${clprop[@]}" verify --json "$out/verify.json" > "$out/verify.txt" 2>&1; then
    grep -vE ' PASS$' "$out/verify.txt" >&2
    status=1
  fi
  local device; device="$(grep -m1 '^device' "$out/verify.txt" || true)"
  case "$device" in
    *rusticl*) ;;
    *) echo "bin/test: verify did not run on rusticl: ${device:-no device line}" >&2; status=1 ;;
  esac
  # The summary, and the case nearest its tolerance: rows end "max_abs max_rel tol PASS|FAIL".
  echo "bin/test: rusticl verify: $(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/verify.txt" || echo 'no summary')" \
       "in $((SECONDS - start)) s; nearest its tolerance: $(awk '$NF == "PASS" || $NF == "FAIL" {
         r = ($(NF-1) > 0) ? $(NF-2) / $(NF-1) : 0
         if (r > worst) { worst = r; row = $0 } } END { gsub(/ +/, " ", row); print row }' "$out/verify.txt")" >&2
  local g failed=0
  start=$SECONDS
  : > "$out/gradcheck.txt"
  for g in "${RUSTICL_GRADCHECKS[@]}"; do
    # shellcheck disable=SC2086 # each entry is a list of options
    if ! "${clprop[@]}" gradcheck $g > "$out/gradcheck-one.txt" 2>&1; then
      echo "bin/test: rusticl gradcheck $g failed:" >&2
      cat "$out/gradcheck-one.txt" >&2
      failed=$((failed + 1))
    fi
    cat "$out/gradcheck-one.txt" >> "$out/gradcheck.txt"
  done
  rm -f "$out/gradcheck-one.txt"
  echo "bin/test: rusticl gradcheck: $((${#RUSTICL_GRADCHECKS[@]} - failed)) of ${#RUSTICL_GRADCHECKS[@]} networks" \
       "passed in $((SECONDS - start)) s" >&2
  [ "$failed" = 0 ] || status=1
  return "$status"
}
