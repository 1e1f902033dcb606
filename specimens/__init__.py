"""sohoa specimens (being built)."""
