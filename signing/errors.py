"""Errors raised by the signing package."""

from records.errors import ExitCode, SohoaError


class SigningError(SohoaError):
    """A document could not be signed."""

    summary = "Không ký số được"


class SigningConfigError(SigningError):
    """The signing configuration is unusable (missing key, font, bad password...).

    Found before any work (``Runtime.signer`` at the start of a batch): the batch's
    problem, not each file's, so the command stops as on a configuration error."""

    exit_code = ExitCode.USAGE
    summary = "Không ký số được, chưa xử lý gì (báo quản trị)"
