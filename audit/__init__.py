"""sohoa audit (being built)."""
