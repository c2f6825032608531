"""A large, realistic agency for benchmarks: producers, accounts, contacts and policies.

    python -m bench.generate --accounts 100000 [--database-url URL] [--seed 7]

Deterministic for a seed; `add_accounts` can be called again to grow an agency (10k, then
90k more) without touching what is there. Rows go in through Core bulk inserts, and each
batch is indexed for Super Search by the real indexing code. Names include accents and
apostrophes; emails and policy numbers are unique, phones in many area codes.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import clientcenter.models  # noqa: F401  (registers every table)
from clientcenter.models import Account, Agent, Contact, Policy
from clientcenter.models.search_index import reindex_accounts

FIRST = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara
Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew
Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua
Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca
Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy Jacob Amy Gary Kathleen Nicholas Angela
Eric Shirley Jonathan Emma Stephen Brenda Larry Pamela Justin Nicole Scott Anna Brandon Samantha
Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet
Raymond Maria Jack Olivia Dennis Heather Jerry Helen Tyler Catherine Aaron Diane José Zoë
Siobhan Chloé Renée Noémie Björn Søren Ángel Inés Ramón Sofía Minh Lan Anh Wei Priya Raj Anika
Aisha Omar Fatima Kwame Ngozi Hiroshi Yuki Seo-yeon Ji-ho Dmitri Olga Mateo Lucía François
Zoé Jürgen Łukasz Ciarán Aoife Niamh Séamus Maëlle""".split()
LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans
Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez
Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks
Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long
Ross Foster Jimenez O'Brien O'Connor O'Neill D'Angelo D'Amico O'Malley McCarthy MacDonald Álvarez
Núñez Muñoz Peña Ibáñez Gómez Fernández Müller Schröder Köhler Lefèvre Dubois Château Ólafsson
Øster Łęcki Nováková Dvořák Björk Sørensen Nakamura Tanaka Yamamoto Watanabe Chen Wang Zhang Liu
Singh Shah Okafor Mensah Abara Haddad Khalil Cohen Levi Rossi Russo Esposito Bianchi Romano
Kowalski Nowak Ivanov Petrov Popescu Horvat Kovačević Jovanović Papadopoulos Silva Santos
Oliveira Costa Pereira Lima Carvalho Ferreira Almeida Ribeiro Dupont Moreau Laurent Fontaine
St-Pierre Smith-Jones Ellis Quinn Walsh Byrne Ryan Doyle Kennedy Lynch Murray Quinn Duffy
Gallagher Brennan Hayes Burke Fitzgerald Nolan""".split()
BUSINESS_WORDS = """Harbor Bay Pine Granite Summit Coastal Northern Maple Oak Cedar Bright River
Lighthouse Anchor Beacon Island Valley Ridge Meadow Lakeside Evergreen Atlantic Cape Highland
Ironwood Silver Golden Blue Red Green Union Liberty Heritage Pioneer Frontier Crescent Keystone
Cornerstone Tidewater Northstar Seaside Orchard Willow Birch Falcon Eagle Osprey Puffin""".split()
BUSINESS_KINDS = """Bakery Dental Landscaping Plumbing Electric Roofing Builders Marine Motors
Hardware Cafe Brewing Design Studio Consulting Accounting Law Realty Fitness Salon Auto Body
Veterinary Florist Catering Logistics Trucking Painting Flooring Printing Pharmacy""".split()
SUFFIXES = ["LLC", "Inc.", "Co.", "PC", "Group", "& Sons", "Partners", "Ltd"]
LINES = {
    "personal": [
        ("auto", "PA"),
        ("home", "HO"),
        ("renters", "RN"),
        ("umbrella", "UM"),
        ("boat", "BT"),
    ],
    "commercial": [
        ("bop", "BOP"),
        ("general_liability", "GL"),
        ("commercial_auto", "CA"),
        ("workers_comp", "WC"),
        ("commercial_property", "CP"),
    ],
}
CARRIERS = [
    "Progressive",
    "Safeco",
    "Travelers",
    "MMG Insurance",
    "The Hartford",
    "Hanover",
    "Liberty Mutual",
    "MEMIC",
    "Lemonade",
    "Concord Group",
]
AREA_CODES = [
    "207",
    "603",
    "802",
    "617",
    "508",
    "978",
    "413",
    "401",
    "860",
    "203",
    "212",
    "646",
    "718",
    "516",
    "914",
    "215",
    "412",
    "312",
    "773",
    "415",
    "213",
    "305",
]
PRODUCERS = 25
BATCH = 5000


@dataclass
class Generated:
    accounts: int
    contacts: int
    policies: int
    seconds: float


def _ascii_local(text: str) -> str:
    import unicodedata

    bare = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in bare if ch.isascii() and (ch.isalnum() or ch in "-")).lower()


def ensure_producers(conn: Connection) -> list[int]:
    ids = list(conn.execute(select(Agent.id).order_by(Agent.id)).scalars())
    if ids:
        return ids
    now = datetime.now(UTC)
    rng = random.Random(1)
    rows = [
        {
            "email": f"producer{i:02d}@agency.example",
            "first_name": rng.choice(FIRST),
            "last_name": rng.choice(LAST),
            "phone": None,
            "title": "Producer",
            "role": "producer",
            "is_active": True,
            "created_at": now,
        }
        for i in range(PRODUCERS)
    ]
    conn.execute(insert(Agent), rows)
    return list(conn.execute(select(Agent.id).order_by(Agent.id)).scalars())


def add_accounts(engine: Engine, count: int, seed: int = 7) -> Generated:
    """Add `count` accounts (with contacts and policies) after those already there."""
    started = time.perf_counter()
    with engine.begin() as conn:
        producers = ensure_producers(conn)
        start = conn.execute(select(func.coalesce(func.max(Account.id), 0))).scalar_one()
    totals = Generated(0, 0, 0, 0.0)
    for offset in range(0, count, BATCH):
        n = min(BATCH, count - offset)
        with engine.begin() as conn:
            made = _add_batch(conn, producers, start + offset, n, seed)
            reindex_accounts(conn, range(start + offset + 1, start + offset + n + 1))
        totals.accounts += made.accounts
        totals.contacts += made.contacts
        totals.policies += made.policies
    totals.seconds = time.perf_counter() - started
    return totals


def _add_batch(
    conn: Connection, producers: list[int], first_index: int, n: int, seed: int
) -> Generated:
    """Accounts numbered first_index+1 … first_index+n; every number seeds its own row."""
    now = datetime.now(UTC)
    today = date.today()
    accounts, contacts, policies = [], [], []
    for i in range(first_index + 1, first_index + n + 1):
        rng = random.Random(seed * 1_000_003 + i)
        kind = "commercial" if rng.random() < 0.3 else "personal"
        last = rng.choice(LAST)
        people = [(rng.choice(FIRST), last)]
        if rng.random() < 0.5:
            people.append((rng.choice(FIRST), last if rng.random() < 0.7 else rng.choice(LAST)))
        if rng.random() < 0.2:
            people.append((rng.choice(FIRST), rng.choice(LAST)))
        if kind == "commercial":
            business = (
                f"{rng.choice(BUSINESS_WORDS)} {rng.choice(BUSINESS_KINDS)} {rng.choice(SUFFIXES)}"
            )
            name = business
        else:
            business = None
            name = (
                f"{people[0][0]} {last}"
                if len(people) == 1
                else f"{people[0][0]} & {people[1][0]} {last}"
            )
        accounts.append(
            {
                "id": i,
                "kind": kind,
                "name": name,
                "business_name": business,
                "producer_id": producers[i % len(producers)],
                "street": "",
                "city": "",
                "state": "ME",
                "postal_code": "",
                "created_at": now,
                "updated_at": now,
            }
        )
        for k, (first, last_name) in enumerate(people):
            role = ("primary", "co_applicant", "additional")[k]
            email = f"{_ascii_local(first)}.{_ascii_local(last_name)}.{i}-{k}@example.net"
            mobile = None
            if rng.random() < 0.75:
                # Unique per contact: the account number fills the subscriber digits.
                area = AREA_CODES[(i + k) % len(AREA_CODES)]
                exchange = 200 + (i * 3 + k) % 800
                mobile = f"+1{area}{exchange}{(i * 7 + k * 3) % 10000:04d}"
            contacts.append(
                {
                    "account_id": i,
                    "role": role,
                    "first_name": first,
                    "last_name": last_name,
                    "email": email,
                    "mobile": mobile,
                    "may_log_in": role != "additional",
                    "notify_by_email": True,
                    "notify_by_sms": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for k in range(rng.choice((1, 1, 2, 2, 2, 3, 4))):
            line, prefix = LINES[kind][(k + i) % 5]
            status = "active" if rng.random() < 0.85 else rng.choice(("expired", "cancelled"))
            effective = today - timedelta(days=rng.randint(0, 330))
            policies.append(
                {
                    "account_id": i,
                    "number": f"{prefix}-{i:07d}{k}",
                    "line": line,
                    "carrier": rng.choice(CARRIERS),
                    "effective_date": effective,
                    "expiration_date": effective + timedelta(days=365),
                    "status": status,
                    "premium_cents": rng.randint(300, 9000) * 100,
                    "currency": "USD",
                    "created_at": now,
                    "updated_at": now,
                }
            )
    conn.execute(insert(Account), accounts)
    conn.execute(insert(Contact), contacts)
    conn.execute(insert(Policy), policies)
    return Generated(len(accounts), len(contacts), len(policies), 0.0)


def main(argv: list[str] | None = None) -> int:
    from clientcenter.db import make_engine
    from clientcenter.settings import get_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url or get_settings().database_url)
    SQLModel.metadata.create_all(engine)
    made = add_accounts(engine, args.accounts, args.seed)
    print(
        f"added {made.accounts} accounts, {made.contacts} contacts, {made.policies} policies "
        f"in {made.seconds:.1f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
