"""HubSpot CRM: contacts with their engagement, stage history, owners and deals (source)."""
