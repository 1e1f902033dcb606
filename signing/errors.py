"""Errors raised by the signing package."""


class SigningError(Exception):
    """A document could not be signed."""


class SigningConfigError(SigningError):
    """The signing configuration is unusable (missing key, font, bad password...)."""
