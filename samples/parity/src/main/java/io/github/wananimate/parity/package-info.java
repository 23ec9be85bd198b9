/**
 * The parity harness: loads a golden fixture folder ({@code fixture.json} and {@code outputs.safetensors}),
 * regenerates its procedural weights and inputs, runs the named component (one {@link
 * io.github.wananimate.parity.FixtureComponent} per network or pipeline, registered through {@code ServiceLoader})
 * on a backend and reports the error of every output against the original's. Tooling for the CLI's {@code parity}
 * command and the backends' golden tests; not part of the SDK a consumer depends on.
 */
package io.github.wananimate.parity;
