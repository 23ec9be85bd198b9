package io.github.wananimate.onnx;

import java.util.List;
import java.util.Map;

/**
 * A forward recorded as consecutive graphs, cut around the chain steps whose parameter group streams and where
 * handed-over inputs were released ({@link OnnxGraphRecorder#finishSegments}). Values pass between segments under
 * their graph value names.
 *
 * @param segments the graphs in execution order
 * @param inputNames network input name → graph value name
 * @param outputNames network output name → graph value name, in the order the network produced them
 * @param outputShapes network output name → static shape inferred while recording
 */
record SegmentedGraph(List<Segment> segments, Map<String, String> inputNames, Map<String, String> outputNames,
        Map<String, long[]> outputShapes) {

    SegmentedGraph {
        segments = List.copyOf(segments);
    }

    /**
     * @param graph the segment's graph; its input and output names are graph value names
     * @param streamedGroup the parameter group its one chain step reads, or null for resident work
     */
    record Segment(RecordedGraph graph, String streamedGroup) {
    }
}
