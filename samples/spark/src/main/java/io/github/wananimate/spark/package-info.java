/**
 * Batch rendering on Apache Spark: a job table in, one mp4 per row and a results table out. The driver
 * ({@link io.github.wananimate.spark.BatchRender}) runs one Spark job per row; a task
 * ({@link io.github.wananimate.spark.RowRenderer}) renders it on the executor's shared model and commits the video by
 * rename through Hadoop's {@code FileSystem}. {@link io.github.wananimate.spark.WanAnimateSpark} is the command line.
 */
package io.github.wananimate.spark;
