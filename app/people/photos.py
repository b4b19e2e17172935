"""Photos of students and of guardians (for the teacher at the gate), stored under the media directory
(see app.core.media) and shown through signed links an <image> can load without a login token."""

from pathlib import Path, PurePosixPath

from sqlmodel import Session

from app.core.clock import utcnow
from app.core.errors import NotFound
from app.core.media import image_file, remove_image, store_image
from app.core.signed_urls import sign_url
from app.people.models import Guardian, Student

Owner = Student | Guardian
_FOLDER = {Student: "students", Guardian: "guardians"}
_NONE = {Student: "该学生暂无照片", Guardian: "该家长暂无照片"}


def save_photo(*, session: Session, owner: Owner, data: bytes) -> None:
    old = owner.photo_path
    owner.photo_path = store_image(data, f"{_FOLDER[type(owner)]}/{owner.school_id}")
    if isinstance(owner, Student):
        owner.updated_at = utcnow()
    session.add(owner)
    session.commit()
    remove_image(old)


def photo_file(owner: Owner) -> tuple[Path, str]:
    """Path and media type of the photo."""
    return image_file(owner.photo_path, _NONE[type(owner)])


def delete_photo(*, session: Session, owner: Owner) -> None:
    delete_photos(session=session, owners=[owner])


def delete_photos(*, session: Session, owners: list[Owner]) -> None:
    """Forget the owners' photos in one commit (with whatever else the session holds), then remove the files."""
    paths = [owner.photo_path for owner in owners if owner.photo_path]
    for owner in owners:
        if owner.photo_path:
            owner.photo_path = None
            if isinstance(owner, Student):
                owner.updated_at = utcnow()
            session.add(owner)
    session.commit()
    for path in paths:
        remove_image(path)


def photo_link(owner: Owner) -> str | None:
    """A signed link to the current photo that an <image> can load (no login token), for staff who may see it."""
    if not owner.photo_path:
        return None
    return sign_url(f"/api/v1/{_FOLDER[type(owner)]}/{owner.id}/photo/{PurePosixPath(owner.photo_path).name}")


def linked_photo_file(owner: Owner | None, name: str, kind: type = Student) -> tuple[Path, str]:
    """The photo a signed link names, if it is still the owner's photo; an old link shows nothing."""
    if owner is None or not owner.photo_path or PurePosixPath(owner.photo_path).name != name:
        raise NotFound("PHOTO_NOT_FOUND", _NONE[kind])
    return photo_file(owner)
