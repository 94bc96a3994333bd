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
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Chooses the matrix-multiply kernels' shape for a device: builds each candidate, times the products of the
 * reference network (dW = dZᵀ·X, dX = dZ·W, the forward X·Wᵀ, plus a square product), and keeps the
 * fastest. The candidates are a {@link Plan}: every family of {@link GemmSpace} (register blocks and tiles)
 * generated for the device's {@link DeviceLimits}, so nothing the device would refuse is built, and sampled
 * at random (seeded) down to a budget per family, as CLBlast's tuner samples a fraction of its space; the
 * device's defaults and its cached choice are always among them. A candidate whose first timed round is
 * more than {@link #CUTOFF}× slower than the best so far is not timed further.
 *
 * <p>The choice is cached in {@code ~/.cache/clprop/gemm-tuning.json} (or $CLPROP_CACHE_DIR) keyed by
 * platform, device and driver version ({@link #key}), so a new driver goes untuned (its default) until
 * tuned again; {@link #cachedOrDefault} reads it, and a device never tuned gets {@link GemmConfig#defaultFor}.
 *
 * <p>Cache entries: {@code {"kind": "register-block", "rm", "vw", "nv"}} or {@code {"kind": "tiled", "tsm",
 * "tsn", "tsk", "wptm", "wptn"}}; entries written before tiles existed have no kind and are register blocks.
 * The cache is read as untrusted text: a file that is not such a JSON object within {@link #CACHE_LIMITS} (a
 * damaged or foreign file) reads as no cache, and the next tuning replaces it.
 */
public final class GemmTuner {
    /**
     * Candidates per family timed by default. On PoCL (2 cores) a candidate costs a kernel build of 1–3 s
     * while the kernel cache is cold, and its timing a fraction of a second (less when cut): 12 per family
     * kept `clprop tune` at 71 s cold and 6 s warm on PoCL, 80 s on llvmpipe.
     */
    public static final int DEFAULT_BUDGET = 12;

    /** A candidate this many times slower than the best so far on its first round cannot win: stop timing it. */
    static final double CUTOFF = 3.0;

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

    /**
     * What {@link #tune} times on a device: per family its configurations, how many the device runs, how many
     * are left after pruning, and those chosen to be timed ({@code timed}, in order: the device's defaults
     * and its cached choice first, so that slow candidates meet a good time to be cut against early).
     */
    public record Plan(List<FamilyPlan> families, List<GemmConfig> timed) {
    }

    /** One family of a {@link Plan}. */
    public record FamilyPlan(String family, int configurations, int fit, int kept, int timed) {
    }

    /**
     * The plan for a device: every family generated for {@code limits}, then, per family, {@code always}
     * (those of it that fit) and a random sample of the rest (seeded by {@code seed}) up to {@code budget}
     * candidates; {@code budget} 0 times everything generated.
     */
    public static Plan plan(DeviceLimits limits, List<GemmConfig> always, int budget, long seed) {
        if (budget < 0) {
            throw new IllegalArgumentException("budget " + budget + " < 0");
        }
        Random random = new Random(seed);
        List<FamilyPlan> families = new ArrayList<>();
        LinkedHashSet<GemmConfig> first = new LinkedHashSet<>();
        for (GemmConfig c : always) {
            if (c.unfitFor(limits).isEmpty()) {
                first.add(c);
            }
        }
        List<GemmConfig> rest = new ArrayList<>();
        for (GemmSpace.Family<? extends GemmConfig> f : GemmSpace.FAMILIES) {
            List<? extends GemmConfig> all = f.configurations();
            List<GemmConfig> kept = new ArrayList<>(f.generate(limits));
            int fit = (int) all.stream().filter(c -> c.unfitFor(limits).isEmpty()).count();
            List<GemmConfig> mine = first.stream().filter(f.type()::isInstance).toList();
            kept.removeAll(mine);
            Collections.shuffle(kept, random);
            int room = budget == 0 ? kept.size() : Math.max(0, Math.min(kept.size(), budget - mine.size()));
            rest.addAll(kept.subList(0, room));
            families.add(new FamilyPlan(f.name(), all.size(), fit, kept.size() + mine.size(), mine.size() + room));
        }
        List<GemmConfig> timed = new ArrayList<>(first);
        timed.addAll(rest);
        return new Plan(List.copyOf(families), List.copyOf(timed));
    }

    /** The plan {@code clprop tune} uses: the device's defaults and cached choice always, then the sample. */
    public static Plan plan(ClDevice device, int budget, long seed) {
        DeviceLimits limits = DeviceLimits.of(device);
        List<GemmConfig> always = new ArrayList<>(GemmConfig.defaultsFor(limits));
        cached(device, cacheFile()).ifPresent(c -> always.add(0, c));
        return plan(limits, always, budget, seed);
    }

    /**
     * The tuned configuration for this device, or its default when it was never tuned, the cache is
     * unreadable, or the cached choice does not fit the device; in either case never one the device
     * refuses: a tiled choice that does not build, or whose built kernels allow fewer items than it needs
     * (CL_KERNEL_WORK_GROUP_SIZE, which only the build reveals), gives way to the next default. A register
     * block needs no limits, so choosing one builds nothing.
     */
    public static GemmConfig cachedOrDefault(ClDevice d) {
        Path f = cacheFile();
        Optional<GemmConfig> cached = cached(d, f);
        if (cached.isPresent() && cached.get() instanceof GemmConfig.RegisterBlock
                && GemmSpace.REGISTER_BLOCK.deviceRules().isEmpty()) {
            return cached.get(); // fits every device: no need to query one
        }
        if (!d.isGpu() && cached.isEmpty()) {
            return defaultBlock(d); // what defaultFor gives every device but a GPU, without building the limits' probe
        }
        return firstRunnable(d, choices(d, DeviceLimits.of(d), f));
    }

    /**
     * The untuned register block for the device ({@link GemmConfig#blockFor} of its preferred float vector
     * width): one device query, where {@link DeviceLimits#of} would build a program to probe a kernel's limit.
     */
    public static GemmConfig.RegisterBlock defaultBlock(ClDevice d) {
        return GemmConfig.blockFor(DeviceLimits.preferredFloatWidth(d));
    }

    /** The first of {@code choices} whose kernels the device accepts once built; the last is a register block. */
    static GemmConfig firstRunnable(ClDevice d, List<GemmConfig> choices) {
        for (GemmConfig c : choices) {
            if (!(c instanceof GemmConfig.Tiled t) || OpenClBackend.tiledKernelRefusal(d, t).isEmpty()) {
                return c;
            }
        }
        return GemmConfig.DEFAULT;
    }

    /** {@link #cachedOrDefault(ClDevice)} judged by the limits alone (nothing is built). */
    static GemmConfig cachedOrDefault(ClDevice d, DeviceLimits limits, Path f) {
        return choices(d, limits, f).get(0);
    }

    /** The cached choice if it fits the limits, then the device's defaults (ending with a register block). */
    static List<GemmConfig> choices(ClDevice d, DeviceLimits limits, Path f) {
        List<GemmConfig> out = new ArrayList<>();
        cached(d, f).filter(c -> c.unfitFor(limits).isEmpty()).ifPresent(out::add);
        for (GemmConfig c : GemmConfig.defaultsFor(limits)) {
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** This device's entry in the cache file, if there is a readable one. */
    static Optional<GemmConfig> cached(ClDevice d, Path f) {
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            JsonElement c = readCache(f).get(key(d));
            if (c == null) {
                return Optional.empty();
            }
            if (!c.isJsonObject()) {
                throw new IllegalArgumentException("the entry is not an object");
            }
            return Optional.of(fromJson(c.getAsJsonObject()));
        } catch (IOException | BoundedJson.Malformed | IllegalArgumentException e) {
            return Optional.empty(); // a damaged cache must not stop training; tuning again rewrites it
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

    /** A configuration as the cache stores it (also the "gemm_config" of bench results). */
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
     * One candidate's median time over {@code samples} measurements, in microseconds per round of all
     * shapes (one sample when it was cut, see {@link #CUTOFF}); or, when {@code skipped} is non-null, why the
     * device could not run it (microseconds is then NaN).
     */
    public record Timing(GemmConfig config, double microseconds, int samples, String skipped) {
        static Timing skipped(GemmConfig config, String why) {
            return new Timing(config, Double.NaN, 0, why);
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

    /**
     * Times every candidate of {@code plan} on {@code device}, reports each to {@code progress}, saves the
     * best to {@code cache} and returns its timing.
     */
    public static Timing tune(ClDevice device, Plan plan, Path cache, Consumer<Timing> progress) {
        DeviceLimits limits = DeviceLimits.of(device);
        Timing best = null;
        for (GemmConfig c : plan.timed()) {
            Timing t = time(device, limits, c, best == null ? Double.POSITIVE_INFINITY : CUTOFF * best.microseconds());
            progress.accept(t);
            if (t.skipped() == null && (best == null || t.microseconds() < best.microseconds())) {
                best = t;
            }
        }
        if (best == null) {
            // Only if the plan had no register block, which runs everywhere: time the default.
            best = time(device, limits, GemmConfig.DEFAULT, Double.POSITIVE_INFINITY);
            progress.accept(best);
        }
        save(device, best.config(), cache);
        return best;
    }

    /**
     * Times one configuration: nothing is built when the limits refuse it, and the build's own refusal
     * (the kernel's work-group limit) is a skip too. After the first round (which compiles the work-group
     * functions) one round is timed; when it is slower than {@code cutAbove} µs, that is the result,
     * else the median of 5 samples of 5 rounds.
     */
    static Timing time(ClDevice device, DeviceLimits limits, GemmConfig config, double cutAbove) {
        var unfit = config.unfitFor(limits);
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
            long t0 = System.nanoTime();
            round.run();
            b.finish();
            double once = (System.nanoTime() - t0) / 1e3;
            if (once > cutAbove) {
                return new Timing(config, once, 1, null);
            }
            double[] us = new double[5];
            for (int t = 0; t < us.length; t++) {
                long s0 = System.nanoTime();
                for (int r = 0; r < 5; r++) {
                    round.run();
                }
                b.finish();
                us[t] = (System.nanoTime() - s0) / 1e3 / 5;
            }
            Arrays.sort(us);
            return new Timing(config, us[us.length / 2], us.length, null);
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
