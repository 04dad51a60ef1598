"""Photos as evidence of a lecture session.

An upload is refused unless it is, by its content (never its name or declared type), a JPEG,
PNG or WebP image no larger than ``RONGXIN_LECTURE_PHOTO_MAX_BYTES`` and of at most
:data:`MAX_PIXELS` pixels (checked from the header, before any pixel is decoded: a small file
cannot unfold into gigabytes). The image is then drawn again into a fresh image (turned upright
by its orientation tag first) and encoded anew, so nothing of the original's metadata (EXIF, GPS
position, camera, comments, colour profiles) is kept; large images are scaled down to
:data:`MAX_EDGE` pixels on their long side. A session keeps at most
``RONGXIN_LECTURE_PHOTOS_PER_SESSION`` photos, and the same photo once.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.lectures.models import Session, SessionPhoto
from rongxin.lectures.permissions.sessions import access_session_for_running

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 50_000_000
MAX_EDGE = 2560
QUALITY = 85


def _max_bytes() -> int:
    return int(settings.RONGXIN_LECTURE_PHOTO_MAX_BYTES)


def _too_large() -> Any:
    return field_error(
        "upload",
        _("The photo is larger than %(mb)s MB; choose a smaller one.") % {"mb": f"{_max_bytes() / 1048576:g}"},
        code="photo_too_large",
    )


def _not_image() -> Any:
    return field_error("upload", _("Upload a JPEG, PNG or WebP photo."), code="not_an_image")


def _too_many_pixels() -> Any:
    return field_error(
        "upload", _("The photo has too many pixels; choose a smaller one."), code="photo_too_many_pixels"
    )


def read_limited(upload: Any) -> bytes:
    """The upload's bytes, refused (InvalidInput) as soon as it is known to pass the limit: by
    its declared size before reading anything, else after reading one byte more than allowed."""
    limit = _max_bytes()
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise _too_large()
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large()
    if not data:
        raise field_error("upload", _("The file is empty."), code="empty_file")
    return bytes(data)


def clean_image(data: bytes) -> tuple[bytes, str, int, int]:
    """``(bytes, content type, width, height)`` of the image re-encoded without metadata.
    Raises InvalidInput when ``data`` is not an acceptable image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im: Image.Image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            fmt = im.format or ""
            if fmt not in FORMATS:
                raise _not_image()
            width, height = im.size
            if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                raise _too_many_pixels()
            im.load()
            im = ImageOps.exif_transpose(im) or im
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise _not_image() from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _not_image() from None
    if fmt == "JPEG":
        mode = "RGB"
    elif im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        mode = "RGBA"
    else:
        mode = "RGB"
    im = im.convert(mode)
    im.thumbnail((MAX_EDGE, MAX_EDGE))
    fresh = Image.frombytes(mode, im.size, im.tobytes())  # pixels only: no info, no EXIF, no profile
    out = io.BytesIO()
    if fmt == "JPEG":
        fresh.save(out, "JPEG", quality=QUALITY, optimize=True)
    elif fmt == "PNG":
        fresh.save(out, "PNG", optimize=True)
    else:
        fresh.save(out, "WEBP", quality=QUALITY)
    return out.getvalue(), FORMATS[fmt], fresh.width, fresh.height


@transaction.atomic
def photo_add(*, actor: User, session_id: int, upload: Any, caption: str = "") -> SessionPhoto:
    """Whoever runs a session adds a photo as its evidence (before or after closing; not to a
    cancelled session). Raises NotFound, InvalidInput (not an image, too large, too many pixels,
    caption), Conflict (cancelled, the session's photo limit, the same photo again)."""
    access = access_session_for_running(actor, session_id=session_id, lock=True, no_key=True)
    s = access.session
    if s.status == Session.Status.CANCELLED:
        raise Conflict(_("A cancelled lecture takes no photos."), code="session_cancelled")
    limit = int(settings.RONGXIN_LECTURE_PHOTOS_PER_SESSION)
    if SessionPhoto.objects.filter(session=s).count() >= limit:
        raise Conflict(_("A lecture keeps at most %(n)d photos.") % {"n": limit}, code="photo_limit")
    caption = clean_text(caption, field="caption", required=False, max_length=100, multiline=False)
    if upload is None:
        raise field_error("upload", _("Choose a photo."), code="required")
    data, content_type, width, height = clean_image(read_limited(upload))
    digest = hashlib.sha256(data).hexdigest()
    duplicate = Conflict(_("This photo has been added to the lecture already."), code="duplicate_photo")
    if SessionPhoto.objects.filter(session=s, sha256=digest).exists():
        raise duplicate
    try:
        with transaction.atomic():
            photo = SessionPhoto.objects.create(
                session=s,
                content_type=content_type,
                size=len(data),
                width=width,
                height=height,
                sha256=digest,
                data=data,
                caption=caption,
                uploaded_at=clock.now(),
                uploaded_by=actor,
            )
    except IntegrityError:
        raise duplicate from None
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="session.photo_add",
        object_type="lecture_session",
        object_id=s.pk,
        details={"photo": photo.pk, "type": content_type, "size": len(data)},
    )
    return photo
