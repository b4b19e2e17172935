"""Student photos: checked by content (not by file name), stored under the media directory."""

import io
import uuid
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlmodel import Session

from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.errors import AppError, NotFound
from app.people.models import Student

ALLOWED_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
MAX_PIXELS = 40_000_000  # refuse decompression bombs long before Pillow's own limit


def detect_image(data: bytes) -> str:
    """The image format ("JPEG" / "PNG") if `data` really is one, else a clear refusal."""
    limit = get_settings().max_photo_bytes
    if len(data) > limit:
        raise AppError("PHOTO_TOO_LARGE", f"照片不能超过 {limit // 1024 // 1024} MB", status_code=413)
    if not data:
        raise AppError("PHOTO_EMPTY", "照片文件为空", status_code=422)
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            if image.width * image.height > MAX_PIXELS:
                raise AppError("PHOTO_TOO_LARGE", "照片像素过大", status_code=413)
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise AppError("PHOTO_NOT_IMAGE", "只能上传 JPG 或 PNG 格式的照片", status_code=415) from None
    if fmt not in ALLOWED_FORMATS:
        raise AppError("PHOTO_NOT_IMAGE", "只能上传 JPG 或 PNG 格式的照片", status_code=415)
    return fmt


def save_photo(*, session: Session, student: Student, data: bytes) -> None:
    fmt = detect_image(data)
    ext, _ = ALLOWED_FORMATS[fmt]
    media = get_settings().media_dir
    relative = Path("students") / str(student.school_id) / f"{uuid.uuid4().hex}.{ext}"
    target = media / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    old = student.photo_path
    student.photo_path = relative.as_posix()
    student.updated_at = utcnow()
    session.add(student)
    session.commit()
    if old:
        (media / old).unlink(missing_ok=True)


def photo_file(student: Student) -> tuple[Path, str]:
    """Path and media type of the student's photo."""
    if not student.photo_path:
        raise NotFound("PHOTO_NOT_FOUND", "该学生暂无照片")
    path = get_settings().media_dir / student.photo_path
    if not path.is_file():
        raise NotFound("PHOTO_NOT_FOUND", "该学生暂无照片")
    media_type = "image/png" if path.suffix == ".png" else "image/jpeg"
    return path, media_type


def delete_photo(*, session: Session, student: Student) -> None:
    if student.photo_path:
        (get_settings().media_dir / student.photo_path).unlink(missing_ok=True)
    student.photo_path = None
    session.add(student)
    session.commit()
