"""Images attached to a package: checked by their content, made light enough to post.

``image_prepare`` takes what a browser uploaded and returns what Serentak stores:

* Only JPEG, PNG and WebP are accepted, and the *content* decides (Pillow identifies and
  verifies the file), never the name or the declared type: a PDF renamed ``.jpg`` is refused.
* An image whose shorter side is under ``MIN_SIDE`` pixels is refused: it would look blurred
  on Facebook, and it is usually an icon picked by mistake.
* An image longer than ``MAX_SIDE`` pixels on its long side is downscaled, not refused: the
  officer uploads what the camera gave. Facebook shows 2048 px at most anyway.
* A JPEG or WebP carrying EXIF (camera, time, often the GPS position of the office) is
  re-encoded without it, turned upright first as its orientation tag said. JPEG is written at
  quality ``JPEG_QUALITY``. A PNG or a JPEG with nothing to change is kept byte for byte, so
  a small clean image loses nothing to re-encoding.

Everything refused comes back as a ``ValidationError`` whose message names the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MIN_SIDE = 200
MAX_SIDE = 2048
JPEG_QUALITY = 85
WEBP_QUALITY = 85
# A phone photo is 12 to 50 megapixels; far more is a decompression bomb or a scan.
MAX_PIXELS = 80_000_000
MAX_BYTES = 30 * 1024 * 1024

# Pillow's format name -> the file extension Serentak stores it under.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_ORIENTATION = 0x0112


@dataclass(frozen=True)
class PreparedImage:
    """An image ready to store: its bytes, a file name with the right extension, its size."""

    content: bytes
    name: str
    width: int
    height: int
    format: str  # "JPEG", "PNG" or "WEBP"
    changed: bool  # re-encoded (downscaled, turned upright or stripped of EXIF)


def _refuse(name: str, message: str, code: str) -> ValidationError:
    return ValidationError(
        _("%(name)s: %(problem)s") % {"name": name, "problem": message}, code=code
    )


def _read(upload: IO[bytes] | bytes, name: str) -> bytes:
    if isinstance(upload, bytes):
        data = upload
    else:
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(
            name,
            _("the file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)},
            "image_too_heavy",
        )
    return data


def _identify(data: bytes, name: str) -> str:
    """The image's format, after Pillow has verified the whole file."""
    not_an_image = _refuse(
        name, _("this is not a JPEG, PNG or WebP image."), code="image_not_an_image"
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format or ""
            width, height = probe.size
            if image_format in FORMATS and width * height > MAX_PIXELS:
                raise _refuse(
                    name,
                    _("the image is too large to process (%(pixels)d megapixels).")
                    % {"pixels": width * height // 1_000_000},
                    code="image_too_large",
                )
            probe.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise not_an_image from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # truncated or corrupt
        raise _refuse(name, _("the image is damaged or incomplete."), code="image_damaged") from exc
    if image_format not in FORMATS:
        raise not_an_image
    return image_format


def _encode(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    options: dict[str, Any]
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        options = {"quality": JPEG_QUALITY, "optimize": True, "progressive": True}
    elif image_format == "WEBP":
        options = {"quality": WEBP_QUALITY}
    else:
        options = {"optimize": True}
    # No `exif=` given: Pillow writes none, so the camera's data (and position) is dropped.
    image.save(out, format=image_format, **options)
    return out.getvalue()


def image_prepare(upload: IO[bytes] | bytes, *, name: str) -> PreparedImage:
    """Check an uploaded image and make it ready to store (see the module's rules).

    ``upload`` is a file (Django's ``UploadedFile``) or bytes; ``name`` is the name the
    person gave it, used in messages and for the stored name. Raises ``ValidationError``.
    """
    name = PurePath(name or "image").name
    data = _read(upload, name)
    image_format = _identify(data, name)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            exif = opened.getexif()
            has_exif = bool(exif)
            rotated = exif.get(_ORIENTATION, 1) != 1
            upright = ImageOps.exif_transpose(opened)
            upright.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _refuse(name, _("the image is damaged or incomplete."), code="image_damaged") from exc
    width, height = upright.size
    if min(width, height) < MIN_SIDE:
        raise _refuse(
            name,
            _(
                "the image is %(width)d by %(height)d pixels; each side needs at least %(min)d "
                "pixels to look sharp on Facebook."
            )
            % {"width": width, "height": height, "min": MIN_SIDE},
            code="image_too_small",
        )
    downscale = max(width, height) > MAX_SIDE
    strip = has_exif and image_format in ("JPEG", "WEBP")
    changed = downscale or strip or rotated
    if downscale:
        upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        width, height = upright.size
    content = _encode(upright, image_format) if changed else data
    stem = PurePath(name).stem or "image"
    return PreparedImage(
        content=content,
        name=f"{stem}.{FORMATS[image_format]}",
        width=width,
        height=height,
        format=image_format,
        changed=changed,
    )
