"""Hunter.io: email verification (the email_status field) and the email finder."""

from connectors.enrichment.hunter.client import HunterProvider

__all__ = ["HunterProvider"]
