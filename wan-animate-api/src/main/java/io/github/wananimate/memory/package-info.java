/**
 * Device memory: the one model of weight and activation bytes that both the runtime's residency plan (which DiT
 * blocks stay on the device under a budget, which stream) and the job planner ({@code bench --plan}) use, and
 * the parsing of memory sizes such as {@code 24G}.
 */
package io.github.wananimate.memory;
