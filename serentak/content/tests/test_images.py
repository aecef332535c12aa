"""Package images: judged by their content, scaled down rather than refused, EXIF dropped."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from serentak.content.images import MAX_SIDE, image_prepare

ORIENTATION, GPS = 0x0112, 0x8825


def encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=image_format, **options)
    return out.getvalue()


def photo(width: int, height: int, image_format: str = "JPEG", **options: object) -> bytes:
    return encode(Image.new("RGB", (width, height), (40, 120, 200)), image_format, **options)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_it_scales_a_4000_by_3000_jpeg_down_to_2048_pixels():
    prepared = image_prepare(photo(4000, 3000), name="kegiatan.JPG")
    assert (prepared.width, prepared.height) == (MAX_SIDE, 1536)
    assert prepared.format == "JPEG"
    assert prepared.changed
    assert prepared.name == "kegiatan.jpg"
    result = opened(prepared.content)
    assert result.format == "JPEG"
    assert result.size == (2048, 1536)


def test_it_scales_a_tall_image_by_its_long_side():
    prepared = image_prepare(photo(1000, 5000), name="poster.jpg")
    assert (prepared.width, prepared.height) == (410, 2048)


def test_it_turns_a_photo_upright_as_its_exif_says_and_drops_the_exif():
    # A landscape sensor image the camera says to rotate 90° clockwise (orientation 6),
    # with a red top-left corner and the office's position.
    image = Image.new("RGB", (400, 300), (255, 255, 255))
    image.paste((255, 0, 0), (0, 0, 40, 40))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[GPS] = {1: "S", 2: (4.0, 25.0, 0.0)}
    prepared = image_prepare(encode(image, "JPEG", exif=exif.tobytes()), name="hp.jpg")

    assert (prepared.width, prepared.height) == (300, 400)
    assert prepared.changed
    result = opened(prepared.content)
    assert not result.getexif()
    assert result.convert("RGB").getpixel((280, 20)) == pytest.approx((255, 0, 0), abs=40)


def test_it_drops_the_exif_of_an_upright_jpeg():
    exif = Image.Exif()
    exif[GPS] = {1: "S", 2: (4.0, 25.0, 0.0)}
    prepared = image_prepare(photo(800, 600, exif=exif.tobytes()), name="posisi.jpg")
    assert prepared.changed
    assert (prepared.width, prepared.height) == (800, 600)
    assert not opened(prepared.content).getexif()


def test_it_keeps_a_png_that_fits_byte_for_byte():
    data = encode(Image.new("RGBA", (640, 480), (0, 128, 0, 128)), "PNG")
    prepared = image_prepare(data, name="grafis.png")
    assert prepared.content == data
    assert not prepared.changed
    assert (prepared.format, prepared.name) == ("PNG", "grafis.png")
    assert (prepared.width, prepared.height) == (640, 480)


def test_it_keeps_a_large_png_a_png_when_scaling_it():
    prepared = image_prepare(photo(3000, 1000, "PNG"), name="banner.png")
    assert prepared.format == "PNG"
    assert opened(prepared.content).format == "PNG"
    assert (prepared.width, prepared.height) == (2048, 683)


def test_it_keeps_a_clean_small_jpeg_as_it_came():
    data = photo(800, 600)
    assert image_prepare(data, name="foto.jpeg").content == data


def test_it_accepts_webp():
    prepared = image_prepare(photo(500, 500, "WEBP"), name="foto")
    assert (prepared.format, prepared.name) == ("WEBP", "foto.webp")


def test_it_judges_by_content_not_by_the_name():
    prepared = image_prepare(photo(500, 500, "PNG"), name="foto.jpg")
    assert (prepared.format, prepared.name) == ("PNG", "foto.png")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 a document", "surat.jpg: this is not a JPEG, PNG or WebP image."),
        (b"", "surat.jpg: this is not a JPEG, PNG or WebP image."),
        (photo(500, 500, "GIF"), "surat.jpg: this is not a JPEG, PNG or WebP image."),
        (photo(500, 500, "BMP"), "surat.jpg: this is not a JPEG, PNG or WebP image."),
        (photo(800, 600)[:600], "surat.jpg: the image is damaged or incomplete."),
    ],
    ids=["pdf", "empty", "gif", "bmp", "truncated"],
)
def test_it_refuses_what_is_not_a_jpeg_png_or_webp_image(data, message):
    with pytest.raises(ValidationError) as refused:
        image_prepare(data, name="surat.jpg")
    assert refused.value.messages == [message]


@pytest.mark.parametrize("size", [(150, 150), (1200, 199)])
def test_it_refuses_tiny_images_saying_why(size: tuple[int, int]):
    width, height = size
    with pytest.raises(ValidationError) as refused:
        image_prepare(photo(width, height, "PNG"), name="ikon.png")
    assert refused.value.messages == [
        f"ikon.png: the image is {width} by {height} pixels; each side needs at least 200 "
        "pixels to look sharp on Facebook."
    ]


def test_it_reads_an_uploaded_file_from_the_start():
    upload = SimpleUploadedFile("unggah.jpg", photo(300, 300))
    upload.read(10)
    assert image_prepare(upload, name=upload.name or "").width == 300
