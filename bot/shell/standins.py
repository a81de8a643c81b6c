"""All platform stand-ins at once, with fresh secrets: for ``motcua serve`` when no platform
is configured, ``motcua standins``, and the tests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace

from bot.dossiers.standin import DossierApiStandIn
from bot.shell.config import MessengerConfig, Settings, TelegramConfig, ZaloConfig
from channels.messenger.standin import GraphStandIn, MessengerPlatform
from channels.standin import StandIn
from channels.telegram.standin import BotApiStandIn, TelegramPlatform
from channels.zalo.standin import ZaloApiStandIn, ZaloPlatform


@dataclass
class StandIns:
    """The three platform APIs and the province's dossier system on loopback, and the
    configuration that points at them."""

    graph: GraphStandIn
    zalo: ZaloApiStandIn
    telegram: BotApiStandIn
    messenger_config: MessengerConfig
    zalo_config: ZaloConfig
    telegram_config: TelegramConfig
    servers: list[StandIn] = field(default_factory=list)
    dossiers: DossierApiStandIn = field(default_factory=DossierApiStandIn)

    @property
    def dossier_api_base(self) -> str:
        return self.servers[3].url

    @classmethod
    async def start(
        cls, host: str = "127.0.0.1", ports: tuple[int, int, int] = (0, 0, 0), dossier_port: int = 0
    ) -> StandIns:
        token = lambda prefix: f"{prefix}-{secrets.token_hex(12)}"  # noqa: E731
        graph = GraphStandIn(page_token=token("page"))
        zalo_api = ZaloApiStandIn(app_id=str(secrets.randbelow(10**15)), app_secret=token("zapp"))
        bot_token = f"{secrets.randbelow(10**9)}:{secrets.token_urlsafe(24)}"
        telegram_api = BotApiStandIn(token=bot_token)
        dossiers = DossierApiStandIn()
        servers = [
            StandIn(graph.app(), host, ports[0]),
            StandIn(zalo_api.app(), host, ports[1]),
            StandIn(telegram_api.app(), host, ports[2]),
            StandIn(dossiers.app(), host, dossier_port),
        ]
        for server in servers:
            await server.start()
        return cls(
            graph,
            zalo_api,
            telegram_api,
            MessengerConfig(
                token("appsecret"), token("verify"), graph.page_token, api_base=servers[0].url
            ),
            ZaloConfig(
                zalo_api.app_id,
                token("oasecret"),
                zalo_api.app_secret,
                zalo_api.access_token,
                zalo_api.refresh_token,
                api_base=servers[1].url,
                oauth_base=servers[1].url,
            ),
            TelegramConfig(bot_token, token("tgsecret"), api_base=servers[2].url),
            servers,
            dossiers,
        )

    def configure(self, settings: Settings) -> Settings:
        """``settings`` with every unconfigured platform pointed at its stand-in."""
        return replace(
            settings,
            messenger=settings.messenger or self.messenger_config,
            zalo=settings.zalo or self.zalo_config,
            telegram=settings.telegram or self.telegram_config,
            dossier_api_base=settings.dossier_api_base or self.dossier_api_base,
            dossier_api_token=(
                settings.dossier_api_token if settings.dossier_api_base else self.dossiers.token
            ),
        )

    def platforms(self, base_url: str) -> tuple[MessengerPlatform, ZaloPlatform, TelegramPlatform]:
        """The platform sides that post signed events to a server at ``base_url``."""
        return (
            MessengerPlatform(
                f"{base_url}/webhooks/messenger",
                self.messenger_config.app_secret,
                media_base=self.messenger_config.api_base,
            ),
            ZaloPlatform(
                f"{base_url}/webhooks/zalo",
                self.zalo_config.app_id,
                self.zalo_config.oa_secret,
                media_base=self.zalo_config.api_base,
            ),
            TelegramPlatform(f"{base_url}/webhooks/telegram", self.telegram_config.webhook_secret),
        )

    async def stop(self) -> None:
        for server in self.servers:
            await server.stop()
