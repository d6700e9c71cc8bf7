"""The desk's messages page: write to one guide or to all guides of the organization (server/messages/)."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user

from server.coordinator.common.access import get_guide_or_404
from server.coordinator.common.auth import current_author, current_org_id, staff_required
from server.coordinator.common.forms import MessageForm
from server.extensions import db
from server.i18n import flash
from server.messages import operations
from server.messages.operations import MessageError

ERRORS = {
    "empty": _l("Write a message first."),
    "too_long": _l("A message may have at most 1,000 characters."),
    "no_recipients": _l("There is no active guide to send this to."),
}


def _render(form: MessageForm, status: int = 200) -> Any:
    guides = operations.active_guides(db.session, current_org_id())
    return render_template("coordinator/messages.html", form=form, guides=guides,
                           batches=operations.sent_batches(db.session, current_org_id())), status


@staff_required
def messages() -> Any:
    form = MessageForm(formdata=None)
    form.recipient.data = request.args.get("to", "all")[:20]
    return _render(form)


@staff_required
def send_message() -> Any:
    """The form's recipient: "all" or one guide's id."""
    form = MessageForm()
    if not form.validate_on_submit():
        return _render(form, 400)
    recipient = (form.recipient.data or "").strip()
    if recipient == "all":
        return _send(form, operations.active_guides(db.session, current_org_id()), to_all=True)
    if not recipient.isdigit():
        abort(404)
    return _send(form, [_active_guide_or_404(int(recipient))], to_all=False)


@staff_required
def send_message_to_guide(guide_id: int) -> Any:
    """The same for one guide named in the address (the guide's page links here)."""
    guide = _active_guide_or_404(guide_id)
    form = MessageForm(data={"recipient": str(guide_id)})
    form.recipient.data = str(guide_id)
    if not form.validate_on_submit():
        return _render(form, 400)
    return _send(form, [guide], to_all=False)


def _active_guide_or_404(guide_id: int) -> Any:
    guide, _profile = get_guide_or_404(guide_id)  # another organization's guide: 404, nothing sent
    if not guide.active:
        abort(404)
    return guide


def _send(form: MessageForm, recipients: list[Any], *, to_all: bool) -> Any:
    try:
        sent = operations.send_message(db.session, current_author(), current_user, current_org_id(), recipients,
                                       form.body.data or "", to_all=to_all)
    except MessageError as exc:
        form.body.errors = [str(ERRORS[exc.code])]
        return _render(form, 400)
    db.session.commit()
    flash(lazy_ngettext("The message was sent to %(num)s guide.", "The message was sent to %(num)s guides.",
                   len(sent)), "info")
    return redirect(url_for("coordinator.messages"))
