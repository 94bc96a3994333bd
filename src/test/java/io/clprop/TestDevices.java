package io.clprop;

import io.clprop.backend.opencl.ClDevice;
import io.clprop.backend.opencl.ClDevices;
import io.clprop.backend.opencl.GemmConfig;
import io.clprop.backend.opencl.GemmTuner;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.data.MnistFolder;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;

/**
 * Opens the OpenCL device for tests. Outside CI a machine without OpenCL skips device tests; in CI
 * (CI=true) a missing device or data set fails them, so device tests can never silently not run there.
 * The device is chosen by CLPROP_TEST_DEVICE (a device number, default 0). CLPROP_TEST_PLATFORM, set by
 * bin/test's pass on a second driver, names the platform that device must belong to (a part of its
 * CL_PLATFORM_NAME, e.g. "rusticl"): a pass run for one driver then fails, in CI or not, rather than skips or
 * runs on another when that driver shows no device.
 */
public final class TestDevices {
    private TestDevices() {
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The test device with its untuned default gemm kernels (the register block for its vector width). */
    public static OpenClBackend openCl() {
        return open(null);
    }

    /** The test device itself, for tests that build their own backends on it (the one opened to find it is closed). */
    public static ClDevice clDevice() {
        try (OpenClBackend b = openCl()) {
            return b.device();
        }
    }

    /** The platform the test device must belong to (CLPROP_TEST_PLATFORM), or null for any. */
    public static String requiredPlatform() {
        String p = System.getenv("CLPROP_TEST_PLATFORM");
        return p == null || p.isBlank() ? null : p;
    }

    /** The test device with another gemm block shape (compiled with other -D defines). */
    public static OpenClBackend openCl(GemmConfig gemm) {
        return open(java.util.Objects.requireNonNull(gemm));
    }

    /** The test device with {@code gemm}, or with its default block when null. */
    private static OpenClBackend open(GemmConfig gemm) {
        int index = Integer.parseInt(System.getenv().getOrDefault("CLPROP_TEST_DEVICE", "0"));
        String platform = requiredPlatform();
        try {
            ClDevice device = ClDevices.byIndex(index);
            if (platform != null && !device.platformName().contains(platform)) {
                Assertions.fail("CLPROP_TEST_PLATFORM=" + platform + " but the test device is " + device.summary());
            }
            return new OpenClBackend(device, gemm != null ? gemm : GemmTuner.defaultBlock(device));
        } catch (UserError e) {
            if (inCi() || platform != null) {
                Assertions.fail((platform == null ? "CI=true" : "CLPROP_TEST_PLATFORM=" + platform)
                        + " and no OpenCL device: " + e.getMessage());
            }
            Assumptions.abort("no OpenCL device (" + e.getMessage() + ")");
            throw e;
        }
    }

    /**
     * Backends for data-parallel tests, all with the default gemm kernels: the devices CLPROP_TEST_DEVICES
     * names (device numbers, e.g. "0,1": bin/test's multi-device pass sets it, with two PoCL devices from
     * POCL_DEVICES="pthread pthread", then PoCL and rusticl, and CLPROP_TEST_DEVICES_PLATFORMS the number of
     * platforms they must span), devices of one platform in one context; unset, {@code count} backends on
     * the test device, which share its context, so the device-to-device sum is exercised on any machine.
     */
    public static java.util.List<OpenClBackend> openClDevices(int count) {
        String list = System.getenv("CLPROP_TEST_DEVICES");
        if (list == null || list.isBlank()) {
            java.util.List<OpenClBackend> out = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                out.add(openCl());
            }
            return out;
        }
        java.util.List<ClDevice> devices = io.clprop.backend.Backends.clDevices("opencl:" + list);
        // bin/test's multi-device pass says how many platforms its set-up has, so a machine that showed it
        // another set-up (one platform where two were wanted) fails instead of testing the other route.
        String platforms = System.getenv("CLPROP_TEST_DEVICES_PLATFORMS");
        long distinct = devices.stream().map(ClDevice::platformName).distinct().count();
        if (platforms != null && Long.parseLong(platforms.trim()) != distinct) {
            Assertions.fail("CLPROP_TEST_DEVICES=" + list + " should span " + platforms + " platforms; they span "
                    + distinct + ": " + devices.stream().map(ClDevice::summary).toList());
        }
        java.util.List<OpenClBackend> out = new java.util.ArrayList<>();
        for (ClDevice d : devices) {
            out.add(new OpenClBackend(d, GemmTuner.defaultBlock(d), java.util.Map.of(),
                    devices.stream().filter(o -> o.platform().equals(d.platform())).toList()));
        }
        return out;
    }

    /** The Fashion-MNIST package's folder, or a skip (a failure in CI) if it is not installed. */
    public static MnistFolder.TrainTest fashionMnist() {
        if (!Files.isDirectory(MnistFolder.DEFAULT_DIR)) {
            String msg = MnistFolder.DEFAULT_DIR + " missing: apt-get install dataset-fashion-mnist";
            if (inCi()) {
                Assertions.fail("CI=true and " + msg);
            }
            Assumptions.abort(msg);
        }
        return FashionHolder.DATA;
    }

    /** Loaded once per JVM: several tests use it and it takes a second to parse. */
    private static final class FashionHolder {
        static final MnistFolder.TrainTest DATA = MnistFolder.load(MnistFolder.DEFAULT_DIR);
    }
}
