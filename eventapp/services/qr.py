"""QR codes as inline SVG: sharp on screen and in print, no image files to serve."""

import qrcode
import qrcode.image.svg


def qr_svg(data: str) -> str:
    """An <svg> element encoding data, sized by the surrounding CSS."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return image.to_string(encoding="unicode")
