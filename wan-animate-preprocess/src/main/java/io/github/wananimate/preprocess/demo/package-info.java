/**
 * The bundled demo sample: ready-made {@link io.github.wananimate.api.MotionSignals} (13 hand-placed poses, face
 * crops and the example character) for trying the SDK without a driving video or pose models.
 */
package io.github.wananimate.preprocess.demo;
