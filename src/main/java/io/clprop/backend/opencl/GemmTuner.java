package io.clprop.backend.opencl;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.clprop.backend.Tensor;
import io.clprop.util.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Chooses gemm.cl's block shape for a device: builds each candidate, times the backward products of the
 * reference network (the forms that use the block: dW = dZᵀ·X and dX = dZ·W, plus a square product), and
 * keeps the fastest. The choice is cached in {@code ~/.cache/clprop/gemm-tuning.json} (or
 * $CLPROP_CACHE_DIR) keyed by platform, device and driver version; {@link #cachedOrDefault} reads it, and
 * a device never tuned gets {@link GemmConfig#DEFAULT}.
 */
public final class GemmTuner {
    /** Candidates: register blocks from 8 to 32 accumulators of float16 or float8, within AVX-512's 32 registers. */
    public static final List<GemmConfig> CANDIDATES = List.of(
            GemmConfig.DEFAULT, new GemmConfig(8, 16, 1), new GemmConfig(4, 16, 1), new GemmConfig(2, 16, 4),
            new GemmConfig(6, 16, 2), new GemmConfig(4, 8, 4), new GemmConfig(8, 8, 2));

    /** {m, n, k, transA} products timed per candidate. */
    static final int[][] SHAPES = {{256, 784, 128, 1}, {128, 256, 128, 0}, {128, 256, 128, 1}, {512, 512, 512, 0}};

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

    /** The tuned configuration for this device, or the default when it was never tuned (or the cache is unreadable). */
    public static GemmConfig cachedOrDefault(ClDevice d) {
        return cachedOrDefault(d, cacheFile());
    }

    static GemmConfig cachedOrDefault(ClDevice d, Path f) {
        if (!Files.isRegularFile(f)) {
            return GemmConfig.DEFAULT;
        }
        try {
            JsonObject all = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            JsonObject c = all.getAsJsonObject(key(d));
            if (c == null) {
                return GemmConfig.DEFAULT;
            }
            return new GemmConfig(c.get("rm").getAsInt(), c.get("vw").getAsInt(), c.get("nv").getAsInt());
        } catch (IOException | RuntimeException e) {
            return GemmConfig.DEFAULT; // a damaged cache must not stop training; tuning again rewrites it
        }
    }

    /** One candidate's median time over the shapes, in microseconds per round of all shapes. */
    public record Timing(GemmConfig config, double microseconds) {
    }

    /** Times every candidate on {@code device}, reports each to {@code progress}, saves and returns the best. */
    public static GemmConfig tune(ClDevice device, Consumer<Timing> progress) {
        Timing best = null;
        for (GemmConfig c : CANDIDATES) {
            Timing t = time(device, c);
            progress.accept(t);
            if (best == null || t.microseconds() < best.microseconds()) {
                best = t;
            }
        }
        save(device, best.config(), cacheFile());
        return best.config();
    }

    static Timing time(ClDevice device, GemmConfig config) {
        try (OpenClBackend b = new OpenClBackend(device, config)) {
            List<Tensor[]> operands = new ArrayList<>();
            for (int[] s : SHAPES) {
                boolean ta = s[3] == 1;
                Tensor a = ta ? b.allocate(s[2], s[0]) : b.allocate(s[0], s[2]);
                operands.add(new Tensor[]{a, b.allocate(s[2], s[1]), b.allocate(s[0], s[1])});
            }
            Runnable round = () -> {
                for (int i = 0; i < SHAPES.length; i++) {
                    Tensor[] o = operands.get(i);
                    b.matmul(o[0], SHAPES[i][3] == 1, o[1], false, o[2]);
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
            return new Timing(config, us[us.length / 2]);
        }
    }

    static void save(ClDevice device, GemmConfig config, Path f) {
        JsonObject all = new JsonObject();
        try {
            if (Files.isRegularFile(f)) {
                all = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            }
        } catch (IOException | RuntimeException e) {
            all = new JsonObject(); // replace a damaged cache
        }
        JsonObject c = new JsonObject();
        c.addProperty("rm", config.rm());
        c.addProperty("vw", config.vw());
        c.addProperty("nv", config.nv());
        all.add(key(device), c);
        try {
            Files.createDirectories(f.getParent());
        } catch (IOException e) {
            throw new io.clprop.util.UserError(f.getParent() + ": cannot create the tuning cache folder (" + e.getMessage() + ")");
        }
        Gson gson = new GsonBuilder().setPrettyPrinting().create();
        AtomicFiles.writeString(f, gson.toJson(all) + "\n");
    }
}
