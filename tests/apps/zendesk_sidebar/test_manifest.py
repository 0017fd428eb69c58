"""The app's files against Zendesk's documented requirements (Apps framework v2: the manifest reference and the
required files: manifest.json, translations/en.json, assets/logo.png and assets/logo-small.png), and the rules of
this app: no build step, nothing from outside but Zendesk's SDK, every word in the five languages."""
from __future__ import annotations

import json
import re
import struct
from pathlib import Path

from handoff.devtools.support.sidebar_harness import APP_DIR, ZAF_SDK

MANIFEST = json.loads((APP_DIR / "manifest.json").read_text(encoding="utf-8"))
LANGUAGES = ("en", "es", "fr", "de", "pt")


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_the_manifests_required_properties():
    # required by the reference: author (name, email), frameworkVersion, location
    assert MANIFEST["author"]["name"] and "@" in MANIFEST["author"]["email"]
    assert MANIFEST["frameworkVersion"] == "2.0"
    sidebar = MANIFEST["location"]["support"]["ticket_sidebar"]
    assert (APP_DIR / sidebar["url"]).is_file()
    assert MANIFEST["defaultLocale"] == "en" and MANIFEST["name"] and MANIFEST["version"]


def test_the_service_key_is_a_secure_setting_for_the_services_domain():
    params = {p["name"]: p for p in MANIFEST["parameters"]}
    assert params["service_key"]["secure"] is True and params["service_key"]["required"] is True
    assert params["service_url"]["required"] is True and not params["service_url"].get("secure")
    # secure settings are only sent to the manifest's domains (`handoff setup zendesk-app` sets the service's)
    assert MANIFEST["domainWhitelist"]


def test_the_required_files_and_logo_sizes():
    assert png_size(APP_DIR / "assets/logo.png") == (320, 320)
    assert png_size(APP_DIR / "assets/logo-small.png") == (128, 128)
    for lang in LANGUAGES:
        app = json.loads((APP_DIR / f"translations/{lang}.json").read_text(encoding="utf-8"))["app"]
        assert app["name"] and app["short_description"]
        assert set(app["parameters"]) == {p["name"] for p in MANIFEST["parameters"]}
        assert all(v["label"] for v in app["parameters"].values())


def test_nothing_is_loaded_from_outside_but_zendesks_sdk():
    page = (APP_DIR / "assets/iframe.html").read_text(encoding="utf-8")
    outside = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", page)
    assert outside == [ZAF_SDK]
    for script in (APP_DIR / "assets").glob("*.js"):
        code = script.read_text(encoding="utf-8")
        imports = re.findall(r"""^import .* from ["']([^"']+)["'];""", code, re.M)
        assert all(i.startswith("./") and (APP_DIR / "assets" / i).is_file() for i in imports), script
        assert "fetch(" not in code and "XMLHttpRequest" not in code, f"{script}: requests go through client.request"


def test_every_app_word_in_five_languages():
    code = (APP_DIR / "assets/i18n.js").read_text(encoding="utf-8")
    tables = dict(re.findall(r"^  (\w\w): \{(.*?)^  \},", code, re.M | re.S))
    assert set(tables) == set(LANGUAGES)
    keys = {lang: set(re.findall(r"(\w+): \"", body)) for lang, body in tables.items()}
    assert all(keys[lang] == keys["en"] for lang in LANGUAGES)
    used = set(re.findall(r"""\bt\(\s*["'](\w+)["']""", (APP_DIR / "assets/render.js").read_text(encoding="utf-8")
                          + (APP_DIR / "assets/main.js").read_text(encoding="utf-8")))
    assert used <= keys["en"], used - keys["en"]
