"""sohoa api (being built)."""
