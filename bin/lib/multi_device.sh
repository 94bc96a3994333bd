# bin/test's multi-device pass: data-parallel training on two devices, in both set-ups it has. Sourced after
# deps.sh and second_driver.sh.
#   one context   PoCL alone with POCL_DEVICES="pthread pthread": two devices of one platform in one context,
#                 whose gradients and weights travel device to device (SharedContextReplicaExchange);
#   two platforms PoCL and Mesa's rusticl (llvmpipe) as the only platforms: devices of two contexts, which
#                 meet through the host (HostReplicaExchange).
# Each runs MultiDeviceTrainingTest (two devices against one and against the CPU path, checkpoints resumed
# on 1, 2 and 3 devices, the shadow check) and MultiDeviceCliTest (train --device opencl:0,1, --split) with
# CLPROP_TEST_DEVICES=0,1 and the number of platforms the devices must span, so a machine that shows another
# set-up fails rather than tests the other route. The default pass runs both classes too, with two backends
# on one device (one context). Measured on 2 cores with warm kernel caches: 42 s for both set-ups,
# with Maven's start. Both devices share the same cores, so the pass says nothing about speed.
MULTI_DEVICE_TESTS='MultiDeviceTrainingTest,MultiDeviceCliTest'

# A vendors folder with the ICD files named (PoCL's as the package installs it, rusticl's), so that only
# those platforms are seen, whatever else the machine has.
multi_device_vendors() {
  local dir="$CLPROP_HOME/target/$1-vendors"
  shift
  rm -rf "$dir" && mkdir -p "$dir"
  local f
  for f in "$@"; do
    case "$f" in
      pocl) cp /etc/OpenCL/vendors/pocl.icd "$dir/pocl.icd" ;;
      rusticl) echo "$RUSTICL_LIBRARY" > "$dir/rusticl.icd" ;;
    esac
  done
  echo "$dir"
}

# multi_device_pass [HAVE_RUSTICL]: both set-ups (the two-platform one only with rusticl, 1); output under
# target/multi-device/. Returns non-zero on any failure.
multi_device_pass() {
  local have_rusticl="${1:-0}" out="$CLPROP_HOME/target/multi-device" status=0
  mkdir -p "$out"
  if [ ! -f /etc/OpenCL/vendors/pocl.icd ]; then
    echo "bin/test: the multi-device pass needs PoCL's /etc/OpenCL/vendors/pocl.icd" >&2
    return 1
  fi
  echo "bin/test: two devices, one context (PoCL, POCL_DEVICES=\"pthread pthread\")" >&2
  (cd "$CLPROP_HOME" && env OCL_ICD_VENDORS="$(multi_device_vendors one-context pocl)" POCL_DEVICES="pthread pthread" \
      CLPROP_TEST_DEVICES=0,1 CLPROP_TEST_DEVICES_PLATFORMS=1 CLPROP_TEST_DEVICE=0 \
      mvn -B -Dstyle.color=never -Dpocl.cache.dir="$POCL_CACHE_DIR" \
      -Dtest.reports.dir="$out/one-context/surefire-reports" test -Dtest="$MULTI_DEVICE_TESTS") || status=1
  if [ "$have_rusticl" = 1 ]; then
    echo "bin/test: two devices, two platforms (PoCL and rusticl)" >&2
    (cd "$CLPROP_HOME" && env OCL_ICD_VENDORS="$(multi_device_vendors two-platforms pocl rusticl)" \
        RUSTICL_ENABLE=llvmpipe CLPROP_TEST_DEVICES=0,1 CLPROP_TEST_DEVICES_PLATFORMS=2 CLPROP_TEST_DEVICE=0 \
        mvn -B -Dstyle.color=never -Dpocl.cache.dir="$POCL_CACHE_DIR" \
        -Dtest.reports.dir="$out/two-platforms/surefire-reports" test -Dtest="$MULTI_DEVICE_TESTS") || status=1
  else
    echo "bin/test: the two-platform set-up is left out (no rusticl)" >&2
    [ "${CI:-}" = true ] && status=1
  fi
  return "$status"
}
