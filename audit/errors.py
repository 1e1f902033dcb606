"""The audit package's one error type."""

from records.errors import SohoaError


class AuditError(SohoaError):
    """The log could not be read or written."""

    summary = "Nhật ký kiểm toán lỗi"
