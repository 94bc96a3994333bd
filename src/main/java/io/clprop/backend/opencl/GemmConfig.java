package io.clprop.backend.opencl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which matrix-multiply kernels a backend builds, and their compile-time shape: one of two kinds.
 * <ul>
 *   <li>{@link RegisterBlock}: kernels/gemm.cl, each work-item a register block of C, no local memory, the
 *       driver choosing the work-group size. Suits PoCL, which runs a work-group as loops over its items;
 *       the default everywhere but on GPUs.</li>
 *   <li>{@link Tiled}: kernels/gemm_tiled.cl, each work-group a tile of C staged through local memory with a
 *       register block per item, launched with an explicit work-group size. The classic GPU scheme; the
 *       default on GPUs ({@link #defaultFor}).</li>
 * </ul>
 * A tuner ({@link GemmTuner}) may choose another shape of either kind per device, from the search space
 * {@link GemmSpace} generates for its limits.
 */
public sealed interface GemmConfig permits GemmConfig.RegisterBlock, GemmConfig.Tiled {
    /**
     * The register block every device runs well enough: 4 rows × 2·float16, 8 vector accumulators (16 registers
     * where float16 takes two 8-wide ones). The default on CPUs whose preferred float vector is narrower than
     * 16, and the last fallback everywhere.
     */
    RegisterBlock DEFAULT = new RegisterBlock(4, 16, 2);

    /**
     * The default on CPUs that prefer 16-wide float vectors (PoCL on AVX-512): 8 rows × 2·float16, 16
     * accumulators of the 32 vector registers, twice {@link #DEFAULT}'s, so each vector of B loaded serves 8
     * rows instead of 4. Measured on PoCL (2 cores of an AMD EPYC, Zen 5), alternating with DEFAULT in three
     * rounds: the reference MLP trained 8–18% faster at batch 128, 11–12% at 512, 784-1024-1024-10 at batch 512
     * 44–48% faster and the reference CNN 6–11%; of 30 products timed at four widths, 27 ran faster (1024³
     * at 217 against 117 GFLOP/s) and three 10-wide ones 3–9% slower, within the noise. A second, larger
     * block (6 × 4·float16) for products of 2²⁶ multiply-adds or more was measured and not kept: 7–16%
     * faster at 784-2048-2048-10, mixed at width 1024, and the reference CNN 1–17% slower (BENCHMARKS.md,
     * "Register blocks per device"). {@code clprop tune} had chosen it on this machine too.
     */
    RegisterBlock WIDE_DEFAULT = new RegisterBlock(8, 16, 2);

    /**
     * The default on GPUs: 64×64 tiles of C, k in chunks of 16, 4×4 results per item, so 16×16 = 256 items
     * per work-group and 8.3 KB of local memory — within what every OpenCL 1.2 GPU offers (256 items is
     * AMD's usual maximum, 32 KB the smallest local memory the standard allows), and the shape CLBlast's and
     * Nugteren's tutorials start from. Not measured on a GPU yet.
     */
    Tiled GPU_DEFAULT = new Tiled(64, 64, 16, 4, 4);

    /**
     * For GPUs whose limits refuse {@link #GPU_DEFAULT}, tried in order: 32×32 tiles (8×8 = 64 items, 4.2 KB);
     * 32×32 tiles with 8×4 per item (4×8 = 32 items, for devices that allow 32, such as a kernel on
     * llvmpipe); 16×16 tiles with k chunks of 8 (4×4 = 16 items, 1.1 KB). A device that takes none gets
     * {@link #DEFAULT}, which needs neither local memory nor a work-group size.
     */
    List<Tiled> GPU_FALLBACKS = List.of(new Tiled(32, 32, 16, 4, 4), new Tiled(32, 32, 16, 8, 4),
            new Tiled(16, 16, 8, 4, 4));

    /** {@link #GPU_DEFAULT}, then {@link #GPU_FALLBACKS}. */
    List<Tiled> GPU_CHAIN = List.of(GPU_DEFAULT, GPU_FALLBACKS.get(0), GPU_FALLBACKS.get(1), GPU_FALLBACKS.get(2));

    static RegisterBlock registerBlock(int rm, int vw, int nv) {
        return new RegisterBlock(rm, vw, nv);
    }

    /** The untuned register block for a device whose CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT is {@code width}. */
    static RegisterBlock blockFor(int preferredFloatWidth) {
        return preferredFloatWidth >= WIDE_DEFAULT.vw() ? WIDE_DEFAULT : DEFAULT;
    }

    static Tiled tiled(int tsm, int tsn, int tsk, int wptm, int wptn) {
        return new Tiled(tsm, tsn, tsk, wptm, wptn);
    }

    /** The kernel file that provides the six products (gemm_nn, gemm_tn, gemm_nt and the fused dense_*). */
    String file();

    /** The -D defines that give the kernels this shape. */
    String buildOptions();

    /**
     * Why the device cannot run this configuration, or empty when it can: the DEVICE rules of its family in
     * {@link GemmSpace} (none for register blocks, which use no local memory and let the driver choose the
     * work-group; for tiles the work-group's size in all and per dimension, and local memory).
     */
    default Optional<String> unfitFor(DeviceLimits device) {
        return GemmSpace.unfit(this, device);
    }

    /**
     * With no tuning result: on GPUs {@link #GPU_DEFAULT} or the first of {@link #GPU_FALLBACKS} within the
     * device's limits; elsewhere, or when no tile fits, the register block for its vector width
     * ({@link #blockFor}), which every device runs. So an untuned device never gets a configuration its
     * limits refuse.
     */
    static GemmConfig defaultFor(DeviceLimits device) {
        return defaultsFor(device).get(0);
    }

    /** The first tile of {@link #GPU_CHAIN} within the device's limits, whatever its type; empty if none fits. */
    static Optional<Tiled> defaultTileFor(DeviceLimits device) {
        return GPU_CHAIN.stream().filter(t -> t.unfitFor(device).isEmpty()).findFirst();
    }

    /**
     * The untuned choices in order of preference, each within the device's limits: tiles on GPUs, then the
     * register block for the device's vector width, ending with {@link #DEFAULT}: {@link GemmTuner} falls
     * back along them when a driver refuses a tiled kernel after building it (a kernel's own work-group limit, which only the build reveals).
     */
    static List<GemmConfig> defaultsFor(DeviceLimits device) {
        List<GemmConfig> out = new ArrayList<>();
        if (device.gpu()) {
            for (Tiled t : GPU_CHAIN) {
                if (t.unfitFor(device).isEmpty()) {
                    out.add(t);
                }
            }
        }
        RegisterBlock block = blockFor(device.preferredFloatWidth());
        if (!block.equals(DEFAULT)) {
            out.add(block);
        }
        out.add(DEFAULT);
        return List.copyOf(out);
    }

    /**
     * A configuration written as its defines, {@code NAME=V[,NAME=V…]} (names as in {@link #buildOptions},
     * case-insensitive, "-D" allowed; commas or spaces between): RM, VW, NV for a register block, TSM, TSN,
     * TSK, WPTM, WPTN for tiles. Names left out take the kind's default ({@link #DEFAULT} or
     * {@link #GPU_DEFAULT}); the words {@code block} and {@code tiled} alone are those defaults.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    static GemmConfig parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("block")) {
            return DEFAULT;
        }
        if (s.equals("tiled")) {
            return GPU_DEFAULT;
        }
        Map<String, Integer> v = new LinkedHashMap<>();
        for (String token : s.split("[,\\s]+")) {
            if (token.isEmpty()) {
                continue;
            }
            String t = token.startsWith("-d") ? token.substring(2) : token;
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + token + "' is not NAME=VALUE");
            }
            String name = t.substring(0, eq);
            if (!Tiled.NAMES.contains(name) && !RegisterBlock.NAMES.contains(name)) {
                throw new IllegalArgumentException("unknown name '" + name.toUpperCase(Locale.ROOT)
                        + "' (expected RM, VW, NV for a register block or TSM, TSN, TSK, WPTM, WPTN for tiles)");
            }
            try {
                v.put(name, Integer.parseInt(t.substring(eq + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + token + "': the value is not a whole number");
            }
        }
        if (v.isEmpty()) {
            throw new IllegalArgumentException("empty (expected block, tiled, or NAME=VALUE pairs)");
        }
        boolean tiled = v.keySet().stream().anyMatch(Tiled.NAMES::contains);
        boolean block = v.keySet().stream().anyMatch(RegisterBlock.NAMES::contains);
        if (tiled && block) {
            throw new IllegalArgumentException("mixes register-block names (RM, VW, NV) with tile names "
                    + "(TSM, TSN, TSK, WPTM, WPTN)");
        }
        if (block) {
            return new RegisterBlock(v.getOrDefault("rm", DEFAULT.rm()), v.getOrDefault("vw", DEFAULT.vw()),
                    v.getOrDefault("nv", DEFAULT.nv()));
        }
        return new Tiled(v.getOrDefault("tsm", GPU_DEFAULT.tsm()), v.getOrDefault("tsn", GPU_DEFAULT.tsn()),
                v.getOrDefault("tsk", GPU_DEFAULT.tsk()), v.getOrDefault("wptm", GPU_DEFAULT.wptm()),
                v.getOrDefault("wptn", GPU_DEFAULT.wptn()));
    }

    /**
     * kernels/gemm.cl: each work-item computes {@code rm} rows × {@code vw·nv} columns of C with {@code nv}
     * vectors of width {@code vw} per row (gemm_nt and dense_forward use a fixed 4×4 block).
     */
    record RegisterBlock(int rm, int vw, int nv) implements GemmConfig {
        static final java.util.Set<String> NAMES = java.util.Set.of("rm", "vw", "nv");

        /** gemm.cl generates at most 8 rows and 4 vectors per work-item; OpenCL C has no float1 vector type. */
        public RegisterBlock {
            if (rm < 1 || rm > 8 || nv < 1 || nv > 4 || !(vw == 2 || vw == 4 || vw == 8 || vw == 16)) {
                throw new IllegalArgumentException("bad register-block gemm config RM=" + rm + " VW=" + vw + " NV=" + nv
                        + " (RM 1 to 8, VW 2, 4, 8 or 16, NV 1 to 4)");
            }
        }

        /** Rows of C per work-item. */
        public int rowsPerItem() {
            return rm;
        }

        /** Columns of C per work-item. */
        public int colsPerItem() {
            return vw * nv;
        }

        @Override
        public String file() {
            return "gemm.cl";
        }

        @Override
        public String buildOptions() {
            return "-DRM=" + rm + " -DVW=" + vw + " -DNV=" + nv;
        }

    }

    /**
     * kernels/gemm_tiled.cl: a work-group computes a {@code tsm × tsn} tile of C, walking K in chunks of
     * {@code tsk} staged in local memory; each of its (tsn/wptn) × (tsm/wptm) work-items accumulates a
     * {@code wptm × wptn} block in registers.
     */
    record Tiled(int tsm, int tsn, int tsk, int wptm, int wptn) implements GemmConfig {
        static final java.util.Set<String> NAMES = java.util.Set.of("tsm", "tsn", "tsk", "wptm", "wptn");
        /** Extra words per local row in gemm_tiled.cl (its LPAD), which the local memory size counts. */
        static final int LOCAL_PAD = 1;

        /**
         * Tiles must be whole register blocks (gemm_tiled.cl maps each item to a fixed set of rows and
         * columns). The bounds keep the accumulators within a GPU's registers (≤ 64 per item) and the tile
         * within reason; devices' own limits are checked by {@link #unfitFor} (GemmSpace's DEVICE rules).
         */
        public Tiled {
            String why = null;
            if (tsm < 1 || tsn < 1 || tsk < 1 || wptm < 1 || wptn < 1) {
                why = "every size must be at least 1";
            } else if (tsm % wptm != 0 || tsn % wptn != 0) {
                why = "TSM must be a multiple of WPTM and TSN of WPTN";
            } else if (wptm * wptn > 64) {
                why = "WPTM·WPTN must be at most 64 (accumulators per work-item)";
            } else if (tsm > 256 || tsn > 256 || tsk > 64) {
                why = "TSM and TSN must be at most 256, TSK at most 64";
            }
            if (why != null) {
                throw new IllegalArgumentException("bad tiled gemm config TSM=" + tsm + " TSN=" + tsn + " TSK=" + tsk
                        + " WPTM=" + wptm + " WPTN=" + wptn + ": " + why);
            }
        }

        /** Work-group size {dimension 0 (columns of C), dimension 1 (rows of C)}. */
        public long[] localSize() {
            return new long[]{tsn / wptn, tsm / wptm};
        }

        /** Work-items per work-group. */
        public int itemsPerGroup() {
            return (tsn / wptn) * (tsm / wptm);
        }

        /** Global size covering an m × n result with whole tiles (OpenCL 1.2 needs a multiple of the local size). */
        public long[] globalSize(int m, int n) {
            return new long[]{ceilDiv(n, tsn) * (tsn / wptn), ceilDiv(m, tsm) * (tsm / wptm)};
        }

        /** Local memory per work-group: the A and B slices, TSK rows of TSM (TSN) floats plus padding. */
        public long localMemBytes() {
            return 4L * tsk * (tsm + LOCAL_PAD + tsn + LOCAL_PAD);
        }

        @Override
        public String file() {
            return "gemm_tiled.cl";
        }

        @Override
        public String buildOptions() {
            return "-DTSM=" + tsm + " -DTSN=" + tsn + " -DTSK=" + tsk + " -DWPTM=" + wptm + " -DWPTN=" + wptn;
        }

        private static long ceilDiv(long a, long b) {
            return (a + b - 1) / b;
        }
    }
}
