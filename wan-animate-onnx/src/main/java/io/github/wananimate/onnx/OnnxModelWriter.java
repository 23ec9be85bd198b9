package io.github.wananimate.onnx;

import java.util.List;

/**
 * Serialises a recorded graph as an ONNX {@code ModelProto} in protobuf wire format. Field numbers follow
 * {@code onnx.proto3} (ONNX 1.15, IR version 9); only the messages and fields the recorder emits are written.
 */
final class OnnxModelWriter {

    /** IR version 9 goes with ai.onnx opset 20 (ONNX 1.15). */
    static final long IR_VERSION = 9;

    // TensorProto.DataType
    static final int FLOAT = 1;
    static final int FLOAT16 = 10;
    static final int BFLOAT16 = 16;
    static final int INT64 = 7;
    static final int UINT8 = 2;
    static final int INT32 = 6;
    static final int BOOL = 9;

    // AttributeProto.AttributeType
    static final int ATTR_FLOAT = 1;
    static final int ATTR_INT = 2;
    static final int ATTR_STRING = 3;
    static final int ATTR_INTS = 7;

    /** The file name external placeholders point at; nothing by that name is ever read. */
    static final String EXTERNAL_LOCATION = "bound-from-memory.bin";

    private OnnxModelWriter() {
    }

    /** One attribute: {@code value} is a Float, Long, String or long[] matching {@code type}. */
    record Attribute(String name, int type, Object value) {
    }

    record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
            List<Attribute> attributes) {
    }

    /** A graph input or output with a fully static shape, float32 unless {@code elemType} says otherwise. */
    record ValueInfo(String name, long[] shape, int elemType) {
        ValueInfo(String name, long[] shape) {
            this(name, shape, FLOAT);
        }
    }

    /**
     * An initializer. {@code rawData} holds little-endian bytes for inline constants; {@code null} declares a
     * tensor whose data the session receives from memory (see {@link OnnxLoadedNetwork}).
     */
    record Initializer(String name, int dataType, long[] dims, byte[] rawData) {
    }

    record Opset(String domain, long version) {
    }

    static byte[] write(String graphName, List<Opset> opsets, List<Node> nodes, List<Initializer> initializers,
            List<ValueInfo> inputs, List<ValueInfo> outputs) {
        ProtoWriter graph = new ProtoWriter();
        for (Node node : nodes) {
            graph.message(1, node(node));                      // GraphProto.node
        }
        graph.string(2, graphName);                            // GraphProto.name
        for (Initializer init : initializers) {
            graph.message(5, initializer(init));               // GraphProto.initializer
        }
        for (ValueInfo in : inputs) {
            graph.message(11, valueInfo(in));                  // GraphProto.input
        }
        for (ValueInfo out : outputs) {
            graph.message(12, valueInfo(out));                 // GraphProto.output
        }

        ProtoWriter model = new ProtoWriter();
        model.varint(1, IR_VERSION);                           // ModelProto.ir_version
        model.string(2, "wan-animate-java");                   // ModelProto.producer_name
        model.message(7, graph);                               // ModelProto.graph
        for (Opset opset : opsets) {
            ProtoWriter id = new ProtoWriter();
            id.string(1, opset.domain());                      // OperatorSetIdProto.domain
            id.varint(2, opset.version());                     // OperatorSetIdProto.version
            model.message(8, id);                              // ModelProto.opset_import
        }
        return model.toByteArray();
    }

    private static ProtoWriter node(Node node) {
        ProtoWriter w = new ProtoWriter();
        for (String in : node.inputs()) {
            w.string(1, in);                                   // NodeProto.input ("" = omitted optional)
        }
        for (String out : node.outputs()) {
            w.string(2, out);                                  // NodeProto.output
        }
        w.string(3, node.name());                              // NodeProto.name
        w.string(4, node.opType());                            // NodeProto.op_type
        for (Attribute a : node.attributes()) {
            w.message(5, attribute(a));                        // NodeProto.attribute
        }
        if (!node.domain().isEmpty()) {
            w.string(7, node.domain());                        // NodeProto.domain
        }
        return w;
    }

    private static ProtoWriter attribute(Attribute a) {
        ProtoWriter w = new ProtoWriter();
        w.string(1, a.name());                                 // AttributeProto.name
        switch (a.type()) {
            case ATTR_FLOAT -> w.float32(2, ((Number) a.value()).floatValue());   // AttributeProto.f
            case ATTR_INT -> w.varint(3, ((Number) a.value()).longValue());       // AttributeProto.i
            case ATTR_STRING -> w.string(4, (String) a.value());                  // AttributeProto.s
            case ATTR_INTS -> w.packedInt64(8, (long[]) a.value());               // AttributeProto.ints
            default -> throw new IllegalArgumentException("attribute type " + a.type());
        }
        w.varint(20, a.type());                                // AttributeProto.type
        return w;
    }

    private static ProtoWriter initializer(Initializer init) {
        ProtoWriter w = new ProtoWriter();
        w.packedInt64(1, init.dims());                         // TensorProto.dims
        w.varint(2, init.dataType());                          // TensorProto.data_type
        w.string(8, init.name());                              // TensorProto.name
        if (init.rawData() != null) {
            w.bytes(9, init.rawData());                        // TensorProto.raw_data
        } else {
            // ORT's SessionOptions.addExternalInitializers only replaces initializers that are themselves
            // declared as external data ("Trying to replace non-external initializer with external data"
            // otherwise). The location is never opened: the session receives the tensor from memory.
            ProtoWriter location = new ProtoWriter();
            location.string(1, "location");                    // StringStringEntryProto.key
            location.string(2, EXTERNAL_LOCATION);             // StringStringEntryProto.value
            w.message(13, location);                           // TensorProto.external_data
            w.varint(14, 1);                                   // TensorProto.data_location = EXTERNAL
        }
        return w;
    }

    private static ProtoWriter valueInfo(ValueInfo info) {
        ProtoWriter shape = new ProtoWriter();
        for (long d : info.shape()) {
            shape.message(1, new ProtoWriter().varint(1, d));  // TensorShapeProto.dim { dim_value }
        }
        ProtoWriter tensorType = new ProtoWriter();
        tensorType.varint(1, info.elemType());                 // TypeProto.Tensor.elem_type
        tensorType.message(2, shape);                          // TypeProto.Tensor.shape
        ProtoWriter type = new ProtoWriter();
        type.message(1, tensorType);                           // TypeProto.tensor_type
        ProtoWriter w = new ProtoWriter();
        w.string(1, info.name());                              // ValueInfoProto.name
        w.message(2, type);                                    // ValueInfoProto.type
        return w;
    }
}
