"""The wire envelope of `POST /api/v1/sync`, declared once: mutation, result, change, request, response
(and the read-only answer of `GET /api/v1/me/money`, the guide's own money and papers).

`sync/spec.py` declares what is inside a record (its fields); this module declares what carries
records between a device and the server. Everything else is generated from it, so the five copies
that once drifted cannot any more:
* the server's marshmallow schemas and thereby the served OpenAPI document (`server/api/schemas.py`,
  built at import time by `marshmallow_schema`);
* the PWA's TypeScript interfaces and `baseVersionOf` (`pwa/scripts/gen_wire_types.py` writes them into
  `pwa/src/shared/wire.ts`; `tests/test_contract.py` fails when that file is stale);
* the reference client's mutations (`sync/client.py` calls `base_version_of`).
`sync/PROTOCOL.md` §2 explains the envelope in prose.

Standard library only: the generator runs this with a plain `python3`.
"""

from __future__ import annotations

from dataclasses import dataclass

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# No control characters (NUL above all: PostgreSQL refuses it in text) in what a device names itself.
PRINTABLE_PATTERN = r"^[^\x00-\x1f\x7f]*\Z"


@dataclass(frozen=True)
class Part:
    """One member of an envelope.

    `kind`: "str", "int", "bool", "object" (a JSON object with string keys), "str_list", or the name
    of another envelope (`of`, with `many` for a list of them). In a request, `required` means the
    client must send it and `default` is what an absent member means; in a response, `required`
    means the server always sends it."""

    name: str
    kind: str
    required: bool = False
    nullable: bool = False
    default: object = None  # "[]" and "{}" stand for a fresh empty list or object
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    printable: bool = False
    of: str | None = None
    many: bool = False
    ts: str = ""  # the TypeScript type when narrower than `kind` says (checked per mutation, not here)
    doc: str = ""


@dataclass(frozen=True)
class Envelope:
    name: str  # the OpenAPI component and the TypeScript interface
    parts: tuple[Part, ...]
    doc: str = ""

    def part(self, name: str) -> Part:
        return next(p for p in self.parts if p.name == name)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.parts)


OPS = ("upsert", "delete")
STATUSES = ("applied", "merged", "conflict", "rejected")
LIMIT_DEFAULT, LIMIT_MAX = 500, 1000


def base_version_of(server_version: int | None) -> int | None:
    """The `base_version` rule: a mutation names the server version its edit started from, and null
    for a record the server has not seen yet (a device keeps 0, or nothing, for such a record). The
    three-way merge (`sync/merge.py`) compares the server's history after that version."""
    return server_version if server_version else None


ERROR_DETAIL = Envelope("ApiErrorDetail", (
    Part("code", "str", required=True, doc="stable, untranslated: the app words it"),
    Part("message", "str", required=True, doc="translated into the request's language"),
    Part("fields", "object", ts="Record<string, string[]>", doc="a field's name → its messages"),
    Part("state", "str", doc="the workflow state that locked the record (`locked`)"),
), "What went wrong: a stable code and a translated message.")

MUTATION = Envelope("Mutation", (
    Part("id", "str", required=True, pattern=UUID_PATTERN, doc="made by the client once, reused on retry"),
    Part("type", "str", required=True, max_length=20, ts="RecordType", doc="a record type of sync/spec.py"),
    Part("record_id", "str", required=True, max_length=64, doc="made by the client for a new record"),
    Part("op", "str", required=True, max_length=10, ts=" | ".join(f'"{op}"' for op in OPS)),
    Part("base_version", "int", nullable=True, doc=" ".join((base_version_of.__doc__ or "").split())),
    Part("fields", "object", default="{}", doc="the changed fields only"),
    Part("client_time", "str", nullable=True, max_length=40, printable=True),
), "One change a device made, waiting in its outbox until the server answered it.")

RESULT = Envelope("Result", (
    Part("id", "str", required=True, doc="the mutation's id"),
    Part("status", "str", required=True, choices=STATUSES),
    Part("record_id", "str", required=True, nullable=True),
    Part("version", "int", required=True, nullable=True, doc="the record's version when the request committed; null: no record"),
    Part("conflict_id", "str"),
    Part("conflict_ids", "str_list"),
    Part("error", "ApiErrorDetail", of="ApiErrorDetail"),
), "The server's answer to one mutation, in the mutations' order.")

CHANGE = Envelope("Change", (
    Part("type", "str", required=True, ts="RecordType"),
    Part("record_id", "str", required=True),
    Part("version", "int", required=True),
    Part("deleted", "bool", required=True),
    Part("data", "object", required=True, nullable=True, doc="the record's wire fields; null for a tombstone"),
), "A record as the device should now hold it.")

SYNC_REQUEST = Envelope("SyncRequest", (
    Part("cursor", "str", nullable=True, max_length=200, doc="opaque; null for the start"),
    Part("mutations", "Mutation", of="Mutation", many=True, default="[]"),
    Part("limit", "int", default=LIMIT_DEFAULT, min=1, max=LIMIT_MAX, doc="most changes in the answer"),
    Part("app_version", "str", nullable=True, max_length=40, printable=True),
), "One round trip: push these mutations, then pull what changed since the cursor.")

SYNC_RESPONSE = Envelope("SyncResponse", (
    Part("results", "Result", of="Result", many=True, required=True),
    Part("changes", "Change", of="Change", many=True, required=True),
    Part("cursor", "str", required=True),
    Part("has_more", "bool", required=True, doc="pull again at once"),
), "The answer to a round trip.")

# ---- the guide's own money and papers: GET /api/v1/me/money (PROTOCOL §8). Read-only, not synced: the
# phone keeps the last answer and the documents it opened, for reading offline.

MY_ALLOWANCE = Envelope("MyAllowance", (
    Part("id", "int", required=True),
    Part("month", "str", required=True, doc="YYYY-MM the allowance is for"),
    Part("legal_basis", "str", required=True, ts="string", doc="e.g. ehrenamt_26a (Ehrenamtspauschale)"),
    Part("minutes", "int", required=True),
    Part("meetings", "int", required=True),
    Part("amount_cents", "int", required=True),
    Part("state", "str", required=True, choices=("approved", "paid")),
    Part("paid_on", "str", required=True, nullable=True, doc="YYYY-MM-DD, the day of the transfer"),
), "One flat allowance line of the guide (approved or paid; computed drafts are not shown).")

MY_TRANSFER = Envelope("MyTransfer", (
    Part("payout_id", "int", required=True),
    Part("paid_on", "str", required=True, doc="YYYY-MM-DD, the bank's day"),
    Part("remittance", "str", required=True, doc="the text on the bank statement"),
    Part("expense_cents", "int", required=True),
    Part("allowance_cents", "int", required=True),
    Part("amount_cents", "int", required=True, doc="expense_cents + allowance_cents: the amount on the statement"),
    Part("claim_months", "str_list", required=True),
    Part("allowance_months", "str_list", required=True),
), "One transfer to the guide as it was paid.")

MY_CERTIFICATE = Envelope("MyCertificate", (
    Part("id", "int", required=True),
    Part("period_from", "str", required=True),
    Part("period_to", "str", required=True),
    Part("minutes", "int", required=True),
    Part("issued_at", "str", required=True),
), "A certificate issued to the guide (revoked ones are not listed).")

MY_MONEY = Envelope("MyMoney", (
    Part("year", "int", required=True),
    Part("allowances", "MyAllowance", of="MyAllowance", many=True, required=True),
    Part("transfers", "MyTransfer", of="MyTransfer", many=True, required=True),
    Part("certificates", "MyCertificate", of="MyCertificate", many=True, required=True),
    Part("statement_years", "str_list", required=True, doc="years with a paid transfer: a year statement exists"),
), "What the guide may see of her own money in a year, and her papers.")

ENVELOPES: dict[str, Envelope] = {e.name: e for e in (ERROR_DETAIL, MUTATION, RESULT, CHANGE, SYNC_REQUEST,
                                                      SYNC_RESPONSE, MY_ALLOWANCE, MY_TRANSFER, MY_CERTIFICATE,
                                                      MY_MONEY)}
