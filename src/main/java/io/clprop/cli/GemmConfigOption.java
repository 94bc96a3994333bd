package io.clprop.cli;

import io.clprop.backend.opencl.GemmConfig;
import picocli.CommandLine.Option;

/** {@code --gemm-config SPEC}: matrix-multiply kernels chosen by hand instead of the tuned or default ones. */
final class GemmConfigOption {
    @Option(names = "--gemm-config", paramLabel = "SPEC", converter = Converters.GemmConfigConverter.class,
            description = "Matrix-multiply kernels instead of the tuned or default ones: block (gemm.cl's portable default, RM=4,VW=16,NV=2), "
                    + "tiled (gemm_tiled.cl's default), or defines such as TSM=32,TSN=32,TSK=8,WPTM=2,WPTN=2 or "
                    + "RM=8,VW=16,NV=1.")
    GemmConfig config;
}
