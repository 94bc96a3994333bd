package io.clprop.cli;

import io.clprop.data.CsvReader;
import io.clprop.data.Dataset;
import io.clprop.data.MnistFolder;
import io.clprop.data.Standardizer;
import io.clprop.model.ModelFile;
import io.clprop.util.UserError;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where labelled data comes from, for `train` and `eval`: an MNIST-layout IDX folder, or CSV files (a
 * training file and optionally a test file), with optional per-feature standardisation fitted on the
 * training set. Mixed into a command with {@code @Mixin DataOptions data;}.
 */
public final class DataOptions {
    public enum Format {
        IDX, CSV;

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final class FormatConverter implements ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            for (Format f : Format.values()) {
                if (f.cliName().equals(value.toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            throw new TypeConversionException("unknown format '" + value + "' (expected idx or csv)");
        }
    }

    @Option(names = "--format", paramLabel = "idx|csv", converter = FormatConverter.class,
            description = "Data format: idx (an MNIST-layout folder) or csv (default: idx).")
    Format format = Format.IDX;

    @Option(names = "--data", paramLabel = "DIR|FILE",
            description = "idx: the folder with the four MNIST-format files, raw or .gz (default: "
                    + "/usr/share/datasets/fashion-mnist); csv: the CSV file (train: the training set; eval: the "
                    + "set to evaluate).")
    Path data;

    @Option(names = "--test-data", paramLabel = "FILE", description = "csv: a test set to report accuracy on while training.")
    Path testData;

    @Mixin
    CsvOptions csv = new CsvOptions();

    @Option(names = "--standardize", negatable = true,
            description = "Standardise each feature with the training set's mean and standard deviation, stored in "
                    + "the model file (default: on for csv, off for idx).")
    Boolean standardize;

    /**
     * What `train` needs.
     *
     * @param test         null when there is no test set (csv without --test-data)
     * @param standardizer null when features are used as they are; to be saved in the model file
     * @param classNames   empty when the classes are the label values 0..n−1
     * @param source       one line saying where the data came from
     */
    public record TrainingData(Dataset train, Dataset test, Standardizer standardizer, List<String> classNames,
                               String source) {
    }

    /** The data to evaluate a model on, its standardisation applied, and where it came from. */
    public record EvaluationData(Dataset data, String source) {
    }

    public Format format() {
        return format;
    }

    /**
     * Loads the training set (and test set), takes the first {@code trainLimit}/{@code testLimit} samples when
     * given (--train-limit, --test-limit), then fits the standardiser on the training samples kept and applies
     * it to both.
     */
    public TrainingData loadTraining(Integer trainLimit, Integer testLimit) {
        Dataset train, test;
        List<String> names;
        String source;
        if (format == Format.IDX) {
            csv.rejectFor("idx");
            if (testData != null) {
                throw new UserError("--test-data applies to --format csv; an IDX folder holds its own test files");
            }
            Path dir = data != null ? data : MnistFolder.DEFAULT_DIR;
            MnistFolder.TrainTest tt = MnistFolder.load(dir);
            train = tt.train();
            test = tt.test();
            names = List.of();
            source = dir.toString();
        } else {
            Path file = requireCsvData("the training set");
            CsvReader.Labelled l = CsvReader.readLabelled(file, csv.toOptions());
            train = l.data();
            names = l.classes().names();
            test = null;
            source = file.toString();
            if (testData != null) {
                test = CsvReader.readLabelled(testData, csv.toOptions(), l.classes()).data();
                if (test.featureCount() != train.featureCount()) {
                    throw new UserError(testData + ": " + test.featureCount() + " features per sample, but the training set "
                            + file + " has " + train.featureCount());
                }
                source += ", test " + testData;
            }
        }
        train = limit(train, trainLimit, "--train-limit");
        if (test != null) {
            test = limit(test, testLimit, "--test-limit");
        } else if (testLimit != null) {
            throw new UserError("--test-limit: there is no test set (give --test-data)");
        }
        Standardizer s = null;
        if (standardize != null ? standardize : format == Format.CSV) {
            s = Standardizer.fit(train);
            train = s.apply(train);
            test = test == null ? null : s.apply(test);
        }
        return new TrainingData(train, test, s, names, source);
    }

    /**
     * The labelled data `eval` evaluates {@code model} on: an IDX folder's test files or the CSV file of
     * --data, its labels mapped onto the model's classes, the model's standardisation applied. A data set the
     * model cannot take (other feature count, other classes) is a one-line error naming both files.
     */
    public EvaluationData loadEvaluation(ModelFile model, Path modelFile) {
        if (testData != null) {
            throw new UserError("--test-data is not used by eval; give the file to evaluate with --data");
        }
        if (standardize != null) {
            throw new UserError("--" + (standardize ? "" : "no-") + "standardize: eval applies the standardisation "
                    + "stored in " + modelFile + (model.standardizer() == null ? " (none)" : ""));
        }
        int inputs = model.spec().inputs(), outputs = model.spec().outputs();
        Dataset d;
        Path source;
        if (format == Format.IDX) {
            csv.rejectFor("idx");
            source = data != null ? data : MnistFolder.DEFAULT_DIR;
            d = MnistFolder.loadTest(source);
            if (d.numClasses() != outputs) {
                throw new UserError(source + ": IDX data has " + d.numClasses() + " classes but model " + modelFile
                        + " has " + outputs);
            }
        } else {
            source = requireCsvData("the set to evaluate");
            CsvReader.Classes classes = new CsvReader.Classes(outputs, model.classNames(),
                    "the classes of model " + modelFile);
            d = CsvReader.readLabelled(source, csv.toOptions(), classes).data();
        }
        if (d.featureCount() != inputs) {
            throw new UserError(source + ": samples have " + d.featureCount() + " features but model " + modelFile
                    + " takes " + inputs);
        }
        if (model.standardizer() != null) {
            d = model.standardizer().apply(d);
        }
        return new EvaluationData(d, source.toString());
    }

    private Path requireCsvData(String what) {
        if (data == null) {
            throw new UserError("--format csv needs --data FILE (" + what + ")");
        }
        return data;
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
