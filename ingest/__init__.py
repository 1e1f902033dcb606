"""sohoa ingest (being built)."""
