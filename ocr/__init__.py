"""sohoa ocr (being built)."""
