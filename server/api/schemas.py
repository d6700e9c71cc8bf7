"""Marshmallow schemas of the JSON API: they validate requests and document the API (OpenAPI).

The sync envelope (mutation, result, change, request, response) is declared once in `sync/envelope.py`;
its schemas are built from that declaration when this module is imported. The per-record-type field
rules live in `sync/spec.py`; here a mutation's `fields` is just an object.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, validate
from marshmallow import fields as ma

from sync import envelope

# ------------------------------------------------------------------ from the wire envelope (sync/envelope.py)

def _field(part: envelope.Part) -> ma.Field:
    """The marshmallow field of one envelope member: strict types, its limits, its default."""
    validators: list[Any] = []
    if part.max_length is not None:
        validators.append(validate.Length(max=part.max_length))
    if part.min is not None or part.max is not None:
        validators.append(validate.Range(min=part.min, max=part.max))
    if part.choices:
        validators.append(validate.OneOf(part.choices))
    if part.pattern:
        validators.append(validate.Regexp(part.pattern))
    if part.printable:
        validators.append(PRINTABLE)
    options: dict[str, Any] = {"required": part.required, "allow_none": part.nullable,
                               "metadata": {"description": part.doc} if part.doc else {}}
    if not part.required and (part.default is not None or part.nullable):
        options["load_default"] = {"[]": list, "{}": dict}.get(str(part.default), part.default)
    if validators:
        options["validate"] = validators
    if part.of is not None and part.many:
        # A push's mutations load through MutationList's fast path (below); everything else as declared.
        return (MutationList if part.of == "Mutation" else ma.List)(ma.Nested(_SCHEMAS[part.of]), **options)
    if part.of is not None:
        return ma.Nested(_SCHEMAS[part.of], **options)
    kinds: dict[str, Any] = {
        "str": lambda: ma.String(**options), "int": lambda: ma.Integer(strict=True, **options),
        "bool": lambda: ma.Boolean(**options), "object": lambda: ma.Dict(keys=ma.String(), **options),
        "str_list": lambda: ma.List(ma.String(), **options),
    }
    return kinds[part.kind]()  # type: ignore[no-any-return]


def _schema(declared: envelope.Envelope) -> type[Schema]:
    return Schema.from_dict({part.name: _field(part) for part in declared.parts}, name=f"{declared.name}Schema")


# No control characters (NUL above all: PostgreSQL refuses it in text) in what a device names itself.
PRINTABLE = validate.Regexp(envelope.PRINTABLE_PATTERN, error="Control characters are not allowed.")
PRINTABLE_TEXT = re.compile(envelope.PRINTABLE_PATTERN)


class EnrollRequestSchema(Schema):
    code = ma.String(required=True, validate=[validate.Length(min=1, max=64), PRINTABLE])
    device_name = ma.String(load_default="", validate=[validate.Length(max=100), PRINTABLE])
    app_version = ma.String(load_default=None, allow_none=True, validate=[validate.Length(max=40), PRINTABLE])


class GuideSchema(Schema):
    id = ma.Integer(required=True)
    name = ma.String(required=True)
    email = ma.String(required=True)
    locale = ma.String(allow_none=True)


class OrganizationSchema(Schema):
    id = ma.Integer(required=True)
    slug = ma.String(required=True)
    name = ma.String(required=True)


class EnrollResponseSchema(Schema):
    token = ma.String(required=True)
    device_id = ma.String(required=True)
    guide = ma.Nested(GuideSchema, required=True)
    organization = ma.Nested(OrganizationSchema, required=True)


MUTATION_ID = re.compile(envelope.UUID_PATTERN)
MUTATION_KEYS = envelope.MUTATION.names
MUTATION_LIMITS = {name: envelope.MUTATION.part(name).max_length for name in ("type", "record_id", "op")}
CLIENT_TIME_MAX = envelope.MUTATION.part("client_time").max_length or 0


class MutationList(ma.List):
    """Loads exactly like `List(Nested(MutationSchema))` (and is documented so), but a list of
    well-formed mutations is checked in plain Python: marshmallow's per-field machinery costs more
    than the rest of a 500-mutation push's validation. Anything unusual takes marshmallow's path, so
    errors read the same."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        loaded = _well_formed_mutations(value)
        return loaded if loaded is not None else super()._deserialize(value, attr, data, **kwargs)


def _well_formed_mutations(value: Any) -> list[dict[str, Any]] | None:
    if not isinstance(value, list):
        return None
    loaded = []
    for item in value:
        if not isinstance(item, dict) or not MUTATION_KEYS.issuperset(item):
            return None
        mutation_id, base, fields, client_time = (item.get("id"), item.get("base_version"), item.get("fields", {}),
                                                  item.get("client_time"))
        if not isinstance(mutation_id, str) or not MUTATION_ID.match(mutation_id):
            return None
        for key, limit in MUTATION_LIMITS.items():
            if not isinstance(item.get(key), str) or len(item[key]) > (limit or 0):
                return None
        if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
            return None
        if not isinstance(fields, dict) or not all(isinstance(k, str) for k in fields):
            return None
        if client_time is not None and (not isinstance(client_time, str) or len(client_time) > CLIENT_TIME_MAX
                                        or not PRINTABLE_TEXT.match(client_time)):
            return None
        loaded.append({"id": mutation_id, "type": item["type"], "record_id": item["record_id"], "op": item["op"],
                       "base_version": base, "fields": fields, "client_time": client_time})
    return loaded


_SCHEMAS: dict[str, type[Schema]] = {}
for _declared in envelope.ENVELOPES.values():  # in declaration order: a nested envelope comes first
    _SCHEMAS[_declared.name] = _schema(_declared)
ApiErrorDetailSchema = _SCHEMAS["ApiErrorDetail"]
MutationSchema = _SCHEMAS["Mutation"]
ResultSchema = _SCHEMAS["Result"]
ChangeSchema = _SCHEMAS["Change"]
SyncRequestSchema = _SCHEMAS["SyncRequest"]
SyncResponseSchema = _SCHEMAS["SyncResponse"]
MyMoneySchema = _SCHEMAS["MyMoney"]


class ApiErrorSchema(Schema):
    error = ma.Nested(ApiErrorDetailSchema, required=True)


class BlobInfoSchema(Schema):
    sha256 = ma.String(required=True)
    content_type = ma.String(required=True)
    size_bytes = ma.Integer(required=True)


class PushKeysSchema(Schema):
    p256dh = ma.String(required=True, validate=validate.Length(min=80, max=100))
    auth = ma.String(required=True, validate=validate.Length(min=16, max=30))


class PushSubscriptionSchema(Schema):
    """What the browser's `PushSubscription.toJSON()` gives (expirationTime is ignored)."""

    class Meta:
        unknown = "exclude"

    endpoint = ma.String(required=True, validate=[validate.Length(min=10, max=2000), PRINTABLE])
    keys = ma.Nested(PushKeysSchema, required=True)


class PushKeySchema(Schema):
    public_key = ma.String(required=True)
    subscribed = ma.Boolean(required=True)
    endpoint = ma.String(allow_none=True)
