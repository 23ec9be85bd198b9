/**
 * The flow-matching samplers of the original (PIPELINE.md §4.2), internal: the shifted schedules, DPM-Solver++,
 * UniPC and Euler steps, a trace of every step for the parity fixtures, and the seeded initial noise of each clip
 * ({@link io.github.wananimate.sampling.NoiseSource}).
 */
package io.github.wananimate.sampling;
