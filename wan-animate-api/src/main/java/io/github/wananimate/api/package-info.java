/**
 * The user API: immutable requests ({@link io.github.wananimate.api.AnimationRequest},
 * {@link io.github.wananimate.api.ReplacementRequest}) validated at {@code build()}, the driving
 * {@link io.github.wananimate.api.MotionSignals}, the model ({@link io.github.wananimate.api.WanAnimate}, built from an
 * official model folder or explicit weights), sinks, progress, cancellation and results; the frames themselves are
 * in {@code io.github.wananimate.video}. The pipeline behind it is internal and depends on neither: {@code WanAnimate}
 * resolves the model ({@code model}), turns a request into the pipeline's {@code Job} and adapts progress and sink.
 */
package io.github.wananimate.api;
