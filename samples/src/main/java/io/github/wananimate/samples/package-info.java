/**
 * The {@code wan-animate} command line: one class per command ({@code generate}, {@code preprocess},
 * {@code parity}, {@code bench}, {@code inspect}, …), its exit codes and interrupt handling.
 */
package io.github.wananimate.samples;
