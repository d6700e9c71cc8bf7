"""How the coordinator's pages write values for the page's language (one place, so every page agrees)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import format_currency

from server.coordinator.views import bp


@bp.app_template_filter("eur")
def euros(cents: int | None) -> str:
    """Integer cents as euros in the page's language ("1.234,50 €", "€1,234.50"); None as a dash.

    Decimal, not float: the page shows exactly the cents the XML and the XLSX carry.
    """
    if cents is None:
        return "–"
    return str(format_currency(Decimal(cents).scaleb(-2), "EUR"))
