package io.clprop.cli;

import io.clprop.train.EpochJson;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.clprop.backend.Backend;
import io.clprop.model.ModelFile;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.report.ConfusionMatrix;
import io.clprop.train.DeviceDataset;
import io.clprop.train.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `clprop eval`: a saved model's accuracy, mean loss and confusion matrix on labelled data. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a saved model: accuracy, mean loss and confusion matrix on an IDX folder's test files "
                + "or a CSV file.")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The model file (train --save).")
    Path model;

    @Mixin
    DataSource data = new DataSource();

    @picocli.CommandLine.Mixin
    DeviceOption device = new DeviceOption();

    @picocli.CommandLine.Mixin
    JsonOutput json = new JsonOutput();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        json.checkWritable();
        ModelFile m = ModelFile.read(model);
        DataSource.EvaluationData ed = data.loadEvaluation(m, model);
        int n = ed.data().size();
        try (Backend backend = device.open();
             Network net = m.toNetwork(backend, Math.min(Evaluator.CHUNK_ROWS, n));
             DeviceDataset d = new DeviceDataset(backend, ed.data(), m.spec().loss() == LossKind.MSE)) {
            Evaluator.Evaluation e = Evaluator.evaluate(backend, net, d);
            int[][] confusion = ConfusionMatrix.confusion(ed.data().labels(), e.predictions(), m.spec().outputs());
            out.println("model    " + model + ": " + m.spec().describe() + ", " + m.spec().parameterCount() + " parameters"
                    + (m.standardizer() != null ? ", standardised inputs" : ""));
            out.println("device   " + backend.description());
            out.println("data     " + ed.source() + ": " + n + " samples");
            DataSource.reportColumns(ed.columns(), ed.source(), out, spec.commandLine().getErr());
            if (ed.filled() != null) {
                out.println(ed.filled());
            }
            out.printf("accuracy %.4f%n", e.accuracy());
            out.printf("loss     %.6f (%s)%n", e.loss(), m.spec().loss().specName);
            out.println();
            out.print(ConfusionMatrix.format(confusion, m.classNames()));
            if (json.wanted()) {
                json.write(toJson(m, ed, backend.description(), e, confusion));
                out.println("results written to " + json.file);
            }
        }
        return 0;
    }

    private JsonObject toJson(ModelFile m, DataSource.EvaluationData ed, String device, Evaluator.Evaluation e,
                              int[][] confusion) {
        JsonObject o = new JsonObject();
        o.addProperty("model", model.toString());
        o.addProperty("network", m.spec().describe());
        o.addProperty("data", ed.source());
        o.addProperty("device", device);
        o.addProperty("samples", ed.data().size());
        o.add("accuracy", EpochJson.number(e.accuracy()));
        o.add("loss", EpochJson.number(e.loss()));
        List<String> names = new ArrayList<>();
        for (int k = 0; k < m.spec().outputs(); k++) {
            names.add(m.className(k));
        }
        JsonArray classes = new JsonArray();
        names.forEach(classes::add);
        o.add("classes", classes);
        JsonArray rows = new JsonArray();
        for (int[] row : confusion) {
            JsonArray r = new JsonArray();
            for (int v : row) {
                r.add(v);
            }
            rows.add(r);
        }
        o.add("confusion", rows);
        return o;
    }
}
