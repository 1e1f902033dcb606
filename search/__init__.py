"""sohoa search (being built)."""
