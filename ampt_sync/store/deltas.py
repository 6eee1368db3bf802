"""Older plan versions stored as what changed: RFC 6902 JSON Patches, made and applied by
``jsonpatch``.

The newest version is stored in full. When a new version arrives, the one it replaces keeps only
the *reverse* delta: the patch that turns the newer version's JSON back into it. A daily
adaptation touches a few workouts, so a delta is tens of bytes to a few kilobytes where the full
plan is 100–200 KB; any version can still be rebuilt exactly, by applying the deltas from the
newest one down (:func:`rebuild`).

Pure functions over JSON-ready data (dicts, lists, strings, numbers); inputs are never modified.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import jsonpatch

JsonDict = dict[str, Any]
#: An RFC 6902 patch: a list of operations such as ``{"op": "replace", "path": …, "value": …}``.
Delta = list[dict[str, Any]]


def reverse_delta(newer: JsonDict, older: JsonDict) -> Delta:
    """The patch that turns ``newer`` into ``older`` (empty when they are equal)."""
    return jsonpatch.make_patch(newer, older).patch


def rebuild(newest: JsonDict, deltas: Iterable[Delta]) -> JsonDict:
    """``newest`` with ``deltas`` applied in turn, newest first: each delta takes one version
    back. ``newest`` itself is left as it was."""
    document = copy.deepcopy(newest)
    for delta in deltas:
        document = jsonpatch.apply_patch(document, delta, in_place=True)
    return document
