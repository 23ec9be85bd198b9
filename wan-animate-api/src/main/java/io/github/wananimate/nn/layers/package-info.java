/**
 * Layers: the small objects networks are built from. Each owns its checkpoint keys, their shapes and their STORED
 * dtype, and applies itself through {@link io.github.wananimate.nn.Ops}; a network's
 * {@link io.github.wananimate.nn.Network#parameters()} is collected from its layers ({@link Layers#parameters}), so
 * each key is written once and a key no layer reads is not bound.
 *
 * <p>Precision: a layer's weights are stored in the dtype it is given (the run's {@link io.github.wananimate.nn.Precision#weights()},
 * or float32); a layer with a reduced compute dtype (the original's autocast layers: {@link Linear}, {@link Conv},
 * {@link Attention}) rounds its inputs to that dtype, lets the backend compute in it and returns float32 holding the
 * reduced-precision result; the others ({@link LayerNorm}, {@link RmsNorm}, {@link Weight}, a float32 {@link Linear})
 * up-cast their weights and compute in float32. Every layer takes and returns float32 tensors, so the code between
 * layers is the float32 code of the spec's equations; in a float32 run no cast is emitted at all.
 */
package io.github.wananimate.nn.layers;
