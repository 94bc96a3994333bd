package io.clprop.cli;

import io.clprop.data.Dataset;
import io.clprop.data.FeatureFill;
import io.clprop.model.ModelFile;
import io.clprop.util.Excerpt;
import io.clprop.util.UserError;

import java.util.List;

/**
 * The checks of `train --init-from MODEL` on the data options: the run prepares its data as the model's was
 * (its standardiser, its fill values), so an option asking for other preprocessing, or data whose features or
 * classes are not the model's, is refused on one line rather than trained on in the wrong units or order.
 */
final class GivenPreprocessing {
    private GivenPreprocessing() {
    }

    /**
     * The missing-cell policy of the run: the model's. {@code asked} (--missing, ERROR when not given) and
     * {@code standardize} (--standardize/--no-standardize, null when not given) must agree with the model.
     */
    static FeatureFill.Policy missingPolicy(ModelFile given, FeatureFill.Policy asked, Boolean standardize) {
        boolean standardized = given.standardizer() != null;
        if (standardize != null && standardize != standardized) {
            throw new UserError((standardize ? "--standardize" : "--no-standardize") + ": the --init-from model was "
                    + "trained on " + (standardized ? "standardised" : "unstandardised") + " inputs, and the run keeps "
                    + "its preprocessing; leave the option out");
        }
        FeatureFill.Policy own = given.fill() == null ? FeatureFill.Policy.ERROR : given.fill().policy();
        if (asked != FeatureFill.Policy.ERROR && asked != own) {
            throw new UserError("--missing " + asked.specName() + ": the --init-from model "
                    + (own == FeatureFill.Policy.ERROR ? "refuses missing cells" : "fills missing cells with its "
                    + own.specName() + " values") + ", and the run keeps its preprocessing; leave the option out");
        }
        return own;
    }

    /**
     * The data must have the model's width (its standardiser and fill are per input), and its feature and
     * class names, where both the data and the model have them, in the same order.
     */
    static void checkData(ModelFile given, Dataset train, List<String> classNames, List<String> featureNames) {
        int inputs = given.spec().inputs();
        if (train.featureCount() != inputs) {
            throw new UserError("--init-from: the model takes " + inputs + " inputs, the data has "
                    + train.featureCount() + " features per sample");
        }
        sameNames("feature", given.featureNames(), featureNames);
        sameNames("class", given.classNames(), classNames);
    }

    private static void sameNames(String what, List<String> model, List<String> data) {
        if (model.isEmpty() || data.isEmpty()) {
            return; // known only by position on one side: nothing to compare
        }
        for (int i = 0; i < Math.min(model.size(), data.size()); i++) {
            if (!model.get(i).equals(data.get(i))) {
                throw new UserError("--init-from: the data's " + what + " " + (i + 1) + " is "
                        + Excerpt.quoted(data.get(i)) + ", the model's is " + Excerpt.quoted(model.get(i)));
            }
        }
        if (model.size() != data.size()) {
            throw new UserError("--init-from: the data has " + data.size() + " " + what + " names, the model "
                    + model.size());
        }
    }
}
