package io.github.wananimate.samples;

import io.github.wananimate.api.CancellationToken;
import io.github.wananimate.api.FrameSink;
import io.github.wananimate.api.GenerationRequest;
import io.github.wananimate.api.GenerationResult;
import io.github.wananimate.api.ProgressListener;

/** Bound models that turn requests into frames: the demo models or a real model folder. */
interface Generator extends AutoCloseable {

    /** One line for the console: which models, on which backend. */
    String description();

    GenerationResult generate(GenerationRequest request, long seed, FrameSink sink, ProgressListener listener,
            CancellationToken token);

    @Override
    void close();
}
