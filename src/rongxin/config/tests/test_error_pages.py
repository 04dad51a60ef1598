"""The demo runs like production: DEBUG off, Chinese error pages (never Django's debug page, which
lists every URL pattern), problem+json under /api/, static files served, the address and port
configurable (``HOST=0.0.0.0 PORT=8100 make demo``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from rongxin.core import hosts

ROOT = Path(__file__).resolve().parents[4]
VENV_BIN = Path(sys.executable).parent


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


@pytest.mark.django_db
def test_an_unknown_address_is_the_chinese_not_found_page_without_the_url_list(settings):
    # given the demo's setting
    settings.DEBUG = False
    # when
    response = Client().get("/no-such-page/")
    # then
    html = page_text(response)
    assert (response.status_code, response["Content-Type"]) == (404, "text/html; charset=utf-8")
    assert "<h1>未找到</h1>" in html
    assert "该页面不存在或您无权查看。" in html
    assert ("URLconf" in html, "match any of these" in html, "api/v1/" in html) == (False, False, False)


@pytest.mark.django_db
@pytest.mark.urls("rongxin.config.tests.error_urls")
def test_a_failing_page_is_the_chinese_server_error_page(settings):
    # given
    settings.DEBUG = False
    # when
    response = Client(raise_request_exception=False).get("/boom/")
    # then
    html = page_text(response)
    assert response.status_code == 500
    assert "<h1>出错了</h1>" in html
    assert "平台未能完成此次请求，未作任何更改，请稍后再试。" in html
    assert ("Traceback" in html, "RuntimeError" in html, "an unexpected failure" in html) == (False, False, False)


@pytest.mark.django_db
@pytest.mark.urls("rongxin.config.tests.error_urls")
def test_a_failing_api_call_is_a_problem_without_details(settings):
    # given
    settings.DEBUG = False
    # when
    response = Client(raise_request_exception=False).get("/api/v1/boom")
    # then
    assert (response.status_code, response["Content-Type"]) == (500, "application/problem+json")
    assert response.json() == {
        "type": "/problems/server_error",
        "title": "无法处理该请求。",
        "status": 500,
        "code": "server_error",
    }


@pytest.mark.django_db
@pytest.mark.urls("rongxin.config.tests.error_urls")
def test_a_refusal_outside_the_services_looks_like_not_found(settings):
    # given
    settings.DEBUG = False
    # when
    response = Client().get("/denied/")
    # then: missing and forbidden look the same
    assert response.status_code == 404
    assert "<h1>未找到</h1>" in page_text(response)


@pytest.mark.django_db
def test_a_foreign_host_name_is_the_chinese_bad_request_page(settings):
    # given
    settings.DEBUG = False
    # when
    response = Client().get("/login/", HTTP_HOST="rebound.example")
    # then
    assert response.status_code == 400
    assert "<h1>无法受理此请求</h1>" in page_text(response)


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_is_the_chinese_expired_form_page(settings):
    # given
    settings.DEBUG = False
    # when
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "a", "password": "b"})
    # then
    assert response.status_code == 403
    assert "<h1>表单已过期</h1>" in page_text(response)
    assert "请返回、刷新页面后重新提交。" in page_text(response)


@pytest.mark.django_db
def test_static_files_are_served_with_debug_off(settings):
    # given
    settings.DEBUG = False
    # when
    response = Client().get("/static/web/rongxin.js")
    # then
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert (response.status_code, b"menu-toggle" in body) == (200, True)


# --- make demo: the environment, the address, the port ------------------------------------------
def make_dry_run(**variables: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "HOST", "MAKEFLAGS", "MAKELEVEL")}
    args = ["make", "--no-print-directory", "-n", "demo", *(f"{k}={v}" for k, v in variables.items())]
    # the project's own Makefile, no shell
    out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    return [line for line in out.splitlines() if "rongxin" in line or "honcho" in line]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_runs_with_debug_off_on_port_8000_by_default():
    # when
    lines = make_dry_run()
    # then
    env = "RONGXIN_DEBUG=0 RONGXIN_HOST=127.0.0.1 RONGXIN_PORT=8000"
    assert lines == [
        f"{env} .venv/bin/rongxin migrate --noinput -v 0",
        f"{env} .venv/bin/rongxin collectstatic --noinput -v 0",
        f"{env} .venv/bin/rongxin demo --host 127.0.0.1 --port 8000",
        f"{env} .venv/bin/honcho start -f Procfile",
    ]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_takes_the_address_and_port_asked_for():
    # when
    lines = make_dry_run(HOST="0.0.0.0", PORT="8100")  # noqa: S104
    # then
    env = "RONGXIN_DEBUG=0 RONGXIN_HOST=0.0.0.0 RONGXIN_PORT=8100"
    assert lines[-2:] == [
        f"{env} .venv/bin/rongxin demo --host 0.0.0.0 --port 8100",
        f"{env} .venv/bin/honcho start -f Procfile",
    ]


def web_bind(tmp_path: Path, **env_vars: str) -> str:
    """The web server's command line as honcho starts it from the Procfile (the server
    replaced by echo), with ``env_vars`` set and honcho setting PORT itself (5000)."""
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    (tmp_path / "Procfile").write_text(web.replace(".venv/bin/gunicorn", "echo gunicorn") + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "RONGXIN_HOST", "RONGXIN_PORT")}
    out = subprocess.run(  # noqa: S603 - the project's own tool, no shell
        [str(VENV_BIN / "honcho"), "start", "-f", "Procfile"],
        cwd=tmp_path,
        env={**env, **env_vars},
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    found = [part.split(" --workers")[0] for part in out.split("--bind ")[1:]]
    assert len(found) == 1, out
    return found[0]


def test_honcho_starts_the_web_server_on_8000_by_default_whatever_port_it_hands_out(tmp_path):
    assert web_bind(tmp_path) == "127.0.0.1:8000"


def test_honcho_starts_the_web_server_on_the_address_and_port_of_make_demo(tmp_path):
    assert web_bind(tmp_path, RONGXIN_HOST="0.0.0.0", RONGXIN_PORT="8100") == "0.0.0.0:8100"  # noqa: S104


def test_development_settings_with_debug_off_accept_this_machine_when_listening_beyond_loopback(tmp_path):
    # given the environment of HOST=0.0.0.0 make demo
    env = {**os.environ, "RONGXIN_ENV": "development", "RONGXIN_DEBUG": "0", "RONGXIN_HOST": "0.0.0.0"}  # noqa: S104
    env.update(RONGXIN_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="rongxin.config.settings")
    env.pop("DATABASE_URL", None)
    code = "from django.conf import settings; print(settings.DEBUG); print(' '.join(settings.ALLOWED_HOSTS))"
    # when
    out = subprocess.run(  # noqa: S603 - this interpreter, no shell
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    # then
    assert out[0] == "False"
    assert out[1].split() == ["127.0.0.1", "localhost", "[::1]", "testserver", *hosts.machine_addresses()]


def test_development_hosts_on_loopback_are_loopback_only():
    assert hosts.development_allowed_hosts("127.0.0.1") == ["127.0.0.1", "localhost", "[::1]", "testserver"]


def test_development_hosts_take_a_named_bind_address_and_extra_names_but_never_everything():
    # when
    allowed = hosts.development_allowed_hosts("192.168.1.20", ["demo.county.example"])
    # then
    assert allowed[:5] == ["127.0.0.1", "localhost", "[::1]", "testserver", "192.168.1.20"]
    assert allowed[-1] == "demo.county.example"
    assert "*" not in allowed
    assert all(not hosts.is_loopback(h) for h in allowed[5:])


def test_the_printed_address_follows_the_port_and_host():
    # then
    assert hosts.demo_urls("127.0.0.1", 8100) == ["http://127.0.0.1:8100"]
    assert hosts.demo_urls("::1", 8000) == ["http://[::1]:8000"]
    on_all = hosts.demo_urls("0.0.0.0", 8100)  # noqa: S104
    addresses = [a for a in hosts.machine_addresses() if a[0].isdigit() or a.startswith("[")]
    assert on_all == ["http://127.0.0.1:8100", *(f"http://{a}:8100" for a in addresses)]
