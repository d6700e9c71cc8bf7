"""The partner institution's request form (/request/<slug>) and the private status link.

Each handler: parse → load-or-404 → is the form switched on → domain call (server/public/requests.py) →
commit → render. Abuse: per-address and per-organization limits on sending, a honeypot field, the
blueprint's body-size limit; text is stored as typed and escaped wherever it is shown.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask_babel import get_locale

from server.coordinator.common.forms import choices
from server.coordinator.requests.common import FIELD_LABELS
from server.extensions import db, limiter
from server.labels import SPECIALISATION_LABELS, language_label
from server.public import partner_links
from server.public import requests as filing
from server.public.confirmation import send_confirmation
from server.public.forms import FIELD_CODES, REQUEST_LANGUAGES, LinkForm, PublicRequestForm, district_choices
from server.public.views import bp


def _organization_key() -> str:
    return "public-request-org:" + str((request.view_args or {}).get("slug", ""))[:64]


address_limit = limiter.limit(lambda: current_app.config["PUBLIC_REQUEST_LIMIT_PER_ADDRESS"],
                              scope="public-request-address", methods=["POST"])
organization_limit = limiter.limit(lambda: current_app.config["PUBLIC_REQUEST_LIMIT_PER_ORGANIZATION"],
                                   scope="public-request-organization", key_func=_organization_key, methods=["POST"])


def _form(formdata: Any = None) -> PublicRequestForm:
    form = PublicRequestForm(formdata=formdata)
    form.field.choices = choices([("", "–")] + [(code, str(FIELD_LABELS.get(code, SPECIALISATION_LABELS.get(code))))
                                                for code in FIELD_CODES])
    languages = sorted(((code, language_label(code)) for code in REQUEST_LANGUAGES), key=lambda p: p[1].casefold())
    form.language.choices = choices([("", "–")] + languages)
    form.district.choices = choices(district_choices())
    return form


def _filed(form: PublicRequestForm) -> filing.FiledRequest:
    hours = form.expected_hours.data or Decimal(0)
    return filing.FiledRequest(
        institution=form.institution.data.strip(), contact_name=form.contact_name.data.strip(),
        contact_email=form.contact_email.data.strip(), contact_phone=form.contact_phone.data.strip(),
        field=form.field.data, description=form.description.data.strip(), language=form.language.data,
        dialect=(form.dialect.data or "").strip(), district=form.district.data, starts_on=form.starts_on.data,
        ends_on=form.ends_on.data, expected_minutes=int(round(hours * 60)), people_count=form.people_count.data,
        client_consents_to_contact=form.consent.data == "yes",
    )


@bp.route("/request/<slug>", methods=["GET", "POST"])
@address_limit
@organization_limit
def request_form(slug: str) -> Any:
    found = filing.public_organization(db.session, slug)
    if found is None:
        abort(404)
    org, profile = found
    if profile is None or not profile.accepts_requests:
        return render_template("public/form_closed.html", org=org), 404
    form = _form(formdata=request.form if request.method == "POST" else None)
    remembered = request.method == "GET" and "key" in request.args
    if remembered:
        partner = partner_links.redeem(db.session, org.id, request.args.get("key", ""))
        if partner is None:
            return render_template("public/request_form.html", org=org, profile=profile, form=form,
                                   link_form=LinkForm(formdata=None), link_refused=True), 410
        form.institution.data, form.contact_name.data = partner.name, partner.contact_name
        form.contact_email.data, form.contact_phone.data = partner.contact_email, partner.contact_phone
        db.session.commit()
    if request.method == "POST" and form.validate_on_submit():
        row, token = filing.file_request(db.session, org.id, _filed(form))
        base = (current_app.config["PUBLIC_URL"] or request.host_url).rstrip("/")
        status_url = base + url_for("public.request_status", token=token)
        mailed = send_confirmation(db.session, org, row, form.contact_email.data.strip(), status_url,
                                   str(get_locale() or current_app.config["DEFAULT_LOCALE"]))
        db.session.commit()
        return render_template("public/request_sent.html", org=org, email=form.contact_email.data.strip(),
                               status_url=status_url, mailed=mailed), 201
    response = current_app.make_response((render_template(
        "public/request_form.html", org=org, profile=profile, form=form, link_form=LinkForm(formdata=None),
        remembered=remembered), 400 if request.method == "POST" else 200))
    if remembered:  # the page holds the partner's details: no cache keeps it, no Referer carries the key
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/request/<slug>/link")
@address_limit
@organization_limit
def request_form_link(slug: str) -> Any:
    """A one-time link that fills the form with the partner's details, mailed to a known partner's email.
    The answer is the same whether or not the address is known."""
    found = filing.public_organization(db.session, slug)
    if found is None:
        abort(404)
    org, profile = found
    if profile is None or not profile.accepts_requests:
        return render_template("public/form_closed.html", org=org), 404
    link_form = LinkForm()
    if not link_form.validate_on_submit():
        return render_template("public/request_form.html", org=org, profile=profile, form=_form(),
                               link_form=link_form), 400
    base = (current_app.config["PUBLIC_URL"] or request.host_url).rstrip("/")
    partner_links.send_link(db.session, org, link_form.email.data.strip(),
                            base + url_for("public.request_form", slug=org.slug),
                            str(get_locale() or current_app.config["DEFAULT_LOCALE"]))
    db.session.commit()
    return render_template("public/request_form.html", org=org, profile=profile, form=_form(),
                           link_form=LinkForm(formdata=None), link_sent=True), 200


@bp.get("/request/status/<token>")
@limiter.limit("30 per minute", scope="public-request-status")
def request_status(token: str) -> Any:
    row = filing.request_by_token(db.session, token)
    if row is None:
        abort(404)
    state = filing.public_state(db.session, row)
    response = current_app.make_response(render_template(
        "public/request_status.html", state=state, states=filing.PUBLIC_STATES, received_on=row.created_at,
        organization_name=filing.organization_name(db.session, row)))
    # The address is the key: keep it out of caches and out of the next site's Referer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
