"""Statistics: the "Thống kê" screen, its downloads (Excel, CSV), and the JSON API
(``GET /api/v1/stats``, ``PUT /api/v1/stats/issued``).

Scoped as search is (``api.access``): an admin sees every agency or the one asked
for; everyone else sees their own agency's figures only, whatever they ask for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from api.access import Action, require
from api.auth import allowed_to
from api.errors import ApiError
from api.state import AppState, state_dependency
from api.stats_charts import Series, bar_chart, rate_chart
from api.tokens import Principal, Role
from api.web import Caller, _doc_types, render
from records.vntime import vietnam_today
from stats import Period as StatsPeriod
from stats import (
    StatsInputError,
    StatsReport,
    month_label,
    parse_month,
)
from stats.export import SHEETS, percent, report_filename, write_csv, write_xlsx

State = Annotated[AppState, Depends(state_dependency)]
Reader = Annotated[Principal, Depends(allowed_to(Action.READ))]


@dataclass(frozen=True)
class Filters:
    """What the figures are asked for: days typed dd/mm/yyyy or ISO, an agency."""

    start: str
    end: str
    agency: str

    def query(self) -> str:
        pairs = {"from": self.start, "to": self.end, "agency": self.agency}
        return urlencode({k: v for k, v in pairs.items() if v})


def filters(
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    agency: Annotated[str, Query(max_length=200)] = "",
) -> Filters:
    return Filters(from_.strip(), to.strip(), agency.strip())


Asked = Annotated[Filters, Depends(filters)]

api_router = APIRouter(prefix="/api/v1", tags=["stats"])
web_router = APIRouter(include_in_schema=False)


def stats_scope(principal: Principal, requested: str | None) -> list[str] | None:
    """The agencies whose figures ``principal`` gets (None: all of them)."""
    if principal.role is Role.ADMIN:
        return [requested] if requested else None
    return [principal.agency]


def _bad_input(exc: StatsInputError) -> ApiError:
    return ApiError(400, "invalid_input", str(exc), exc.user_message())


def _report(state: AppState, principal: Principal, asked: Filters) -> StatsReport:
    try:
        period = StatsPeriod.parse(asked.start or None, asked.end or None, vietnam_today())
    except StatsInputError as exc:
        raise _bad_input(exc) from None
    stats = state.runtime.stats()
    return stats.report(period, stats_scope(principal, asked.agency or None))


# --- JSON API --------------------------------------------------------------------------


@api_router.get("/stats", summary="Figures per month: digitized, quality, reuse, throughput")
def stats_json(
    state: State, principal: Reader,
    asked: Asked,
) -> JSONResponse:
    return JSONResponse(_report(state, principal, asked).to_dict())


class IssuedCount(BaseModel):
    agency: str | None = Field(default=None, max_length=200,
                               description="default: the caller's agency")
    month: str = Field(max_length=10, description="MM/YYYY or YYYY-MM")
    issued: int = Field(ge=0, le=10_000_000, description="results the office issued")


@api_router.put("/stats/issued", summary="Set an agency's count of results issued in a month")
def put_issued(state: State, principal: Reader, body: IssuedCount) -> JSONResponse:
    agency = body.agency or principal.agency
    if principal.role is not Role.ADMIN and agency != principal.agency:
        raise ApiError(403, "forbidden", "Only your own agency's count may be set.",
                       "Chỉ được báo số kết quả của cơ quan mình.")
    try:
        month = parse_month(body.month)
    except StatsInputError as exc:
        raise _bad_input(exc) from None
    state.runtime.stats().set_issued([(agency, month, body.issued)])
    return JSONResponse({"agency": agency, "month": month, "issued": body.issued})


# --- screen and downloads ----------------------------------------------------------------


def _charts(report: StatsReport) -> dict[str, Any]:
    months = [month_label(m.month) for m in report.months]
    return {
        "digitized": bar_chart(
            "Kết quả đã số hóa theo tháng và chỉ tiêu",
            Series(months, [m.digitized for m in report.months]),
            Series(months, [m.digitized_target for m in report.months]),
            unit="kết quả",
        ),
        "reuse": rate_chart(
            "Tỷ lệ giấy tờ bắt buộc được cung cấp từ kho",
            Series(months, [m.share_required_served for m in report.months]),
            report.reuse_target,
        ),
        "backlog": bar_chart(
            "Hồ sơ chờ rà soát cuối tháng",
            Series(months, [m.backlog_end for m in report.months]),
            unit="hồ sơ",
        ),
    }


@web_router.get("/stats", response_class=HTMLResponse)
def stats_page(
    request: Request, state: State, me: Caller,
    asked: Asked,
) -> HTMLResponse:
    require(me, Action.READ)
    report = _report(state, me, asked)
    agencies = state.runtime.stats().agencies() if me.role is Role.ADMIN else []
    return render(
        request, "stats.html", me, report=report, charts=_charts(report), sheets=SHEETS,
        percent=percent, month_label=month_label, agencies=agencies,
        filters={"from": asked.start, "to": asked.end, "agency": asked.agency},
        query=asked.query(),
    )


@web_router.get("/stats/report.{kind}")
def stats_download(
    request: Request, kind: Literal["xlsx", "csv"], state: State, me: Caller, asked: Asked,
) -> Response:
    require(me, Action.READ)
    report = _report(state, me, asked)
    names = _doc_types(request)
    if kind == "xlsx":
        data = write_xlsx(report, names)
        media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        # With the byte-order mark Excel opens a UTF-8 CSV with its Vietnamese intact.
        data = ("\ufeff" + write_csv(report, names)).encode("utf-8")
        media_type = "text/csv; charset=utf-8"
    name = report_filename(report, kind)
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
    })
