"""Resolving secret references, once at run start. The only place that reads credentials."""

from __future__ import annotations

import os
from typing import Any

from pydantic import SecretStr

from leads.config import SecretRef


class MissingSecret(LookupError):
    """A referenced secret is not available; the message names the key and the reference."""


def resolve(value: str | SecretRef | None, key: str) -> SecretStr | None:
    if value is None:
        return None
    if isinstance(value, str):
        return SecretStr(value)
    if value.env:
        found = os.environ.get(value.env)
        if not found:
            raise MissingSecret(f"{key}: environment variable {value.env} is not set or empty")
        return SecretStr(found)
    return SecretStr(_prefect_secret(value.prefect_secret or "", key))


def resolve_source_secrets(name: str, settings: Any, section: str = "sources") -> dict[str, SecretStr]:
    """Every credential a source's (or CRM sink's) `auth` references, by auth key (files have none)."""
    auth = getattr(settings, "auth", None)
    if auth is None:
        return {}
    found: dict[str, SecretStr] = {}
    for key in type(auth).model_fields:
        value = getattr(auth, key)
        if isinstance(value, SecretRef):
            found[key] = resolve(value, f"{section}.{name}.auth.{key}")  # type: ignore[assignment]
    return found


def _prefect_secret(name: str, key: str) -> str:
    from prefect.blocks.system import Secret

    try:
        block = Secret.load(name)
    except ValueError:
        raise MissingSecret(f"{key}: Prefect Secret block {name!r} does not exist") from None
    secret = block.get()
    if not isinstance(secret, str) or not secret:
        raise MissingSecret(f"{key}: Prefect Secret block {name!r} does not hold a non-empty string")
    return secret


def save_prefect_secret(name: str, value: SecretStr) -> None:
    """Write a new value into a Prefect Secret block (a vendor rotated the credential it holds)."""
    from prefect.blocks.system import Secret

    Secret(value=value.get_secret_value()).save(name, overwrite=True)
