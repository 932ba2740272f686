"""Sealing of protected personal data (Luật Tố cáo 2018 Điều 9, 47, 56).

Keys: DVK_CONFIDENTIALITY_KEY, a comma-separated list of Fernet keys, newest first. Data sealed
with an older key still opens; `rotate` re-seals with the newest. Without a configured key a
development key is created once under the data folder (never for production: set the variable).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from shared.logging import get_logger

log = get_logger()

REDACTED = "[đã ẩn]"


class Sealer:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one confidentiality key is required")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def seal(self, clear: str) -> str:
        return self._fernet.encrypt(clear.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("sealed data cannot be opened with the configured keys") from exc

    def rotate(self, sealed: str) -> str:
        return self._fernet.rotate(sealed.encode()).decode()


def sealer_from_settings(configured: str, data_dir: Path) -> Sealer:
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    return Sealer(keys or [_development_key(data_dir)])


@lru_cache(maxsize=4)
def _development_key(data_dir: Path) -> str:
    path = data_dir / "confidentiality.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode())
        log.warning("no DVK_CONFIDENTIALITY_KEY set; created a development key", path=str(path))
    return path.read_text().strip()


def redact_identity(text: str, identifiers: list[str | None]) -> str:
    """Removes each identifier (name, phone, id number, e-mail, address) from a free text."""
    for ident in sorted((i for i in identifiers if i and len(i.strip()) >= 3), key=len,
                        reverse=True):
        text = re.sub(_loose_pattern(ident.strip()), REDACTED, text, flags=re.IGNORECASE)
    return text


def _loose_pattern(identifier: str) -> str:
    """Digits match across spaces/dots/dashes (0912 345 678 = 0912.345.678); words across spaces."""
    if re.fullmatch(r"[+0-9 .\-]+", identifier):
        digits = re.sub(r"\D", "", identifier)
        return r"[ .\-]?".join(re.escape(d) for d in digits)
    return r"\s+".join(re.escape(w) for w in identifier.split())
