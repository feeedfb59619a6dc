"""The project-level catalog (services, models, API) speaks Chinese.

``src/lianban/locale`` holds the messages outside the portal and the
workbench: validation problems, domain errors, notifications to applicants,
audit reasons, model and field names. The checks are the portal's
(``tests/portal/test_i18n.py``): every msgid has a Chinese msgstr, nothing is
fuzzy or obsolete, the committed ``.mo`` matches the ``.po``; each
translation keeps the placeholders of its msgid. And since this catalog wins
over the apps' catalogs, a msgid they translate too keeps their words.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils import translation

from lianban.cases import words
from tests.portal.test_i18n import ENGLISH_WORD, NAMES, PLACEHOLDER, po_entries

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "lianban"
LOCALE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"
#: Latin a translation keeps: names (formats, units, the digest, ASCII) and the
#: values an API client sends, which the message names as they are.
KEPT = NAMES | {"ASCII", "OK", "MISSING", "WRONG", "PICKUP", "MAIL", "and", "or", "not", "in", "true", "false"}
#: The holiday file's format and its keys, named as they are written in the file.
KEPT |= {"JSON", "year", "days", "date", "name", "isOffDay"}
#: Event subscriptions: the URL schemes and the secret's format (Standard Webhooks), as they are written.
KEPT |= {"http", "https", "whsec", "base"}  # whsec_<base64>
#: Message templates: the placeholders named in the admin's help, as they are written in a template.
KEPT |= {"code", "thing", "message"}
BRACES = re.compile(r"\{\w*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text) + BRACES.findall(text))


def test_every_message_has_a_chinese_translation():
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 300
    for entry in entries:
        assert "obsolete" not in entry, entry["msgid"]
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        translated = entry.get("msgstr", entry.get("msgstr[0]", ""))
        assert translated, f"untranslated: {entry['msgid']!r}"
        latin = ENGLISH_WORD.findall(PLACEHOLDER.sub("", translated))
        assert [w for w in latin if w not in KEPT] == [], (entry["msgid"], translated)
        assert placeholders(translated) == placeholders(entry["msgid"]), (entry["msgid"], translated)


def test_the_compiled_catalog_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = po_entries(LOCALE / "django.po")
    for entry in entries:
        if "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 2) == entry["msgstr[0]"], entry["msgid"]
        elif "msgctxt" in entry:
            assert compiled.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"], entry["msgid"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]
    # Nothing compiled that the .po no longer has (the header is the one extra entry).
    assert len(compiled._catalog) == len(entries) + 1


def test_a_message_an_app_also_translates_keeps_the_words_it_showed():
    """The project catalog (LOCALE_PATHS) wins over every app's catalog.

    So for a msgid the portal or the workbench translates too (upload refusals,
    role names…), it must say what those pages said without it: the app's
    words, or those of an app earlier in INSTALLED_APPS (Django's own).
    """
    project = {e["msgid"]: e["msgstr"] for e in po_entries(LOCALE / "django.po") if "msgstr" in e}
    catalogs = []
    for config in apps.get_app_configs():  # in INSTALLED_APPS order: the first that translates wins
        compiled = Path(config.path) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
        if compiled.exists():
            with compiled.open("rb") as handle:
                catalogs.append(gettext.GNUTranslations(handle))
    shared = 0
    for app in ("portal", "workbench"):
        for entry in po_entries(PACKAGE / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"):
            msgid = entry["msgid"]
            if msgid in project and "msgstr" in entry:
                shown = next(c.gettext(msgid) for c in catalogs if c.gettext(msgid) != msgid)
                assert project[msgid] == shown, (app, msgid)
                shared += 1
    assert shared > 20


def test_the_intake_problems_the_services_translate_read_as_the_workbench_words():
    """The intake service raises "not tolerable" already translated, so the workbench's table misses it and shows it as is."""
    project = {e["msgid"]: e["msgstr"] for e in po_entries(LOCALE / "django.po") if "msgstr" in e}
    with translation.override("zh-hans"):
        for value in ("not tolerable", "due date in the past"):  # intake/services.py, intake_accept
            assert project[value] == str(words.INTAKE_PROBLEMS[value]), value


def test_the_services_speak_chinese_by_default_and_english_on_request():
    message = "Your application %(code)s for %(thing)s was received."
    values = {"code": "ABCD-EFGH-JKLM", "thing": "我要开饭馆"}
    with translation.override(settings.LANGUAGE_CODE):
        assert translation.gettext(message) % values == "您的“我要开饭馆”申请（办件编号 ABCD-EFGH-JKLM）已收到。"
    with translation.override("en"):
        assert translation.gettext(message) % values == "Your application ABCD-EFGH-JKLM for 我要开饭馆 was received."
