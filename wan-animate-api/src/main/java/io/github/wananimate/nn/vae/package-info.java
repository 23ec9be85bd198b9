/**
 * The Wan 2.1 causal video VAE (NETWORKS.md): encoder, decoder, their blocks and layers, the per-chunk feature cache
 * carried between temporal chunks, and the latent normalisation.
 */
package io.github.wananimate.nn.vae;
