"""Student photos, stored under the media directory (see app.core.media)."""

from pathlib import Path

from sqlmodel import Session

from app.core.clock import utcnow
from app.core.media import image_file, remove_image, store_image
from app.people.models import Student


def save_photo(*, session: Session, student: Student, data: bytes) -> None:
    old = student.photo_path
    student.photo_path = store_image(data, f"students/{student.school_id}")
    student.updated_at = utcnow()
    session.add(student)
    session.commit()
    remove_image(old)


def photo_file(student: Student) -> tuple[Path, str]:
    """Path and media type of the student's photo."""
    return image_file(student.photo_path, "该学生暂无照片")


def delete_photo(*, session: Session, student: Student) -> None:
    remove_image(student.photo_path)
    student.photo_path = None
    session.add(student)
    session.commit()
