/**
 * The user API: immutable requests ({@link io.github.wananimate.api.AnimationRequest},
 * {@link io.github.wananimate.api.ReplacementRequest}) validated at {@code build()}, the driving
 * {@link io.github.wananimate.api.MotionSignals}, the model ({@link io.github.wananimate.api.WanAnimate}, built from an
 * official model folder or explicit weights), frames, sinks, progress, cancellation and results. Everything a user
 * needs to generate lives here; the pipeline behind it is internal.
 */
package io.github.wananimate.api;
