/**
 * The network contract between the model code and the backends: a {@link io.github.wananimate.nn.Network} is
 * written once against {@link io.github.wananimate.nn.Ops} over opaque {@link io.github.wananimate.nn.Tensor}s, declares
 * its parameters ({@link io.github.wananimate.nn.ParameterSpec}, grouped for streaming) and inputs, and is bound to a
 * checkpoint by {@link io.github.wananimate.nn.ParameterBinding}; {@link io.github.wananimate.nn.Precision} is the
 * dtype policy of a run. A backend implements {@code Ops}; no network knows a backend.
 */
package io.github.wananimate.nn;
