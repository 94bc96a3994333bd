package io.clprop.backend.opencl;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.clprop.backend.Tensor;
import io.clprop.util.AtomicFiles;
import io.clprop.util.BoundedJson;
import io.clprop.util.JsonNumbers;
import io.clprop.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Chooses the matrix-multiply kernels' shape for a device: builds each candidate, times the products of the
 * reference network (dW = dZᵀ·X, dX = dZ·W, the forward X·Wᵀ, plus a square product), and keeps the
 * fastest. Candidates are register blocks (gemm.cl) and, on GPUs or when asked, tiles (gemm_tiled.cl). The
 * choice is cached in {@code ~/.cache/clprop/gemm-tuning.json} (or $CLPROP_CACHE_DIR) keyed by platform,
 * device and driver version; {@link #cachedOrDefault} reads it, and a device never tuned gets
 * {@link GemmConfig#defaultFor} (tiles on GPUs, the register block elsewhere).
 *
 * <p>Cache entries: {@code {"kind": "register-block", "rm", "vw", "nv"}} or {@code {"kind": "tiled", "tsm",
 * "tsn", "tsk", "wptm", "wptn"}}; entries written before tiles existed have no kind and are register blocks.
 * The cache is read as untrusted text: a file that is not such a JSON object within {@link #CACHE_LIMITS} (a
 * damaged or foreign file) reads as no cache, and the next tuning replaces it.
 */
public final class GemmTuner {
    /** Register blocks from 8 to 32 accumulators of float16 or float8, within AVX-512's 32 registers. */
    public static final List<GemmConfig> BLOCK_CANDIDATES = List.of(
            GemmConfig.DEFAULT, GemmConfig.registerBlock(8, 16, 1), GemmConfig.registerBlock(4, 16, 1),
            GemmConfig.registerBlock(2, 16, 4), GemmConfig.registerBlock(6, 16, 2), GemmConfig.registerBlock(4, 8, 4),
            GemmConfig.registerBlock(8, 8, 2));

    /**
     * Tiles: the GPU default and the shapes around it that GPU GEMMs commonly settle on (Nugteren's tutorial
     * and CLBlast's tuned databases): 128×128 tiles with 8×8 per item for large register files, 64×64 with
     * 8×4 or 4×8, 32×32 with 2×2 for small ones, and k chunks of 8, 16 or 32. Those a device cannot run
     * (work-group or local-memory limits) are skipped.
     */
    public static final List<GemmConfig> TILED_CANDIDATES = List.of(
            GemmConfig.GPU_DEFAULT, GemmConfig.tiled(64, 64, 8, 4, 4), GemmConfig.tiled(64, 64, 32, 4, 4),
            GemmConfig.tiled(64, 64, 16, 8, 4), GemmConfig.tiled(64, 64, 16, 4, 8), GemmConfig.tiled(128, 128, 16, 8, 8),
            GemmConfig.tiled(128, 64, 16, 8, 4), GemmConfig.tiled(32, 32, 16, 2, 2), GemmConfig.tiled(32, 32, 16, 4, 4));

    /** {m, n, k, form} products timed per candidate; form 0: A·B, 1: Aᵀ·B, 2: A·Bᵀ. */
    static final int[][] SHAPES = {{256, 784, 128, 1}, {128, 256, 128, 0}, {128, 256, 128, 1}, {128, 256, 784, 2},
            {512, 512, 512, 0}};

    /**
     * The cache holds one small object per device (about 100 bytes), nested two deep: 1 MiB is thousands of
     * devices, and a larger file is not one clprop wrote.
     */
    static final BoundedJson.Limits CACHE_LIMITS = new BoundedJson.Limits(4, 1 << 20, 4096, 40);
    /** A configuration's numbers are sizes of a few dozen at most; this only keeps them out of overflow. */
    private static final int MAX_SIZE = 1 << 16;

    private GemmTuner() {
    }

    public static Path cacheFile() {
        String dir = System.getenv("CLPROP_CACHE_DIR");
        Path base = dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "clprop");
        return base.resolve("gemm-tuning.json");
    }

    static String key(ClDevice d) {
        return d.platformName() + " | " + d.name() + " | " + d.driverVersion();
    }

    /** The candidates {@link #tune} times: tiles too on GPUs or when {@code withTiles}. */
    public static List<GemmConfig> candidates(ClDevice device, boolean withTiles) {
        List<GemmConfig> out = new ArrayList<>(BLOCK_CANDIDATES);
        if (withTiles || device.isGpu()) {
            out.addAll(TILED_CANDIDATES);
        }
        return out;
    }

    /**
     * The tuned configuration for this device, or its default when it was never tuned, the cache is
     * unreadable, or the cached choice no longer fits the device.
     */
    public static GemmConfig cachedOrDefault(ClDevice d) {
        return cachedOrDefault(d, cacheFile());
    }

    static GemmConfig cachedOrDefault(ClDevice d, Path f) {
        GemmConfig fallback = GemmConfig.defaultFor(d);
        if (!Files.isRegularFile(f)) {
            return fallback;
        }
        try {
            JsonElement c = readCache(f).get(key(d));
            if (c == null) {
                return fallback;
            }
            if (!c.isJsonObject()) {
                throw new IllegalArgumentException("the entry is not an object");
            }
            GemmConfig config = fromJson(c.getAsJsonObject());
            return config.unfitFor(d).isEmpty() ? config : fallback;
        } catch (IOException | BoundedJson.Malformed | IllegalArgumentException e) {
            return fallback; // a damaged cache must not stop training; tuning again rewrites it
        }
    }

    /** The cache file's object; an IOException or Malformed when it is not one within {@link #CACHE_LIMITS}. */
    private static JsonObject readCache(Path f) throws IOException, BoundedJson.Malformed {
        long size = Files.size(f);
        if (size > CACHE_LIMITS.maxTextChars()) {
            throw new BoundedJson.Malformed(size + " bytes, more than a tuning cache holds");
        }
        return BoundedJson.parseObject(Files.readString(f), CACHE_LIMITS);
    }

    /** A cache entry's configuration; IllegalArgumentException when it is not one. */
    static GemmConfig fromJson(JsonObject c) {
        JsonElement kind = c.get("kind");
        String k = kind == null ? "register-block"
                : kind.isJsonPrimitive() && kind.getAsJsonPrimitive().isString() ? kind.getAsString() : "";
        if (k.equals("register-block")) {
            return GemmConfig.registerBlock(size(c, "rm"), size(c, "vw"), size(c, "nv"));
        }
        if (k.equals("tiled")) {
            return GemmConfig.tiled(size(c, "tsm"), size(c, "tsn"), size(c, "tsk"), size(c, "wptm"), size(c, "wptn"));
        }
        throw new IllegalArgumentException("unknown gemm config kind " + JsonNumbers.shown(kind));
    }

    /** A size field, checked as a number before GemmConfig checks it as a shape. */
    private static int size(JsonObject c, String key) {
        return JsonNumbers.wholeInt(c.get(key), 1, MAX_SIZE, key, IllegalArgumentException::new);
    }

    /** A configuration as the cache stores it (also `clprop bench --json`'s "gemm_config"). */
    public static JsonObject toJson(GemmConfig config) {
        JsonObject c = new JsonObject();
        if (config instanceof GemmConfig.RegisterBlock b) {
            c.addProperty("kind", "register-block");
            c.addProperty("rm", b.rm());
            c.addProperty("vw", b.vw());
            c.addProperty("nv", b.nv());
        } else if (config instanceof GemmConfig.Tiled t) {
            c.addProperty("kind", "tiled");
            c.addProperty("tsm", t.tsm());
            c.addProperty("tsn", t.tsn());
            c.addProperty("tsk", t.tsk());
            c.addProperty("wptm", t.wptm());
            c.addProperty("wptn", t.wptn());
        }
        return c;
    }

    /**
     * One candidate's median time over the shapes, in microseconds per round of all shapes; or, when
     * {@code skipped} is non-null, why the device could not run it (microseconds is then NaN).
     */
    public record Timing(GemmConfig config, double microseconds, String skipped) {
        static Timing skipped(GemmConfig config, String why) {
            return new Timing(config, Double.NaN, why);
        }

        /** The round's floating-point operations (2·m·n·k per product) per second, in billions. */
        public double gflops() {
            double flops = 0;
            for (int[] s : SHAPES) {
                flops += 2.0 * s[0] * s[1] * s[2];
            }
            return flops / (microseconds * 1e3);
        }
    }

    /** Times every candidate on {@code device}, reports each to {@code progress}, saves and returns the best. */
    public static GemmConfig tune(ClDevice device, boolean withTiles, Consumer<Timing> progress) {
        Timing best = null;
        for (GemmConfig c : candidates(device, withTiles)) {
            Timing t = time(device, c);
            progress.accept(t);
            if (t.skipped() == null && (best == null || t.microseconds() < best.microseconds())) {
                best = t;
            }
        }
        // The default register block fits every device, so some candidate always ran.
        save(device, best.config(), cacheFile());
        return best.config();
    }

    static Timing time(ClDevice device, GemmConfig config) {
        var unfit = config.unfitFor(device);
        if (unfit.isPresent()) {
            return Timing.skipped(config, unfit.get());
        }
        OpenClBackend opened;
        try {
            opened = new OpenClBackend(device, config);
        } catch (UserError e) {
            return Timing.skipped(config, e.getMessage()); // e.g. the kernel's own work-group limit
        }
        try (OpenClBackend b = opened) {
            List<Tensor[]> operands = new ArrayList<>();
            for (int[] s : SHAPES) {
                Tensor a = s[3] == 1 ? b.allocate(s[2], s[0]) : b.allocate(s[0], s[2]);
                Tensor bt = s[3] == 2 ? b.allocate(s[1], s[2]) : b.allocate(s[2], s[1]);
                operands.add(new Tensor[]{a, bt, b.allocate(s[0], s[1])});
            }
            Runnable round = () -> {
                for (int i = 0; i < SHAPES.length; i++) {
                    Tensor[] o = operands.get(i);
                    b.matmul(o[0], SHAPES[i][3] == 1, o[1], SHAPES[i][3] == 2, o[2]);
                }
            };
            round.run(); // first launches compile the work-group functions
            b.finish();
            double[] us = new double[5];
            for (int t = 0; t < us.length; t++) {
                long t0 = System.nanoTime();
                for (int r = 0; r < 5; r++) {
                    round.run();
                }
                b.finish();
                us[t] = (System.nanoTime() - t0) / 1e3 / 5;
            }
            Arrays.sort(us);
            return new Timing(config, us[us.length / 2], null);
        }
    }

    static void save(ClDevice device, GemmConfig config, Path f) {
        JsonObject all = new JsonObject();
        try {
            if (Files.isRegularFile(f)) {
                all = readCache(f);
            }
        } catch (IOException | BoundedJson.Malformed e) {
            all = new JsonObject(); // replace a damaged cache
        }
        all.add(key(device), toJson(config));
        try {
            Files.createDirectories(f.getParent());
        } catch (IOException e) {
            throw new UserError(f.getParent() + ": cannot create the tuning cache folder (" + e.getMessage() + ")");
        }
        Gson gson = new GsonBuilder().setPrettyPrinting().create();
        AtomicFiles.writeString(f, gson.toJson(all) + "\n");
    }
}
