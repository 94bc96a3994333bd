package io.clprop.backend.opencl;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two kinds of gemm configuration without a device: which one a device gets by default, the limits a
 * tiled one is checked against, the launch geometry it gives, and the --gemm-config syntax.
 */
class GemmConfigKindsTest {

    /** A device as ClDevices would describe it; the handles are never used by what is tested here. */
    static ClDevice device(String type, long maxWorkGroup, long localMem) {
        return device(type, "1.0", maxWorkGroup, localMem);
    }

    static ClDevice device(String type, String driverVersion, long maxWorkGroup, long localMem) {
        return new ClDevice(0, null, null, "Test Platform", "OpenCL 1.2", "Test " + type, type, "OpenCL 1.2",
                driverVersion, 8, 1L << 32, 1L << 30, maxWorkGroup, localMem);
    }

    /** Limits with as many items per dimension as per group, every kernel allowed the device's maximum, width 1. */
    static DeviceLimits limits(String type, long maxWorkGroup, long localMem) {
        return new DeviceLimits("GPU".equals(type), maxWorkGroup, maxWorkGroup, maxWorkGroup, maxWorkGroup, localMem, 1, 1);
    }

    /** {@link #limits} with another preferred float vector width. */
    static DeviceLimits cpuWithWidth(int preferredFloatWidth) {
        return new DeviceLimits(false, 4096, 4096, 4096, 4096, 1 << 20, preferredFloatWidth, preferredFloatWidth);
    }

    @Test
    void cpusPreferring16WideVectorsGetTheWideBlockAndTheRestThePortableOne() {
        assertEquals(GemmConfig.registerBlock(8, 16, 2), GemmConfig.WIDE_DEFAULT, "8 rows × 2·float16");
        assertEquals(GemmConfig.registerBlock(4, 16, 2), GemmConfig.DEFAULT, "4 rows × 2·float16");
        for (int w : new int[]{16, 32}) {
            assertEquals(GemmConfig.WIDE_DEFAULT, GemmConfig.defaultFor(cpuWithWidth(w)), "width " + w);
            assertEquals(List.of(GemmConfig.WIDE_DEFAULT, GemmConfig.DEFAULT), GemmConfig.defaultsFor(cpuWithWidth(w)),
                    "the portable block stays the last fallback");
        }
        for (int w : new int[]{0, 1, 4, 8}) {
            assertEquals(GemmConfig.DEFAULT, GemmConfig.defaultFor(cpuWithWidth(w)), "width " + w);
            assertEquals(List.of(GemmConfig.DEFAULT), GemmConfig.defaultsFor(cpuWithWidth(w)));
        }
    }

    @Test
    void cpusKeepTheRegisterBlockAndGpusGetTiles() {
        assertEquals(GemmConfig.DEFAULT, GemmConfig.defaultFor(limits("CPU", 4096, 1 << 20)));
        assertEquals(GemmConfig.GPU_DEFAULT, GemmConfig.defaultFor(limits("GPU", 1024, 48 << 10)));
        assertEquals(GemmConfig.tiled(64, 64, 16, 4, 4), GemmConfig.GPU_DEFAULT, "64×64 tiles, k by 16, 4×4 per item");
        assertArrayEquals(new long[]{16, 16}, GemmConfig.GPU_DEFAULT.localSize());
    }

    @Test
    void aSmallGpuGetsTheFirstTileItCanRun() {
        assertEquals(GemmConfig.tiled(32, 32, 16, 4, 4), GemmConfig.defaultFor(limits("GPU", 128, 32 << 10)));
        assertEquals(GemmConfig.tiled(32, 32, 16, 8, 4), GemmConfig.defaultFor(limits("GPU", 32, 32 << 10)));
        assertEquals(GemmConfig.tiled(16, 16, 8, 4, 4), GemmConfig.defaultFor(limits("GPU", 16, 32 << 10)));
        assertEquals(GemmConfig.DEFAULT, GemmConfig.defaultFor(limits("GPU", 8, 32 << 10)), "no tile fits");
    }

    /**
     * The limits that only some drivers impose: a kernel's own maximum below the device's (rusticl on
     * llvmpipe: 1024 for the device, 32 for every kernel), and fewer items in one dimension than in a group.
     */
    @Test
    void theDefaultRespectsTheKernelsMaximumAndEachDimension() {
        DeviceLimits kernel32 = new DeviceLimits(true, 1024, 32, 1024, 1024, 32 << 10, 1, 1);
        assertEquals(32, kernel32.maxWorkGroupSize());
        assertEquals(GemmConfig.tiled(32, 32, 16, 8, 4), GemmConfig.defaultFor(kernel32));
        assertTrue(GemmConfig.GPU_DEFAULT.unfitFor(kernel32).orElseThrow().contains("256 items exceeds the device's maximum of 32"));
        DeviceLimits narrow = new DeviceLimits(true, 1024, 1024, 1024, 8, 48 << 10, 1, 1); // 8 items along rows of C
        assertTrue(GemmConfig.GPU_DEFAULT.unfitFor(narrow).orElseThrow().contains("1024×8 per dimension"));
        assertEquals(GemmConfig.tiled(32, 32, 16, 4, 4), GemmConfig.defaultFor(narrow), "8×8 items fit");
        DeviceLimits tinyLocal = new DeviceLimits(true, 1024, 1024, 1024, 1024, 1024, 1, 1); // 1 KiB
        assertEquals(GemmConfig.DEFAULT, GemmConfig.defaultFor(tinyLocal), "no tile's slices fit in 1 KiB");
        for (DeviceLimits d : new DeviceLimits[]{kernel32, narrow, tinyLocal}) {
            for (GemmConfig c : GemmConfig.defaultsFor(d)) {
                assertEquals(Optional.empty(), c.unfitFor(d), c.buildOptions() + " on " + d);
            }
            assertEquals(GemmConfig.DEFAULT, GemmConfig.defaultsFor(d).get(GemmConfig.defaultsFor(d).size() - 1),
                    "the register block, which every device runs, is always the last resort");
        }
    }

    @Test
    void tilesAreCheckedAgainstTheDevicesLimits() {
        GemmConfig.Tiled t = GemmConfig.tiled(128, 128, 16, 8, 8); // 16×16 items, 4·16·(129+129) bytes
        assertEquals(256, t.itemsPerGroup());
        assertEquals(4L * 16 * (129 + 129), t.localMemBytes());
        assertEquals(Optional.empty(), t.unfitFor(limits("GPU", 256, 16512)));
        assertTrue(t.unfitFor(limits("GPU", 255, 1 << 20)).orElseThrow().contains("exceeds the device's maximum of 255"));
        assertTrue(t.unfitFor(limits("GPU", 1024, 16511)).orElseThrow().contains("16512 bytes of local memory"));
        assertEquals(Optional.empty(), GemmConfig.DEFAULT.unfitFor(limits("GPU", 1, 0)), "register blocks need neither");
    }

    @Test
    void theGlobalSizeIsWholeTilesCoveringTheResult() {
        GemmConfig.Tiled t = GemmConfig.tiled(24, 40, 5, 3, 5); // 8×8 items
        // n = 41 columns need 2 tiles of 40, m = 24 rows 1 tile of 24: (2·8, 1·8) items.
        assertArrayEquals(new long[]{16, 8}, t.globalSize(24, 41));
        assertArrayEquals(new long[]{8, 16}, t.globalSize(25, 40));
        assertArrayEquals(new long[]{8, 8}, t.globalSize(1, 1));
    }

    @Test
    void tilesMustBeWholeRegisterBlocks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmConfig.tiled(64, 64, 16, 3, 4));
        assertTrue(e.getMessage().contains("TSM must be a multiple of WPTM"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.tiled(64, 64, 0, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.tiled(128, 128, 16, 16, 8));
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.tiled(512, 64, 16, 8, 4));
    }

    @Test
    void buildOptionsAndFiles() {
        assertEquals("-DTSM=16 -DTSN=32 -DTSK=8 -DWPTM=2 -DWPTN=4", GemmConfig.tiled(16, 32, 8, 2, 4).buildOptions());
        assertEquals("gemm_tiled.cl", GemmConfig.GPU_DEFAULT.file());
        assertEquals("-DRM=4 -DVW=16 -DNV=2", GemmConfig.DEFAULT.buildOptions());
        assertEquals("gemm.cl", GemmConfig.DEFAULT.file());
    }

    @Test
    void parsesWhatBuildOptionsWrite() {
        assertEquals(GemmConfig.DEFAULT, GemmConfig.parse("block"));
        assertEquals(GemmConfig.GPU_DEFAULT, GemmConfig.parse("Tiled"));
        assertEquals(GemmConfig.tiled(16, 16, 8, 2, 2), GemmConfig.parse("TSM=16,TSN=16,TSK=8,WPTM=2,WPTN=2"));
        assertEquals(GemmConfig.tiled(64, 64, 8, 4, 4), GemmConfig.parse("tsk=8"), "the rest from the GPU default");
        assertEquals(GemmConfig.registerBlock(8, 16, 1), GemmConfig.parse("RM=8, NV=1"));
        GemmConfig.Tiled t = GemmConfig.tiled(24, 40, 5, 3, 5);
        assertEquals(t, GemmConfig.parse(t.buildOptions()), "tune's output reads back");
    }

    @Test
    void badSpecsSayWhatIsWrong() {
        assertTrue(message("TSM=16,RM=2").contains("mixes"));
        assertTrue(message("TSX=16").contains("unknown name 'TSX'"));
        assertTrue(message("TSM=big").contains("not a whole number"));
        assertTrue(message("TSM").contains("not NAME=VALUE"));
        assertTrue(message(" ").contains("empty"));
        assertTrue(message("TSM=16,WPTM=3").contains("multiple of WPTM"));
        assertTrue(message("RM=9").contains("RM 1 to 8"));
    }

    private static String message(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> GemmConfig.parse(spec)).getMessage();
    }
}
