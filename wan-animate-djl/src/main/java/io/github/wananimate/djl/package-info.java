/**
 * The DJL backend: executes the networks eagerly on PyTorch through DJL ({@link
 * io.github.wananimate.djl.DjlOps} implements the op contract), keeps parameters and device-resident tensors on one
 * device, streams parameter groups under a memory budget, and prepares the PyTorch process before its library loads.
 * Registered through {@code ServiceLoader} as backend {@code djl}.
 */
package io.github.wananimate.djl;
