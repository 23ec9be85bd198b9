/**
 * The umT5-XXL text encoder (NETWORKS.md): configuration, token embeddings, relative position buckets and the
 * encoder stack.
 */
package io.github.wananimate.nn.t5;
