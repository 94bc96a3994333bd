package io.clprop.backend.opencl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The matrix-multiply kernels' search space, written as data in the manner of CLBlast's tuner: per kernel
 * family, its parameters with the values tried, and rules over them and the device's limits. A family's
 * configurations are every combination of its values that its {@link Why#KERNEL} rules allow; a device
 * runs those its {@link Why#DEVICE} rules allow (the same rules {@link GemmConfig#unfitFor} applies to any
 * configuration, tuned, cached or given by hand); {@link Why#PRUNE} rules drop, before timing, those not
 * worth it. {@link GemmTuner} times a sample of what remains.
 */
public final class GemmSpace {

    /** Why a rule exists. */
    public enum Why {
        /** The kernel source cannot be built otherwise. */
        KERNEL,
        /** The device would refuse to build or launch it. */
        DEVICE,
        /** It runs, but is not expected to win: not timed. */
        PRUNE
    }

    /** One parameter: a -D define of the kernel file and the values the tuner tries. */
    public record Parameter(String name, List<Integer> values) {
    }

    /**
     * A rule: {@code violation} gives why a configuration (or, for KERNEL rules, its raw values) breaks it on
     * a device, or null when it holds. {@code text} is the rule in words, as the tuner lists it and the README states it.
     */
    public record Rule<T>(Why why, String text, BiFunction<T, DeviceLimits, String> violation) {
    }

    /** A family's values by parameter name, before they are known to form a configuration. */
    public record Values(Map<String, Integer> byName) {
        public int get(String name) {
            Integer v = byName.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no parameter " + name);
            }
            return v;
        }
    }

    /** A kernel family: its parameters, how values become a configuration, and its rules. */
    public record Family<C extends GemmConfig>(String name, Class<C> type, List<Parameter> parameters,
                                                List<Rule<Values>> kernelRules, Function<Values, C> make,
                                                List<Rule<C>> deviceRules, List<Rule<C>> pruneRules) {

        /** Every combination of the values, in the order of the parameters' lists. */
        public List<Values> product() {
            List<Values> out = new ArrayList<>();
            collect(0, new LinkedHashMap<>(), out);
            return out;
        }

        private void collect(int i, LinkedHashMap<String, Integer> partial, List<Values> out) {
            if (i == parameters.size()) {
                out.add(new Values(Map.copyOf(partial)));
                return;
            }
            for (int v : parameters.get(i).values()) {
                partial.put(parameters.get(i).name(), v);
                collect(i + 1, partial, out);
            }
            partial.remove(parameters.get(i).name());
        }

        /** The first KERNEL rule these values break, if any. */
        public Optional<String> kernelViolation(Values v) {
            return firstViolation(kernelRules, v, null);
        }

        /** The family's configurations, whatever the device: the product less what the kernel rules forbid. */
        public List<C> configurations() {
            List<C> out = new ArrayList<>();
            for (Values v : product()) {
                if (kernelViolation(v).isEmpty()) {
                    out.add(make.apply(v));
                }
            }
            return out;
        }

        /** Why the device cannot run {@code c}: the first DEVICE rule it breaks. */
        public Optional<String> unfit(C c, DeviceLimits device) {
            return firstViolation(deviceRules, c, device);
        }

        /** Why {@code c} is not worth timing on the device: the first PRUNE rule it breaks. */
        public Optional<String> pruned(C c, DeviceLimits device) {
            return firstViolation(pruneRules, c, device);
        }

        /** The configurations {@link GemmTuner} may time on the device: within its limits and not pruned. */
        public List<C> generate(DeviceLimits device) {
            List<C> out = new ArrayList<>();
            for (C c : configurations()) {
                if (unfit(c, device).isEmpty() && pruned(c, device).isEmpty()) {
                    out.add(c);
                }
            }
            return out;
        }

        private static <T> Optional<String> firstViolation(List<Rule<T>> rules, T subject, DeviceLimits device) {
            for (Rule<T> r : rules) {
                String why = r.violation().apply(subject, device);
                if (why != null) {
                    return Optional.of(why);
                }
            }
            return Optional.empty();
        }
    }

    private GemmSpace() {
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    /**
     * kernels/gemm.cl. The values are all the file generates (RM ≤ 8 rows, NV ≤ 4 vectors, the vector types
     * OpenCL C has): no combination needs a kernel rule. No local memory and no explicit work-group size,
     * so every device runs every one. Pruned: blocks whose rows are not whole preferred vectors (VW·NV a
     * multiple of CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT): on PoCL with AVX-512 (16) that keeps float16 rows
     * and float8 or float4 ones long enough to fill a register, the shapes measured fastest there; drivers
     * that vectorise across work-items report 1 and keep everything.
     */
    public static final Family<GemmConfig.RegisterBlock> REGISTER_BLOCK = new Family<>("register-block",
            GemmConfig.RegisterBlock.class,
            List.of(new Parameter("RM", range(1, 8)), new Parameter("VW", List.of(2, 4, 8, 16)),
                    new Parameter("NV", range(1, 4))),
            List.of(),
            v -> GemmConfig.registerBlock(v.get("RM"), v.get("VW"), v.get("NV")),
            List.of(),
            List.of(new Rule<>(Why.PRUNE, "VW·NV is a multiple of the preferred float vector width",
                    (b, d) -> b.colsPerItem() % Math.max(1, d.preferredFloatWidth()) == 0 ? null
                            : "a row of " + b.colsPerItem() + " floats is not whole vectors of the preferred width "
                            + d.preferredFloatWidth())));

    /**
     * kernels/gemm_tiled.cl. Tiles of 16 to 128 rows and columns, as in CLBlast's xgemm tuner, k chunks of 8
     * to 32, 1 to 8 results per item and dimension (at most 64 accumulators, within a GPU's registers).
     * The kernel rules repeat what GemmConfig.Tiled's constructor and the file's #error require (no
     * combination of these values breaks them; they bind configurations given by hand). The device rules
     * are the work-group's size as a whole and per dimension, and local memory. Pruned: tiles whose copy
     * loops would leave some items idle on every pass (TSM·TSK and TSN·TSK not multiples of the items per
     * group), which CLBlast's kernels forbid outright.
     */
    public static final Family<GemmConfig.Tiled> TILED = new Family<>("tiled", GemmConfig.Tiled.class,
            List.of(new Parameter("TSM", List.of(16, 32, 64, 128)), new Parameter("TSN", List.of(16, 32, 64, 128)),
                    new Parameter("TSK", List.of(8, 16, 32)), new Parameter("WPTM", List.of(1, 2, 4, 8)),
                    new Parameter("WPTN", List.of(1, 2, 4, 8))),
            List.of(new Rule<>(Why.KERNEL, "TSM is a multiple of WPTM and TSN of WPTN", (v, d) ->
                            v.get("TSM") % v.get("WPTM") == 0 && v.get("TSN") % v.get("WPTN") == 0 ? null
                                    : "the tile is not whole register blocks"),
                    new Rule<>(Why.KERNEL, "WPTM·WPTN ≤ 64", (v, d) ->
                            v.get("WPTM") * v.get("WPTN") <= 64 ? null : "more than 64 accumulators per item")),
            v -> GemmConfig.tiled(v.get("TSM"), v.get("TSN"), v.get("TSK"), v.get("WPTM"), v.get("WPTN")),
            List.of(new Rule<>(Why.DEVICE, "(TSN/WPTN)·(TSM/WPTM) ≤ the work-group maximum", (t, d) ->
                            t.itemsPerGroup() <= d.maxWorkGroupSize() ? null
                                    : "a work-group of " + t.localSize()[0] + "×" + t.localSize()[1] + " = "
                                    + t.itemsPerGroup() + " items exceeds the device's maximum of " + d.maxWorkGroupSize()),
                    new Rule<>(Why.DEVICE, "TSN/WPTN and TSM/WPTM ≤ the work-items per dimension", (t, d) ->
                            t.localSize()[0] <= d.maxItems0() && t.localSize()[1] <= d.maxItems1() ? null
                                    : "a work-group of " + t.localSize()[0] + "×" + t.localSize()[1]
                                    + " items exceeds the device's " + d.maxItems0() + "×" + d.maxItems1()
                                    + " per dimension"),
                    new Rule<>(Why.DEVICE, "4·TSK·(TSM+1 + TSN+1) bytes ≤ the local memory", (t, d) ->
                            t.localMemBytes() <= d.localMemBytes() ? null
                                    : t.localMemBytes() + " bytes of local memory per work-group exceed the device's "
                                    + d.localMemBytes())),
            List.of(new Rule<>(Why.PRUNE, "TSM·TSK and TSN·TSK are multiples of the items per group", (t, d) ->
                    (t.tsm() * t.tsk()) % t.itemsPerGroup() == 0 && (t.tsn() * t.tsk()) % t.itemsPerGroup() == 0 ? null
                            : "the copies of a " + t.tsm() + "×" + t.tsk() + " and a " + t.tsk() + "×" + t.tsn()
                            + " slice do not divide evenly over " + t.itemsPerGroup() + " items")));

    /** Every family, in the order {@link GemmTuner} times them. */
    public static final List<Family<? extends GemmConfig>> FAMILIES = List.of(REGISTER_BLOCK, TILED);

    /** The family a configuration belongs to. */
    public static Family<? extends GemmConfig> familyOf(GemmConfig c) {
        for (Family<? extends GemmConfig> f : FAMILIES) {
            if (f.type().isInstance(c)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no family for " + c);
    }

    /** Why the device cannot run {@code c} (its family's DEVICE rules), or empty. */
    public static Optional<String> unfit(GemmConfig c, DeviceLimits device) {
        return unfitAs(familyOf(c), c, device);
    }

    /** Why {@code c} is not worth timing on the device (its family's PRUNE rules), or empty. */
    public static Optional<String> pruned(GemmConfig c, DeviceLimits device) {
        return prunedAs(familyOf(c), c, device);
    }

    private static <C extends GemmConfig> Optional<String> unfitAs(Family<C> f, GemmConfig c, DeviceLimits device) {
        return f.unfit(f.type().cast(c), device);
    }

    private static <C extends GemmConfig> Optional<String> prunedAs(Family<C> f, GemmConfig c, DeviceLimits device) {
        return f.pruned(f.type().cast(c), device);
    }
}
