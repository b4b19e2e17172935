"""Student photos, stored under the media directory (see app.core.media)."""

from pathlib import Path, PurePosixPath

from sqlmodel import Session

from app.core.clock import utcnow
from app.core.errors import NotFound
from app.core.media import image_file, remove_image, store_image
from app.core.signed_urls import sign_url
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


def photo_link(student: Student) -> str | None:
    """A signed link to the current photo that an <image> can load (no login token), for staff who may see it."""
    if not student.photo_path:
        return None
    return sign_url(f"/api/v1/students/{student.id}/photo/{PurePosixPath(student.photo_path).name}")


def linked_photo_file(student: Student | None, name: str) -> tuple[Path, str]:
    """The photo a signed link names, if it is still the child's photo; an old link shows nothing."""
    if student is None or not student.photo_path or PurePosixPath(student.photo_path).name != name:
        raise NotFound("PHOTO_NOT_FOUND", "该学生暂无照片")
    return photo_file(student)
