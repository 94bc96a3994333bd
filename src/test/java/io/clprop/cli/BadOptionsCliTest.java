package io.clprop.cli;

import io.clprop.TestDevices;
import io.clprop.data.IdxFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bad `train` options: status 2, one line naming the option and what is wrong with it, no stack trace,
 * nothing printed or written. The data folder is valid (see {@link #theBaseCommandTrains}), so each refusal
 * is the option's.
 */
class BadOptionsCliTest {
    static final int TRAIN = 12;

    @TempDir
    Path data;
    @TempDir
    Path out;

    @BeforeEach
    void validFolder() {
        IdxFiles.writeMnistFolder(data, false, TRAIN, 5, 4, 3);
    }

    /** A small valid run on the CPU path, with {@code options} added or replacing the base value. */
    private CliTest.Result train(String options) {
        List<String> extra = Arrays.asList(options.split(" "));
        List<String> args = new ArrayList<>(List.of("train"));
        String[][] base = {{"--device", "cpu"}, {"--data", data.toString()}, {"--hidden", "5"}, {"--batch", "4"},
                {"--epochs", "1"}, {"--metrics-json", out.resolve("m.json").toString()}};
        for (String[] option : base) {
            if (!extra.contains(option[0])) { // picocli refuses an option given twice
                args.addAll(List.of(option));
            }
        }
        args.addAll(extra);
        return CliTest.run(args.toArray(String[]::new));
    }

    @Test
    void theBaseCommandTrains() {
        CliTest.Result r = train("--seed 1");
        assertEquals(0, r.status(), r.err());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--lr 0              | --lr       | must be a positive number, got 0.0",
            "--lr -0.5           | --lr       | must be a positive number, got -0.5",
            "--lr NaN            | --lr       | got NaN",
            "--lr Infinity       | --lr       | got Infinity",
            "--batch 0           | --batch    | must be positive, got 0",
            "--batch 13          | --batch 13 | larger than the training set (12 samples)",
            "--batch 7 --validation 0.5 | --batch 7 | larger than the training set (6 samples after the validation split)",
            "--hidden 0          | --hidden   | must be positive, got 0",
            "--hidden 8,0        | --hidden   | must be positive, got 0",
            "--activation swish  | --activation | unknown activation 'swish'",
            "--loss hinge        | --loss     | hinge",
            "--device gpu        | --device gpu | unknown device",
            "--device opencl:x   | --device opencl:x | expected opencl:N",
            "--epochs 0          | --epochs   | must be positive, got 0",
            "--dropout 1         | --dropout  | must be a probability in [0, 1), got 1.0",
            "--dropout -0.1      | --dropout  | must be a probability in [0, 1), got -0.1",
            "--dropout NaN       | --dropout  | got NaN",
            "--check-every -1    | --check-every | must be ≥ 0, got -1",
            "--train-limit 13    | --train-limit 13 | between 1 and 12",
            "--target-loss -1    | --target-loss | must be ≥ 0",
            "--init orthogonal   | --init     | orthogonal",
            "--build-option gemm.cl | --build-option gemm.cl | expected FILE.cl=OPTIONS",
            "--metrics-json /    | --metrics-json / | is a folder",
            "--save /            | --save / | is a folder",
            "--metrics-json /no-such-folder/m.json | --metrics-json /no-such-folder/m.json | folder /no-such-folder does not exist",
            "--plot /no-such-folder/p.png | --plot /no-such-folder/p.png | folder /no-such-folder does not exist",
            "--plot curves.jpg   | --plot curves.jpg | give a file name ending in .png"})
    void isRefusedWithOneLineNamingTheOption(String options, String option, String problem) {
        BadInput.assertRejected(train(options), out, option, problem);
    }

    @Test
    void emptyOutputFileName() {
        List<String> args = new ArrayList<>(List.of("train", "--device", "cpu", "--data", data.toString(), "--hidden",
                "5", "--batch", "4", "--epochs", "1", "--metrics-json", ""));
        BadInput.assertRejected(CliTest.run(args.toArray(String[]::new)), out, "--metrics-json",
                "needs a file name, got an empty one");
    }

    @Test
    void deviceIndexThatDoesNotExist() {
        TestDevices.openCl().close(); // the message needs the device count; without OpenCL it names what is missing
        BadInput.assertRejected(train("--device opencl:99"), out, "--device opencl:99", "no such OpenCL device",
                "clprop devices");
    }

    @Test
    void buildOptionForAFileThatDoesNotExist() {
        TestDevices.openCl().close();
        BadInput.assertRejected(train("--device opencl --build-option nosuch.cl=-DX=1"), out,
                "--build-option nosuch.cl=-DX=1", "no kernel file nosuch.cl", "gemm.cl");
    }
}
