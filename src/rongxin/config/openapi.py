"""The OpenAPI document as a contract: ``python -m rongxin.config.openapi docs/openapi.json``
writes it; a test fails when the API changes without the snapshot being updated.

The document speaks the caller's language: :func:`translate_document` runs at generation time
(the API's ``get_openapi_schema``) and puts each operation's summary and description, each
field's description and the API's own description into the active language through the message
catalogue. The committed snapshot is the English one, so it stays the same whatever language
the command runs in. Docstrings are not found by ``makemessages``, so ``make openapi`` also
writes :mod:`rongxin.config.openapi_messages`, every English text of the document as a
``gettext_noop``, and the Chinese lives in the .po like any other message.

An operation's summary is the first sentence of its docstring (what ninja would otherwise derive
from the function's name: "Revoke Api Key").
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

SNAPSHOT = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
MESSAGES = Path(__file__).resolve().parent / "openapi_messages.py"
METHODS = {"get", "post", "put", "patch", "delete"}


def summary_of(description: str) -> str:
    """The first sentence of a docstring (up to a full stop, colon or semicolon outside brackets
    and code), without its stop, on one line."""
    text = " ".join(description.split())
    depth, code = 0, False
    for i, c in enumerate(text):
        if c == "`":
            code = not code
        elif c in "([" and not code:
            depth += 1
        elif c in ")]" and not code:
            depth = max(0, depth - 1)
        elif c in ".:;" and not code and depth == 0 and (i + 1 == len(text) or text[i + 1] == " "):
            return text[:i]
    return text


def _texts(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """Every (holder, key) of a text a person reads in the document."""
    info = document.get("info", {})
    if info.get("description"):
        yield info, "description"
    for path in document.get("paths", {}).values():
        for method, operation in path.items():
            if method not in METHODS:
                continue
            for key in ("summary", "description"):
                if operation.get(key):
                    yield operation, key
            for parameter in operation.get("parameters", []):
                if parameter.get("description"):
                    yield parameter, "description"
    for schema in document.get("components", {}).get("schemas", {}).values():
        if schema.get("description"):
            yield schema, "description"
        for prop in schema.get("properties", {}).values():
            if isinstance(prop, dict) and isinstance(prop.get("description"), str):
                yield prop, "description"


def with_summaries(document: dict[str, Any]) -> dict[str, Any]:
    """Each documented operation's summary from its docstring."""
    for path in document.get("paths", {}).values():
        for method, operation in path.items():
            if method in METHODS and operation.get("description"):
                operation["summary"] = summary_of(operation["description"])
    return document


def translate_document(document: dict[str, Any], translate: Callable[[str], str] = gettext) -> dict[str, Any]:
    """The document with its texts in the active language (an English text without a
    translation stays as it is)."""
    for holder, key in list(_texts(with_summaries(document))):
        holder[key] = translate(str(holder[key]))
    return document


def english_messages(document: dict[str, Any]) -> list[str]:
    return sorted({str(holder[key]) for holder, key in _texts(with_summaries(document))})


def document() -> dict[str, Any]:
    """The English document (the snapshot), whatever language is active."""
    from rongxin.config.api import api

    with translation.override("en"):
        return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1"), default=str))


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def render_messages() -> str:
    """The Python module that lists every English text of the document for ``makemessages``."""
    lines = [
        '"""Every text of the OpenAPI document, for ``makemessages`` (written by ``make openapi``;',
        'do not edit). The Chinese is in the .po; :mod:`rongxin.config.openapi` applies it."""',
        "",
        "# ruff: noqa: E501",
        "",
        "from django.utils.translation import gettext_noop",
        "",
        "MESSAGES = [",
    ]
    for text in english_messages(document()):
        literal = json.dumps(text, ensure_ascii=False)
        line = f"    gettext_noop({literal}),"
        # As ruff format writes it, so that formatting the module changes nothing.
        lines += [line] if len(line) <= 120 else ["    gettext_noop(", f"        {literal}", "    ),"]
    lines += ["]", ""]
    return "\n".join(lines)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongxin.config.settings")
    import django

    django.setup()
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SNAPSHOT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render())
    MESSAGES.write_text(render_messages())
    print(f"wrote {target} and {MESSAGES}")


if __name__ == "__main__":
    main()
