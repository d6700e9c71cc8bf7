"""The public verification page of a volunteer certificate: /verify/<token>, linked from the PDF's QR code.

No sign-in. It confirms what the certificate states (name, period, hours, issuer) and nothing more;
a revoked certificate says so; an unknown token is a 404 like any missing page. Rate-limited per
address so that tokens cannot be guessed in bulk (they are 256-bit random anyway).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template

from server.extensions import limiter
from server.money.certificates import QUALIFICATION_LABELS, verification
from server.money.reports import KIND_LABELS

bp = Blueprint("verify", __name__, template_folder="templates")

VERIFY_LIMIT = "30 per minute; 300 per hour"


@bp.get("/verify/<token>")
@limiter.limit(VERIFY_LIMIT)
def verify_certificate(token: str) -> Any:
    facts = verification(token)
    if facts is None:
        abort(404)
    response = render_template("money/verify.html", cert=facts, kinds=KIND_LABELS,
                               qualifications=QUALIFICATION_LABELS)
    # Nobody else's cache keeps it (a revocation shows at once); search engines leave it out.
    return response, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}
