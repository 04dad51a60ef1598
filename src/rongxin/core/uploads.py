"""The first upload handler: no uploaded file grows beyond ``RONGXIN_IMPORT_MAX_BYTES``.

Django streams a multipart body through its upload handlers in 64 KB chunks. This handler counts
each file's bytes and, once a file passes the limit, stops passing its chunks on to the handlers
that keep them (memory, then a temporary file); the rest of the body is read and dropped. When
the request itself is longer than the limit plus room for the form's other fields, no chunk is
kept at all. Either way the view receives an empty :class:`OversizedUpload` whose ``size`` is
above the limit, so the service refuses it with a clear message and stores nothing.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

# Multipart boundaries, part headers and the small fields of an upload form.
FORM_ROOM = 1024 * 1024


class OversizedUpload(UploadedFile):
    """An uploaded file that was too large: its name and size, none of its bytes."""

    def __init__(self, *, name: str, content_type: str, size: int) -> None:
        super().__init__(file=io.BytesIO(b""), name=name, content_type=content_type, size=size)


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = int(settings.RONGXIN_IMPORT_MAX_BYTES)
        self.request_too_long = False
        self.seen = 0
        self.over = False

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        self.request_too_long = content_length > self.limit + FORM_ROOM
        self.request_length = content_length

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.seen = 0
        self.over = self.request_too_long

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        if self.seen > self.limit:
            self.over = True
        return None if self.over else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.over:
            return None  # the next handler holds the file
        size = max(self.seen, self.limit + 1)
        return OversizedUpload(name=self.file_name or "upload", content_type=self.content_type or "", size=size)
