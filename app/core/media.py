"""Uploaded images (student photos, club covers): checked by content, not by file name, and stored
under the media directory with a random name so an old URL never shows a newer picture."""

import io
import uuid
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from app.core.config import get_settings
from app.core.errors import AppError, NotFound

ALLOWED_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
MAX_PIXELS = 40_000_000  # refuse decompression bombs long before Pillow's own limit
IMAGE_RESPONSES = {200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "图片"}}


def detect_image(data: bytes, what: str = "照片") -> str:
    """The image format ("JPEG" / "PNG") if `data` really is one, else a clear refusal."""
    limit = get_settings().max_photo_bytes
    if len(data) > limit:
        raise AppError("PHOTO_TOO_LARGE", f"{what}不能超过 {limit // 1024 // 1024} MB", status_code=413)
    if not data:
        raise AppError("PHOTO_EMPTY", f"{what}文件为空", status_code=422)
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            if image.width * image.height > MAX_PIXELS:
                raise AppError("PHOTO_TOO_LARGE", f"{what}像素过大", status_code=413)
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise AppError("PHOTO_NOT_IMAGE", f"只能上传 JPG 或 PNG 格式的{what}", status_code=415) from None
    if fmt not in ALLOWED_FORMATS:
        raise AppError("PHOTO_NOT_IMAGE", f"只能上传 JPG 或 PNG 格式的{what}", status_code=415)
    return fmt


def store_image(data: bytes, folder: str, what: str = "照片") -> str:
    """Check and write an uploaded image; its path relative to the media directory. `what` names it in errors."""
    ext, _ = ALLOWED_FORMATS[detect_image(data, what)]
    relative = Path(folder) / f"{uuid.uuid4().hex}.{ext}"
    target = get_settings().media_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return relative.as_posix()


def image_file(relative: str | None, missing_message: str) -> tuple[Path, str]:
    """Path and media type of a stored image; 404 with `missing_message` when there is none."""
    path = get_settings().media_dir / relative if relative else None
    if path is None or not path.is_file():
        raise NotFound("PHOTO_NOT_FOUND", missing_message)
    return path, "image/png" if path.suffix == ".png" else "image/jpeg"


def remove_image(relative: str | None) -> None:
    if relative:
        (get_settings().media_dir / relative).unlink(missing_ok=True)
