"""Configuration comes from the environment, read when the app is created."""
from __future__ import annotations

import pytest

import config as config_module
from config import ConfigurationError, DevelopmentConfig, ProductionConfig, load_config
from consult import create_app


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app("production")


def test_production_reads_secret_key_and_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("DATABASE_URL", "postgres://consult:pw@db.example.org/consult")
    settings = ProductionConfig()
    assert settings.SECRET_KEY == "k" * 64
    assert settings.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://consult:pw@db.example.org/consult"
    assert settings.SESSION_COOKIE_SECURE is True


def test_development_generates_a_secret_key_once(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config_module, "INSTANCE_DIR", tmp_path)
    first = DevelopmentConfig().SECRET_KEY
    second = DevelopmentConfig().SECRET_KEY
    assert first == second
    assert len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_are_read_at_creation_not_import(monkeypatch):
    monkeypatch.setenv("DISCLOSURE_THRESHOLD", "5")
    monkeypatch.setenv("LOGIN_ACCOUNT_FAILURES", "3/5 minutes")
    settings = load_config("testing")
    assert settings.DISCLOSURE_THRESHOLD == 5
    assert settings.LOGIN_ACCOUNT_FAILURES == "3/5 minutes"
    monkeypatch.delenv("DISCLOSURE_THRESHOLD")
    assert load_config("testing").DISCLOSURE_THRESHOLD == 11


def test_unknown_environment_name_is_refused():
    with pytest.raises(ConfigurationError, match="unknown"):
        load_config("staging")
