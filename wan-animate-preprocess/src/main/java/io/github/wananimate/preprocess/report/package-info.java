/**
 * The preflight report: every problem with the inputs collected before any model runs.
 */
package io.github.wananimate.preprocess.report;
