// GetRGB writes, for each image named on the command line, <name>.getrgb.png:
// an RGB PNG of the colours BufferedImage.getRGB returns for every pixel of the
// image as ImageIO.read reads it (alpha left out), which is how the original ray
// tracer reads a texture.
import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;

public class GetRGB {
	public static void main(String[] args) throws Exception {
		for (String name : args) {
			BufferedImage in = ImageIO.read(new File(name));
			if (in == null) {
				System.out.println(name + ": no ImageIO reader");
				continue;
			}
			BufferedImage out = new BufferedImage(in.getWidth(), in.getHeight(), BufferedImage.TYPE_INT_RGB);
			for (int y = 0; y < in.getHeight(); y++)
				for (int x = 0; x < in.getWidth(); x++)
					out.setRGB(x, y, in.getRGB(x, y) & 0xffffff);
			String base = name.substring(0, name.lastIndexOf('.'));
			String ext = name.substring(name.lastIndexOf('.') + 1);
			ImageIO.write(out, "png", new File(base + "." + ext + ".getrgb.png"));
			System.out.println(name + ": type " + in.getType() + " " + in.getColorModel().getClass().getSimpleName());
		}
	}
}
