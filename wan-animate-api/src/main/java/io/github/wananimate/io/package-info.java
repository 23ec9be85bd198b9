/**
 * File helpers shared by the SDK's modules (internal; exported only to the onnx and preprocess modules): atomic
 * output files (written aside, moved into place when complete), reading a small text file (a config, a tokenizer)
 * only when it is a regular file of bounded size, the housekeeping of ONNX Runtime's extracted native libraries, the
 * default thread count of an ONNX Runtime session ({@link io.github.wananimate.io.CpuCores}), and closing several
 * resources at once.
 */
package io.github.wananimate.io;
