"""How the coordinator's pages write values for the page's language (one place, so every page agrees)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import format_currency, format_decimal

from server.coordinator.common.blueprint import bp


@bp.app_template_filter("eur")
def euros(cents: int | None) -> str:
    """Integer cents as euros in the page's language ("1.234,50 €", "€1,234.50"); None as a dash.

    Decimal, not float: the page shows exactly the cents the XML and the XLSX carry.
    """
    if cents is None:
        return "–"
    return str(format_currency(Decimal(cents).scaleb(-2), "EUR"))


@bp.app_context_processor
def code_labels() -> dict[str, Any]:
    """Codes never reach a page raw: languages, levels and partner kinds as words of the page's language."""
    from server.labels import PARTNER_KIND_LABELS, label, language_label, level_label

    return {"language_name": language_label, "level_label": level_label,
            "partner_kind": lambda code: label(PARTNER_KIND_LABELS, code)}


@bp.app_template_filter("with_unit")
def with_unit(value: object, unit: str) -> str:
    """A number and its unit ("1,5 h", "90 min", "12 km") in the page's language: the unit translated and
    placed as the translation says; the page isolates it from the text around it (`<bdi>` in RTL)."""
    from flask_babel import gettext as _

    shown = value if isinstance(value, str) else str(format_decimal(value))  # type: ignore[arg-type]
    if unit == "h":
        return _("%(value)s h", value=shown)
    if unit == "min":
        return _("%(value)s min", value=shown)
    return _("%(value)s km", value=shown)
