/**
 * The SDK's unchecked exception hierarchy: every failure the SDK reports on purpose is a
 * {@link io.github.wananimate.errors.WanAnimateException}. Its kinds: an invalid request
 * ({@link io.github.wananimate.api.InvalidRequestException}), a missing, unreadable or malformed model file
 * ({@link io.github.wananimate.errors.ModelFileException}, e.g. {@link io.github.wananimate.weights.WeightException}),
 * no usable backend ({@link io.github.wananimate.errors.BackendUnavailableException}), a cancelled generation
 * ({@link io.github.wananimate.api.GenerationCancelledException}) and a failing frame sink
 * ({@link io.github.wananimate.api.FrameSinkException}). This package sits below every other one so that the
 * weight readers and the backend SPI can throw these kinds too; plain argument checks of a method stay
 * {@link java.lang.IllegalArgumentException}.
 */
package io.github.wananimate.errors;
