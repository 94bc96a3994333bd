package io.clprop.train;

import io.clprop.util.InvalidSetting;

import static io.clprop.util.Wording.setting;

/**
 * The learning rate of each step, a pure function of the position in training so that a resumed run
 * gets the same rates as an uninterrupted one. Computed on the host in double and passed to the update
 * kernel as an argument: no transfer.
 * <ul>
 *   <li>{@code constant}: η0 throughout.</li>
 *   <li>{@code step:E:G}: η0·G^⌊epoch/E⌋, multiplied by G every E epochs (PyTorch's StepLR per epoch).</li>
 *   <li>{@code cosine}: η0·½(1 + cos(π·t/T)) over the run's T steps, t the global step (cosine annealing
 *       to zero without restarts, updated every step).</li>
 * </ul>
 */
public sealed interface LrSchedule extends java.io.Serializable {

    /** @param epoch 0-based epoch; {@code step} 0-based step within it; {@code stepsPerEpoch}, {@code epochs}: the run's. */
    double rate(double base, int epoch, int step, int stepsPerEpoch, int epochs);

    String describe();

    record Constant() implements LrSchedule {
        @Override
        public double rate(double base, int epoch, int step, int stepsPerEpoch, int epochs) {
            return base;
        }

        @Override
        public String describe() {
            return "constant";
        }
    }

    record StepDecay(int every, double gamma) implements LrSchedule {
        public StepDecay {
            if (every <= 0) {
                throw new InvalidSetting(setting("schedule") + " step:E:G needs E ≥ 1 epochs, got " + every);
            }
            if (!(gamma > 0) || Double.isInfinite(gamma)) {
                throw new InvalidSetting(setting("schedule") + " step:E:G needs a factor G > 0, got " + gamma);
            }
        }

        @Override
        public double rate(double base, int epoch, int step, int stepsPerEpoch, int epochs) {
            return base * Math.pow(gamma, epoch / every);
        }

        @Override
        public String describe() {
            return "step:" + every + ":" + gamma;
        }
    }

    record Cosine() implements LrSchedule {
        @Override
        public double rate(double base, int epoch, int step, int stepsPerEpoch, int epochs) {
            double t = (double) epoch * stepsPerEpoch + step;
            double total = (double) epochs * stepsPerEpoch;
            return base * 0.5 * (1 + Math.cos(Math.PI * Math.min(t, total) / total));
        }

        @Override
        public String describe() {
            return "cosine";
        }
    }

    LrSchedule CONSTANT = new Constant();

    /** "constant", "cosine" or "step:E:G". */
    static LrSchedule parse(String s) {
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("constant")) {
            return CONSTANT;
        }
        if (v.equals("cosine")) {
            return new Cosine();
        }
        if (v.startsWith("step:")) {
            String[] parts = v.split(":");
            if (parts.length == 3) {
                try {
                    return new StepDecay(Integer.parseInt(parts[1]), Double.parseDouble(parts[2]));
                } catch (NumberFormatException e) {
                    // fall through to the message below
                }
            }
            throw new InvalidSetting(setting("schedule") + " '" + s + "': expected step:E:G, e.g. step:5:0.5");
        }
        throw new InvalidSetting("unknown schedule '" + s + "' (expected constant, step:E:G or cosine)");
    }
}
