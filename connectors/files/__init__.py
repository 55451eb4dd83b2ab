"""File sources: CSV and JSONL exports read from disk."""
