"""sohoa storage (being built)."""
