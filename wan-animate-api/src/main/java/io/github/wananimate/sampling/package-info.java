/**
 * The flow-matching samplers of the original (PIPELINE.md §4.2), internal: the shifted schedules, DPM-Solver++,
 * UniPC and Euler steps, and a trace of every step for the parity fixtures.
 */
package io.github.wananimate.sampling;
