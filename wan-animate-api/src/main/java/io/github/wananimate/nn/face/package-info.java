/**
 * The face-motion path (NETWORKS.md): the motion encoder (face crops to motion codes, with the direction basis from a
 * Householder QR), the face encoder over time and the face adapter blocks the DiT interleaves.
 */
package io.github.wananimate.nn.face;
