"""The shape of a per-file failure, shared by the stages that can refuse a file."""

from __future__ import annotations


class CodedError(Exception):
    """A failure with a stable English ``code`` (for scripts and the API) and a
    Vietnamese ``message`` (shown to officers)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # Raised in worker processes: must survive pickling back to the driver, or the
        # process pool breaks and takes the whole batch with it.
        return (type(self), (self.code, self.message))
