/**
 * Wan-Animate for Java. Exported: the request/result API ({@code api}), its frames ({@code video}) and its
 * exceptions ({@code errors}); the device-memory budget and its planner ({@code memory}); what a backend module
 * implements ({@code spi}, {@code nn}, {@code tensor}); model weights and configurations ({@code weights},
 * {@code nn.dit}, {@code nn.vae}, {@code nn.clip}, {@code nn.t5}, {@code text}); generated stand-in models ({@code procedural}). The pipeline, the
 * samplers, the network layers, the LoRA merge and the file helpers are internal.
 */
@SuppressWarnings("module") // the qualified export names modules built after this one
module io.github.wananimate {
    requires transitive com.google.gson;
    requires org.slf4j;

    exports io.github.wananimate.api;
    exports io.github.wananimate.errors;
    exports io.github.wananimate.spi;
    exports io.github.wananimate.memory;
    exports io.github.wananimate.nn;
    exports io.github.wananimate.nn.clip;
    exports io.github.wananimate.nn.dit;
    exports io.github.wananimate.nn.t5;
    exports io.github.wananimate.nn.vae;
    exports io.github.wananimate.procedural;
    exports io.github.wananimate.tensor;
    exports io.github.wananimate.text;
    exports io.github.wananimate.video;
    exports io.github.wananimate.weights;
    // native-file housekeeping and atomic output for the ONNX Runtime users among the SDK's own modules
    exports io.github.wananimate.io to io.github.wananimate.onnx, io.github.wananimate.preprocess;

    uses io.github.wananimate.spi.BackendProvider;
}
