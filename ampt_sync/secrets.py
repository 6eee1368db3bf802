"""The token store: Strava and Garmin tokens, the Strava client secret and the intervals.icu API
key, kept safe.

Two backends, chosen by ``[secrets] backend``:

``keyring``
    The desktop keychain through :mod:`keyring` (Secret Service, macOS Keychain, …). Refused when
    keyring would fall back to something unsafe or useless (its plaintext file, or the "fail"
    backend of a server without a desktop session).
``file``
    :class:`EncryptedFileKeyring`: one JSON file ``tokens.json`` in the state dir whose values are
    each encrypted with Fernet (AES-128-CBC + HMAC). The key comes from systemd's credential
    ``$CREDENTIALS_DIRECTORY/token-key`` (``LoadCredentialEncrypted=token-key:…``) or else from a
    0600 key file in the user config dir, created on first need. The key never lives beside the
    tokens, so a backup of the state dir leaks nothing.
``auto`` (default)
    ``keyring`` when a real keychain is there, else ``file``.

Writes are atomic (temp file opened ``O_EXCL|O_NOFOLLOW`` with mode 0600, fsync, rename, fsync of
the folder) into a 0700 folder, and a failed write raises: a rotated refresh token that is lost is
a lost account link. :meth:`TokenStore.locked` is an exclusive lock across processes, held by
whoever reads, refreshes and writes back a token, so the CLI and the daemon never race.

Every value read or written is registered with :func:`ampt_sync.logs.register_secret`, so it is
masked if it ever reaches a log line.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
from cryptography.fernet import Fernet, InvalidToken

from ampt_sync.errors import AuthError, ConfigError
from ampt_sync.files import exclusive_lock, write_private_file
from ampt_sync.logs import register_secret

SERVICE = "ampt-sync"

#: Names of what we keep. `forget` and `reset` delete exactly these.
STRAVA_TOKENS = "strava-tokens"
STRAVA_CLIENT_SECRET = "strava-client-secret"  # noqa: S105 - a name, not a secret
GARMIN_TOKENS = "garmin-tokens"
#: intervals.icu: ``{"athlete_id", "api_key"}`` (see ampt_sync.intervals.credentials).
INTERVALS_KEY = "intervals-api-key"
ALL_NAMES = (STRAVA_TOKENS, STRAVA_CLIENT_SECRET, GARMIN_TOKENS, INTERVALS_KEY)

TOKEN_FILE = "tokens.json"  # noqa: S105 - a file name
KEY_FILE = "token.key"
CREDENTIAL_KEY = "token-key"

#: keyring backends that must never hold our tokens.
_UNSAFE_BACKENDS = frozenset(
    {
        "keyring.backends.fail.Keyring",
        "keyring.backends.null.Keyring",
        "keyrings.alt.file.PlaintextKeyring",
        "keyrings.alt.file.EncryptedKeyring",  # prompts for a password, impossible unattended
    }
)


def _register_leaves(value: Any) -> None:
    if isinstance(value, str):
        register_secret(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            _register_leaves(item)
    elif isinstance(value, list):
        for item in value:
            _register_leaves(item)


# ------------------------------------------------------------------------------------------------
# The Fernet key


def _fernet_from_text(text: str, where: str) -> Fernet:
    try:
        key = text.strip().encode()
        if len(base64.urlsafe_b64decode(key)) != 32:
            raise ValueError
        return Fernet(key)
    except (ValueError, binascii.Error):
        raise ConfigError(
            f"{where} is not a token key (expected 32 random bytes in urlsafe base64, e.g. from "
            "`openssl rand -base64 32 | tr '+/' '-_'`)"
        ) from None


def user_key_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("ampt-sync")) / KEY_FILE


def load_token_key(
    token_file: Path,
    environ: Mapping[str, str] = os.environ,
    key_path: Path | None = None,
    *,
    create: bool = True,
) -> tuple[Fernet, str]:
    """The Fernet key and where it came from: the systemd credential, else the user key file
    (created on first need unless ``create`` is false). Refuses a key file in the same folder as
    the tokens."""
    credentials = environ.get("CREDENTIALS_DIRECTORY")
    if credentials:
        credential = Path(credentials) / CREDENTIAL_KEY
        if credential.is_file():
            return _fernet_from_text(credential.read_text(), str(credential)), str(credential)
    path = key_path or user_key_path()
    if path.resolve().parent == token_file.resolve().parent:
        raise ConfigError(
            f"the token key {path} would sit beside the tokens in {token_file.parent}; keep "
            "storage.state_dir apart from the config dir, or provide the systemd credential "
            f"'{CREDENTIAL_KEY}'"
        )
    if not path.exists():
        if not create:
            raise AuthError(
                f"no token key here (neither $CREDENTIALS_DIRECTORY/{CREDENTIAL_KEY} nor "
                f"{path}); run this with the service's credentials"
            )
        write_private_file(path, Fernet.generate_key() + b"\n")
    if path.stat().st_mode & 0o077:
        raise ConfigError(f"{path} is readable by others; run `chmod 600 {path}`")
    return _fernet_from_text(path.read_text(), str(path)), str(path)


# ------------------------------------------------------------------------------------------------
# The encrypted-file keyring backend


class EncryptedFileKeyring(keyring.backend.KeyringBackend):
    """A keyring backend: a JSON file of Fernet-encrypted values in the state dir.

    Built with explicit paths by :func:`open_token_store`. It can also be selected with
    ``PYTHON_KEYRING_BACKEND=ampt_sync.secrets.EncryptedFileKeyring``; it then finds its file
    through ``$STATE_DIRECTORY`` and its key as described in the module docstring. Its negative
    priority keeps keyring from ever choosing it by itself. Construction does no I/O (keyring
    instantiates every backend it knows about).
    """

    priority = -1  # type: ignore[assignment]  # never auto-selected; only when chosen

    def __init__(
        self,
        path: Path | None = None,
        *,
        environ: Mapping[str, str] = os.environ,
        key_path: Path | None = None,
        create_key: bool = True,
    ) -> None:
        super().__init__()
        self._path = path
        self._environ = environ
        self._key_path = key_path
        self._create_key = create_key
        self._fernet: Fernet | None = None
        self.key_source = ""
        self._thread_lock = threading.Lock()

    @property
    def path(self) -> Path:
        if self._path is None:
            state = self._environ.get("STATE_DIRECTORY", "").split(":")[0]
            if not state:
                raise keyring.errors.KeyringError(
                    "EncryptedFileKeyring needs $STATE_DIRECTORY (run it under systemd) or a path"
                )
            self._path = Path(state) / TOKEN_FILE
        return self._path

    def _cipher(self) -> Fernet:
        if self._fernet is None:
            self._fernet, self.key_source = load_token_key(
                self.path, self._environ, self._key_path, create=self._create_key
            )
        return self._fernet

    def _read(self) -> dict[str, str]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(raw)
            entries = data["entries"]
            if not isinstance(entries, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise AuthError(
                f"the token store {self.path} is damaged; remove it and sign in again with "
                "`ampt-sync auth strava` and `ampt-sync auth garmin`"
            ) from None
        return entries

    def _write(self, entries: dict[str, str]) -> None:
        payload = json.dumps({"version": 1, "entries": entries}, indent=1, sort_keys=True)
        write_private_file(self.path, payload.encode())

    @staticmethod
    def _slot(service: str, username: str) -> str:
        return f"{service}\0{username}"

    def get_password(self, service: str, username: str) -> str | None:
        token = self._read().get(self._slot(service, username))
        if token is None:
            return None
        try:
            return self._cipher().decrypt(token.encode()).decode()
        except InvalidToken:
            raise AuthError(
                f"the token store {self.path} cannot be decrypted with the key from "
                f"{self.key_source} (did the key change?); remove {self.path} and sign in again "
                "with `ampt-sync auth strava` and `ampt-sync auth garmin`"
            ) from None

    def set_password(self, service: str, username: str, password: str) -> None:
        sealed = self._cipher().encrypt(password.encode()).decode()
        with self._thread_lock, exclusive_lock(self.path.with_name(self.path.name + ".lock")):
            entries = self._read()
            entries[self._slot(service, username)] = sealed
            self._write(entries)

    def delete_password(self, service: str, username: str) -> None:
        with self._thread_lock, exclusive_lock(self.path.with_name(self.path.name + ".lock")):
            entries = self._read()
            if entries.pop(self._slot(service, username), None) is None:
                raise keyring.errors.PasswordDeleteError(f"{username} is not stored")
            self._write(entries)


# ------------------------------------------------------------------------------------------------
# The store the rest of ampt-sync uses


@dataclass
class TokenStore:
    """Named secrets (see :data:`ALL_NAMES`) over a keyring backend, with a cross-process lock."""

    backend: keyring.backend.KeyringBackend
    lock_path: Path
    description: str

    def get(self, name: str) -> str | None:
        try:
            value = self.backend.get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            raise AuthError(f"cannot read {name} from {self.description}: {exc}") from None
        register_secret(value)
        return value

    def set(self, name: str, value: str) -> None:
        register_secret(value)
        try:
            self.backend.set_password(SERVICE, name, value)
        except keyring.errors.KeyringError as exc:
            raise AuthError(f"cannot store {name} in {self.description}: {exc}") from None

    def delete(self, name: str) -> bool:
        """Forget ``name``; False when it was not stored."""
        try:
            self.backend.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            return False
        return True

    def get_json(self, name: str) -> dict[str, Any] | None:
        text = self.get(name)
        if text is None:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise AuthError(f"stored {name} is damaged; sign in again") from None
        _register_leaves(value)
        return value

    def set_json(self, name: str, value: Mapping[str, Any]) -> None:
        _register_leaves(value)
        self.set(name, json.dumps(value, sort_keys=True))

    def stored_names(self) -> list[str]:
        return [name for name in ALL_NAMES if self.get(name) is not None]

    def forget_all(self) -> list[str]:
        """Delete every secret we keep; returns the names that were there."""
        return [name for name in ALL_NAMES if self.delete(name)]

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive across processes: hold it to read, refresh and write back a token."""
        with exclusive_lock(self.lock_path):
            yield


def _keyring_is_safe(backend: keyring.backend.KeyringBackend) -> bool:
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if name in _UNSAFE_BACKENDS or isinstance(backend, EncryptedFileKeyring):
        return False
    if name == "keyring.backends.chainer.ChainerBackend":
        return any(_keyring_is_safe(b) for b in backend.backends)  # type: ignore[attr-defined]
    return True


def open_token_store(
    backend: str,
    state_dir: Path,
    *,
    environ: Mapping[str, str] = os.environ,
    key_path: Path | None = None,
    create_key: bool = True,
) -> TokenStore:
    """The token store for ``[secrets] backend`` (``auto`` | ``keyring`` | ``file``).
    ``create_key=False`` for readers that must not leave a new key file behind (`status`)."""
    lock_path = state_dir / "tokens.lock"
    if backend in ("auto", "keyring"):
        system = keyring.get_keyring()
        if _keyring_is_safe(system):
            return TokenStore(system, lock_path, f"the system keyring ({system.name})")
        if backend == "keyring":
            raise ConfigError(
                f"secrets.backend = 'keyring', but the only keyring here is {system.name}, which "
                "cannot keep tokens safely (no desktop session?); set secrets.backend = 'file'"
            )
    if backend not in ("auto", "file"):
        raise ConfigError(
            f"secrets.backend: found {backend!r}, expected 'auto', 'keyring' or 'file'"
        )
    path = state_dir / TOKEN_FILE
    file_backend = EncryptedFileKeyring(
        path, environ=environ, key_path=key_path, create_key=create_key
    )
    return TokenStore(file_backend, lock_path, f"the encrypted token file {path}")
