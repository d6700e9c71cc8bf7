"""The organization's public face on the desk: the request form's switch and data protection notice, and
the directory entry (edit the draft, preview it, publish or withdraw it). Admins and coordinators.

The rules live in server/public/directory.py; these routes parse, call and audit.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from server.coordinator.common.auth import current_org, current_org_id, staff_required
from server.coordinator.common.forms import (
    ActionForm,
    DirectoryProfileForm,
    PublicFormSettingsForm,
    specialisation_choices,
)
from server.coordinator.requests.common import audit
from server.extensions import db
from server.i18n import available_locales, flash, locale_name
from server.public import directory
from server.public.directory_views import entry_labels


def _profile_form(profile: Any, formdata: Any = None) -> DirectoryProfileForm:
    form = DirectoryProfileForm(formdata=formdata, data=None if formdata is not None else profile.draft())
    form.specialisations.choices = specialisation_choices()
    return form


def _page(settings_form: PublicFormSettingsForm | None = None, profile_form: DirectoryProfileForm | None = None,
          status: int = 200) -> Any:
    profile = directory.profile_for(db.session, current_org_id())
    settings_form = settings_form or PublicFormSettingsForm(formdata=None, obj=profile)
    profile_form = profile_form or _profile_form(profile)
    return render_template(
        "coordinator/public_profile.html", profile=profile, settings_form=settings_form, profile_form=profile_form,
        action_form=ActionForm(), draft_differs=profile.published is not None and profile.published != profile.draft(),
    ), status


@staff_required
def public_profile() -> Any:
    return _page()


@staff_required
def public_form_settings() -> Any:
    profile = directory.profile_for(db.session, current_org_id())
    form = PublicFormSettingsForm(formdata=request.form)
    if not form.validate_on_submit():
        return _page(settings_form=form, status=400)
    notice = (form.privacy_notice.data or "").strip()
    if form.form_enabled.data and not notice:
        form.privacy_notice.errors = [_("Write the data protection notice before switching the form on: "
                                        "it tells the people filing requests who will see what.")]
        return _page(settings_form=form, status=400)
    changed = {name: value for name, value in (("form_enabled", bool(form.form_enabled.data)),
                                               ("privacy_notice", notice)) if getattr(profile, name) != value}
    for name, value in changed.items():
        setattr(profile, name, value)
    if changed:
        audit("public.form_settings_changed", "organization", current_org_id(), fields=sorted(changed),
              form_enabled=profile.form_enabled)
        db.session.commit()
        flash(_l("The request form is switched on.") if profile.form_enabled else _l("The request form is switched off."),
              "info")
    else:
        flash(_l("Nothing was changed."), "info")
    return redirect(url_for("coordinator.public_profile"))


@staff_required
def public_profile_save() -> Any:
    profile = directory.profile_for(db.session, current_org_id())
    form = _profile_form(profile, formdata=request.form)
    if not form.validate_on_submit():
        return _page(profile_form=form, status=400)
    changed = directory.save_draft(profile, form.data)
    if changed:
        audit("public.profile_edited", "organization", current_org_id(), fields=changed)
    db.session.commit()
    flash(_l("The draft was saved. Look at the preview, then publish it.") if changed else _l("Nothing was changed."),
          "info")
    return redirect(url_for("coordinator.public_profile"))


@staff_required
def public_profile_preview() -> Any:
    profile = directory.profile_for(db.session, current_org_id())
    entry = directory.preview_entry(db.session, current_org(), profile)
    return render_template("public/preview.html", entry=entry, **entry_labels([entry]),
                           languages=[(code, locale_name(code)) for code in available_locales()])


@staff_required
def public_profile_publish() -> Any:
    if not ActionForm().validate_on_submit():
        return redirect(url_for("coordinator.public_profile"))
    profile = directory.profile_for(db.session, current_org_id())
    directory.publish(db.session, profile)
    audit("public.profile_published", "organization", current_org_id())
    db.session.commit()
    flash(_l("The entry is published in the city's directory."), "info")
    return redirect(url_for("coordinator.public_profile"))


@staff_required
def public_profile_withdraw() -> Any:
    profile = directory.profile_for(db.session, current_org_id())
    if ActionForm().validate_on_submit() and profile.published is not None:
        directory.withdraw(profile)
        audit("public.profile_withdrawn", "organization", current_org_id())
        db.session.commit()
        flash(_l("The entry was taken out of the directory."), "info")
    return redirect(url_for("coordinator.public_profile"))
