package io.clprop.cli;

import io.clprop.data.CsvReader;
import io.clprop.data.Dataset;
import io.clprop.data.DeclaredShape;
import io.clprop.data.FeatureFill;
import io.clprop.data.FeatureOrder;
import io.clprop.data.MnistFolder;
import io.clprop.model.ModelFile;
import io.clprop.util.ImageShape;
import io.clprop.util.UserError;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where labelled data is read from: --format, --data, the CSV options and --input-shape. `eval` mixes in
 * this alone; `train` mixes it in through {@link DataOptions}, which adds a test file and standardisation.
 */
public final class DataSource {
    public enum Format {
        IDX, CSV;

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final class FormatConverter implements ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            for (Format f : Format.values()) {
                if (f.specName().equals(value.toLowerCase(Locale.ROOT))) {
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
            description = "idx: the folder with the MNIST-format files, raw or .gz (default: "
                    + "/usr/share/datasets/fashion-mnist); csv: the CSV file.")
    Path data;

    @Mixin
    CsvOptions csv = new CsvOptions();

    @Mixin
    InputShapeOption inputShape = new InputShapeOption();

    /**
     * The data that eval evaluates a model on, its missing cells filled and its standardisation applied, where
     * it came from, how its columns were matched to the model's feature names (POSITIONAL for IDX data and
     * models without names), and a line saying how many cells were filled (null when the model has no fill).
     */
    public record EvaluationData(Dataset data, String source, FeatureOrder.Outcome columns, String filled) {
    }

    /** What the message about columns that are not the model's features adds (eval and predict). */
    static final String UNKNOWN_COLUMNS_HINT = " (leave the columns that are not features of the model out with "
            + "--ignore-columns, or copy them to predict's output with --keep-columns; a label column is named with "
            + "--label-column)";

    /**
     * Says how a CSV file's columns were matched to a model's feature names: a line on {@code out} when they
     * were reordered, a warning on {@code err} when the file had no header to check them by.
     */
    static void reportColumns(FeatureOrder.Outcome columns, String file, PrintWriter out, PrintWriter err) {
        if (columns == FeatureOrder.Outcome.REORDERED) {
            out.println("columns  reordered to the model's feature order");
        } else if (columns == FeatureOrder.Outcome.UNCHECKED) {
            err.println("clprop: warning: " + file + " has no header, so its columns are taken in the model's "
                    + "feature order without checking their names");
        }
    }

    public Format format() {
        return format;
    }

    /**
     * How a CSV file for {@code model} treats missing cells: read, to be filled with the model's values, or
     * refused with a message saying the model has none.
     */
    static CsvReader.Missing missingFor(ModelFile model, Path modelFile) {
        return model.fill() != null ? CsvReader.Missing.ALLOWED : CsvReader.Missing.refused("but model " + modelFile
                + " has no fill values (it was trained with --missing error)");
    }

    /** Features as a model takes them, and the report line of its fill (null when the model has no fill values). */
    record ModelInput(float[] values, String filled) {
    }

    /**
     * What a model does to the samples it is given (eval and predict alike), {@code x} already in its feature
     * order: CSV data's missing cells filled with the model's values, in the file's units, then the model's
     * standardisation. IDX data has no missing cells.
     */
    static ModelInput modelInput(ModelFile model, float[] x, boolean csv, Object file) {
        String filled = null;
        if (csv && model.fill() != null) {
            FeatureFill.Filled f = model.fill().apply(x);
            x = f.values();
            filled = "missing  " + f.cells() + " cells filled with " + model.fill().describe() + " (" + file + ")";
        }
        return new ModelInput(model.standardizer() != null ? model.standardizer().apply(x) : x, filled);
    }

    /** The IDX folder: --data, or the Fashion-MNIST package's. */
    Path idxFolder() {
        csv.rejectFor("idx");
        return data != null ? data : MnistFolder.DEFAULT_DIR;
    }

    Path csvFile(String what) {
        if (data == null) {
            throw new UserError("--format csv needs --data FILE (" + what + ")");
        }
        return data;
    }

    /** How a CSV file of this source is read: the CSV options and the declared image shape. */
    CsvReader.Options csvOptions() {
        return csv.toOptions().withInputShape(inputShape.shape());
    }

    /**
     * The labelled data to evaluate {@code model} on: an IDX folder's test files or the CSV file of --data,
     * its labels mapped onto the model's classes, the model's standardisation applied. Data the model cannot
     * take (another feature count, other classes) is a one-line error naming both files.
     */
    public EvaluationData loadEvaluation(ModelFile model, Path modelFile) {
        int inputs = model.spec().inputs(), outputs = model.spec().outputs();
        Dataset d;
        Path source;
        FeatureOrder.Outcome columns = FeatureOrder.Outcome.POSITIONAL;
        if (format == Format.IDX) {
            source = idxFolder();
            ImageShape declared = inputShape.shape();
            d = MnistFolder.loadTest(source);
            DeclaredShape.checkImages(source, declared, d.imageShape().orElseThrow());
            if (d.numClasses() != outputs) {
                throw new UserError(source + ": IDX data has " + d.numClasses() + " classes but model " + modelFile
                        + " has " + outputs);
            }
        } else {
            source = csvFile("the set to evaluate");
            CsvReader.Classes classes = new CsvReader.Classes(outputs, model.classNames(),
                    "the classes of model " + modelFile);
            String whose = "model " + modelFile;
            CsvReader.Labelled l = CsvReader.readLabelled(source, csvOptions().withMissing(missingFor(model, modelFile)),
                    classes, FeatureOrder.check(model.featureNames(), source, whose, UNKNOWN_COLUMNS_HINT));
            FeatureOrder order = FeatureOrder.match(model.featureNames(), l.featureNames(), source, whose,
                    UNKNOWN_COLUMNS_HINT);
            d = order.apply(l.data());
            columns = order.outcome();
        }
        ImageShape modelShape = model.spec().inputShape().orElse(null);
        if (format == Format.IDX) {
            DeclaredShape.checkModel(source, d.imageShape().orElse(null), modelShape, modelFile);
        } else {
            DeclaredShape.checkDeclaredForModel(source, inputShape.shape(), modelShape, modelFile);
        }
        if (d.featureCount() != inputs) {
            throw new UserError(source + ": samples have " + d.featureCount() + " features but model " + modelFile
                    + " takes " + inputs);
        }
        ModelInput in = modelInput(model, d.features(), format == Format.CSV, source);
        if (in.values() != d.features()) {
            d = d.withFeatures(in.values());
        }
        return new EvaluationData(d, source.toString(), columns, in.filled());
    }
}
