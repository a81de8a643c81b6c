import pytest

from bot.shell.config import MessengerConfig, Settings, TelegramConfig, ZaloConfig, settings_env


def test_worker_processes_receive_exactly_the_supervisors_settings():
    settings = Settings(
        port=9001,
        database_url="postgresql+psycopg://motcua@db/motcua",
        messenger=MessengerConfig("app-secret", "verify", "page-token", api_base="http://m"),
        zalo=ZaloConfig("42", "oa-secret", "app-secret", "access", "refresh"),
        telegram=TelegramConfig("1:abc", "hook-secret", polling=True),
    )
    env = settings_env(settings)
    assert env["MOTCUA_TELEGRAM_MODE"] == "polling"
    assert env["MOTCUA_ZALO_OAUTH_BASE"] == "https://oauth.zaloapp.com"
    again = Settings.from_env(env)
    assert (again.messenger, again.zalo, again.telegram) == (
        settings.messenger,
        settings.zalo,
        settings.telegram,
    )
    assert (again.port, again.database_url) == (9001, settings.database_url)


def test_a_platform_missing_a_secret_is_a_configuration_error_naming_it():
    env = {"MOTCUA_MESSENGER_APP_SECRET": "s", "MOTCUA_MESSENGER_VERIFY_TOKEN": "v"}
    settings = Settings.from_env(env)
    assert settings.messenger is None
    assert settings.missing == ("MOTCUA_MESSENGER_PAGE_TOKEN",)
    with pytest.raises(ValueError, match="MOTCUA_MESSENGER_PAGE_TOKEN"):
        settings.check()
    Settings.from_env({}).check()  # nothing set: the platforms are off, which is no error
    telegram = Settings.from_env(
        {"MOTCUA_TELEGRAM_TOKEN": "t", "MOTCUA_TELEGRAM_WEBHOOK_SECRET": "w"}
    ).telegram
    assert telegram == TelegramConfig("t", "w")
