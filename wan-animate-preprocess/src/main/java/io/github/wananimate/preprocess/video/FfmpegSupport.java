package io.github.wananimate.preprocess.video;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegLogCallback;

/** One-time FFmpeg set-up: keep its console output to errors. */
final class FfmpegSupport {

    private static volatile boolean initialised;

    private FfmpegSupport() {
    }

    static void init() {
        if (!initialised) {
            synchronized (FfmpegSupport.class) {
                if (!initialised) {
                    avutil.av_log_set_level(avutil.AV_LOG_ERROR);
                    FFmpegLogCallback.setLevel(avutil.AV_LOG_ERROR);
                    initialised = true;
                }
            }
        }
    }
}
