/**
 * Generated stand-ins for data: values that are a pure function of a name, an element index and a seed
 * (PROCEDURAL.md), procedural weights for any parameter list, and small models with the real structure
 * ({@link io.github.wananimate.procedural.ProceduralModel}) for demos and tests without the 70 GB checkpoints.
 */
package io.github.wananimate.procedural;
