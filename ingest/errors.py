"""Why a file was not digitized: a stable code for scripts, a sentence for officers."""

from __future__ import annotations


class IngestError(Exception):
    """A per-file failure. ``code`` is English and stable; ``message`` is Vietnamese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # Raised in worker processes: must survive pickling back to the driver, or the
        # process pool breaks and takes the whole batch with it.
        return (type(self), (self.code, self.message))

    @property
    def reason(self) -> str:
        return f"{self.code}: {self.message}"


EMPTY_FILE = ("empty_file", "Tệp rỗng (0 byte).")
UNSUPPORTED_TYPE = (
    "unsupported_type",
    "Định dạng không được hỗ trợ: chỉ nhận PDF, TIFF, JPEG, PNG (nhận diện theo nội dung tệp).",
)
TOO_LARGE = ("file_too_large", "Tệp vượt quá dung lượng cho phép.")
