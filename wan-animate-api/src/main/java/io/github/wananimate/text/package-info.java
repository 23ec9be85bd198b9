/**
 * Prompt to text embedding: the original's prompt cleaning, the umT5 SentencePiece (unigram) tokenizer, the
 * {@link io.github.wananimate.text.TextEncoder} interface with the umT5 implementation, precomputed embeddings and the
 * on-disk embedding cache.
 */
package io.github.wananimate.text;
