/**
 * Reading checkpoints without executing them: safetensors (single and sharded), PyTorch zip/pickle checkpoints through
 * a restricted unpickler, the official model folder layout, key mappings to the networks' names, and the
 * {@link io.github.wananimate.weights.ParameterSource} every network binds to. Problems are
 * {@link io.github.wananimate.weights.WeightException}s naming the file, key and shape.
 */
package io.github.wananimate.weights;
