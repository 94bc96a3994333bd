package io.clprop.cli;

import io.clprop.backend.opencl.GemmConfig;
import io.clprop.data.FeatureFill;
import io.clprop.backend.Activation;
import io.clprop.nn.LossKind;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option values with dashes or lower case, turned into clear one-line errors when unknown. */
final class Converters {
    private Converters() {
    }

    static final class ActivationConverter implements ITypeConverter<Activation> {
        @Override
        public Activation convert(String value) {
            try {
                Activation a = Activation.parse(value);
                if (a == Activation.IDENTITY) {
                    throw new IllegalArgumentException("identity is not a hidden activation");
                }
                return a;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("unknown activation '" + value + "' (expected " + Activation.hiddenNames() + ")");
            }
        }
    }

    static final class LossConverter implements ITypeConverter<LossKind> {
        @Override
        public LossKind convert(String value) {
            try {
                return LossKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** --gemm-config: {@code block}, {@code tiled}, or defines (see {@link GemmConfig#parse}). */
    static final class GemmConfigConverter implements ITypeConverter<GemmConfig> {
        @Override
        public GemmConfig convert(String value) {
            try {
                return GemmConfig.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "': " + e.getMessage());
            }
        }
    }

    /** --missing: error, mean or zero. */
    static final class MissingConverter implements ITypeConverter<FeatureFill.Policy> {
        @Override
        public FeatureFill.Policy convert(String value) {
            try {
                return FeatureFill.Policy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
