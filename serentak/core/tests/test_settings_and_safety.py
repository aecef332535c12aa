from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from serentak import env
from serentak.core.safety import assert_safe_to_serve

PROD = {
    "SERENTAK_ENV": "production",
    "ALLOWED_HOSTS": "serentak.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
    "SECRET_KEY": "x" * 60,
    "SERENTAK_TOKEN_KEYS": "Y2ktb25seS10b2tlbi1rZXktMDEyMzQ1Njc4OWFiY2Q=",
}


def _settings_in_subprocess(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environment.update(extra)
    return subprocess.run(
        [sys.executable, "-c", "import serentak.settings as s; print(s.PRODUCTION, s.DEBUG)"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_load_with_a_real_key():
    result = _settings_in_subprocess(PROD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True False"


@pytest.mark.parametrize(
    "secret",
    ["", "development-only-secret-key-never-use-in-production-serentak", "short"],
)
def test_production_refuses_the_development_or_a_weak_secret_key(secret):
    result = _settings_in_subprocess({**PROD, "SECRET_KEY": secret})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug_and_missing_hosts():
    assert _settings_in_subprocess({**PROD, "DEBUG": "1"}).returncode != 0
    assert _settings_in_subprocess({**PROD, "ALLOWED_HOSTS": ""}).returncode != 0


def test_a_typo_in_a_setting_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env.env_bool("SOME_FLAG", default=False)
    monkeypatch.setenv("SOME_NUMBER", "12a")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env.env_int("SOME_NUMBER", 3)
    monkeypatch.setenv("SERENTAK_MODE", "staging")
    with pytest.raises(ImproperlyConfigured):
        env.env_choice("SERENTAK_MODE", "development", ("development", "production"))


def test_secrets_can_come_from_files(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("MY_SECRET_FILE", str(secret))
    assert env.env_str("MY_SECRET", "default") == "from-a-file"
    monkeypatch.setenv("MY_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="MY_SECRET_FILE"):
        env.env_str("MY_SECRET", "default")
    assert env.env_list("NOT_SET_LIST", ["a"]) == ["a"]
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert env.env_list("HOSTS", []) == ["a.example", "b.example"]


@pytest.mark.django_db
def test_production_refuses_to_serve_while_demo_accounts_are_active(settings):
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="demo accounts"):
        assert_safe_to_serve()
    from serentak.core.demo import demo_people_purge

    demo_people_purge()
    assert_safe_to_serve()


@pytest.mark.django_db
def test_demo_accounts_are_never_created_in_production(settings, kpu):
    from serentak.core.demo import demo_people_seed

    settings.DEMO_MODE = False
    with pytest.raises(ImproperlyConfigured):
        demo_people_seed(institution=kpu)


@pytest.mark.django_db
def test_a_production_worker_refuses_to_start_next_to_demo_accounts(settings):
    from serentak.celery import refuse_unsafe_production

    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        refuse_unsafe_production()
