"""`send_export()`: every downloaded file (CSV, XLSX, ODS, PDF) leaves the application through here."""
from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from flask import Response, stream_with_context

from consult.exports.writers import file_chunks

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "zip": "application/zip",
}


def send_export(body: str | bytes | Iterable[str] | IO[bytes], *, filename: str, fmt: str,
                inline: bool = False, private: bool = True) -> Response:
    """The response for a file: chunks (CSV text, or the bytes of a spreadsheet being written:
    `writers.spreadsheet_chunks`) streamed as they are produced, a written file sent in chunks with its length,
    text or bytes as they are. `private` files (personal data, unpublished figures)
    are never kept by a cache; `inline` ones open in the browser instead of downloading."""
    if isinstance(body, (str, bytes)):
        response = Response(body, content_type=MIMETYPES[fmt])
    elif hasattr(body, "seek"):
        size = body.seek(0, 2)
        body.seek(0)
        response = Response(file_chunks(body), content_type=MIMETYPES[fmt])
        response.content_length = size
    else:
        response = Response(stream_with_context(body), content_type=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    # A public file (a published fiche, a blank questionnaire) is the same for everyone: caches may keep it but
    # must check it is still current (consult/core/headers.py keeps a view's explicit `public`).
    response.headers["Cache-Control"] = "no-store" if private else "public, no-cache"
    return response
