package io.github.wananimate.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wananimate.api.GenerationResult;
import io.github.wananimate.preprocess.demo.DemoSample;
import io.github.wananimate.preprocess.video.VideoReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnimateDemoTest {

    @Test
    void animatesTheDemoSampleIntoAnMp4ThroughThePublicApi(@TempDir Path dir) throws IOException {
        Path mp4 = dir.resolve("out/demo.mp4");
        GenerationResult result = AnimateDemo.run(mp4, 2);

        assertEquals(DemoSample.frameCount(), result.frameCount());
        assertEquals(DemoSample.WIDTH, result.width());
        assertEquals(3.75, result.fps(), 1e-9, "the output plays at the driving fps");
        assertTrue(Files.size(mp4) > 0);
        try (VideoReader video = VideoReader.openAllFrames(mp4)) {
            assertEquals(DemoSample.WIDTH, video.width());
            assertEquals(DemoSample.HEIGHT, video.height());
            int frames = 0;
            while (video.hasNext()) {
                video.next();
                frames++;
            }
            assertEquals(result.frameCount(), frames);
        }
    }
}
