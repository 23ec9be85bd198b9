/**
 * The Wan-Animate diffusion transformer (NETWORKS.md): configuration (read from the model folder's
 * {@code config.json}), the 3-D rotary position embedding and the network with its face and pose conditioning.
 */
package io.github.wananimate.nn.dit;
