"""The demo's fixed content: people, institutions, requests and assignments (read by `seed.py`).

All people and institutions are invented for the demo (emails end in `.example`); clients are
pseudonymous codes, as in real use. Dates are offsets in days from the day the demo is seeded, so the
demo stays current.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "lotsenbuch-demo"
CAR_CENTS_PER_KM = 30
RATE_VALID_FROM = (2024, 1, 1)
# § 3 Nr. 26a / Nr. 26 EStG from 2026 on (the amounts migration 0003 seeds for 2026).
TAX_FREE_LIMITS_2026 = {"ehrenamt_26a": 84000, "uebungsleiter_26": 300000}
# The VHS pays a flat allowance for accompaniments and meetings (Ehrenamtspauschale, § 3 Nr. 26a EStG).
VHS_HOURLY_ALLOWANCE_CENTS = 600
VHS_ALLOWANCE_KINDS = ("accompaniment", "meeting")

VHS = ("vhs-hannover", "VHS Hannover – Integrationslotsen")
AWO = ("awo-region-hannover", "AWO Region Hannover – Integrationslotsen")

# (email, name, role) of the VHS staff; the first coordinator approves and pays in the demo.
VHS_STAFF = (
    ("koordination@vhs-hannover.example", "Sabine Krüger", "coordinator"),
    ("m.weber@vhs-hannover.example", "Markus Weber", "coordinator"),
    ("admin@vhs-hannover.example", "Lotsenbuch-Administration", "admin"),
)
AWO_STAFF = (("koordination@awo-region-hannover.example", "Petra Schulze", "coordinator"),)


@dataclass(frozen=True)
class DemoGuide:
    key: str
    email: str
    name: str
    # (BCP 47 code, level, dialect)
    languages: tuple[tuple[str, str, str], ...]
    specialisations: tuple[str, ...]
    districts: tuple[str, ...]
    availability: str
    monthly_hour_limit: int | None
    # (kind, title, completed on as (y, m, d), provider)
    qualifications: tuple[tuple[str, str, tuple[int, int, int], str], ...]
    phone: str = ""
    iban: str | None = None
    locale: str = "de"


_BASIS = ("basic", "Basisqualifizierung Integrationslotsen", "VHS Hannover")
_NACHHALTIG = ("sustainability", "Nachhaltigkeitsmodul", "VHS Hannover")


def _q(base: tuple[str, str, str], date: tuple[int, int, int]) -> tuple[str, str, tuple[int, int, int], str]:
    return (base[0], base[1], date, base[2])


def _spec(title: str, date: tuple[int, int, int]) -> tuple[str, str, tuple[int, int, int], str]:
    return ("specialisation", title, date, "VHS Hannover")


# The demo guide whose enrolment link `demo-info` prints.
DEMO_ENROL_GUIDE = "ayse.demir@lotsen.example"

VHS_GUIDES = (
    DemoGuide("ayse", "ayse.demir@lotsen.example", "Ayşe Demir",
              (("tr", "native", ""), ("de", "C1", "")), ("parents", "tolerance"), ("linden-limmer", "ricklingen"),
              "Mo–Mi nachmittags, Fr vormittags", 20,
              (_q(_BASIS, (2023, 3, 18)), _spec("Spezialisierung Elternlotsin", (2024, 5, 11))),
              "+49 151 2345 1001", "DE89370400440532013000", "tr"),
    DemoGuide("omar", "omar.haddad@lotsen.example", "Omar Haddad",
              (("ar", "native", "Levantinisch (syrisch)"), ("de", "B2", ""), ("en", "B1", "")),
              ("vocational_training",), ("mitte", "vahrenwald-list"),
              "Di und Do ganztags", 24,
              (_q(_BASIS, (2022, 11, 5)), _spec("Spezialisierung Ausbildungslotse", (2023, 9, 23))),
              "+49 176 2345 1002", "DE02120300000000202051", "ar"),
    DemoGuide("shirin", "shirin.ahmadi@lotsen.example", "Shirin Ahmadi",
              (("fa", "native", ""), ("de", "C1", ""), ("en", "B2", "")), ("university",),
              ("suedstadt-bult", "mitte"), "abends ab 17 Uhr, samstags", 12,
              (_q(_BASIS, (2024, 2, 24)), _spec("Spezialisierung Hochschullotsin", (2024, 10, 12))),
              "+49 160 2345 1003", "DE02500105170137075030", "fa"),
    DemoGuide("mohammad", "mohammad.karimi@lotsen.example", "Mohammad Karimi",
              (("prs", "native", ""), ("fa", "C2", ""), ("de", "B1", "")), ("sport",),
              ("bothfeld-vahrenheide", "nord"), "Mo, Mi, Fr ab 14 Uhr", 16,
              (_q(_BASIS, (2024, 6, 15)),), "+49 157 2345 1004", None, "prs"),
    DemoGuide("olga", "olga.petrova@lotsen.example", "Olga Petrova",
              (("ru", "native", ""), ("uk", "C1", ""), ("de", "C1", "")), ("parents", "environment"),
              ("misburg-anderten", "buchholz-kleefeld"), "werktags vormittags", 20,
              (_q(_BASIS, (2021, 4, 17)), _spec("Spezialisierung Elternlotsin", (2022, 3, 12)),
               _q(_NACHHALTIG, (2025, 6, 7))),
              "+49 170 2345 1005", "DE12500105170648489890", "ru"),
    DemoGuide("oksana", "oksana.kovalenko@lotsen.example", "Oksana Kovalenko",
              (("uk", "native", ""), ("ru", "C2", ""), ("de", "B2", ""), ("en", "B2", "")),
              ("vocational_training", "university"), ("kirchrode-bemerode-wuelferode", "doehren-wuelfel"),
              "Di–Do nachmittags", 15, (_q(_BASIS, (2023, 1, 28)),),
              "+49 152 2345 1006", "DE75512108001245126199", "uk"),
    DemoGuide("rojda", "rojda.aslan@lotsen.example", "Rojda Aslan",
              (("ku", "native", "Kurmancî"), ("tr", "C1", ""), ("de", "C1", "")), ("tolerance", "parents"),
              ("herrenhausen-stoecken", "nord", "ahlem-badenstedt-davenstedt"), "flexibel nach Absprache", 18,
              (_q(_BASIS, (2022, 5, 21)), _spec("Spezialisierung Toleranzlotsin", (2023, 4, 15))),
              "+49 159 2345 1007", "DE91100000000123456789", "de"),
    DemoGuide("katarzyna", "katarzyna.wisniewska@lotsen.example", "Katarzyna Wiśniewska",
              (("pl", "native", ""), ("de", "native", ""), ("en", "C1", "")), ("sport", "environment"),
              ("linden-limmer", "ahlem-badenstedt-davenstedt"), "wochenends, Mi abends", 10,
              (_q(_BASIS, (2025, 3, 8)), _q(_NACHHALTIG, (2025, 9, 20))),
              "+49 171 2345 1008", "DE27100777770209299700", "pl"),
)

AWO_GUIDE = DemoGuide(
    "hasan", "hasan.yilmaz@lotsen.example", "Hasan Yılmaz", (("tr", "native", ""), ("de", "C2", "")),
    ("vocational_training",), ("misburg-anderten",), "dienstags und donnerstags", 12,
    (("basic", "Basisqualifizierung Integrationslotsen", (2024, 9, 14), "AWO Region Hannover"),),
)

# (key, name, kind, district, contact name, email, phone)
VHS_PARTNERS = (
    ("jobcenter", "Jobcenter Region Hannover – Standort Mitte", "job_centre", "mitte",
     "Frau Lange", "integration.mitte@jobcenter.example", "0511 1234-200"),
    ("school", "Grundschule Am Lindener Markt", "school", "linden-limmer",
     "Herr Brandt (Schulsozialarbeit)", "sozialarbeit@gs-lindener-markt.example", "0511 1234-310"),
    ("clinic", "KRH Klinikum Siloah", "clinic", "ricklingen",
     "Sozialdienst", "sozialdienst.siloah@krh.example", "0511 1234-420"),
    ("abh", "Ausländerbehörde der Landeshauptstadt Hannover", "authority", "mitte",
     "Servicestelle", "auslaenderbehoerde@hannover-stadt.example", "0511 1234-530"),
    ("famz", "Familienzentrum Vahrenheide", "family_centre", "bothfeld-vahrenheide",
     "Frau Okafor", "info@fz-vahrenheide.example", "0511 1234-640"),
)
AWO_PARTNER = ("famz-misburg", "Familienzentrum Misburg", "family_centre", "misburg-anderten",
               "Herr Kaya", "info@fz-misburg.example", "0511 1234-750")

# (code, language, household size)
VHS_CLIENTS = (
    ("K-2026-003", "ar", 4), ("K-2026-007", "tr", 5), ("K-2026-009", "uk", 2), ("K-2026-011", "prs", 6),
    ("K-2026-012", "ku", 3), ("K-2026-014", "fa", 4), ("K-2026-017", "pl", 3), ("K-2026-018", "ar", 1),
    ("K-2026-021", "pl", 1), ("K-2026-022", "fa", 1), ("K-2026-025", "ru", 3), ("K-2026-026", "uk", 2),
)
AWO_CLIENT = ("AWO-K-2026-002", "tr", 4)


@dataclass(frozen=True)
class DemoRequest:
    key: str
    partner: str
    field: str | None
    language: str | None
    dialect: str
    district: str | None
    start: int | None  # days from today
    end: int | None
    expected_minutes: int | None
    contact: str
    people: int | None
    description: str
    state: str


VHS_REQUESTS = (
    DemoRequest("r-job", "jobcenter", "vocational_training", "ar", "Levantinisch", "mitte", -70, 50, 900,
                "Frau Lange, 0511 1234-200", 1,
                "Begleitung zu Terminen bei der Berufsberatung und Unterstützung bei Bewerbungsunterlagen.",
                "matched"),
    DemoRequest("r-school", "school", "parents", "tr", "", "linden-limmer", -60, 90, 600,
                "Herr Brandt, Schulsozialarbeit", 2,
                "Elterngespräche und Elternabende sprachlich begleiten; Fragen zum Schulalltag klären.", "matched"),
    DemoRequest("r-clinic", "clinic", "general", "uk", "", "ricklingen", -45, 45, 480, "Sozialdienst Siloah", 1,
                "Begleitung zu Voruntersuchungen und Entlassgespräch; Termine vorab erklären.", "matched"),
    DemoRequest("r-abh", "abh", "general", "prs", "", "mitte", -80, 40, 360, "Servicestelle, Zimmer 112", 6,
                "Familie bei der Verlängerung der Aufenthaltstitel begleiten; Unterlagen vorbereiten.", "matched"),
    DemoRequest("r-famz", "famz", "parents", "ku", "Kurmancî", "bothfeld-vahrenheide", -90, -20, 480,
                "Frau Okafor", 3, "Anmeldung Kita und Eingewöhnung begleiten.", "closed"),
    DemoRequest("r-school2", "school", "parents", "fa", "", "linden-limmer", 10, 120, 600,
                "Herr Brandt, Schulsozialarbeit", 2,
                "Neu zugezogene Familie: Schulanmeldung, Elternabend, Hausaufgabenhilfe finden.", "open"),
    # Incomplete: taken on the phone, the details are still missing (flagged, never lost).
    DemoRequest("r-job2", "jobcenter", "vocational_training", None, "", "vahrenwald-list", 20, None, None,
                "Frau Lange (Rückruf erbeten)", None, "Telefonische Anfrage; Sprache und Umfang folgen.", "open"),
)
AWO_REQUEST = DemoRequest("r-awo", "famz-misburg", "vocational_training", "tr", "", "misburg-anderten", -40, 60,
                          600, "Herr Kaya", 1, "Begleitung zur Anerkennungsberatung.", "matched")


@dataclass(frozen=True)
class DemoAssignment:
    title: str
    request: str | None
    client: str | None
    field: str | None
    language: str
    district: str
    start: int
    end: int | None
    planned_minutes: int
    state: str  # offered | active | ended
    guide: str | None  # for active and ended
    offers: tuple[str, ...] = ()  # guides it is (or was) offered to


VHS_ASSIGNMENTS = (
    DemoAssignment("Berufsorientierung und Bewerbung", "r-job", "K-2026-003", "vocational_training", "ar",
                   "mitte", -70, 50, 900, "active", "omar", ("omar",)),
    DemoAssignment("Elterngespräche Grundschule", "r-school", "K-2026-007", "parents", "tr", "linden-limmer",
                   -60, 90, 600, "active", "ayse", ("ayse", "rojda")),
    DemoAssignment("Begleitung Klinikaufenthalt", "r-clinic", "K-2026-009", None, "uk", "ricklingen",
                   -45, 45, 480, "active", "oksana", ("oksana", "olga")),
    DemoAssignment("Aufenthaltstitel verlängern", "r-abh", "K-2026-011", None, "prs", "mitte",
                   -80, 40, 360, "active", "mohammad", ("mohammad",)),
    DemoAssignment("Kita-Anmeldung und Eingewöhnung", "r-famz", "K-2026-012", "parents", "ku",
                   "bothfeld-vahrenheide", -90, -20, 480, "ended", "rojda", ("rojda",)),
    DemoAssignment("Studienberatung und Immatrikulation", None, "K-2026-022", "university", "fa", "mitte",
                   -50, 70, 420, "active", "shirin", ("shirin",)),
    DemoAssignment("Sportverein finden (Kinder)", None, "K-2026-017", "sport", "pl", "linden-limmer",
                   -40, 80, 300, "active", "katarzyna", ("katarzyna",)),
    DemoAssignment("Elternabend Kita Misburg", None, "K-2026-025", "parents", "ru", "misburg-anderten",
                   -75, 60, 360, "active", "olga", ("olga",)),
    DemoAssignment("Wohnungssuche und Behördenpost", None, "K-2026-018", None, "ar", "vahrenwald-list",
                   -160, -35, 600, "ended", "omar", ("omar",)),
    DemoAssignment("Schulanmeldung und Elternabend", "r-school2", "K-2026-014", "parents", "fa", "linden-limmer",
                   10, 120, 600, "offered", None, ("shirin", "mohammad", "ayse")),
    DemoAssignment("Schwimmkurs-Begleitung", None, "K-2026-021", "sport", "pl", "ahlem-badenstedt-davenstedt",
                   14, 100, 240, "offered", None, ("katarzyna", "omar")),
)
AWO_ASSIGNMENT = DemoAssignment("Anerkennung des Berufsabschlusses", "r-awo", "AWO-K-2026-002",
                                "vocational_training", "tr", "misburg-anderten", -40, 60, 600, "active", "hasan",
                                ("hasan",))

# Neutral notes, without personal data (as the app asks guides to write them).
NOTES = {
    "accompaniment": ("Termin begleitet, Ergebnisse besprochen.", "Begleitung zum Amt; Unterlagen vollständig.",
                      "Gespräch übersetzt, nächster Termin vereinbart.", ""),
    "meeting": ("Treffen zur Vorbereitung der nächsten Schritte.", "Kennenlernen und Bedarf geklärt.", ""),
    "phone": ("Terminabsprache.", "Rückfrage zu einem Schreiben geklärt.", ""),
    "preparation": ("Formulare vorbereitet.", "Informationen zu Beratungsstellen zusammengestellt.", ""),
    "travel": ("Fahrt zum Termin.", ""),
    "training": ("Fortbildung „Interkulturelle Kommunikation“.", "Workshop Datenschutz im Ehrenamt."),
    "other": ("Austausch mit der Koordination.", "Infostand beim Stadtteilfest."),
}
HELP_NOTES = (
    "Hinweis: Familie hat Mietschulden – Kontakt zur Schuldnerberatung empfohlen.",
    "Starke psychische Belastung erkennbar; fachliche Beratung nötig.",
    "Rechtsfrage zum Aufenthalt – an die Migrationsberatung verweisen.",
)
# (category the reason fits, reason)
REJECTION_REASONS = (
    ("public_transport", "Kein Beleg vorhanden – bitte den Fahrschein nachreichen."),
    ("mileage", "Privatfahrt ohne Bezug zu einem Einsatz."),
    ("phone", "Telefonpauschale in diesem Monat schon abgerechnet."),
)
# (category, cents, description)
SMALL_EXPENSES = (
    ("material", 890, "Stadtplan und Fahrplanheft"),
    ("material", 240, "Kopien von Formularen"),
    ("other", 450, "Parkgebühr Klinikum"),
)
PLENUM_LOCATION = "VHS Hannover, Burgstraße 14, Raum 2.11"
MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember")
