package io.github.wananimate.preprocess.video;

import io.github.wananimate.preprocess.image.RgbImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the RGB frames of a video, resampled to a target fps exactly as the original (PIPELINE.md §3.2):
 * output frame k is source frame rint((k/fps)·avgFps), clipped, with no blending. Frames are decoded one at a
 * time in order; nothing holds more than the current and the last decoded frame.
 *
 * <p>Opening scans the packets once (no decoding) to get decord's frame count and end timestamp.
 */
public final class VideoReader implements AutoCloseable, Iterator<RgbImage> {

    private static final Logger LOG = LoggerFactory.getLogger(VideoReader.class);

    private final Path file;
    private final VideoInfo info;
    private final double fps;
    private final int frameCount;
    private final int sourceFrameCount;
    private final FFmpegFrameGrabber grabber;
    private int next;
    private int decodedIndex = -1;
    private RgbImage lastDecoded;
    private boolean sourceExhausted;
    private boolean closed;

    private final boolean resample;

    private VideoReader(Path file, VideoInfo info, double fps, FFmpegFrameGrabber grabber, boolean resample) {
        this.file = file;
        this.info = info;
        this.fps = fps;
        this.resample = resample;
        this.sourceFrameCount = resample ? info.frameCount() : info.packetCount();
        this.frameCount = resample ? FrameSampling.targetFrameCount(sourceFrameCount, info.averageFps(), fps)
                : sourceFrameCount;
        this.grabber = grabber;
    }

    /**
     * Opens the video to read every frame once, without resampling and without the 10 % frame-count correction,
     * as the generation side reads the preprocessed videos (decord's {@code len(reader)} frames).
     */
    public static VideoReader openAllFrames(Path file) {
        VideoInfo info = probe(file);
        return new VideoReader(file, info, info.averageFps(), startGrabber(file), false);
    }

    /** Opens the video at its own frame rate (the original's {@code --fps -1}). */
    public static VideoReader open(Path file) {
        return open(file, -1);
    }

    /**
     * Opens the video resampled to {@code fps}; a value ≤ 0 keeps the source's average fps.
     *
     * @throws VideoException naming the file if it is missing, empty, not a video, or has no video stream
     */
    public static VideoReader open(Path file, double fps) {
        VideoInfo info = probe(file);
        FFmpegFrameGrabber grabber = startGrabber(file);
        return new VideoReader(file, info, FrameSampling.targetFps(fps, info.averageFps()), grabber, true);
    }

    /** Reads the container's facts without decoding any frame. */
    public static VideoInfo probe(Path file) {
        FFmpegFrameGrabber grabber = startGrabber(file);
        try {
            AVFormatContext context = grabber.getFormatContext();
            int videoIndex = -1;
            for (int i = 0; i < context.nb_streams(); i++) {
                if (context.streams(i).codecpar().codec_type() == avutil.AVMEDIA_TYPE_VIDEO) {
                    videoIndex = i;
                    break;
                }
            }
            AVStream stream = context.streams(videoIndex);
            double avgFps = rate(stream.avg_frame_rate());
            if (!(avgFps > 0)) {
                avgFps = rate(stream.r_frame_rate());
            }
            if (!(avgFps > 0)) {
                throw new VideoException(file, "the video stream has no frame rate");
            }
            double timeBase = rate(stream.time_base());
            int packets = 0;
            long lastEnd = Long.MIN_VALUE;
            AVPacket packet;
            while ((packet = grabber.grabPacket()) != null) {
                if (packet.stream_index() != videoIndex) {
                    continue;
                }
                packets++;
                long pts = packet.pts() != avutil.AV_NOPTS_VALUE ? packet.pts() : packet.dts();
                if (pts != avutil.AV_NOPTS_VALUE) {
                    long duration = packet.duration() > 0 ? packet.duration() : Math.round(1 / (avgFps * timeBase));
                    lastEnd = Math.max(lastEnd, pts + duration);
                }
            }
            if (packets == 0) {
                throw new VideoException(file, "the video stream has no frames");
            }
            double duration = lastEnd == Long.MIN_VALUE ? packets / avgFps : lastEnd * timeBase;
            return new VideoInfo(grabber.getImageWidth(), grabber.getImageHeight(), avgFps, packets, duration,
                    grabber.hasAudio());
        } catch (FrameGrabber.Exception e) {
            throw new VideoException(file, "cannot read packets: " + e.getMessage(), e);
        } finally {
            release(grabber);
        }
    }

    private static double rate(AVRational r) {
        return r.den() == 0 ? 0 : (double) r.num() / r.den();
    }

    private static FFmpegFrameGrabber startGrabber(Path file) {
        FfmpegSupport.init();
        if (!Files.isRegularFile(file)) {
            throw new VideoException(file, "no such video file");
        }
        try {
            if (Files.size(file) == 0) {
                throw new VideoException(file, "the video file is empty");
            }
        } catch (java.io.IOException e) {
            throw new VideoException(file, "cannot read the video file", e);
        }
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
        grabber.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        try {
            grabber.start();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            release(grabber);
            throw new VideoException(file, "not a readable video (" + e.getMessage() + ")", e);
        }
        if (!grabber.hasVideo() || grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
            release(grabber);
            throw new VideoException(file, "the file has no video stream");
        }
        return grabber;
    }

    private static void release(FFmpegFrameGrabber grabber) {
        try {
            grabber.release();
        } catch (FrameGrabber.Exception e) {
            LOG.debug("releasing a grabber failed", e);
        }
    }

    public Path file() {
        return file;
    }

    public VideoInfo info() {
        return info;
    }

    public int width() {
        return info.width();
    }

    public int height() {
        return info.height();
    }

    /** The output frame rate (the requested fps, or the source's average fps). */
    public double fps() {
        return fps;
    }

    /** The number of frames this reader yields. */
    public int frameCount() {
        return frameCount;
    }

    /** The duration of the yielded sequence, frameCount / fps. */
    public double durationSeconds() {
        return frameCount / fps;
    }

    /** The source frame index output frame {@code k} is taken from. */
    public int sourceIndex(int k) {
        if (!resample) {
            return k;
        }
        return FrameSampling.sourceIndex(k, info.averageFps(), fps, sourceFrameCount);
    }

    /** How many frames have been returned so far. */
    public int position() {
        return next;
    }

    @Override
    public boolean hasNext() {
        return !closed && next < frameCount;
    }

    /**
     * The next resampled frame, as a new image the caller owns.
     *
     * @throws VideoException naming the file and frame if decoding fails
     */
    @Override
    public RgbImage next() {
        if (!hasNext()) {
            throw new NoSuchElementException(closed ? file + " is closed" : "all " + frameCount + " frames of "
                    + file + " have been read");
        }
        int wanted = sourceIndex(next);
        while (decodedIndex < wanted && !sourceExhausted) {
            RgbImage frame = decodeNext();
            if (frame == null) {
                sourceExhausted = true;
                if (lastDecoded == null) {
                    throw new VideoException(file, "no frame could be decoded");
                }
                LOG.warn("{}: the stream ended at frame {} but frame {} was expected (of {}); repeating the last frame",
                        file, decodedIndex, wanted, sourceFrameCount);
            } else {
                decodedIndex++;
                lastDecoded = frame;
            }
        }
        next++;
        return lastDecoded.copy();
    }

    private RgbImage decodeNext() {
        Frame frame;
        try {
            frame = grabber.grabImage();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            throw new VideoException(file, "cannot decode frame " + (decodedIndex + 1) + ": " + e.getMessage(), e);
        }
        if (frame == null || frame.image == null) {
            return null;
        }
        int w = frame.imageWidth;
        int h = frame.imageHeight;
        // JavaCV derives imageChannels from the padded stride, so only the depth and stride are checked here;
        // the pixel format was fixed to RGB24 when the grabber started.
        int stride = frame.imageStride;
        if (frame.imageDepth != Frame.DEPTH_UBYTE || stride < w * 3) {
            throw new VideoException(file, "decoder returned frame " + (decodedIndex + 1) + " with depth "
                    + frame.imageDepth + " and stride " + stride + " instead of RGB24 rows of " + w * 3 + " bytes");
        }
        ByteBuffer buffer = (ByteBuffer) frame.image[0];
        byte[] pixels = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            buffer.position(y * stride);
            buffer.get(pixels, y * w * 3, w * 3);
        }
        buffer.rewind();
        return new RgbImage(w, h, pixels);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            lastDecoded = null;
            release(grabber);
        }
    }
}
