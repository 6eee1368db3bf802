"""`ampt-sync disconnect strava`: revoke access at Strava, then delete everything from Strava.

Strava's API agreement asks that an athlete's data be deleted when access is revoked. So this
revokes the token at Strava (``POST /oauth/deauthorize``), then deletes the stored Strava tokens
and client secret from the token store, and every activity and Strava sync cursor from the
database, and reports what it deleted.

If Strava cannot be reached, nothing is deleted (the tokens are needed to revoke); with
``local_only`` the revocation is skipped (for when access was already revoked on Strava's site).
If Strava refuses the tokens, access is already gone and the deletion goes ahead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ampt_sync.errors import AuthError, RemoteError, RemoteUnavailable
from ampt_sync.secrets import STRAVA_CLIENT_SECRET, STRAVA_TOKENS, TokenStore
from ampt_sync.strava.client import build_client, load_tokens
from ampt_sync.strava.sync import delete_strava_data

if TYPE_CHECKING:
    from ampt_sync.config import Settings
    from ampt_sync.store.db import Store

log = logging.getLogger(__name__)

APPS_PAGE = "https://www.strava.com/settings/apps"


def _count(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {plural}"


@dataclass
class DisconnectReport:
    """``revocation`` is one of "revoked", "already revoked", "skipped", "not connected"."""

    revocation: str
    deleted_secrets: list[str] = field(default_factory=list)
    activities_deleted: int = 0
    cursors_deleted: int = 0

    def lines(self) -> list[str]:
        said = {
            "revoked": "revoked ampt-sync's access at Strava",
            "already revoked": "Strava had already revoked ampt-sync's access",
            "skipped": f"did not ask Strava (--local-only); check {APPS_PAGE}",
            "not connected": "no Strava tokens were stored, so there was nothing to revoke",
        }
        lines = [said[self.revocation]]
        names = {STRAVA_TOKENS: "the Strava tokens", STRAVA_CLIENT_SECRET: "the client secret"}
        for name in self.deleted_secrets:
            lines.append(f"deleted {names.get(name, name)} from the token store")
        lines.append(f"deleted {_count(self.activities_deleted, 'activity')} from the database")
        lines.append(f"deleted {_count(self.cursors_deleted, 'Strava sync cursor')}")
        return lines

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def disconnect(
    settings: Settings,
    store: Store,
    token_store: TokenStore,
    *,
    local_only: bool = False,
    environ: Mapping[str, str] = os.environ,
    **client_options: Any,
) -> DisconnectReport:
    """Revoke (unless ``local_only``), then delete; see the module docstring."""
    try:
        tokens = load_tokens(token_store)
    except AuthError:
        tokens = None  # damaged: cannot revoke with it, but it still goes
        log.warning("the stored Strava tokens are damaged; deleting them without revoking")
    if local_only:
        revocation = "skipped"
    elif tokens is None:
        revocation = "not connected"
    else:
        client = build_client(settings, token_store, environ=environ, **client_options)
        try:
            client.deauthorize()
            revocation = "revoked"
        except AuthError:
            revocation = "already revoked"
        except (RemoteUnavailable, RemoteError) as error:
            raise RemoteUnavailable(
                f"could not revoke access at Strava ({error}); nothing was deleted: retry, or "
                f"revoke ampt-sync at {APPS_PAGE} and run `ampt-sync disconnect strava "
                "--local-only`"
            ) from error
        finally:
            client.close()

    report = DisconnectReport(revocation)
    with token_store.locked():
        for name in (STRAVA_TOKENS, STRAVA_CLIENT_SECRET):
            if token_store.delete(name):
                report.deleted_secrets.append(name)
    with store.transaction() as session:
        report.activities_deleted, report.cursors_deleted = delete_strava_data(session)
    return report
