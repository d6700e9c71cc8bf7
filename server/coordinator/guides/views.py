"""Routes for guides: the list, a guide's page, the competence profile, qualifications and devices."""

from __future__ import annotations

from typing import Any

import segno
from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.accounts.invitations import mail_enrolment_link
from server.accounts.operations import enrolment_link, format_code, issue_enrolment_code
from server.audit.log import record_event
from server.coordinator.admin.forms import BankAccountForm
from server.coordinator.common.access import get_device_or_404, get_guide_or_404, get_qualification_or_404
from server.coordinator.common.auth import current_author, current_org, current_org_id, staff_required
from server.coordinator.common.forms import (
    ActionForm,
    ProfileForm,
    QualificationForm,
    qualification_choices,
    specialisation_choices,
)
from server.coordinator.common.money_messages import show_bank_errors
from server.coordinator.common.opened_forms import clash_messages, opened_values, restamp_after_clash, stamp
from server.coordinator.common.paging import list_args, page_count, page_number, page_size
from server.coordinator.money.allowance_ledger import guide_money_context
from server.extensions import db
from server.guides import operations
from server.guides.models import GuideProfile
from server.i18n import flash
from server.labels import (
    ACTIVITY_KIND_LABELS,
    EXPENSE_CATEGORY_LABELS,
    QUALIFICATION_LABELS,
    SPECIALISATION_LABELS,
    STATE_LABELS,
    language_label,
)
from server.money.bank import set_guide_account
from server.money.errors import MoneyError
from server.outbox.mail import mail_enabled
from server.public_url import public_base_url
from sync.clock import utcnow
from sync.coordinator import CoordinatorError, EditClash
from sync.vocabulary import DISTRICTS, SPECIALISATIONS


def _labels() -> dict[str, Any]:
    return {"districts": DISTRICTS, "specialisations": SPECIALISATION_LABELS, "qualifications": QUALIFICATION_LABELS,
            "kinds": ACTIVITY_KIND_LABELS, "categories": EXPENSE_CATEGORY_LABELS, "states": STATE_LABELS,
            "language_name": language_label}


def guide_filters(args: Any) -> operations.GuideFilters:
    """The list's filters from the query string (the page and its exports read the same)."""
    return operations.GuideFilters(
        q=args.get("q", "")[:100], language=args.get("language", "")[:12],
        specialisation=args.get("specialisation", "") if args.get("specialisation") in SPECIALISATIONS else "",
        district=args.get("district", "") if args.get("district") in DISTRICTS else "",
        active=args.get("active", "") if args.get("active") in ("yes", "no") else "",
        idle=args.get("idle") == "1",
    )


@staff_required
def guides() -> Any:
    org_id = current_org_id()
    filters = guide_filters(request.args)
    found = operations.search_guides(db.session, org_id, filters)
    # Paged after filtering: two filters read JSON lists, the same on SQLite and PostgreSQL (the export
    # takes every row; see reports/list_exports.py).
    pages = page_count(len(found))
    page = min(page_number(request.args.get("page")), pages)
    return render_template("coordinator/guides.html", rows=found[(page - 1) * page_size():page * page_size()],
                           found=len(found), page=page, pages=pages, args=list_args(request.args), filters=filters,
                           languages=operations.languages_in_use(db.session, org_id),
                           idle_days=operations.IDLE_DAYS, **_labels())


PROFILE_FIELD_LABELS = {"phone": ProfileForm.phone.args[0], "languages": lazy_gettext("Languages"),
                        "specialisations": ProfileForm.specialisations.args[0],
                        "districts": ProfileForm.districts.args[0], "availability": ProfileForm.availability.args[0],
                        "monthly_hour_limit": ProfileForm.monthly_hour_limit.args[0]}


def _profile_form(profile: GuideProfile, formdata: Any = None) -> ProfileForm:
    if formdata is None:
        data = {
            "phone": profile.phone, "availability": profile.availability,
            "monthly_hour_limit": profile.monthly_hour_limit, "specialisations": list(profile.specialisations or []),
            "districts": list(profile.districts or []),
            "languages": [{"language": lang.language, "level": lang.level, "dialect": lang.dialect}
                          for lang in profile.languages],
        }
        form = ProfileForm(formdata=None, data=data)
        while len(form.languages) < min(len(profile.languages) + 2, 12):
            form.languages.append_entry()
        stamp(form, profile.organization_id, "profile", profile.id)
    else:
        form = ProfileForm(formdata=formdata)
    form.specialisations.choices = specialisation_choices()
    return form


def _wanted_profile(form: ProfileForm) -> tuple[dict[str, Any], list[str]]:
    """The profile's wire fields from the form, and any row errors (a language row needs a level)."""
    languages, errors = [], []
    for row in form.languages.entries:
        code = (row.form.language.data or "").strip().lower()
        if not code:
            continue
        if not row.form.level.data:
            errors.append(_("Choose a level for the language %(code)s.", code=code))
            continue
        languages.append({"language": code, "level": row.form.level.data,
                          "dialect": (row.form.dialect.data or "").strip()})
    return {
        "phone": (form.phone.data or "").strip() or None,
        "languages": languages,
        "specialisations": list(form.specialisations.data or []),
        "districts": list(form.districts.data or []),
        "availability": (form.availability.data or "").strip(),
        "monthly_hour_limit": form.monthly_hour_limit.data,
    }, errors


def _render_guide(guide: Any, profile: GuideProfile, profile_form: ProfileForm | None = None,
                  qualification_form: QualificationForm | None = None, status: int = 200,
                  errors: list[str] | None = None, bank_form: BankAccountForm | None = None) -> Any:
    if qualification_form is None:
        qualification_form = QualificationForm(formdata=None)
    qualification_form.kind.choices = qualification_choices()
    return render_template(
        "coordinator/guide.html", guide=guide, profile=profile,
        profile_form=profile_form or _profile_form(profile), qualification_form=qualification_form,
        action_form=ActionForm(), devices=operations.guide_devices(db.session, guide),
        timeline=operations.guide_timeline(db.session, current_org_id(), guide), errors=errors or [], **_labels(),
        **guide_money_context(guide.id, bank_form), mail_on=mail_enabled(),
    ), status


@staff_required
def guide(guide_id: int) -> Any:
    user, profile = get_guide_or_404(guide_id)
    return _render_guide(user, profile)


@staff_required
def edit_profile(guide_id: int) -> Any:
    user, profile = get_guide_or_404(guide_id)
    form = _profile_form(profile, request.form)
    if not form.validate_on_submit():
        return _render_guide(user, profile, profile_form=form, status=400)
    wanted, errors = _wanted_profile(form)
    if errors:
        return _render_guide(user, profile, profile_form=form, status=400, errors=errors)
    version, opened = opened_values(form, "profile", profile.id)
    try:
        changes, _resolution = operations.edit_profile(db.session, current_author(), profile, wanted, version, opened)
    except EditClash as clash:
        db.session.rollback()
        user, profile = get_guide_or_404(guide_id)
        restamp_after_clash(form, "profile", profile.id, clash)
        return _render_guide(user, profile, profile_form=form, status=409,
                             errors=clash_messages(clash, PROFILE_FIELD_LABELS))
    except CoordinatorError as exc:
        db.session.rollback()
        messages = [f"{field}: {', '.join(map(str, msgs))}" for field, msgs in (exc.fields or {}).items()]
        return _render_guide(user, profile, profile_form=form, status=400,
                             errors=messages or [_("The profile could not be saved.")])
    if changes:
        record_event("guide.profile_edited", current_org_id(), actor_user_id=current_user.id,
                     object_type="profile", object_id=profile.id, details={"fields": sorted(changes)})
        db.session.commit()
        flash(_l("The profile was saved. The guide's app receives it on its next sync."), "info")
    else:
        flash(_l("Nothing was changed."), "info")
    return redirect(url_for("coordinator.guide", guide_id=user.id) + "#profile")


@staff_required
def add_qualification(guide_id: int) -> Any:
    user, profile = get_guide_or_404(guide_id)
    form = QualificationForm()
    form.kind.choices = qualification_choices()
    if not form.validate_on_submit():
        return _render_guide(user, profile, qualification_form=form, status=400)
    assert form.completed_on.data is not None
    qualification = operations.add_qualification(db.session, current_author(), profile, form.kind.data or "",
                                                 form.title.data or "", form.completed_on.data,
                                                 form.provider.data or "")
    record_event("guide.qualification_added", current_org_id(), actor_user_id=current_user.id,
                 object_type="qualification", object_id=qualification.id,
                 details={"guide_id": user.id, "kind": qualification.kind})
    db.session.commit()
    flash(_l("The qualification was added."), "info")
    return redirect(url_for("coordinator.guide", guide_id=user.id) + "#qualifications")


@staff_required
def delete_qualification(guide_id: int, qualification_id: int) -> Any:
    user, profile = get_guide_or_404(guide_id)
    qualification = get_qualification_or_404(profile, qualification_id)
    if ActionForm().validate_on_submit():
        operations.remove_qualification(db.session, current_author(), profile, qualification)
        record_event("guide.qualification_removed", current_org_id(), actor_user_id=current_user.id,
                     object_type="qualification", object_id=qualification_id, details={"guide_id": user.id})
        db.session.commit()
        flash(_l("The qualification was removed."), "info")
    return redirect(url_for("coordinator.guide", guide_id=user.id) + "#qualifications")


@staff_required
def enrolment_code(guide_id: int) -> Any:
    """Issue a one-time code for a new phone; shown once, here (only its hash is stored)."""
    user, _profile = get_guide_or_404(guide_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("coordinator.guide", guide_id=user.id))
    base_url = public_base_url()  # before issuing: a forged Host is a 400 and issues nothing
    code = issue_enrolment_code(user, created_by=current_user)
    record_event("device.enrolment_code_issued", current_org_id(), actor_user_id=current_user.id,
                 object_type="user", object_id=user.id)
    db.session.commit()
    link = enrolment_link(code, base_url)
    qr = segno.make(link, error="m").svg_inline(scale=6, dark="#000", light="#fff")
    response = render_template("coordinator/enrolment_code.html", guide=user, code=format_code(code), link=link,
                               qr_svg=qr, days=current_app.config["ENROLMENT_CODE_DAYS"])
    return response, 200, {"Cache-Control": "no-store"}


@staff_required
def enrolment_mail(guide_id: int) -> Any:
    """Mail the guide a one-time enrolment link (a code of its own; the QR code above stays for in person)."""
    user, _profile = get_guide_or_404(guide_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("coordinator.guide", guide_id=user.id))
    if user.erased_at is not None or not user.active:
        flash(_l("This guide's account is closed; no enrolment link can be sent."), "error")
        return _render_guide(user, _profile, status=409)
    outbox_id = mail_enrolment_link(db.session, user, current_org(), current_user)
    if outbox_id is None:
        flash(_l("Email is off on this installation. Issue a code below and hand it over in person."), "error")
        return _render_guide(user, _profile, status=409)
    record_event("device.enrolment_code_issued", current_org_id(), actor_user_id=current_user.id,
                 object_type="user", object_id=user.id, details={"via": "mail", "outbox_id": outbox_id})
    db.session.commit()
    flash(_l("An enrolment link was mailed to %(email)s (valid %(days)s days, once).", email=user.email,
            days=current_app.config["ENROLMENT_CODE_DAYS"]), "info")
    return redirect(url_for("coordinator.guide", guide_id=user.id) + "#devices")


@staff_required
def revoke_device(guide_id: int, device_id: str) -> Any:
    user, _profile = get_guide_or_404(guide_id)
    device = get_device_or_404(user, device_id)
    if ActionForm().validate_on_submit() and device.revoked_at is None:
        device.revoked_at = utcnow()
        record_event("device.revoked", current_org_id(), actor_user_id=current_user.id, device_id=device.id,
                     object_type="device", object_id=device.id, details={"guide_id": user.id})
        db.session.commit()
        flash(_l("The device “%(name)s” was signed out. It can no longer sync.", name=device.name), "info")
    return redirect(url_for("coordinator.guide", guide_id=user.id) + "#devices")


@staff_required
def guide_bank_account(guide_id: int) -> Any:
    """The account the guide's payouts go to; IBAN and BIC checked by schwifty on entry (money/bank.py)."""
    user, profile = get_guide_or_404(guide_id)
    form = BankAccountForm()
    if not form.validate_on_submit():
        return _render_guide(user, profile, status=400, bank_form=form)
    try:
        set_guide_account(current_author(), current_org_id(), profile, form.iban.data or "", form.bic.data or "",
                          form.account_holder.data or "")
    except MoneyError as exc:
        db.session.rollback()
        show_bank_errors(form, exc)
        return _render_guide(user, profile, status=400, bank_form=form)
    db.session.commit()
    flash(_l("The bank account for payouts was saved."), "info")
    return redirect(url_for("coordinator.guide", guide_id=user.id) + "#bank-account")
