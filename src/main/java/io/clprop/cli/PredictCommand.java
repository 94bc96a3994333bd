package io.clprop.cli;

import io.clprop.backend.Backend;
import io.clprop.data.CsvReader;
import io.clprop.data.DeclaredShape;
import io.clprop.data.FeatureOrder;
import io.clprop.data.IdxReader;
import io.clprop.model.ModelFile;
import io.clprop.model.Predictor;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.train.Evaluator;
import io.clprop.util.AtomicFiles;
import io.clprop.util.ImageShape;
import io.clprop.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * `clprop predict`: a saved model's class and per-class outputs for each sample of a file, as CSV. Softmax-CE
 * models give probabilities (softmax_rows on the device), MSE models their sigmoid outputs as they are.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Predict classes with a saved model: one CSV row per input sample, the predicted class and one "
                + "column per class (probabilities for softmax-ce models, sigmoid outputs for mse models).")
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The model file (train --save).")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "The samples: an IDX image file (raw or .gz) or a CSV file of features (with a header, "
                    + "matched to the model's feature names when it has them).")
    Path input;

    @Option(names = "--format", paramLabel = "idx|csv", converter = DataSource.FormatConverter.class,
            description = "Input format (default: idx).")
    DataSource.Format format = DataSource.Format.IDX;

    @Mixin
    CsvOptions csv = new CsvOptions();

    @Mixin
    InputShapeOption inputShape = new InputShapeOption();

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "The CSV file to write.")
    Path output;

    @Option(names = "--keep-columns", split = ",", paramLabel = "NAME[,NAME…]",
            description = "csv with a header: columns copied unchanged from the input to the output, as its first "
                    + "columns (an id, say); they are not features.")
    List<String> keepColumns = List.of();

    @picocli.CommandLine.Mixin
    DeviceOption device = new DeviceOption();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        AtomicFiles.checkWritable(output, "--output");
        ImageShape declared = inputShape.shape();
        ModelFile m = ModelFile.read(model);
        float[] features;
        int rows, width;
        FeatureOrder.Outcome columns = FeatureOrder.Outcome.POSITIONAL;
        List<String> keptNames = List.of();
        String[] kept = null;
        ImageShape imageShape = null;
        if (format == DataSource.Format.IDX) {
            csv.rejectFor("idx");
            if (!keepColumns.isEmpty()) {
                throw new UserError("--keep-columns applies to --format csv with a header, not idx");
            }
            IdxReader.Images images = IdxReader.readImages(input);
            DeclaredShape.checkImages(input, declared, images.shape());
            imageShape = images.shape();
            features = images.pixels();
            rows = images.count();
            width = images.pixelsPerImage();
        } else {
            String whose = "model " + model;
            // Kept and ignored columns are both left out of the features; only the kept ones reach the output
            // (they come first in the reader's list, so each row's first keepColumns.size() cells).
            List<String> leftOut = new java.util.ArrayList<>(keepColumns);
            leftOut.addAll(csv.ignoreColumns);
            CsvReader.KeptBy named = csv.ignoreColumns.isEmpty() ? CsvReader.KeptBy.KEEP_COLUMNS
                    : keepColumns.isEmpty() ? CsvReader.KeptBy.IGNORE_COLUMNS
                    : CsvReader.KeptBy.KEEP_AND_IGNORE_COLUMNS;
            CsvReader.Options options = csv.toOptions().withMissing(DataSource.missingFor(m, model))
                    .withKeepColumns(leftOut, named).withInputShape(declared);
            CsvReader.Features f = CsvReader.readFeatures(input, options,
                    FeatureOrder.check(m.featureNames(), input, whose, DataSource.UNKNOWN_COLUMNS_HINT));
            FeatureOrder order = FeatureOrder.match(m.featureNames(), f.featureNames(), input, whose,
                    DataSource.UNKNOWN_COLUMNS_HINT);
            features = order.apply(f.values(), f.rows());
            columns = order.outcome();
            rows = f.rows();
            width = f.featureCount();
            keptNames = keepColumns;
            kept = firstColumns(f.kept(), f.keptNames().size(), keepColumns.size(), rows);
        }
        ImageShape modelShape = m.spec().inputShape().orElse(null);
        if (format == DataSource.Format.IDX) {
            DeclaredShape.checkModel(input, imageShape, modelShape, model);
        } else {
            DeclaredShape.checkDeclaredForModel(input, declared, modelShape, model);
        }
        if (width != m.spec().inputs()) {
            throw new UserError(input + ": samples have " + width + " features but model " + model + " takes "
                    + m.spec().inputs() + (format == DataSource.Format.CSV && csv.labelColumn == null
                    ? " (if the file has a label column, name it with --label-column)" : ""));
        }
        DataSource.ModelInput in = DataSource.modelInput(m, features, format == DataSource.Format.CSV, input);
        features = in.values();
        String filled = in.filled();
        Predictor.Prediction p;
        String deviceName;
        try (Backend backend = device.open();
             Network net = m.toNetwork(backend, Math.min(Evaluator.CHUNK_ROWS, rows))) {
            deviceName = backend.description();
            p = Predictor.predict(backend, net, features, rows);
        }
        AtomicFiles.writeString(output, toCsv(m, p, keptNames, kept));
        out.println("model    " + model + ": " + m.spec().describe());
        out.println("device   " + deviceName);
        out.println("input    " + input + ": " + rows + " samples");
        DataSource.reportColumns(columns, input.toString(), out, spec.commandLine().getErr());
        if (filled != null) {
            out.println(filled);
        }
        out.println("written  " + output + " (" + (m.spec().loss() == LossKind.SOFTMAX_CE
                ? "class probabilities" : "sigmoid outputs, not probabilities: an mse model") + ")");
        return 0;
    }

    /**
     * Header "predicted,p_&lt;class&gt;,…" (softmax-CE) or "predicted,out_&lt;class&gt;,…" (MSE); then per sample the
     * predicted class (its name when the model has names) and the outputs, each written as the shortest
     * decimal that reads back as the same float.
     */
    static String toCsv(ModelFile m, Predictor.Prediction p) {
        return toCsv(m, p, List.of(), null);
    }

    /**
     * {@link #toCsv(ModelFile, Predictor.Prediction)} with the kept columns first: their names in the header,
     * their cells ({@code rows × keptNames.size()}, row-major) in each row, as the input had them.
     */
    static String toCsv(ModelFile m, Predictor.Prediction p, List<String> keptNames, String[] kept) {
        String prefix = m.spec().loss() == LossKind.SOFTMAX_CE ? "p_" : "out_";
        int c = p.classCount(), k0 = keptNames.size();
        StringBuilder sb = new StringBuilder();
        for (String name : keptNames) {
            sb.append(quote(name)).append(',');
        }
        sb.append("predicted");
        for (int k = 0; k < c; k++) {
            sb.append(',').append(quote(prefix + m.className(k)));
        }
        sb.append('\n');
        float[] o = p.outputs();
        for (int i = 0; i < p.classes().length; i++) {
            for (int j = 0; j < k0; j++) {
                String cell = kept[i * k0 + j];
                sb.append(cell.isEmpty() ? "" : quote(cell)).append(','); // an empty cell stays empty
            }
            sb.append(quote(m.className(p.classes()[i])));
            for (int k = 0; k < c; k++) {
                sb.append(',').append(o[i * c + k]);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The first {@code k} of each row's {@code width} cells ({@code rows × width}, row-major). */
    private static String[] firstColumns(String[] cells, int width, int k, int rows) {
        if (cells == null || k == width) {
            return cells;
        }
        String[] out = new String[rows * k];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(cells, i * width, out, i * k, k);
        }
        return out;
    }

    /** A CSV cell: quoted when it holds a comma, quote, line break or surrounding space. */
    static String quote(String s) {
        boolean plain = !s.isEmpty() && s.strip().equals(s) && s.chars().noneMatch(ch -> ch == ',' || ch == '"'
                || ch == '\n' || ch == '\r');
        return plain ? s : "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
