package io.clprop.model.onnx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model being built: a graph's nodes, initializers, inputs and outputs, then the ModelProto around it,
 * each field by its number in onnx.proto. Only what clprop's inference graphs use is here: float and int64
 * tensors, float and int attributes, tensors whose first dimension is symbolic (the batch).
 */
final class OnnxGraph {
    // onnx.proto field numbers, by message.
    private static final int MODEL_IR_VERSION = 1, MODEL_PRODUCER_NAME = 2, MODEL_PRODUCER_VERSION = 3,
            MODEL_GRAPH = 7, MODEL_OPSET_IMPORT = 8, MODEL_METADATA_PROPS = 14;
    private static final int OPSET_DOMAIN = 1, OPSET_VERSION = 2;
    private static final int ENTRY_KEY = 1, ENTRY_VALUE = 2;
    private static final int GRAPH_NODE = 1, GRAPH_NAME = 2, GRAPH_INITIALIZER = 5, GRAPH_INPUT = 11,
            GRAPH_OUTPUT = 12;
    private static final int NODE_INPUT = 1, NODE_OUTPUT = 2, NODE_NAME = 3, NODE_OP_TYPE = 4, NODE_ATTRIBUTE = 5;
    private static final int ATTR_NAME = 1, ATTR_F = 2, ATTR_I = 3, ATTR_INTS = 8, ATTR_TYPE = 20;
    /** AttributeProto.AttributeType. */
    private static final int ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_INTS_TYPE = 7;
    private static final int TENSOR_DIMS = 1, TENSOR_DATA_TYPE = 2, TENSOR_NAME = 8, TENSOR_RAW_DATA = 9;
    /** TensorProto.DataType. */
    static final int FLOAT = 1, INT64 = 7;
    private static final int VALUE_INFO_NAME = 1, VALUE_INFO_TYPE = 2;
    private static final int TYPE_TENSOR_TYPE = 1;
    private static final int TENSOR_TYPE_ELEM_TYPE = 1, TENSOR_TYPE_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1, DIM_PARAM = 2;

    /** A node being built: its operator, inputs, output and attributes. */
    static final class Node {
        private final ProtoWriter proto = new ProtoWriter();
        private final String output;

        private Node(String op, String name, List<String> inputs, String output) {
            this.output = output;
            inputs.forEach(in -> proto.string(NODE_INPUT, in));
            proto.string(NODE_OUTPUT, output).string(NODE_NAME, name).string(NODE_OP_TYPE, op);
        }

        Node attribute(String name, long value) {
            proto.message(NODE_ATTRIBUTE, new ProtoWriter().string(ATTR_NAME, name).int64(ATTR_TYPE, ATTR_INT)
                    .int64(ATTR_I, value));
            return this;
        }

        Node attribute(String name, float value) {
            proto.message(NODE_ATTRIBUTE, new ProtoWriter().string(ATTR_NAME, name).int64(ATTR_TYPE, ATTR_FLOAT)
                    .float32(ATTR_F, value));
            return this;
        }

        /** An INTS attribute, each value its own field (repeated int64, not declared packed in onnx.proto). */
        Node attribute(String name, long... values) {
            ProtoWriter a = new ProtoWriter().string(ATTR_NAME, name).int64(ATTR_TYPE, ATTR_INTS_TYPE);
            for (long v : values) {
                a.int64(ATTR_INTS, v);
            }
            proto.message(NODE_ATTRIBUTE, a);
            return this;
        }

        /** The name of the value it computes. */
        String output() {
            return output;
        }
    }

    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>(), outputs = new ArrayList<>();

    OnnxGraph(String name) {
        this.name = name;
    }

    /**
     * A node computing {@code output} from {@code inputs} with operator {@code op} of the default domain;
     * nodes must be added in an order where each one's inputs come before it (the graph is sorted).
     */
    Node node(String op, String name, List<String> inputs, String output) {
        Node n = new Node(op, name, inputs, output);
        nodes.add(n);
        return n;
    }

    /** A float tensor of the weights, its values row-major in {@code dims}. */
    String initializer(String name, long[] dims, float[] values) {
        return initializer(name, dims, values, 0);
    }

    /** A float tensor of the values of {@code values} from {@code from} on, as many as {@code dims} holds. */
    String initializer(String name, long[] dims, float[] values, int from) {
        int count = Math.toIntExact(count(dims));
        initializers.add(tensorHead(name, dims, FLOAT).floatsLittleEndian(TENSOR_RAW_DATA, values, from, count));
        return name;
    }

    /** An int64 tensor (a shape, say). */
    String initializer(String name, long[] dims, long[] values) {
        checkCount(dims, values.length);
        initializers.add(tensorHead(name, dims, INT64).longsLittleEndian(TENSOR_RAW_DATA, values));
        return name;
    }

    /** A graph input of float tensors [batch, dims…], its first dimension the symbolic {@code batch}. */
    void input(String name, String batch, long... dims) {
        inputs.add(valueInfo(name, batch, dims));
    }

    /** A graph output of float tensors [batch, dims…]. */
    void output(String name, String batch, long... dims) {
        outputs.add(valueInfo(name, batch, dims));
    }

    /**
     * The serialised ModelProto: IR version, the default domain's opset, the producer, the graph, and
     * {@code metadata} as metadata_props in its order.
     */
    byte[] toModel(long irVersion, long opset, String producer, String producerVersion, Map<String, String> metadata) {
        ProtoWriter graphName = new ProtoWriter().string(GRAPH_NAME, name);
        long graphSize = graphName.size();
        for (List<ProtoWriter> part : List.of(nodeProtos(), initializers, inputs, outputs)) {
            for (ProtoWriter m : part) {
                graphSize += ProtoWriter.fieldSize(GRAPH_NODE, m); // every graph field ≤ 15: a 1-byte tag, as node's
            }
        }
        ProtoWriter graph = new ProtoWriter(graphSize);
        nodes.forEach(n -> graph.message(GRAPH_NODE, n.proto));
        graph.append(graphName);
        // Each tensor is let go once copied, so the weights are held twice at most (tensor and graph).
        for (int i = 0; i < initializers.size(); i++) {
            graph.message(GRAPH_INITIALIZER, initializers.get(i));
            initializers.set(i, null);
        }
        initializers.clear();
        inputs.forEach(v -> graph.message(GRAPH_INPUT, v));
        outputs.forEach(v -> graph.message(GRAPH_OUTPUT, v));

        ProtoWriter head = new ProtoWriter().int64(MODEL_IR_VERSION, irVersion)
                .string(MODEL_PRODUCER_NAME, producer).string(MODEL_PRODUCER_VERSION, producerVersion)
                .message(MODEL_OPSET_IMPORT, new ProtoWriter().string(OPSET_DOMAIN, "").int64(OPSET_VERSION, opset));
        ProtoWriter tail = new ProtoWriter();
        new LinkedHashMap<>(metadata).forEach((k, v) -> tail.message(MODEL_METADATA_PROPS,
                new ProtoWriter().string(ENTRY_KEY, k).string(ENTRY_VALUE, v)));
        // Sized exactly, so the buffer is the result and the graph is copied once.
        ProtoWriter model = new ProtoWriter(head.size() + ProtoWriter.fieldSize(MODEL_GRAPH, graph) + tail.size());
        return model.append(head).message(MODEL_GRAPH, graph).append(tail).toByteArray();
    }

    private List<ProtoWriter> nodeProtos() {
        return nodes.stream().map(n -> n.proto).toList();
    }

    private static ProtoWriter tensorHead(String name, long[] dims, int type) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.int64(TENSOR_DIMS, d);
        }
        return t.int64(TENSOR_DATA_TYPE, type).string(TENSOR_NAME, name);
    }

    private static long count(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static void checkCount(long[] dims, int count) {
        if (count(dims) != count) {
            throw new IllegalArgumentException(count + " values for a tensor of " + java.util.Arrays.toString(dims));
        }
    }

    private static ProtoWriter valueInfo(String name, String batch, long[] dims) {
        ProtoWriter shape = new ProtoWriter().message(SHAPE_DIM, new ProtoWriter().string(DIM_PARAM, batch));
        for (long d : dims) {
            shape.message(SHAPE_DIM, new ProtoWriter().int64(DIM_VALUE, d));
        }
        ProtoWriter tensorType = new ProtoWriter().int64(TENSOR_TYPE_ELEM_TYPE, FLOAT).message(TENSOR_TYPE_SHAPE, shape);
        return new ProtoWriter().string(VALUE_INFO_NAME, name)
                .message(VALUE_INFO_TYPE, new ProtoWriter().message(TYPE_TENSOR_TYPE, tensorType));
    }
}
