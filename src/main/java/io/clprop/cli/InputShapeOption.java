package io.clprop.cli;

import io.clprop.util.ImageShape;
import picocli.CommandLine.Option;

/**
 * --input-shape: the image shape of a sample, for CSV data (whose columns must be exactly its values) and,
 * as a check, for IDX data (which must have that shape already). Read as text and parsed by
 * {@link ImageShape#parse}, so that a bad value is the library's message, shown with the option's name.
 */
final class InputShapeOption {
    @Option(names = "--input-shape", paramLabel = "C×H×W",
            description = "The samples are images of C channels of H × W (also written CxHxW, e.g. 1x28x28): csv: its "
                    + "feature columns, in channel, row, column order, must be exactly C·H·W; idx: must be the "
                    + "images' own shape, 1×rows×cols (default: csv data are plain feature rows).")
    String inputShape;

    /** The shape given, or null without the option. */
    ImageShape shape() {
        return inputShape == null ? null : ImageShape.parse(inputShape);
    }
}
