"""The guide's own competence profile over sync: contact, languages, districts, availability."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from server.accounts.models import User
from server.guides.models import GuideLanguage, GuideProfile
from sync.merge import Author
from sync.registry import Binding
from sync.spec import wire_value


class ProfileBinding(Binding):
    type_name = "profile"
    model = GuideProfile
    ignored_attrs = Binding.ignored_attrs | {"user_id", "notes", "iban", "bic", "account_holder"}

    def owner_guide_id(self, obj: Any) -> int | None:
        return int(obj.user_id)

    def get_field(self, session: Session, obj: Any, name: str) -> Any:
        if name == "qualifications":
            return [{"kind": q.kind, "title": q.title, "completed_on": wire_value(q.completed_on),
                     "provider": q.provider} for q in obj.qualifications]
        if name == "languages":
            return [{"language": lang.language, "level": lang.level, "dialect": lang.dialect} for lang in obj.languages]
        return getattr(obj, name)

    def set_fields(self, session: Session, obj: Any, values: dict[str, Any], author: Author) -> None:
        for name, value in values.items():
            if name == "languages":
                self._set_languages(obj, value)
            elif name in ("districts", "specialisations", "muted_reminders"):
                setattr(obj, name, list(dict.fromkeys(value)))
            else:
                setattr(obj, name, value)

    @staticmethod
    def _set_languages(obj: Any, entries: list[dict[str, str]]) -> None:
        existing = {(lang.language, lang.dialect): lang for lang in obj.languages}
        kept = []
        for position, entry in enumerate({(e["language"], e["dialect"]): e for e in entries}.values()):
            lang = existing.get((entry["language"], entry["dialect"])) or GuideLanguage(
                language=entry["language"], dialect=entry["dialect"], level=entry["level"])
            lang.level, lang.position = entry["level"], position
            kept.append(lang)
        obj.languages = kept

    def to_wire(self, session: Session, obj: Any, audience: str) -> dict[str, Any]:
        data = {name: wire_value(value) for name, value in self.current_values(session, obj).items()}
        user = session.get(User, obj.user_id)
        data["email"] = user.email if user else ""
        data["name"] = user.name if user else ""
        data["qualifications"] = self.get_field(session, obj, "qualifications")
        return data
