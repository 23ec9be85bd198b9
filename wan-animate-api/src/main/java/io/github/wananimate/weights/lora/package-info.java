/**
 * The Relighting LoRA (internal): reading an adapter from safetensors or a checkpoint, the Linear layers it targets,
 * and the merge of {@code scale · up · down} into the base weights as they are read.
 */
package io.github.wananimate.weights.lora;
