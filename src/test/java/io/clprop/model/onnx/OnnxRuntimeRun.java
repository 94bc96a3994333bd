package io.clprop.model.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.FloatBuffer;
import java.util.Map;

/** An exported model run by ONNX Runtime: its outputs for a batch, and what the session reports of it. */
public final class OnnxRuntimeRun {
    private OnnxRuntimeRun() {
    }

    /** The session's outputs for {@code x} (rows of the input's shape after the batch), flat, row-major. */
    public static float[] outputs(byte[] model, float[] x, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result r = s.run(Map.of(OnnxExport.INPUT, in))) {
            OnnxTensor out = (OnnxTensor) r.get(OnnxExport.OUTPUT).orElseThrow();
            FloatBuffer b = out.getFloatBuffer();
            float[] values = new float[b.remaining()];
            b.get(values);
            return values;
        }
    }

    /** The names, shapes (−1 for a symbolic dimension) and dimension names of the graph's inputs and outputs. */
    public record Signature(Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs, Map<String, String> metadata,
                     String producer) {
        public TensorInfo input() {
            return (TensorInfo) inputs.get(OnnxExport.INPUT).getInfo();
        }

        public TensorInfo output() {
            return (TensorInfo) outputs.get(OnnxExport.OUTPUT).getInfo();
        }
    }

    public static Signature signature(byte[] model) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions())) {
            return new Signature(s.getInputInfo(), s.getOutputInfo(), s.getMetadata().getCustomMetadata(),
                    s.getMetadata().getProducerName());
        }
    }
}
