"""The audit package's one error type."""


class AuditError(Exception):
    """The log could not be read or written."""
