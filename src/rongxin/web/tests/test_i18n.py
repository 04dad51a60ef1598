"""The Chinese catalogue is complete and the committed .mo matches the .po."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_compiled_catalogue_is_up_to_date():
    # When this fails: cd src/rongxin && rongxin compilemessages -l zh_Hans (make messages).
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    assert {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in po.translated_entries()} == {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo if e.msgid
    }


def test_catalogue_has_every_message_in_the_source(tmp_path, monkeypatch, settings):
    """Extracts the messages afresh (as `make messages` does) and compares msgids."""
    import shutil

    import pytest
    from django.core.management import call_command

    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed")
    source = Path(__file__).resolve().parents[2]
    copy = tmp_path / "rongxin"
    shutil.copytree(
        source, copy, ignore=shutil.ignore_patterns("locale", "tests", "__pycache__", "conftest.py", "static")
    )
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    settings.LOCALE_PATHS = [copy / "locale"]
    call_command("makemessages", locale=["zh_Hans"], no_location=True, verbosity=0)
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))}
    committed = {e.msgid for e in polib.pofile(str(LOCALE / "django.po"))}
    assert sorted(fresh - committed) == []
