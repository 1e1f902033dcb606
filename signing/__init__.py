"""sohoa signing (being built)."""
