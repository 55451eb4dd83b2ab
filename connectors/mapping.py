"""From a landed record's payload to raw lead field values, whatever the source (pure).

A file's mapping names its columns; a CRM source's overrides its vendor's default mapping
(connectors/<vendor>/mapping.py), and Salesforce maps per object (a payload says which). Dotted
columns reach into parent records (`Account.Name`), which payloads store flat under that name.
"""

from __future__ import annotations

from typing import Any

from connectors.google_ads.mapping import effective_mapping as google_ads_mapping
from connectors.hubspot.mapping import effective_mapping as hubspot_mapping
from connectors.linkedin.mapping import effective_mapping as linkedin_mapping
from connectors.meta.mapping import effective_mapping as meta_mapping
from connectors.salesforce.mapping import OBJECT_KEY
from connectors.salesforce.mapping import effective_mapping as salesforce_mapping
from leads.config import HubSpotSourceConfig, SalesforceSourceConfig, SourceConfig
from leads.hashing import stable_hash
from leads.source_config import GoogleAdsSourceConfig, LinkedInSourceConfig, MetaLeadsSourceConfig

# Sources whose `source_system` defaults to their type (a file's says nothing by itself).
_API_SOURCES = (
    HubSpotSourceConfig,
    SalesforceSourceConfig,
    MetaLeadsSourceConfig,
    GoogleAdsSourceConfig,
    LinkedInSourceConfig,
)


def field_mapping(settings: SourceConfig, payload: dict[str, Any] | None = None) -> dict[str, str]:
    """Lead field → payload key for this source (for Salesforce: for the payload's object)."""
    if isinstance(settings, HubSpotSourceConfig):
        return hubspot_mapping(settings)
    if isinstance(settings, SalesforceSourceConfig):
        sobject = (payload or {}).get(OBJECT_KEY) or next(iter(settings.objects))
        return salesforce_mapping(settings, sobject)
    if isinstance(settings, MetaLeadsSourceConfig):
        return meta_mapping(settings)
    if isinstance(settings, GoogleAdsSourceConfig):
        return google_ads_mapping(settings)
    if isinstance(settings, LinkedInSourceConfig):
        return linkedin_mapping(settings)
    return dict(settings.mapping)  # type: ignore[arg-type]


def to_fields(payload: dict[str, Any], settings: SourceConfig) -> dict[str, Any]:
    """Lead field → raw value, from a landed record."""
    mapped = {name: payload.get(column) for name, column in field_mapping(settings, payload).items()}
    if settings.source_system and not mapped.get("source_system"):
        mapped["source_system"] = settings.source_system
    elif not mapped.get("source_system") and isinstance(settings, _API_SOURCES):
        mapped["source_system"] = settings.type
    return mapped


def mapping_hash(settings: SourceConfig) -> str:
    """Changes whenever normalizing the same landed record could give a different result."""
    if isinstance(settings, SalesforceSourceConfig):
        mappings: Any = {sobject: salesforce_mapping(settings, sobject) for sobject in settings.objects}
    else:
        mappings = field_mapping(settings)
    return stable_hash(
        {
            "mapping": mappings,
            "source_system": settings.source_system,
            "stage_aliases": {k: v.value for k, v in settings.stage_aliases.items()},
            "timezone": settings.timezone,
        }
    )[:16]
