package io.clprop.cli;

import io.clprop.data.CsvReader;
import io.clprop.data.Dataset;
import io.clprop.data.DeclaredShape;
import io.clprop.data.FeatureFill;
import io.clprop.data.FeatureOrder;
import io.clprop.data.MnistFolder;
import io.clprop.data.Standardizer;
import io.clprop.model.ModelFile;
import io.clprop.util.ImageShape;
import io.clprop.util.UserError;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/**
 * The training data options of `train`: an MNIST-layout IDX folder, or CSV files (a training file and
 * optionally a test file), with missing CSV cells filled and optional per-feature standardisation, both
 * fitted on the training set (to be stored in the model file). Mixed into a command with
 * {@code @Mixin DataOptions data;}.
 */
public final class DataOptions {
    @Mixin
    DataSource source = new DataSource();

    @Option(names = "--test-data", paramLabel = "FILE", description = "csv: a test set to report accuracy on while training; with headers, its columns are "
            + "matched to the training set's by name.")
    Path testData;

    @Option(names = "--standardize", negatable = true,
            description = "Standardise each feature with the training set's mean and standard deviation, stored in "
                    + "the model file (default: on for csv, off for idx).")
    Boolean standardize;

    @Option(names = "--missing", paramLabel = "error|mean|zero", converter = Converters.MissingConverter.class,
            description = "csv: what a missing feature cell (empty, or NA) is: an error (default), or filled with "
                    + "the feature's mean over the training set, or with 0; the fill values are stored in the model "
                    + "file for eval and predict.")
    FeatureFill.Policy missing = FeatureFill.Policy.ERROR;

    /**
     * What `train` needs.
     *
     * @param test         null when there is no test set (csv without --test-data)
     * @param standardizer null when features are used as they are; to be saved in the model file
     * @param classNames   empty when the classes are the label values 0..n−1; to be saved in the model file
     * @param featureNames the training CSV's header names of the features, in input order; empty for IDX data
     *                     and a CSV file without a header; to be saved in the model file
     * @param testColumns  how the test CSV's columns were matched to the training set's (POSITIONAL when there
     *                     is no test CSV or the training set has no names)
     * @param source       one line saying where the data came from
     * @param fill         null unless --missing mean or zero; to be saved in the model file
     * @param filled       one line saying how many cells were filled in which file; null without a fill
     */
    public record TrainingData(Dataset train, Dataset test, Standardizer standardizer, List<String> classNames,
                               List<String> featureNames, FeatureOrder.Outcome testColumns, String source,
                               FeatureFill fill, String filled) {
    }

    public DataSource.Format format() {
        return source.format();
    }

    /**
     * Loads the training set (and test set), keeps the first {@code trainLimit}/{@code testLimit} samples when
     * given (--train-limit, --test-limit; null for all), then fits the fill values for missing cells
     * (--missing) and then the standardiser on the training samples kept, and applies them to both.
     */
    public TrainingData loadTraining(Integer trainLimit, Integer testLimit) {
        return loadTraining(trainLimit, testLimit, null);
    }

    /**
     * {@link #loadTraining(Integer, Integer)} for a run that starts from {@code given}'s weights (null: none):
     * the data is prepared as that model's was, with its standardiser and fill values, not statistics fitted
     * anew (its weights were trained in those units; a new mean and std would shift every input the first
     * layer sees). --standardize/--no-standardize or --missing that contradict the model are refused, as are
     * feature or class names that differ from the model's (when both have names), naming the first difference.
     */
    public TrainingData loadTraining(Integer trainLimit, Integer testLimit, ModelFile given) {
        FeatureFill.Policy missing = this.missing;
        if (given != null) {
            missing = GivenPreprocessing.missingPolicy(given, this.missing, standardize);
        }
        Dataset train, test;
        List<String> names, features = List.of();
        FeatureOrder.Outcome testColumns = FeatureOrder.Outcome.POSITIONAL;
        String where;
        Path trainFile = null;
        List<String> columns = List.of();
        if (source.format() == DataSource.Format.IDX) {
            Path dir = source.idxFolder();
            if (this.missing != FeatureFill.Policy.ERROR) {
                throw new UserError("--missing applies to --format csv; IDX images have no missing values");
            }
            if (testData != null) {
                throw new UserError("--test-data applies to --format csv; an IDX folder holds its own test files");
            }
            ImageShape declared = source.inputShape.shape();
            MnistFolder.TrainTest tt = MnistFolder.load(dir);
            DeclaredShape.checkImages(dir, declared, tt.train().imageShape().orElseThrow());
            train = tt.train();
            test = tt.test();
            names = List.of();
            where = dir.toString();
        } else {
            Path file = source.csvFile("the training set");
            trainFile = file;
            CsvReader.Options options = source.csvOptions().withMissing(missing == FeatureFill.Policy.ERROR
                    ? CsvReader.Missing.REFUSED : CsvReader.Missing.ALLOWED);
            // The names are stored in the model to match later data by, so they must be usable as keys.
            CsvReader.Labelled l = CsvReader.readLabelled(file, options, null, CsvReader.HeaderCheck.NAMES_USABLE);
            train = l.data();
            names = l.classes().names();
            features = l.featureNames();
            columns = l.featureColumns();
            test = null;
            where = file.toString();
            if (testData != null) {
                String whose = "the training set " + file;
                CsvReader.Labelled t = CsvReader.readLabelled(testData, options, l.classes(),
                        FeatureOrder.check(features, testData, whose, ""));
                FeatureOrder order = FeatureOrder.match(features, t.featureNames(), testData, whose, "");
                test = order.apply(t.data());
                testColumns = order.outcome();
                if (test.featureCount() != train.featureCount()) {
                    throw new UserError(testData + ": " + test.featureCount() + " features per sample, but the training "
                            + "set " + file + " has " + train.featureCount());
                }
                where += ", test " + testData;
            }
        }
        train = limit(train, trainLimit, "--train-limit");
        if (test != null) {
            test = limit(test, testLimit, "--test-limit");
        } else if (testLimit != null) {
            throw new UserError("--test-limit: there is no test set (give --test-data)");
        }
        if (given != null) {
            GivenPreprocessing.checkData(given, train, names, features);
        }
        FeatureFill fill = null;
        String filled = null;
        if (missing != FeatureFill.Policy.ERROR && source.format() == DataSource.Format.CSV) {
            // Fitted on the samples kept, as the standardiser is, and before it: it standardises filled data.
            fill = given != null ? given.fill() : FeatureFill.fit(missing, train, columns, trainFile);
            FeatureFill.FilledSet ft = fill.apply(train);
            train = ft.data();
            filled = "missing " + ft.cells() + " cells filled with " + fill.describe() + " (" + trainFile + ")";
            if (test != null) {
                FeatureFill.FilledSet fs = fill.apply(test);
                test = fs.data();
                filled += ", " + fs.cells() + " (" + testData + ")";
            }
        }
        Standardizer s = null;
        if (given != null ? given.standardizer() != null
                : standardize != null ? standardize : source.format() == DataSource.Format.CSV) {
            s = given != null ? given.standardizer() : Standardizer.fit(train);
            train = s.apply(train);
            test = test == null ? null : s.apply(test);
        }
        return new TrainingData(train, test, s, names, features, testColumns, where, fill, filled);
    }

    private static Dataset limit(Dataset d, Integer n, String option) {
        if (n == null) {
            return d;
        }
        if (n <= 0 || n > d.size()) {
            throw new UserError(option + " " + n + ": must be between 1 and " + d.size());
        }
        return d.head(n);
    }
}
