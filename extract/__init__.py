"""sohoa extract (being built)."""
