"""Write the three sample events: `python sample_events/generate.py` (stdlib only, fixed seed).

Generated people, not real ones; emails on example domains. Each person's company gives what
they offer; what they seek is drawn with a few tags in high demand, so complementary pairs exist
(and some mutual ones) without everyone matching everyone. Files are written in the exact shape
the app's event_to_dict gives back, so loading and exporting a sample returns the same JSON.
"""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 2027

# key, English, Swedish, Hebrew, synonyms
TAGS = [
    (
        "office-furniture",
        "office furniture",
        "kontorsmöbler",
        "ריהוט משרדי",
        ["office chairs", "kontorsstolar"],
    ),
    (
        "event-venues",
        "event venues",
        "eventlokaler",
        "מקומות לאירועים",
        ["conference venues", "konferenslokaler"],
    ),
    ("accounting", "accounting", "redovisning", "הנהלת חשבונות", ["bookkeeping", "bokföring"]),
    (
        "legal-advice",
        "legal advice",
        "juridisk rådgivning",
        "ייעוץ משפטי",
        ["lawyer", "advokat", "עורך דין"],
    ),
    ("recruitment", "recruitment", "rekrytering", "גיוס עובדים", ["headhunting", "השמה"]),
    ("it-security", "IT security", "IT-säkerhet", "אבטחת מידע", ["cybersecurity", "סייבר"]),
    ("cloud-hosting", "cloud hosting", "molntjänster", "שירותי ענן", ["cloud", "hosting"]),
    (
        "web-development",
        "web development",
        "webbutveckling",
        "פיתוח אתרים",
        ["websites", "hemsidor"],
    ),
    (
        "digital-marketing",
        "digital marketing",
        "digital marknadsföring",
        "שיווק דיגיטלי",
        ["SEO", "social media"],
    ),
    ("graphic-design", "graphic design", "grafisk design", "עיצוב גרפי", ["branding", "logo"]),
    ("printing", "printing", "tryckeri", "דפוס", ["print", "trycksaker"]),
    ("logistics", "logistics", "logistik", "לוגיסטיקה", ["freight", "frakt", "shipping"]),
    ("warehousing", "warehousing", "lagerhållning", "אחסנה", ["storage", "lager"]),
    (
        "real-estate",
        "commercial real estate",
        "kommersiella fastigheter",
        'נדל"ן מסחרי',
        ["office space", "kontorslokaler"],
    ),
    ("construction", "construction", "byggentreprenad", "בנייה", ["builder", "bygg"]),
    ("interior-design", "interior design", "inredning", "עיצוב פנים", ["interior architect"]),
    (
        "cleaning-services",
        "cleaning services",
        "städtjänster",
        "שירותי ניקיון",
        ["cleaning", "städning"],
    ),
    ("catering", "catering", "catering", "קייטרינג", ["lunch delivery", "food service"]),
    (
        "business-travel",
        "business travel",
        "affärsresor",
        "נסיעות עסקים",
        ["travel agency", "resebyrå"],
    ),
    (
        "insurance",
        "business insurance",
        "företagsförsäkring",
        "ביטוח עסקי",
        ["insurance", "försäkring"],
    ),
    (
        "financing",
        "business financing",
        "företagsfinansiering",
        "מימון עסקי",
        ["loans", "venture capital", "riskkapital"],
    ),
    (
        "export-advice",
        "export advice",
        "exportrådgivning",
        "ייעוץ ליצוא",
        ["international expansion"],
    ),
    ("translation", "translation", "översättning", "תרגום", ["interpreting", "tolkning"]),
    (
        "leadership-coaching",
        "leadership coaching",
        "ledarskapsutveckling",
        "אימון מנהלים",
        ["executive coaching", "coaching"],
    ),
    ("payroll", "payroll", "lönehantering", "חישובי שכר", ["salaries", "löner"]),
    ("erp-systems", "ERP systems", "affärssystem", "מערכות ERP", ["ERP", "business systems"]),
    (
        "data-analytics",
        "data analytics",
        "dataanalys",
        "ניתוח נתונים",
        ["BI", "business intelligence"],
    ),
    (
        "ai-automation",
        "AI and automation",
        "AI och automatisering",
        "בינה מלאכותית ואוטומציה",
        ["AI", "machine learning"],
    ),
    (
        "energy-efficiency",
        "energy efficiency",
        "energieffektivisering",
        "התייעלות אנרגטית",
        ["solar panels", "solceller"],
    ),
    (
        "sustainability-reporting",
        "sustainability reporting",
        "hållbarhetsrapportering",
        "דיווח קיימות",
        ["ESG", "CSRD"],
    ),
    ("packaging", "packaging", "förpackningar", "אריזות", ["boxes"]),
    ("company-cars", "company cars", "tjänstebilar", "רכבי חברה", ["fleet", "bilpool"]),
    ("telecom", "telecom and mobile plans", "telefoni", "טלפוניה", ["mobilabonnemang"]),
    (
        "workwear",
        "workwear and promo products",
        "profilkläder",
        "ביגוד ממותג",
        ["merchandise", "profilprodukter"],
    ),
    ("video-production", "video production", "filmproduktion", "הפקת וידאו", ["film", "video"]),
    (
        "occupational-health",
        "occupational health",
        "företagshälsovård",
        "בריאות תעסוקתית",
        ["wellness", "friskvård"],
    ),
    (
        "public-procurement",
        "public procurement",
        "offentlig upphandling",
        "מכרזים ציבוריים",
        ["tenders", "upphandling"],
    ),
    ("golf-travel", "golf travel", "golfresor", "טיולי גולף", ["golf trips"]),
]
LABELS = {key: {"en": en, "sv": sv, "he": he} for key, en, sv, he, _ in TAGS}

# A line of business: its word in Swedish, English and Hebrew, and the tags it offers.
INDUSTRIES = [
    ("Bygg", "Construction", "בנייה", ["construction", "interior-design"]),
    ("Inredning", "Interiors", "ריהוט", ["office-furniture", "interior-design"]),
    ("Redovisning", "Accounting", "רואי חשבון", ["accounting", "payroll"]),
    ("Advokatbyrå", "Legal", "עורכי דין", ["legal-advice", "public-procurement"]),
    ("Rekrytering", "Talent", "השמה", ["recruitment", "leadership-coaching"]),
    ("Säkerhet", "Security", "סייבר", ["it-security", "cloud-hosting"]),
    ("Webb", "Digital", "דיגיטל", ["web-development", "digital-marketing"]),
    ("Reklam", "Creative", "פרסום", ["graphic-design", "video-production", "digital-marketing"]),
    ("Tryck", "Print", "דפוס", ["printing", "packaging", "workwear"]),
    ("Logistik", "Logistics", "לוגיסטיקה", ["logistics", "warehousing"]),
    ("Fastigheter", "Properties", "נכסים", ["real-estate", "event-venues"]),
    ("Konferens", "Venues", "אירועים", ["event-venues", "catering"]),
    ("Service", "Facility Services", "ניקיון", ["cleaning-services", "catering"]),
    ("Resor", "Travel", "תיירות", ["business-travel", "golf-travel"]),
    ("Försäkring", "Insurance", "ביטוח", ["insurance"]),
    ("Kapital", "Capital", "השקעות", ["financing"]),
    ("Export", "Trade", "סחר בינלאומי", ["export-advice", "translation"]),
    ("System", "Systems", "מערכות מידע", ["erp-systems", "data-analytics"]),
    ("Analys", "Analytics", "דאטה", ["data-analytics", "ai-automation"]),
    ("Energi", "Energy", "אנרגיה", ["energy-efficiency", "sustainability-reporting"]),
    ("Bil", "Fleet", "רכב", ["company-cars"]),
    ("Telekom", "Telecom", "תקשורת", ["telecom"]),
    ("Hälsa", "Health", "בריאות", ["occupational-health", "leadership-coaching"]),
    ("Språk", "Language Services", "תרגומים", ["translation"]),
]
# What many people look for; everything else is sought now and then.
IN_DEMAND = {
    "recruitment": 5,
    "financing": 4,
    "it-security": 4,
    "digital-marketing": 3,
    "export-advice": 3,
    "event-venues": 2,
    "ai-automation": 3,
    "legal-advice": 2,
}

SWEDISH_FIRST = [
    "Åsa",
    "Björn",
    "Göran",
    "Märta",
    "Sören",
    "Jörgen",
    "Agneta",
    "Pär",
    "Ingrid",
    "Håkan",
    "Maja",
    "Lars",
    "Birgitta",
    "Anders",
    "Karin",
    "Mikael",
    "Elin",
    "Fredrik",
    "Sofia",
    "Olle",
    "Annika",
    "Torbjörn",
    "Linnéa",
    "Henrik",
    "Ylva",
    "Mats",
    "Åke",
    "Ebba",
    "Ulf",
    "Kerstin",
    "Stina",
    "Gunnar",
    "Malin",
    "Jöns",
    "Cecilia",
    "Tove",
    "Johan",
    "Helena",
    "Örjan",
    "Ulla",
]
SWEDISH_LAST = [
    "Lindström",
    "Åkesson",
    "Öberg",
    "Sjögren",
    "Bäckström",
    "Höglund",
    "Nordström",
    "Ström",
    "Sandén",
    "Lindqvist",
    "Åström",
    "Ekström",
    "Bergström",
    "Söderberg",
    "Holmgren",
    "Lundgren",
    "Blomqvist",
    "Hägglund",
    "Wallin",
    "Forsberg",
    "Dahlén",
    "Nyström",
    "Engström",
    "Sundqvist",
    "Löfgren",
    "Fält",
    "Strömberg",
    "Björk",
    "Almgren",
    "Östlund",
    "Hedlund",
    "Kjellberg",
    "Gustafsson",
    "Törnqvist",
]
NORDIC = [  # first names, last names, company suffix, phone prefix, languages, country code
    (
        ["Øyvind", "Ingrid", "Torstein", "Kari", "Sigrid"],
        ["Hansen", "Solberg", "Haugen", "Bakke"],
        "AS",
        "+47 9",
        ["no", "sv", "en"],
    ),
    (
        ["Mikko", "Aino", "Jukka", "Päivi", "Sanna"],
        ["Järvinen", "Mäkelä", "Virtanen", "Heikkilä"],
        "Oy",
        "+358 40",
        ["fi", "sv", "en"],
    ),
    (
        ["Søren", "Mette", "Rasmus", "Freja"],
        ["Jørgensen", "Mikkelsen", "Møller", "Kjær"],
        "ApS",
        "+45 2",
        ["da", "en"],
    ),
]
PLACES_SV = [
    "Norr",
    "Söder",
    "Väst",
    "Öst",
    "Fjäll",
    "Sjö",
    "Skog",
    "Berg",
    "Älv",
    "Ängs",
    "Hav",
    "Sol",
    "Vind",
    "Dal",
    "Klipp",
    "Ek",
    "Björk",
    "Gran",
    "Ljung",
    "Vik",
]
TITLES_SV = [
    "VD",
    "Försäljningschef",
    "Ekonomichef",
    "Marknadschef",
    "Grundare",
    "Partner",
    "Affärsutvecklare",
    "HR-chef",
    "IT-chef",
    "Inköpschef",
    "Kundansvarig",
]
GOALS_SV = [
    "Vill hitta {seek} inför nästa år.",
    "Letar efter en partner inom {seek}.",
    "Söker tips om {seek} och nya kontakter.",
    "Vill träffa fler som jobbar med {offer}.",
    "",
]

HEBREW_FIRST = [
    ("נועה", "noa", "f"),
    ("יונתן", "yonatan", "m"),
    ("מיכל", "michal", "f"),
    ("אורי", "uri", "m"),
    ("תמר", "tamar", "f"),
    ("איתי", "itai", "m"),
    ("שירה", "shira", "f"),
    ("עומר", "omer", "m"),
    ("יעל", "yael", "f"),
    ("דניאל", "daniel", "m"),
    ("רותם", "rotem", "f"),
    ("נדב", "nadav", "m"),
    ("הילה", "hila", "f"),
    ("גיל", "gil", "m"),
    ("מאיה", "maya", "f"),
    ("איתן", "eitan", "m"),
    ("רונית", "ronit", "f"),
    ("אסף", "asaf", "m"),
    ("דנה", "dana", "f"),
    ("עידו", "ido", "m"),
    ("קרן", "keren", "f"),
    ("אלון", "alon", "m"),
    ("ענבל", "inbal", "f"),
    ("יואב", "yoav", "m"),
    ("שני", "shani", "f"),
    ("עמית", "amit", "m"),
    ("אורית", "orit", "f"),
    ("ליאור", "lior", "m"),
    ("אביגיל", "avigail", "f"),
    ("משה", "moshe", "m"),
]
HEBREW_LAST = [
    ("כהן", "cohen"),
    ("לוי", "levi"),
    ("מזרחי", "mizrahi"),
    ("פרץ", "peretz"),
    ("ביטון", "biton"),
    ("דהן", "dahan"),
    ("אברהם", "avraham"),
    ("פרידמן", "friedman"),
    ("אזולאי", "azulay"),
    ("מלכה", "malka"),
    ("שפירא", "shapira"),
    ("גולן", "golan"),
    ("ברק", "barak"),
    ("רוזן", "rozen"),
    ("אשכנזי", "ashkenazi"),
    ("קפלן", "kaplan"),
    ("שטרן", "stern"),
    ("בן דוד", "ben-david"),
    ("אלמוג", "almog"),
    ("נחום", "nachum"),
]
TITLES_HE = {
    "m": ['מנכ"ל', 'סמנכ"ל שיווק', "מנהל מכירות", "שותף מייסד", "יועץ בכיר"],
    "f": ['מנכ"לית', 'סמנכ"לית כספים', "מנהלת מכירות", "שותפה מייסדת", "יועצת בכירה"],
}
GOALS_HE = [
    "מחפש/ת שותפים בתחום {seek}.",
    "רוצה להכיר אנשים שעוסקים ב{seek}.",
    "פתוח/ה לשיתופי פעולה ב{offer}.",
    "",
]

ENGLISH_FIRST = [
    "Oliver",
    "Amelia",
    "George",
    "Isla",
    "Harry",
    "Ava",
    "Jack",
    "Mia",
    "Noah",
    "Grace",
    "Leo",
    "Freya",
    "Arthur",
    "Lily",
    "Oscar",
    "Emily",
    "Charlie",
    "Ella",
    "Thomas",
    "Sophie",
    "James",
    "Chloe",
    "William",
    "Evie",
    "Henry",
    "Ruby",
    "Samuel",
    "Alice",
    "Joseph",
    "Daisy",
    "Daniel",
    "Hannah",
    "Ethan",
    "Zara",
    "Lucas",
    "Priya",
    "Arjun",
    "Mei",
    "Kofi",
    "Amara",
    "Mateo",
    "Lucia",
    "Felix",
    "Nora",
    "Hugo",
    "Maya",
    "Rafael",
    "Ines",
    "Aidan",
    "Niamh",
]
ENGLISH_LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Wright",
    "Robinson",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Khan",
    "Hughes",
    "Edwards",
    "Turner",
    "Lewis",
    "Harris",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "Okafor",
    "Nguyen",
    "Rossi",
    "García",
    "Müller",
    "Kowalski",
    "O'Brien",
    "Murphy",
    "Chen",
    "Singh",
]
PLACES_EN = [
    "Brightwater",
    "Northgate",
    "Kestrel",
    "Harbourside",
    "Oakfield",
    "Silverline",
    "Redbridge",
    "Greenhill",
    "Bluestone",
    "Westmoor",
    "Ashford",
    "Clearview",
    "Fernbrook",
    "Highpoint",
    "Larkspur",
    "Millbrook",
    "Pinecrest",
    "Riverside",
    "Stonebridge",
    "Thornbury",
    "Elmstead",
    "Foxley",
    "Meadowbank",
    "Copperleaf",
]
TITLES_EN = [
    "CEO",
    "Founder",
    "Head of Sales",
    "CFO",
    "Marketing Director",
    "Partner",
    "Business Development Manager",
    "Head of People",
    "CTO",
    "Procurement Lead",
    "Account Director",
    "Operations Manager",
]
GOALS_EN = [
    "Looking for {seek} partners for next year.",
    "Wants to meet people who know {seek}.",
    "Happy to help anyone who needs {offer}.",
    "Exploring {seek} for a new office.",
    "",
]
OTHER_LANGUAGES = ["de", "fr", "es", "sv", "he", "ar"]


def ascii_name(text: str) -> str:
    """ "Jörgensen" -> "jorgensen": for email addresses."""
    text = text.lower().replace("ø", "o").replace("æ", "ae").replace("'", "").replace(" ", "-")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.emails: set[str] = set()

    def email(self, first: str, last: str, domain: str) -> str:
        base = f"{ascii_name(first)}.{ascii_name(last)}"
        email, n = f"{base}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{base}{n}@{domain}"
        self.emails.add(email)
        return email

    def offers_and_seeks(self, industry: tuple) -> tuple[list[str], list[str]]:
        rng = self.rng
        own = industry[3]
        offers = rng.sample(own, k=rng.randint(1, len(own)))
        if rng.random() < 0.2:  # a side line outside the company's core business
            offers.append(rng.choice(TAGS)[0])
        keys = [key for key, *_ in TAGS if key not in offers]
        weights = [IN_DEMAND.get(key, 1) for key in keys]
        seeks: list[str] = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            choice = rng.choices(keys, weights)[0]
            if choice not in seeks:
                seeks.append(choice)
        return sorted(set(offers)), sorted(seeks)

    def handicap(self, share: float) -> float | None:
        if self.rng.random() >= share:
            return None
        return round(min(54.0, max(-3.0, self.rng.gauss(19, 9))), 1)

    def phone(self, prefix: str) -> str:
        digits = "".join(str(self.rng.randint(0, 9)) for _ in range(7))
        return f"{prefix}{self.rng.randint(0, 9)} {digits[:3]} {digits[3:5]} {digits[5:]}"


def person(
    first,
    last,
    email,
    company,
    title,
    phone,
    languages,
    offers,
    seeks,
    goals,
    handicap,
    consent=True,
) -> dict:
    # Key order as event_to_dict writes it.
    return {
        "first_name": first,
        "last_name": last,
        "email": email,
        "company": company,
        "title": title,
        "phone": phone,
        "languages": languages,
        "offers": offers,
        "seeks": seeks,
        "goals": goals,
        "handicap": handicap,
        "host": False,
        "consent": consent,
    }


def goal(
    rng: random.Random, templates: list[str], offers: list[str], seeks: list[str], language: str
) -> str:
    return rng.choice(templates).format(
        seek=LABELS[seeks[0]][language], offer=LABELS[offers[0]][language]
    )


def tag_catalog() -> list[dict]:
    return [
        {"key": key, "labels": {"en": en, "sv": sv, "he": he}, "synonyms": synonyms}
        for key, en, sv, he, synonyms in TAGS
    ]


def mark_hosts(rng: random.Random, people: list[dict], count: int) -> None:
    # Hosts are people who agreed to appear on sheets: they greet their table.
    for p in rng.sample([p for p in people if p["consent"]], count):
        p["host"] = True


def nordic_golf() -> dict:
    gen = Generator(SEED)
    rng = gen.rng
    people: list[dict] = []
    for n in range(60):
        industry = INDUSTRIES[n % len(INDUSTRIES)]
        nordic = NORDIC[n % len(NORDIC)] if n % 7 == 3 else None
        if nordic:
            firsts, lasts, suffix, prefix, languages = nordic
            company = f"{rng.choice(lasts)} {industry[1]} {suffix}"
        else:
            firsts, lasts, suffix, prefix = SWEDISH_FIRST, SWEDISH_LAST, "AB", "+46 7"
            languages = ["sv", "en"] if rng.random() < 0.9 else ["sv"]
            place = rng.choice(PLACES_SV) + rng.choice(["gården", "vik", "bro", "dalen", "berga"])
            company = f"{place} {industry[0]} AB"
        for _ in range(2 if n % 2 == 0 else 1):
            first, last = rng.choice(firsts), rng.choice(lasts)
            offers, seeks = gen.offers_and_seeks(industry)
            people.append(
                person(
                    first,
                    last,
                    gen.email(first, last, "example.se"),
                    company,
                    rng.choice(TITLES_SV),
                    gen.phone(prefix),
                    list(languages),
                    offers,
                    seeks,
                    goal(rng, GOALS_SV, offers, seeks, "sv"),
                    gen.handicap(0.85),
                    consent=rng.random() < 0.95,
                )
            )
    mark_hosts(rng, people, 12)
    colleagues = [p for p in people if sum(q["company"] == p["company"] for q in people) == 2]
    competitors = list(
        {p["company"]: p for p in reversed(people) if "accounting" in p["offers"]}.values()
    )[::-1]
    chair = next(p for p in people if p["host"])
    return {
        "format": "mingle-event/1",
        "event": {
            "name": "Nordiskt Affärsnätverk – Costa del Sol 2027",
            "starts_on": "2027-05-12",
            "ends_on": "2027-05-14",
            "venue": "Hotel Mirador del Golf, Marbella (fictional)",
            "timezone": "Europe/Madrid",
            "languages": ["sv", "en"],
            "same_company_apart": True,
        },
        "tags": tag_catalog(),
        "attendees": people,
        "sessions": [
            {
                "key": "dinner",
                "name": "Middag på klubbhuset",
                "kind": "seating",
                "rounds": 2,
                "tables": [
                    {"name": f"Bord {i}", "capacity": 8, "min_size": 0} for i in range(1, 13)
                ],
            },
            {
                "key": "golf",
                "name": "Golfdag",
                "kind": "golf",
                "rounds": 1,
                "flight_size": 4,
                "tee_start": "2027-05-13T08:00",
                "tee_interval_minutes": 10,
                "shotgun": False,
                "balance_cost_percent": 5,
            },
        ],
        "constraints": [
            # Two colleagues who asked to sit together at dinner despite same_company_apart.
            {
                "kind": "keep_together",
                "people": [colleagues[0]["email"], colleagues[1]["email"]],
                "session": "dinner",
            },
            {
                "kind": "keep_together",
                "people": [colleagues[2]["email"], colleagues[3]["email"]],
                "session": "golf",
            },
            # Competitors in the same trade, kept apart everywhere.
            {"kind": "keep_apart", "people": [p["email"] for p in competitors[:3]]},
            {
                "kind": "fixed_seat",
                "person": chair["email"],
                "session": "dinner",
                "table": "Bord 1",
            },
        ],
    }


def tel_aviv_breakfast() -> dict:
    gen = Generator(SEED + 1)
    rng = gen.rng
    people: list[dict] = []
    firsts = rng.sample(HEBREW_FIRST, 30)
    for n, (first, first_latin, gender) in enumerate(firsts):
        last, last_latin = rng.choice(HEBREW_LAST)
        industry = rng.choice(INDUSTRIES)
        offers, seeks = gen.offers_and_seeks(industry)
        company = (
            f'{rng.choice(HEBREW_LAST)[0]} {industry[2]} בע"מ'
            if n % 5
            else f'{industry[2]} פלוס בע"מ'
        )
        languages = ["he", "en"] + (["ru"] if rng.random() < 0.1 else [])
        people.append(
            person(
                first,
                last,
                gen.email(first_latin, last_latin, "example.co.il"),
                company,
                rng.choice(TITLES_HE[gender]),
                gen.phone("+972 5"),
                languages,
                offers,
                seeks,
                goal(rng, GOALS_HE, offers, seeks, "he"),
                gen.handicap(0.08),
                consent=rng.random() < 0.93,
            )
        )
    mark_hosts(rng, people, 5)
    return {
        "format": "mingle-event/1",
        "event": {
            "name": "ארוחת בוקר עסקית – תל אביב",
            "starts_on": "2027-03-04",
            "ends_on": "2027-03-04",
            "venue": "מלון חוף הים, תל אביב (בדוי)",
            "timezone": "Asia/Jerusalem",
            "languages": ["he", "en"],
            "same_company_apart": True,
        },
        "tags": tag_catalog(),
        "attendees": people,
        "sessions": [
            {
                "key": "breakfast",
                "name": "ארוחת בוקר",
                "kind": "seating",
                "rounds": 1,
                "tables": [
                    {"name": f"שולחן {i}", "capacity": 6, "min_size": 0} for i in range(1, 6)
                ],
            },
        ],
        "constraints": [
            {"kind": "keep_apart", "people": [people[0]["email"], people[1]["email"]]},
        ],
    }


def conference_400() -> dict:
    gen = Generator(SEED + 2)
    rng = gen.rng
    people: list[dict] = []
    n = 0
    while len(people) < 400:
        industry = INDUSTRIES[n % len(INDUSTRIES)]
        company = f"{rng.choice(PLACES_EN)} {industry[1]} Ltd"
        n += 1
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            if len(people) == 400:
                break
            first, last = rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)
            offers, seeks = gen.offers_and_seeks(industry)
            languages = ["en"] + ([rng.choice(OTHER_LANGUAGES)] if rng.random() < 0.25 else [])
            people.append(
                person(
                    first,
                    last,
                    gen.email(first, last, "example.com"),
                    company,
                    rng.choice(TITLES_EN),
                    gen.phone("+44 7"),
                    languages,
                    offers,
                    seeks,
                    goal(rng, GOALS_EN, offers, seeks, "en"),
                    gen.handicap(0.3),
                    consent=rng.random() < 0.9,
                )
            )
    mark_hosts(rng, people, 40)
    lawyers = [p for p in people if p["company"].endswith("Legal Ltd")]
    rivals = [lawyers[0], next(p for p in lawyers if p["company"] != lawyers[0]["company"])]
    return {
        "format": "mingle-event/1",
        "event": {
            "name": "Northern Growth Conference 2027",
            "starts_on": "2027-10-06",
            "ends_on": "2027-10-07",
            "venue": "Riverside Conference Centre, Manchester (fictional)",
            "timezone": "Europe/London",
            "languages": ["en"],
            "same_company_apart": True,
        },
        "tags": tag_catalog(),
        "attendees": people,
        "sessions": [
            {
                "key": "dinner",
                "name": "Conference dinner",
                "kind": "seating",
                "rounds": 2,
                "tables": [
                    {"name": f"Table {i}", "capacity": 10, "min_size": 6} for i in range(1, 41)
                ],
            },
        ],
        "constraints": [
            # Rivals: the first two people from different companies in the same trade.
            {"kind": "keep_apart", "people": [rivals[0]["email"], rivals[1]["email"]]},
            {
                "kind": "keep_together",
                "people": [people[10]["email"], people[11]["email"]],
                "session": "dinner",
            },
        ],
    }


def dump(data: dict) -> str:
    """JSON with one line per attendee, tag, session and constraint: readable and diffable."""
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n".join("  " + json.dumps(v, ensure_ascii=False) for v in value)
            parts.append(f' "{key}": [\n{items}\n ]')
        else:
            parts.append(f' "{key}": {json.dumps(value, ensure_ascii=False)}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main() -> None:
    for name, build in (
        ("nordic-golf", nordic_golf),
        ("tel-aviv-breakfast", tel_aviv_breakfast),
        ("conference-400", conference_400),
    ):
        data = build()
        (HERE / f"{name}.json").write_text(dump(data), encoding="utf-8")
        print(f"{name}.json: {len(data['attendees'])} attendees")


if __name__ == "__main__":
    main()
