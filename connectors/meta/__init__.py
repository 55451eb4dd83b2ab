"""Meta Lead Ads: leads from the lead forms of Facebook and Instagram Pages, and ad spend (source)."""
