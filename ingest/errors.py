"""Why a file was not digitized: a stable code for scripts, a sentence for officers."""

from __future__ import annotations

from records.errors import CodedError


class IngestError(CodedError):
    """A per-file failure. ``code`` is English and stable; ``message`` is Vietnamese."""

    @property
    def reason(self) -> str:
        return f"{self.code}: {self.message}"


EMPTY_FILE = ("empty_file", "Tệp rỗng (0 byte).")
UNSUPPORTED_TYPE = (
    "unsupported_type",
    "Định dạng không được hỗ trợ: chỉ nhận PDF, TIFF, JPEG, PNG (nhận diện theo nội dung tệp).",
)
TOO_LARGE = ("file_too_large", "Tệp vượt quá dung lượng cho phép.")
STORED_RECORD_DAMAGED = (
    "stored_record_damaged",
    "Bản ghi đã lưu của tệp này bị hỏng (sai mã kiểm tra): chạy `sohoa fixity` và khôi phục "
    "từ bản sao lưu trước khi số hóa lại.",
)
ALREADY_STORED = ("already_stored", "Cùng nội dung (SHA-256) đã được số hóa và lưu trước đó.")
# A text file beside the scans of a folder (a list, a note, ground truth): said, not failed.
NOT_A_SCAN = ("not_a_scan", "Tệp văn bản kèm theo (danh sách, ghi chú…), không phải bản quét.")
DUPLICATE_IN_BATCH = ("duplicate_in_batch", "Trùng nội dung (SHA-256) với một tệp khác trong lô.")
