/**
 * Model resolution: the official model folder (or components given in memory) turned into the configurations and
 * weights the networks bind to, the Relighting LoRA opened on first use, and the text encoder (umT5 bound on demand
 * behind the on-disk embedding cache). Internal: {@code api.WanAnimate} builds from it; nothing here runs a network
 * except umT5 on a cache miss.
 */
package io.github.wananimate.model;
