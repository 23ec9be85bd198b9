/**
 * The CLIP ViT-H/14 vision encoder of the reference image (NETWORKS.md): its configuration, the original's image
 * preprocessing, the network, and the view that reads a Hugging Face CLIP checkpoint under the original's key names.
 */
package io.github.wananimate.nn.clip;
