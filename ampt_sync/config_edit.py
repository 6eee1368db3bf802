"""Changing the config file in place, keeping its comments and layout (tomlkit).

Used by ``ampt-sync goal set`` and ``ampt-sync days``: the goal and the run days live in the
config (the daemon reads them; SIGHUP reloads them), so changing them means changing the file.
The new text is validated exactly as the config is read (:func:`ampt_sync.config.parse_settings`)
before the file is touched, and the file is replaced atomically with its mode kept. When it is
not writable by this user (the systemd layout: ``/etc/ampt-sync/config.toml`` owned by root),
or has no write permission for anyone, :class:`ConfigReadOnly` says which lines to put where
instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomlkit

from ampt_sync.config import Settings, parse_settings
from ampt_sync.errors import ConfigError


class ConfigReadOnly(ConfigError):
    """The config file cannot be written by this user; the message says what to edit."""


def edited_text(text: str, changes: Mapping[str, Mapping[str, Any]], *, source: str) -> str:
    """``text`` with ``changes`` (section → key → value; ``None`` removes the key) made, comments
    and order kept. Raises :class:`~ampt_sync.errors.ConfigError` when the result is not a valid
    config, naming the key."""
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    for section, values in changes.items():
        if section not in document:
            document.add(section, tomlkit.table())
        table = document[section]
        for key, value in values.items():
            if value is None:
                if key in table:  # type: ignore[operator]
                    del table[key]  # type: ignore[union-attr]
            else:
                table[key] = value  # type: ignore[index]
    new = tomlkit.dumps(document)
    parse_settings(new, source=source)
    return new


def toml_lines(changes: Mapping[str, Mapping[str, Any]]) -> str:
    """The changes as TOML a runner can paste: "[goal] distance = "half", date = 2027-05-02"."""
    parts = []
    for section, values in changes.items():
        shown = ", ".join(
            f"{key} = {tomlkit.item(value).as_string()}"
            for key, value in values.items()
            if value is not None
        )
        removed = [key for key, value in values.items() if value is None]
        if removed:
            shown += (", " if shown else "") + "and remove " + ", ".join(removed)
        parts.append(f"[{section}] {shown}")
    return "; ".join(parts)


def write_in_place(path: Path, text: str, changes: Mapping[str, Mapping[str, Any]]) -> None:
    """Replace ``path`` with ``text`` atomically, keeping its mode. Raises
    :class:`ConfigReadOnly` (saying what to edit) when this user cannot write it."""
    # A file nobody may write is read-only by intent, even for root (who could write it).
    no_write_bits = path.stat().st_mode & 0o222 == 0
    if no_write_bits or not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise ConfigReadOnly(
            f"{path} is read-only for this user (the systemd layout): edit it as root, "
            f"{toml_lines(changes)}, then `sudo systemctl reload ampt-sync`; the next cycle "
            "plans for it"
        )
    mode = path.stat().st_mode & 0o777
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(
            f"{path}: cannot write the config file ({exc.strerror}); edit it by hand: "
            f"{toml_lines(changes)}"
        ) from None


def read_text(path: Path) -> str:
    """The config file's text. Raises :class:`~ampt_sync.errors.ConfigError` when unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None


def change_config(path: Path, changes: Mapping[str, Mapping[str, Any]], *, write: bool) -> Settings:
    """The settings with ``changes`` made to the file at ``path``, written there when
    ``write`` (else only checked)."""
    text = read_text(path)
    new = edited_text(text, changes, source=str(path))
    if write:
        write_in_place(path, new, changes)
    return parse_settings(new, source=str(path))


def current_values(text: str, section: str, keys: Sequence[str], *, source: str) -> dict[str, Any]:
    """The values of ``keys`` in ``section`` of a config file's ``text`` as written there (plain
    Python: str, float, int, date, lists as tuples; ``None`` for a key that is absent)."""
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    table = document.get(section, {})
    found = {key: table[key].unwrap() if key in table else None for key in keys}
    return {key: tuple(v) if isinstance(v, list) else v for key, v in found.items()}
