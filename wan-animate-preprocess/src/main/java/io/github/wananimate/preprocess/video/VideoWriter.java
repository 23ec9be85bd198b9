package io.github.wananimate.preprocess.video;

import io.github.wananimate.io.AtomicFiles;
import io.github.wananimate.preprocess.image.RgbImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes RGB frames as an H.264 mp4 (yuv420p), streaming: frames are encoded as they come.
 *
 * <p>The file is written under a temporary name next to the target and moved into place by {@link #finish()}.
 * {@link #close()} without a successful {@code finish()} (an exception in the caller's loop, a cancellation, a
 * failed write) deletes the temporary file, so a target path never holds a partial video. Use it as
 * <pre>{@code
 * try (VideoWriter out = VideoWriter.create(path, w, h, 30)) {
 *     for (...) out.write(frame);
 *     out.finish();
 * }
 * }</pre>
 *
 * <p>The encoder is libx264 with CRF 23 and preset medium, as the original's moviepy writes (PIPELINE.md
 * §3.13), when the FFmpeg build has it (the {@code linux-x86_64-gpl} classifier of {@code org.bytedeco:ffmpeg});
 * the default LGPL build has only OpenH264, which is then used at a fixed bitrate.
 */
public final class VideoWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VideoWriter.class);

    /**
     * Encoding options.
     *
     * @param crf libx264 constant rate factor (the original's default is 23)
     * @param preset libx264 preset
     * @param bitsPerPixel OpenH264 bitrate per pixel per frame, used only without libx264
     * @param audioSource a video whose audio is copied (re-encoded as AAC) and cut to the written length; or null
     */
    public record Options(int crf, String preset, double bitsPerPixel, Path audioSource) {

        public static Options defaults() {
            return new Options(23, "medium", 0.3, null);
        }

        public Options withAudioFrom(Path source) {
            return new Options(crf, preset, bitsPerPixel, source);
        }
    }

    private final Path target;
    private final Path temp;
    private final int width;
    private final int height;
    private final double fps;
    private final FFmpegFrameRecorder recorder;
    private final ByteBuffer staging;
    private final FFmpegFrameGrabber audio;
    private Frame pendingAudio;
    private boolean audioDone;
    private int framesWritten;
    private boolean failed;
    private boolean finished;
    private boolean closed;

    private VideoWriter(Path target, int width, int height, double fps, Options options) {
        FfmpegSupport.init();
        this.target = target;
        this.width = width;
        this.height = height;
        this.fps = fps;
        try {
            this.temp = AtomicFiles.createSibling(target, ".part.mp4");
        } catch (IOException e) {
            throw new VideoException(target, "cannot create a temporary file next to it", e);
        }
        FFmpegFrameGrabber audioGrabber = null;
        int audioChannels = 0;
        if (options.audioSource() != null) {
            audioGrabber = openAudio(options.audioSource());
            audioChannels = audioGrabber == null ? 0 : audioGrabber.getAudioChannels();
        }
        this.audio = audioGrabber;
        this.audioDone = audioGrabber == null;
        this.recorder = new FFmpegFrameRecorder(temp.toFile(), width, height, audioChannels);
        recorder.setFormat("mp4");
        recorder.setFrameRate(fps);
        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        if (hasEncoder("libx264")) {
            recorder.setVideoCodecName("libx264");
            recorder.setVideoOption("crf", Integer.toString(options.crf()));
            recorder.setVideoOption("preset", options.preset());
        } else {
            recorder.setVideoCodecName("libopenh264");
            long bitrate = Math.max(500_000L, Math.round(options.bitsPerPixel() * width * height * fps));
            recorder.setVideoBitrate((int) Math.min(Integer.MAX_VALUE, bitrate));
        }
        if (audioGrabber != null) {
            recorder.setSampleRate(audioGrabber.getSampleRate());
            recorder.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
            recorder.setAudioBitrate(192_000);
        }
        try {
            recorder.start();
        } catch (FrameRecorder.Exception | RuntimeException e) {
            discard();
            throw new VideoException(target, "cannot start the H.264 encoder for " + width + "x" + height + " at "
                    + fps + " fps: " + e.getMessage(), e);
        }
        this.staging = ByteBuffer.allocateDirect(width * height * 3);
    }

    /** A writer with the default options (CRF 23, no audio). */
    public static VideoWriter create(Path target, int width, int height, double fps) {
        return create(target, width, height, fps, Options.defaults());
    }

    /**
     * @throws IllegalArgumentException for odd sizes (yuv420p needs even sides) or a non-positive fps
     */
    public static VideoWriter create(Path target, int width, int height, double fps, Options options) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException(target + ": H.264 yuv420p needs positive even sides, got "
                    + width + "x" + height);
        }
        if (!(fps > 0) || Double.isInfinite(fps)) {
            throw new IllegalArgumentException(target + ": fps must be positive, got " + fps);
        }
        return new VideoWriter(target, width, height, fps, options);
    }

    /** Whether the linked FFmpeg has an encoder of that name. */
    public static boolean hasEncoder(String name) {
        FfmpegSupport.init();
        AVCodec codec = avcodec.avcodec_find_encoder_by_name(name);
        return codec != null && !codec.isNull();
    }

    private static FFmpegFrameGrabber openAudio(Path source) {
        if (!Files.isRegularFile(source)) {
            throw new VideoException(source, "no such audio source");
        }
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(source.toFile());
        try {
            grabber.start();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            throw new VideoException(source, "cannot open as an audio source: " + e.getMessage(), e);
        }
        if (!grabber.hasAudio() || grabber.getAudioChannels() <= 0) {
            LOG.info("{} has no audio; writing video only", source);
            release(grabber);
            return null;
        }
        return grabber;
    }

    public Path target() {
        return target;
    }

    public int framesWritten() {
        return framesWritten;
    }

    /** Encodes one frame, which must have the writer's size. */
    public void write(RgbImage frame) {
        if (closed || finished) {
            throw new IllegalStateException(target + ": writer is " + (closed ? "closed" : "finished"));
        }
        if (failed) {
            throw new IllegalStateException(target + ": an earlier write failed");
        }
        if (frame.width() != width || frame.height() != height) {
            throw new IllegalArgumentException(target + ": frame " + framesWritten + " is " + frame.width() + "x"
                    + frame.height() + " but the video is " + width + "x" + height);
        }
        try {
            staging.clear();
            staging.put(frame.pixels());
            staging.flip();
            recorder.recordImage(width, height, Frame.DEPTH_UBYTE, 3, width * 3, avutil.AV_PIX_FMT_RGB24, staging);
            framesWritten++;
            copyAudioUntil(Math.round(framesWritten * 1_000_000L / fps));
        } catch (FrameRecorder.Exception | RuntimeException e) {
            failed = true;
            throw new VideoException(target, "cannot encode frame " + framesWritten + ": " + e.getMessage(), e);
        }
    }

    /** Copies source audio frames that start before {@code untilMicros}. */
    private void copyAudioUntil(long untilMicros) throws FrameRecorder.Exception {
        while (!audioDone) {
            if (pendingAudio == null) {
                try {
                    pendingAudio = audio.grabSamples();
                } catch (FrameGrabber.Exception e) {
                    throw new VideoException(target, "cannot read audio from the source: " + e.getMessage(), e);
                }
                if (pendingAudio == null) {
                    audioDone = true;
                    return;
                }
            }
            if (pendingAudio.timestamp >= untilMicros) {
                return;
            }
            recorder.record(pendingAudio);
            pendingAudio = null;
        }
    }

    /** Flushes the encoder and moves the file into place; after this the writer only accepts {@code close()}. */
    public void finish() {
        if (finished) {
            return;
        }
        if (closed || failed) {
            throw new IllegalStateException(target + ": cannot finish a " + (closed ? "closed" : "failed") + " writer");
        }
        if (framesWritten == 0) {
            throw new IllegalStateException(target + ": no frame was written");
        }
        try {
            recorder.stop();
            recorder.release();
        } catch (FrameRecorder.Exception | RuntimeException e) {
            failed = true;
            throw new VideoException(target, "cannot finish the video: " + e.getMessage(), e);
        }
        releaseAudio();
        try {
            AtomicFiles.moveIntoPlace(temp, target);
        } catch (IOException e) {
            failed = true;
            throw new VideoException(target, "cannot move the finished video into place", e);
        }
        finished = true;
    }

    /** Releases the encoder; deletes the temporary file unless {@link #finish()} succeeded. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished) {
            discard();
        }
    }

    private void discard() {
        try {
            recorder.release();
        } catch (FrameRecorder.Exception | RuntimeException e) {
            LOG.debug("releasing the recorder of {} failed", target, e);
        }
        releaseAudio();
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.warn("cannot delete the unfinished video {}", temp, e);
        }
    }

    private void releaseAudio() {
        if (audio != null) {
            release(audio);
        }
        audioDone = true;
    }

    private static void release(FFmpegFrameGrabber grabber) {
        try {
            grabber.release();
        } catch (FrameGrabber.Exception e) {
            LOG.debug("releasing an audio grabber failed", e);
        }
    }
}
