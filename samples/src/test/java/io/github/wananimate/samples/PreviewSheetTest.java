package io.github.wananimate.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.video.Frame;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreviewSheetTest {

    @Test
    void panelsShareTheHeightAndKeepTheirAspect() {
        Frame character = Frame.filled(448, 252, 200); // 16:9 → 455 wide at 256
        Frame driving = Frame.filled(224, 126, 100);   // 16:9 → 455
        Frame pose = Frame.filled(112, 64, 0);          // 7:4  → 448
        Frame output = Frame.filled(112, 64, 255);      // 7:4  → 448
        BufferedImage sheet = PreviewSheet.compose(List.of(new PreviewSheet.Panel("character", character),
                new PreviewSheet.Panel("driving", driving), new PreviewSheet.Panel("pose", pose),
                new PreviewSheet.Panel("output", output)), 256);
        int m = PreviewSheet.MARGIN;
        assertThat(sheet.getWidth()).isEqualTo(2 * m + 3 * m + 455 + 455 + 448 + 448);
        assertThat(sheet.getHeight()).isEqualTo(2 * m + PreviewSheet.CAPTION + 256);
        // the output panel (last) is filled with its frame: white, nearest-neighbour enlarged
        int y = m + PreviewSheet.CAPTION + 128;
        int x = sheet.getWidth() - m - 1;
        assertThat(sheet.getRGB(x, y) & 0xffffff).isEqualTo(0xffffff);
        assertThat(sheet.getRGB(m + 10, y) & 0xffffff).isEqualTo(0xc8c8c8);
    }

    @Test
    void framesRoundTripThroughImages() {
        byte[] rgb = new byte[2 * 1 * 3];
        rgb[0] = (byte) 255;
        rgb[4] = (byte) 128;
        Frame frame = Frame.ofRgb(2, 1, rgb);
        assertThat(Images.toFrame(Images.toImage(frame))).isEqualTo(frame);
        assertThat(Images.toImage(frame).getRGB(0, 0) & 0xffffff).isEqualTo(0xff0000);
    }
}
