"""Photos of a session: images only by content, within the size and pixel limits, re-encoded
without metadata, once each, at most the session's limit."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.uploads import OversizedUpload
from rongxin.lectures.models import SessionPhoto
from rongxin.lectures.services.photos import photo_add
from rongxin.lectures.services.sessions import session_cancel
from rongxin.lectures.tests.conftest import LectureWorld
from rongxin.lectures.tests.test_sessions_helpers import image_bytes, new_session

pytestmark = pytest.mark.django_db


def _upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_a_photo_is_kept_by_its_content_type(frozen: Any, lect: LectureWorld, fmt: str, content_type: str) -> None:
    s = new_session(lect)
    # The name and declared type say JPEG whatever it is: the content decides.
    photo = photo_add(actor=lect.head_user, session_id=s.pk, upload=_upload(image_bytes(fmt)), caption="现场")
    assert (photo.content_type, photo.width, photo.height, photo.caption) == (content_type, 64, 48, "现场")
    assert Image.open(io.BytesIO(bytes(photo.data))).format == fmt


def test_exif_and_gps_are_stripped(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    original = image_bytes("JPEG", exif=True)
    assert b"SecretCam" in original
    assert Image.open(io.BytesIO(original)).getexif()
    photo = photo_add(actor=lect.admin, session_id=s.pk, upload=_upload(original), caption="")
    data = bytes(photo.data)
    assert b"SecretCam" not in data
    assert b"Exif" not in data
    im = Image.open(io.BytesIO(data))
    assert (dict(im.getexif()), "exif" in im.info) == ({}, False)


def test_a_text_file_named_jpg_is_refused(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    for data in (b"hello, this is not a photo\n" * 10, b"\xff\xd8\xff\xe0" + b"\x00" * 100, b"GIF89a" + b"\x00" * 50):
        with pytest.raises(InvalidInput) as exc:
            photo_add(actor=lect.admin, session_id=s.pk, upload=_upload(data, "photo.jpg"), caption="")
        assert (exc.value.code, exc.value.errors[0]["field"]) == ("not_an_image", "upload")
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    with pytest.raises(InvalidInput) as exc:
        photo_add(actor=lect.admin, session_id=s.pk, upload=_upload(gif.getvalue()), caption="")
    assert exc.value.code == "not_an_image"
    assert SessionPhoto.objects.count() == 0


@override_settings(RONGXIN_LECTURE_PHOTO_MAX_BYTES=2000)
def test_an_oversized_photo_is_refused_before_it_is_read(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    big = _upload(image_bytes("PNG", size=(400, 400), color=None) + b"\x00" * 3000, "big.png")
    with pytest.raises(InvalidInput) as exc:
        photo_add(actor=lect.admin, session_id=s.pk, upload=big, caption="")
    assert exc.value.code == "photo_too_large"
    assert big.tell() == 0  # nothing was read
    dropped = OversizedUpload(name="huge.jpg", content_type="image/jpeg", size=10**9)
    with pytest.raises(InvalidInput) as exc:
        photo_add(actor=lect.admin, session_id=s.pk, upload=dropped, caption="")
    assert exc.value.code == "photo_too_large"


def test_a_decompression_bomb_is_refused(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    for side in (8_000, 10_000):  # above our limit; above Pillow's own warning threshold too
        bomb = io.BytesIO()
        Image.new("1", (side, side)).save(bomb, "PNG")  # a small file of many million pixels
        assert len(bomb.getvalue()) < 100_000
        with pytest.raises(InvalidInput) as exc:
            photo_add(actor=lect.admin, session_id=s.pk, upload=_upload(bomb.getvalue()), caption="")
        assert exc.value.code == "photo_too_many_pixels"
    assert SessionPhoto.objects.count() == 0


def test_the_same_photo_twice_is_a_conflict(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    photo_add(actor=lect.admin, session_id=s.pk, upload=_upload(image_bytes()), caption="")
    with pytest.raises(Conflict) as exc:
        photo_add(actor=lect.admin, session_id=s.pk, upload=_upload(image_bytes()), caption="再传")
    assert exc.value.code == "duplicate_photo"
    assert SessionPhoto.objects.count() == 1


@override_settings(RONGXIN_LECTURE_PHOTOS_PER_SESSION=2)
def test_a_session_keeps_at_most_its_limit(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    for color in ("red", "blue"):
        photo_add(actor=lect.admin, session_id=s.pk, upload=_upload(image_bytes(color=color)), caption="")
    with pytest.raises(Conflict) as exc:
        photo_add(actor=lect.admin, session_id=s.pk, upload=_upload(image_bytes(color="green")), caption="")
    assert exc.value.code == "photo_limit"


def test_photos_are_for_those_who_run_the_session(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    for outsider in (lect.town_b, lect.auditor, lect.village_a1, lect.leader_user):
        with pytest.raises(NotFound):
            photo_add(actor=outsider, session_id=s.pk, upload=_upload(image_bytes()), caption="")
    with pytest.raises(InvalidInput) as exc:
        photo_add(actor=lect.admin, session_id=s.pk, upload=_upload(image_bytes()), caption="x\x00")
    assert exc.value.code == "invalid_text"
    session_cancel(actor=lect.admin, session_id=s.pk, reason="取消")
    with pytest.raises(Conflict):
        photo_add(actor=lect.admin, session_id=s.pk, upload=_upload(image_bytes()), caption="")
