"""Salesforce: leads and contacts with tasks, events, status history, owners, conversions and opportunities (source)."""
