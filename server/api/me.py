"""`GET /api/v1/me/…`: the guide's own money and papers, for the phone (sync/PROTOCOL.md §8).

Device-authenticated; organization and guide come from the device, never from the request, so another
guide's or organization's certificate or year answers 404 like a missing one (ids cannot be probed).
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from server.api.auth import current_device
from server.api.schemas import ApiErrorSchema, MyMoneySchema
from server.errors import ApiError
from server.money import mine
from server.money.certificates import certificate_pdf
from server.money.errors import MoneyError
from server.money.statements import year_statement_pdf
from sync import clock

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The guide's own money and papers")


def _pdf(data: bytes, filename: str) -> Response:
    # The phone keeps an opened document itself (Cache Storage, for offline); no shared cache may.
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-cache"})


def _not_found() -> ApiError:
    return ApiError(404, "not_found", _("Not found."))


@blp.route("/money")
class MyMoneyResource(MethodView):
    @blp.response(200, MyMoneySchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="Not a year")
    @blp.alt_response(401, schema=ApiErrorSchema, description="Not enrolled or revoked")
    def get(self) -> Any:
        """Her allowance lines and transfers of `year` (default: this year), her certificates, and the
        years that have a year statement."""
        device = current_device()
        raw = request.args.get("year", "")
        year = clock.today().year if raw == "" else (int(raw) if raw.isdigit() and len(raw) == 4 else 0)
        if not 2000 <= year <= 2100:
            raise ApiError(400, "invalid", _("Enter a year between 2000 and 2100."),
                           fields={"year": [_("Enter a year between 2000 and 2100.")]})
        return mine.my_money(device.organization_id, device.user_id, year)


@blp.route("/year-statements/<int:year>")
class MyYearStatement(MethodView):
    @blp.alt_response(200, description="The year statement (PDF)")
    @blp.alt_response(404, schema=ApiErrorSchema, description="No paid transfer in that year")
    @blp.alt_response(401, schema=ApiErrorSchema, description="Not enrolled or revoked")
    def get(self, year: int) -> Any:
        """Her statement of allowances paid in `year`, for her tax return (the desk's PDF)."""
        device = current_device()
        if not 2000 <= year <= 2100 or not mine.has_paid_in(device.organization_id, device.user_id, year):
            raise _not_found()
        try:
            data = year_statement_pdf(device.organization_id, device.user_id, year)
        except MoneyError:
            raise _not_found() from None
        return _pdf(data, f"jahresbescheinigung-{year}.pdf")


@blp.route("/certificates/<int:certificate_id>")
class MyCertificate(MethodView):
    @blp.alt_response(200, description="The certificate (PDF)")
    @blp.alt_response(404, schema=ApiErrorSchema, description="Not one of her certificates")
    @blp.alt_response(401, schema=ApiErrorSchema, description="Not enrolled or revoked")
    def get(self, certificate_id: int) -> Any:
        """One of her certificates as issued (revoked ones are gone)."""
        device = current_device()
        try:
            cert = mine.my_certificate(device.organization_id, device.user_id, certificate_id)
        except MoneyError:
            raise _not_found() from None
        return _pdf(certificate_pdf(cert), f"nachweis-{cert.period_from.year}-{cert.id}.pdf")
