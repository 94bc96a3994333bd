package io.clprop.fuzz;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Makes every fuzz property reproducible: all of them draw their cases from one fixed seed, printed with the
 * property's result, unless {@code -Dclprop.fuzz.seed=N} asks for another (a long; "random" for a new one
 * each run). {@code -Dclprop.fuzz.tries=N} runs N cases per property instead of the numbers in the
 * {@code @Property} annotations, which are sized so that all of them together take about 30 s on a busy two-core machine.
 * Each property's wall time is printed too. {@code -Dclprop.fuzz.survey=true}: see {@link Survey}.
 */
public final class FuzzSettings implements AroundPropertyHook {
    /** The seed a run uses when none is asked for. Any long would do; this one is fixed so CI runs repeat. */
    public static final String DEFAULT_SEED = "20250611";
    static final String SEED_PROPERTY = "clprop.fuzz.seed";
    static final String TRIES_PROPERTY = "clprop.fuzz.tries";

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String seed = System.getProperty(SEED_PROPERTY, DEFAULT_SEED).trim();
        if (!seed.equalsIgnoreCase("random")) {
            Long.parseLong(seed); // a typo in the option fails here, not as a silently random run
            context.attributes().setSeed(seed);
        }
        String tries = System.getProperty(TRIES_PROPERTY);
        if (tries != null && !tries.isBlank()) {
            context.attributes().setTries(Integer.parseInt(tries.trim()));
        }
        long t0 = System.nanoTime();
        Survey.current = context.extendedLabel();
        PropertyExecutionResult result = property.execute();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (Survey.on() && result.status() == PropertyExecutionResult.Status.SUCCESSFUL) {
            try {
                Survey.report(context.extendedLabel());
            } catch (AssertionError found) {
                result = result.mapToFailed(found);
            }
        }
        context.reporter().publishValue("fuzz", String.format("%s: %d ms, seed %s (rerun with -D%s=%s)",
                context.extendedLabel(), ms, result.seed().orElse(seed), SEED_PROPERTY, result.seed().orElse(seed)));
        return result;
    }
}
