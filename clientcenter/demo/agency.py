"""The demo agency: producers, accounts, policies, documents, bills and certificates.

`python -m clientcenter.cli demo` loads it once; running it again changes nothing.
Dates are relative to today so the demo never goes stale.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import phonenumbers
from email_validator import validate_email
from sqlmodel import Session, select

from clientcenter.models import (
    Account,
    Agent,
    Certificate,
    CertificateHolder,
    Claim,
    Contact,
    Coverage,
    Document,
    Driver,
    IntegrationLink,
    Invoice,
    Payment,
    Policy,
    Proposal,
    Vehicle,
)
from clientcenter.models.policies import POLICY_LINES
from clientcenter.services.agency.roles import Role
from clientcenter.services.agency.staff import send_setup_link
from clientcenter.services.dates import date_text
from clientcenter.services.files import storage
from clientcenter.services.files.pdf import BrandedPDF
from clientcenter.settings import Settings, get_settings

DEMO_MARKER_EMAIL = "agent@example.com"

AGENTS = [
    ("agent@example.com", "Alex", "Morgan", "+12075550100", "Producer", "administrator"),
    ("priya.shah@harborandmain.example", "Priya", "Shah", "+12075550110", "Producer", "producer"),
    (
        "dan.okafor@harborandmain.example",
        "Dan",
        "Okafor",
        "+12075550120",
        "Commercial Lines Producer",
        "producer",
    ),
    (
        "lee.chen@harborandmain.example",
        "Lee",
        "Chen",
        "+12075550130",
        "Account Manager",
        "customer_service",
    ),
    # Reads the audit trail and the activity; changes nothing (services/agency/roles.py).
    (
        "robin.ellis@harborandmain.example",
        "Robin",
        "Ellis",
        "+12075550140",
        "Compliance",
        "auditor",
    ),
]

COVERAGES = {
    "auto": [
        ("Bodily Injury Liability", "$100,000 / $300,000", ""),
        ("Property Damage Liability", "$100,000", ""),
        ("Uninsured Motorist", "$100,000 / $300,000", ""),
        ("Medical Payments", "$5,000", ""),
        ("Comprehensive", "Actual cash value", "$500"),
        ("Collision", "Actual cash value", "$1,000"),
        ("Rental Reimbursement", "$40/day, 30 days", ""),
    ],
    "home": [
        ("Dwelling (Coverage A)", "$420,000", "$1,000"),
        ("Other Structures (Coverage B)", "$42,000", "$1,000"),
        ("Personal Property (Coverage C)", "$210,000", "$1,000"),
        ("Loss of Use (Coverage D)", "$84,000", ""),
        ("Personal Liability (Coverage E)", "$300,000", ""),
        ("Medical Payments (Coverage F)", "$5,000", ""),
        ("Wind/Hail", "Included", "2%"),
    ],
    "renters": [
        ("Personal Property", "$30,000", "$500"),
        ("Loss of Use", "$9,000", ""),
        ("Personal Liability", "$100,000", ""),
    ],
    "umbrella": [("Personal Umbrella Liability", "$1,000,000", "$0 retained limit")],
    "boat": [
        ("Hull", "$28,000 agreed value", "$500"),
        ("Boat Liability", "$300,000", ""),
        ("Towing and Assistance", "$500", ""),
    ],
    "bop": [
        ("Business Personal Property", "$150,000", "$1,000"),
        ("Business Income", "12 months actual loss", "72 hours"),
        ("General Liability - Each Occurrence", "$1,000,000", ""),
        ("General Liability - Aggregate", "$2,000,000", ""),
        ("Hired and Non-owned Auto", "$1,000,000", ""),
    ],
    "general_liability": [
        ("Each Occurrence", "$1,000,000", ""),
        ("General Aggregate", "$2,000,000", ""),
        ("Products-Completed Operations", "$2,000,000", ""),
        ("Personal and Advertising Injury", "$1,000,000", ""),
        ("Damage to Rented Premises", "$100,000", ""),
    ],
    "commercial_auto": [
        ("Combined Single Limit", "$1,000,000", ""),
        ("Comprehensive", "Actual cash value", "$1,000"),
        ("Collision", "Actual cash value", "$1,000"),
        ("Hired Auto Physical Damage", "$50,000", "$500"),
    ],
    "workers_comp": [
        ("Workers Compensation", "Statutory (ME)", ""),
        ("Employers Liability - Each Accident", "$500,000", ""),
        ("Employers Liability - Disease Policy Limit", "$500,000", ""),
    ],
    "commercial_property": [
        ("Building", "$1,250,000", "$2,500"),
        ("Business Personal Property", "$300,000", "$2,500"),
        ("Equipment Breakdown", "Included", "$2,500"),
    ],
}

# The carriers' NAIC company codes, printed on ID cards.
NAIC_CODES = {
    "Progressive": "24260",
    "Progressive Commercial": "11770",
    "Safeco": "24740",
    "Travelers": "25658",
    "MMG Insurance": "15997",
    "Lemonade": "16679",
    "The Hartford": "19682",
    "Hanover": "22292",
    "Liberty Mutual": "23035",
    "MEMIC": "11030",
}
CARRIERS = {
    "auto": ["Progressive", "Safeco", "Travelers"],
    "home": ["Travelers", "Safeco", "MMG Insurance"],
    "renters": ["Lemonade", "Safeco"],
    "umbrella": ["Travelers"],
    "boat": ["Progressive"],
    "bop": ["The Hartford", "Hanover"],
    "general_liability": ["Hanover", "Liberty Mutual"],
    "commercial_auto": ["Progressive Commercial"],
    "workers_comp": ["MEMIC"],
    "commercial_property": ["Hanover"],
}

VEHICLES = [
    (2021, "Toyota", "RAV4 XLE", "2T3P1RFV5MC123456"),
    (2018, "Honda", "Civic EX", "2HGFC2F71JH512345"),
    (2023, "Subaru", "Outback Premium", "4S4BTAFC1P3154321"),
    (2016, "Ford", "F-150 XLT", "1FTEW1EF9GFA67890"),
    (2020, "Tesla", "Model 3", "5YJ3E1EA8LF612345"),
    (2019, "Chevrolet", "Equinox LT", "2GNAXKEV4K6234567"),
]


@dataclass
class DemoContact:
    role: str
    first: str
    last: str
    email: str | None
    mobile: str | None = None
    may_log_in: bool | None = None


@dataclass
class DemoPolicy:
    line: str
    status: str = "active"
    vehicles: int = 0
    drivers: list[tuple[str, str]] = field(default_factory=list)
    term_offset_days: int = -120  # effective date relative to today


@dataclass
class DemoAccount:
    kind: str
    name: str
    producer: str
    contacts: list[DemoContact]
    policies: list[DemoPolicy]
    business_name: str | None = None
    address: tuple[str, str, str, str] = ("12 Pine Street", "Portland", "ME", "04101")
    holders: list[tuple[str, str]] = field(default_factory=list)
    proposal: str | None = None
    closed_claim: bool = False


ACCOUNTS = [
    DemoAccount(
        "personal",
        "Pat & Sam Rivera",
        "agent@example.com",
        [
            DemoContact("primary", "Pat", "Rivera", "pat.rivera@example.com", "+12075550101"),
            DemoContact("co_applicant", "Sam", "Rivera", "sam.rivera@example.com", "+12075550102"),
            DemoContact("additional", "Ava", "Rivera", "ava.rivera@example.com", None),
        ],
        [
            DemoPolicy("auto", vehicles=2, drivers=[("Pat", "Rivera"), ("Sam", "Rivera")]),
            DemoPolicy("home", term_offset_days=-40),
            DemoPolicy("umbrella", status="expired", term_offset_days=-500),
        ],
        address=("48 Ocean Avenue", "Portland", "ME", "04103"),
        proposal="umbrella",
        closed_claim=True,
    ),
    DemoAccount(
        "personal",
        "Jordan Lee",
        "priya.shah@harborandmain.example",
        [DemoContact("primary", "Jordan", "Lee", "jordan.lee@example.com", "+12075550103")],
        [DemoPolicy("renters"), DemoPolicy("auto", vehicles=1, drivers=[("Jordan", "Lee")])],
        address=("7 Danforth Street, Apt 3", "Portland", "ME", "04101"),
    ),
    DemoAccount(
        "commercial",
        "Lee Design Studio LLC",
        "dan.okafor@harborandmain.example",
        [
            DemoContact("primary", "Jordan", "Lee", "jordan.lee@example.com", "+12075550103"),
            DemoContact("additional", "Rae", "Lopez", "office@leedesign.example", "+12075550104"),
        ],
        [DemoPolicy("bop"), DemoPolicy("general_liability", term_offset_days=-200)],
        business_name="Lee Design Studio LLC",
        address=("120 Exchange Street", "Portland", "ME", "04101"),
        holders=[
            ("Exchange Street Properties LLC", "leasing@exchangestreet.example"),
            ("City of Portland", "permits@portland.example"),
        ],
    ),
    DemoAccount(
        "personal",
        "Casey Quinn",
        "agent@example.com",
        [DemoContact("primary", "Casey", "Quinn", "casey.quinn@example.com", "+12075550105")],
        [
            DemoPolicy(
                "auto",
                status="expired",
                vehicles=1,
                drivers=[("Casey", "Quinn")],
                term_offset_days=-420,
            ),
            DemoPolicy("home", status="cancelled", term_offset_days=-90),
        ],
        address=("3 Elm Court", "Falmouth", "ME", "04105"),
    ),
    DemoAccount(
        "personal",
        "Morgan Ellis",
        "priya.shah@harborandmain.example",
        [DemoContact("primary", "Morgan", "Ellis", "morgan.ellis@example.com", None)],
        [DemoPolicy("home", term_offset_days=-300)],
        address=("91 Brackett Street", "Portland", "ME", "04102"),
    ),
    DemoAccount(
        "personal",
        "Minh & Lan Nguyen",
        "agent@example.com",
        [
            DemoContact("primary", "Minh", "Nguyen", "minh.nguyen@example.com", "+12075550106"),
            DemoContact("co_applicant", "Lan", "Nguyen", "lan.nguyen@example.com", None),
        ],
        [
            DemoPolicy("auto", vehicles=2, drivers=[("Minh", "Nguyen"), ("Lan", "Nguyen")]),
            DemoPolicy("home"),
        ],
        address=("15 Gray Road", "Westbrook", "ME", "04092"),
    ),
    DemoAccount(
        "commercial",
        "Bright Bakery LLC",
        "dan.okafor@harborandmain.example",
        [DemoContact("primary", "Dana", "Bright", "dana@brightbakery.example", "+12075550107")],
        [
            DemoPolicy("bop"),
            DemoPolicy("commercial_auto", vehicles=1),
            DemoPolicy("workers_comp", term_offset_days=-30),
        ],
        business_name="Bright Bakery LLC",
        address=("5 Fore Street", "Portland", "ME", "04101"),
        holders=[("Fore Street Landlord Inc.", "accounts@forestreet.example")],
    ),
    DemoAccount(
        "personal",
        "Siobhan O'Brien",
        "priya.shah@harborandmain.example",
        [
            DemoContact(
                "primary", "Siobhan", "O'Brien", "siobhan.obrien@example.com", "+12075550108"
            )
        ],
        [DemoPolicy("renters", term_offset_days=-10)],
        address=("22 Munjoy Hill", "Portland", "ME", "04101"),
    ),
    DemoAccount(
        "personal",
        "José Álvarez",
        "agent@example.com",
        [DemoContact("primary", "José", "Álvarez", "jose.alvarez@example.com", "+12075550109")],
        [DemoPolicy("auto", vehicles=1, drivers=[("José", "Álvarez")]), DemoPolicy("boat")],
        address=("60 Route 1", "Scarborough", "ME", "04074"),
    ),
    DemoAccount(
        "commercial",
        "Patel Dental Group PC",
        "dan.okafor@harborandmain.example",
        [
            DemoContact("primary", "Anika", "Patel", "anika@pateldental.example", "+12075550111"),
            DemoContact("co_applicant", "Raj", "Patel", "raj@pateldental.example", None),
        ],
        [
            DemoPolicy("commercial_property"),
            DemoPolicy("general_liability"),
            DemoPolicy("workers_comp"),
        ],
        business_name="Patel Dental Group PC",
        address=("400 Congress Street", "Portland", "ME", "04101"),
        holders=[("Congress Medical Plaza", "manager@congressplaza.example")],
    ),
    DemoAccount(
        "personal",
        "Grace Kim",
        "priya.shah@harborandmain.example",
        [DemoContact("primary", "Grace", "Kim", "grace.kim@example.com", "+12075550112")],
        [DemoPolicy("auto", vehicles=1, drivers=[("Grace", "Kim")]), DemoPolicy("umbrella")],
        address=("8 Shore Road", "Cape Elizabeth", "ME", "04107"),
    ),
    DemoAccount(
        "commercial",
        "Thompson Landscaping Inc.",
        "dan.okafor@harborandmain.example",
        [
            DemoContact(
                "primary", "Ray", "Thompson", "ray@thompsonlandscaping.example", "+12075550113"
            )
        ],
        [
            DemoPolicy("general_liability"),
            DemoPolicy("commercial_auto", vehicles=2),
            DemoPolicy("workers_comp", status="cancelled", term_offset_days=-400),
        ],
        business_name="Thompson Landscaping Inc.",
        address=("77 Industrial Way", "Gorham", "ME", "04038"),
        holders=[("Town of Gorham", "clerk@gorham.example")],
    ),
    DemoAccount(
        "personal",
        "Elena Garcia",
        "agent@example.com",
        [DemoContact("primary", "Elena", "Garcia", "elena.garcia@example.com", None)],
        [
            DemoPolicy("home", status="pending", term_offset_days=10),
            DemoPolicy("auto", vehicles=1, drivers=[("Elena", "Garcia")]),
        ],
        address=("19 Bramhall Street", "Portland", "ME", "04102"),
    ),
    DemoAccount(
        "personal",
        "Chris Walker",
        "priya.shah@harborandmain.example",
        [DemoContact("primary", "Chris", "Walker", "chris.walker@example.com", "+12075550114")],
        [
            DemoPolicy(
                "auto",
                status="cancelled",
                vehicles=1,
                drivers=[("Chris", "Walker")],
                term_offset_days=-60,
            )
        ],
        address=("2 Wharf Street", "Portland", "ME", "04101"),
    ),
]

DEMO_INTEGRATIONS = [
    (
        "consumer",
        "Report a claim with Progressive",
        "https://www.progressive.com/claims/",
        "Progressive",
        None,
    ),
    (
        "consumer",
        "Pay your Travelers bill",
        "https://www.travelers.com/pay-your-bill",
        "Travelers",
        None,
    ),
    ("non_consumer", "Carrier document vault", "https://vault.harborandmain.example/", None, None),
    ("cross_sell", "Get a home quote", "https://harborandmain.example/quote/home", None, "home"),
    (
        "cross_sell",
        "Get an umbrella quote",
        "https://harborandmain.example/quote/umbrella",
        None,
        "umbrella",
    ),
    ("cross_sell", "Get a boat quote", "https://harborandmain.example/quote/boat", None, "boat"),
    ("cross_sell", "Get an auto quote", "https://harborandmain.example/quote/auto", None, "auto"),
]


class DemoDataError(ValueError):
    pass


def _check_contact(c: DemoContact, account: str) -> None:
    """The demo file is input like any other: malformed values stop the load."""
    if c.email is not None:
        try:
            validate_email(c.email, check_deliverability=False)
        except Exception as exc:  # email_validator's own error names the problem
            raise DemoDataError(
                f"demo account {account!r}: contact email {c.email!r}: {exc}"
            ) from exc
    if c.mobile is not None:
        number = phonenumbers.parse(c.mobile, "US")
        if not phonenumbers.is_possible_number(number):
            raise DemoDataError(f"demo account {account!r}: mobile {c.mobile!r} is not valid")
        if phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != c.mobile:
            raise DemoDataError(f"demo account {account!r}: mobile {c.mobile!r} is not E.164")


def load_demo(
    session: Session, settings: Settings | None = None, today: date | None = None
) -> bool:
    """Load the demo agency. Returns False (and changes nothing) if it is already there."""
    settings = settings or get_settings()
    if session.exec(select(Agent).where(Agent.email == DEMO_MARKER_EMAIL)).first():
        return False
    for a in ACCOUNTS:
        for c in a.contacts:
            _check_contact(c, a.name)
    today = today or date.today()
    rng = random.Random(20261123)

    agents = {}
    for email, first, last, phone, title, role in AGENTS:
        agent = Agent(
            email=email, first_name=first, last_name=last, phone=phone, title=title, role=role
        )
        session.add(agent)
        agents[email] = agent
    session.flush()
    # Each demo agent gets the invitation a real one would (in the dev mailbox): signing in
    # the first time starts from its setup link.
    admin = next(a for a in agents.values() if a.role == Role.ADMINISTRATOR)
    for agent in agents.values():
        send_setup_link(session, agent, created_by=admin)

    sync_integration_links(session, settings)
    invoice_seq = 1000
    for spec in ACCOUNTS:
        account = Account(
            kind=spec.kind,
            name=spec.name,
            business_name=spec.business_name,
            producer_id=agents[spec.producer].id,
            street=spec.address[0],
            city=spec.address[1],
            state=spec.address[2],
            postal_code=spec.address[3],
        )
        session.add(account)
        session.flush()
        for c in spec.contacts:
            may = (
                c.may_log_in if c.may_log_in is not None else c.role in ("primary", "co_applicant")
            )
            session.add(
                Contact(
                    account_id=account.id,
                    role=c.role,
                    first_name=c.first,
                    last_name=c.last,
                    email=c.email,
                    mobile=c.mobile,
                    may_log_in=may,
                    notify_by_email=True,
                    notify_by_sms=False,
                )
            )
        first_active = None
        for p in spec.policies:
            policy = _add_policy(session, settings, account, p, today, rng)
            if p.status == "active" and first_active is None:
                first_active = policy
            if p.status == "active":
                invoice_seq += 1
                _add_invoices(session, settings, account, policy, invoice_seq, today)
        for name, email in spec.holders:
            holder = CertificateHolder(
                account_id=account.id,
                name=name,
                email=email,
                street="1 Main Street",
                city=spec.address[1],
                state="ME",
                postal_code=spec.address[3],
            )
            session.add(holder)
            session.flush()
            _add_certificate(session, settings, account, holder, today)
        if spec.proposal:
            _add_proposal(session, settings, account, spec.proposal, today)
        if spec.closed_claim and first_active is not None:
            session.add(
                Claim(
                    account_id=account.id,
                    policy_id=first_active.id,
                    number=f"CLM-{account.id:04d}-1",
                    description="Windshield replacement",
                    loss_date=today - timedelta(days=45),
                    status="closed",
                )
            )
    session.flush()
    return True


def sync_integration_links(session: Session, settings: Settings) -> None:
    """Integration links come from configuration; the demo supplies some if none are set."""
    for link in session.exec(select(IntegrationLink)).all():
        session.delete(link)
    rows = [(i.kind, i.label, str(i.url), i.carrier, i.line) for i in settings.integrations]
    for position, (kind, label, url, carrier, line) in enumerate(rows or DEMO_INTEGRATIONS):
        session.add(
            IntegrationLink(
                kind=kind, label=label, url=url, carrier=carrier, line=line, position=position
            )
        )


def _policy_number(rng: random.Random, line: str) -> str:
    prefix = {
        "auto": "PA",
        "home": "HO",
        "renters": "RN",
        "umbrella": "UM",
        "boat": "BT",
        "bop": "BOP",
        "general_liability": "GL",
        "commercial_auto": "CA",
        "workers_comp": "WC",
        "commercial_property": "CP",
    }[line]
    return f"{prefix}-{rng.randint(1000000, 9999999)}"


def _add_policy(session, settings, account, p: DemoPolicy, today, rng) -> Policy:
    effective = today + timedelta(days=p.term_offset_days)
    months = 6 if p.line == "auto" else 12
    expiration = effective + timedelta(days=182 if months == 6 else 365)
    premium = {
        "auto": 84000,
        "home": 176000,
        "renters": 21000,
        "umbrella": 38000,
        "boat": 52000,
        "bop": 310000,
        "general_liability": 245000,
        "commercial_auto": 640000,
        "workers_comp": 480000,
        "commercial_property": 720000,
    }[p.line] + rng.randint(0, 400) * 100
    policy = Policy(
        account_id=account.id,
        number=_policy_number(rng, p.line),
        line=p.line,
        carrier=(carrier := rng.choice(CARRIERS[p.line])),
        carrier_naic=NAIC_CODES.get(carrier),
        effective_date=effective,
        expiration_date=expiration,
        status=p.status,
        premium_cents=premium,
    )
    session.add(policy)
    session.flush()
    vehicles = []
    for i in range(p.vehicles):
        year, make, model, vin = VEHICLES[(account.id + i) % len(VEHICLES)]
        v = Vehicle(
            policy_id=policy.id,
            year=year,
            make=make,
            model=model,
            vin=vin[:-4] + f"{(account.id * 7 + i) % 10000:04d}",
        )
        session.add(v)
        vehicles.append(v)
    for first, last in p.drivers:
        session.add(
            Driver(
                policy_id=policy.id,
                first_name=first,
                last_name=last,
                birth_date=date(1980 + rng.randint(0, 20), rng.randint(1, 12), 14),
                license_state="ME",
            )
        )
    session.flush()
    for pos, (name, limit, deductible) in enumerate(COVERAGES[p.line]):
        session.add(
            Coverage(
                policy_id=policy.id, name=name, limit=limit, deductible=deductible, position=pos
            )
        )
    _add_document(
        session,
        settings,
        account,
        policy,
        "declarations",
        f"{POLICY_LINES[p.line]} declarations {effective:%Y}",
        _declarations_pdf(settings, account, policy, vehicles),
        today - timedelta(days=max(0, -p.term_offset_days)),
    )
    return policy


def _add_document(
    session, settings, account, policy, category, title, data: bytes, when
) -> Document:
    from datetime import datetime, time

    stored = storage.save_bytes(data, session=session)
    doc = Document(
        account_id=account.id,
        policy_id=policy.id if policy else None,
        category=category,
        title=title,
        filename=title.replace(" ", "-").replace("/", "-") + ".pdf",
        storage_key=stored.storage_key,
        content_type="application/pdf",
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        shared_with_customer=True,
        scan_status="clean",
        created_at=datetime.combine(when, time(14, 0), tzinfo=UTC),
    )
    session.add(doc)
    session.flush()
    return doc


def _declarations_pdf(settings, account, policy: Policy, vehicles) -> bytes:
    pdf = BrandedPDF(settings.branding, f"{POLICY_LINES[policy.line]} - Declarations")
    pdf.field("Named insured", account.name)
    pdf.field(
        "Mailing address",
        f"{account.street}, {account.city}, {account.state} {account.postal_code}",
    )
    pdf.field("Policy number", policy.number)
    pdf.field("Carrier", policy.carrier)
    pdf.field(
        "Policy period",
        f"{date_text(policy.effective_date)} to {date_text(policy.expiration_date)}",
    )
    pdf.field("Total premium", f"${policy.premium_cents / 100:,.2f}")
    pdf.ln(3)
    pdf.table(
        ["Coverage", "Limit", "Deductible"],
        [[n, l, d or "-"] for n, l, d in COVERAGES[policy.line]],
    )
    if vehicles:
        pdf.table(
            ["Year", "Make", "Model", "VIN"], [[v.year, v.make, v.model, v.vin] for v in vehicles]
        )
    pdf.paragraph(
        "This declarations page is part of your policy. Please review it and contact "
        "your agency with any questions."
    )
    return pdf.to_bytes()


def _add_invoices(session, settings, account, policy, seq, today) -> None:
    installment = policy.premium_cents // 4
    paid = Invoice(
        account_id=account.id,
        policy_id=policy.id,
        number=f"INV-{seq}-1",
        description=f"{POLICY_LINES[policy.line]} installment 1 of 4",
        amount_cents=installment,
        due_date=today - timedelta(days=30),
        status="paid",
        paid_cents=installment,
    )
    open_ = Invoice(
        account_id=account.id,
        policy_id=policy.id,
        number=f"INV-{seq}-2",
        description=f"{POLICY_LINES[policy.line]} installment 2 of 4",
        amount_cents=installment,
        due_date=today + timedelta(days=14),
        status="open",
    )
    session.add(paid)
    session.add(open_)
    session.flush()
    session.add(
        Payment(
            account_id=account.id,
            invoice_id=paid.id,
            amount_cents=installment,
            method="check",
            provider="offline",
            status="succeeded",
            idempotency_key=f"demo-{paid.number}",
            memo="Paid by check",
            settles_invoice_id=paid.id,
            settled_at=datetime.combine(paid.due_date, time(15, 0), tzinfo=UTC),
        )
    )
    pdf = BrandedPDF(settings.branding, f"Invoice {open_.number}")
    pdf.field("Bill to", account.name)
    pdf.field("Policy", f"{policy.number} ({policy.carrier})")
    pdf.field("Amount due", f"${open_.amount_cents / 100:,.2f}")
    pdf.field("Due date", f"{date_text(open_.due_date)}")
    _add_document(
        session,
        settings,
        account,
        policy,
        "invoice",
        f"Invoice {open_.number}",
        pdf.to_bytes(),
        today - timedelta(days=5),
    )


def _add_certificate(session, settings, account, holder, today) -> None:
    pdf = BrandedPDF(settings.branding, "Certificate of Liability Insurance")
    pdf.field("Insured", account.name)
    pdf.field("Certificate holder", holder.name)
    pdf.field("Issued", f"{date_text(today)}")
    pdf.paragraph(
        "This certificate is issued as a matter of information only and confers no "
        "rights upon the certificate holder."
    )
    doc = _add_document(
        session,
        settings,
        account,
        None,
        "certificate",
        f"Certificate - {holder.name}",
        pdf.to_bytes(),
        today - timedelta(days=20),
    )
    session.add(
        Certificate(
            account_id=account.id,
            holder_id=holder.id,
            document_id=doc.id,
            description="General liability evidence for lease",
            issued_on=today - timedelta(days=20),
        )
    )


def _add_proposal(session, settings, account, line, today) -> None:
    coverages = [{"name": n, "limit": l, "deductible": d} for n, l, d in COVERAGES[line]]
    session.add(
        Proposal(
            account_id=account.id,
            title=f"{POLICY_LINES[line]} renewal proposal",
            line=line,
            carrier=CARRIERS[line][0],
            premium_cents=41000,
            coverages=coverages,
            valid_until=today + timedelta(days=30),
        )
    )
