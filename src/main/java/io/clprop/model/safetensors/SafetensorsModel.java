package io.clprop.model.safetensors;

import io.clprop.model.ModelFile;
import io.clprop.util.UserError;

import java.nio.file.Path;

/**
 * A safetensors file that clprop wrote ({@link SafetensorsWriter}) read back as the model it came from: the
 * network, class and feature names and preprocessing from its {@link ClpropMetadata}, the parameters from
 * its tensors ({@link SequentialParameters}). The provenance ("trained") is not exported and comes back
 * empty.
 */
public final class SafetensorsModel {
    private SafetensorsModel() {
    }

    /** The model in {@code file}; a {@link UserError} when it is not a safetensors file clprop wrote. */
    public static ModelFile read(Path file) {
        return of(SafetensorsFile.read(file));
    }

    /** The model a file already read describes. */
    public static ModelFile of(SafetensorsFile f) {
        ClpropMetadata.Described d = ClpropMetadata.read(f.file(), f.metadata());
        if (d == null) {
            throw new UserError(f.file() + ": has no " + ClpropMetadata.NETWORK + " metadata, so it does not say which "
                    + "network its tensors are for (a file clprop did not write)");
        }
        float[] parameters = SequentialParameters.of(f, d.spec());
        return new ModelFile(d.spec(), parameters, d.standardizer(), d.classNames(), d.featureNames(), d.fill(), null);
    }
}
