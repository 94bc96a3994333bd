package io.clprop.data;

import io.clprop.util.ImageShape;
import io.clprop.util.InvalidSetting;

import java.nio.file.Path;

import static io.clprop.util.Wording.setting;

/**
 * The image shape declared for a data file (the setting {@code inputShape}) held against what the file has:
 * a CSV file's feature columns must be exactly the shape's values, and an IDX image file, which carries its
 * own shape, may only be declared as what it is (a declaration that reinterprets its pixels, 28×28 as
 * 4×14×14, is more likely a mistake than a wish). A mismatch is an {@link InvalidSetting} naming the file.
 */
public final class DeclaredShape {
    private DeclaredShape() {
    }

    /** CSV data of {@code featureColumns} features per sample, declared as {@code declared} (null: nothing declared). */
    static void checkColumns(Path file, ImageShape declared, int featureColumns) {
        if (declared != null && declared.size() != featureColumns) {
            throw new InvalidSetting(file + ": " + setting("inputShape") + " " + declared + " holds "
                    + plural(declared.size(), "value") + ", the CSV data has " + plural(featureColumns, "feature column"));
        }
    }

    /** IDX images of shape {@code found}, declared as {@code declared} (null: nothing declared). */
    public static void checkImages(Path file, ImageShape declared, ImageShape found) {
        if (declared != null && !declared.equals(found)) {
            throw new InvalidSetting(file + ": " + setting("inputShape") + " " + declared + " is not the shape of "
                    + "its images, " + found + " (an IDX file has its own shape: leave " + setting("inputShape")
                    + " out, or give it as " + found + ")");
        }
    }

    /**
     * Images of shape {@code found} (null: data without a shape, taken in the model's) for a model whose
     * first layer reads {@code modelShape} images (null: flat rows, any shape of as many values will do): a
     * convolution run on 4×16 images as if they were 8×8 would give answers without meaning, so another
     * shape of the same size is refused as a different size is.
     */
    public static void checkModel(Path file, ImageShape found, ImageShape modelShape, Path modelFile) {
        if (found != null && modelShape != null && !found.equals(modelShape)) {
            throw new InvalidSetting(file + ": the images are " + found + " but model " + modelFile + " takes "
                    + modelShape + " images");
        }
    }

    /** CSV data declared as {@code declared} (null: nothing declared, taken in the model's shape) for such a model. */
    public static void checkDeclaredForModel(Path file, ImageShape declared, ImageShape modelShape, Path modelFile) {
        if (declared != null && modelShape != null && !declared.equals(modelShape)) {
            throw new InvalidSetting(file + ": " + setting("inputShape") + " " + declared + " is not the shape model "
                    + modelFile + " takes, " + modelShape + " (leave " + setting("inputShape") + " out, or give it as "
                    + modelShape + ")");
        }
    }

    private static String plural(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
