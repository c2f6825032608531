"""The guided change-request forms: which fields an agent needs for each kind of change.

One description serves both sides: the pages draw their inputs from it and the requests
service parses, checks and allow-lists exactly these keys. Field kinds name a parser in
`form_input`, or a choice among the account's own records (policy, auto_policy, vehicle,
driver) that the service resolves and checks against the account.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    # text | textarea | date | state | zip | vin | year | integer | money | email | phone |
    # select | policy | auto_policy | vehicle | driver
    kind: str = "text"
    required: bool = True
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for select
    max_len: int = 160
    hint: str = ""
    # Kept on the request for the agent, left out of the activity log and notifications.
    private: bool = False


@dataclass(frozen=True)
class RequestForm:
    kind: str  # personal | commercial | general | contact_us
    subtype: str
    title: str
    blurb: str
    fields: tuple[FormField, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)


EFFECTIVE = FormField(
    "effective_date",
    "Date the change should start",
    "date",
    hint="We can backdate up to 30 days; your agent confirms the date.",
)
NOTES = FormField(
    "notes", "Anything else your agent should know", "textarea", required=False, max_len=1000
)
ADDRESS = (
    FormField("street", "Street address", max_len=160),
    FormField("city", "City", max_len=80),
    FormField("state", "State", "state", hint="Two letters, like ME"),
    FormField("postal_code", "ZIP code", "zip"),
)
NEW_VEHICLE = (
    FormField("year", "Year", "year"),
    FormField("make", "Make", max_len=40),
    FormField("model", "Model", max_len=60),
    FormField(
        "vin",
        "VIN (17 characters)",
        "vin",
        hint="On the driver-side dashboard, the door frame, or the title.",
    ),
)
VEHICLE_USE = FormField(
    "usage",
    "How the vehicle is used",
    "select",
    options=(
        ("commute", "Commute to work or school"),
        ("pleasure", "Pleasure"),
        ("business", "Business"),
        ("farm", "Farm"),
    ),
)
LIENHOLDER = FormField(
    "lienholder", "Lender or leasing company (if financed)", required=False, max_len=160
)
ADD_REMOVE = FormField(
    "action",
    "What should change",
    "select",
    options=(("add", "Add"), ("remove", "Remove"), ("change", "Change")),
)
LOCATION_ACTIONS = (
    ("add", "Add a location"),
    ("remove", "Remove a location"),
    ("change", "Change details of a location"),
)

PERSONAL_FORMS = (
    RequestForm(
        "personal",
        "address",
        "Change of address",
        "Moved, or getting mail somewhere new? Tell us the new address.",
        (
            *ADDRESS,
            FormField(
                "garaging_changed",
                "Vehicles are kept at the new address too",
                "select",
                required=False,
                options=(("yes", "Yes"), ("no", "No"), ("no_vehicles", "No vehicles")),
            ),
            EFFECTIVE,
            NOTES,
        ),
    ),
    RequestForm(
        "personal",
        "vehicle_add",
        "Add a vehicle",
        "A new car, truck or motorcycle to insure.",
        (
            FormField("policy_id", "Auto policy", "auto_policy"),
            *NEW_VEHICLE,
            VEHICLE_USE,
            LIENHOLDER,
            EFFECTIVE,
            NOTES,
        ),
    ),
    RequestForm(
        "personal",
        "vehicle_replace",
        "Replace a vehicle",
        "Traded one vehicle for another.",
        (
            FormField("vehicle_id", "Vehicle you no longer have", "vehicle"),
            *NEW_VEHICLE,
            VEHICLE_USE,
            LIENHOLDER,
            EFFECTIVE,
            NOTES,
        ),
    ),
    RequestForm(
        "personal",
        "vehicle_remove",
        "Remove a vehicle",
        "Sold, totalled or no longer driven.",
        (
            FormField("vehicle_id", "Vehicle to remove", "vehicle"),
            FormField(
                "reason",
                "Why",
                "select",
                options=(
                    ("sold", "Sold or traded"),
                    ("totalled", "Totalled"),
                    ("stored", "Stored, not driven"),
                    ("other", "Other"),
                ),
            ),
            EFFECTIVE,
            NOTES,
        ),
    ),
    RequestForm(
        "personal",
        "driver_add",
        "Add a driver",
        "A new household driver, such as a teen with a permit.",
        (
            FormField("policy_id", "Auto policy", "auto_policy"),
            FormField("first_name", "First name", max_len=80),
            FormField("last_name", "Last name", max_len=80),
            FormField("birth_date", "Date of birth", "date", private=True),
            FormField("license_state", "License state", "state"),
            FormField(
                "license_number",
                "Driver's license number",
                max_len=20,
                private=True,
                required=False,
                hint="Optional; your agent can also call for it.",
            ),
            FormField(
                "relationship",
                "Relationship to you",
                "select",
                options=(
                    ("spouse", "Spouse or partner"),
                    ("child", "Child"),
                    ("parent", "Parent"),
                    ("other_relative", "Other relative"),
                    ("other", "Other household member"),
                ),
            ),
            EFFECTIVE,
            NOTES,
        ),
    ),
    RequestForm(
        "personal",
        "driver_remove",
        "Remove a driver",
        "Someone moved out or no longer drives your vehicles.",
        (
            FormField("driver_id", "Driver to remove", "driver"),
            FormField(
                "reason",
                "Why",
                "select",
                options=(
                    ("moved_out", "Moved out"),
                    ("own_policy", "Has own policy"),
                    ("no_longer_drives", "No longer drives"),
                    ("other", "Other"),
                ),
            ),
            EFFECTIVE,
            NOTES,
        ),
    ),
    RequestForm(
        "personal",
        "coverage",
        "Change coverage",
        "Raise or lower a limit or deductible, add or drop a coverage.",
        (
            FormField("policy_id", "Policy", "policy"),
            FormField(
                "change",
                "The change you'd like",
                "textarea",
                max_len=1000,
                hint="For example: raise liability to 250/500, comprehensive deductible to $250.",
            ),
            EFFECTIVE,
        ),
    ),
)

COMMERCIAL_FORMS = (
    RequestForm(
        "commercial",
        "location",
        "Business location",
        "Open, close or change a location we insure.",
        (
            FormField("action", "What should change", "select", options=LOCATION_ACTIONS),
            *ADDRESS,
            FormField(
                "occupancy",
                "What happens there",
                max_len=200,
                hint="Office, retail store, warehouse, kitchen…",
            ),
            FormField("square_feet", "Square footage", "integer", required=False),
            FormField("policy_id", "Policy", "policy", required=False),
            EFFECTIVE,
            NOTES,
        ),
    ),
    RequestForm(
        "commercial",
        "equipment",
        "Equipment",
        "Add or remove tools, machinery or business equipment.",
        (
            ADD_REMOVE,
            FormField(
                "description",
                "Equipment",
                max_len=200,
                hint="Make, model and what it is used for.",
            ),
            FormField("serial_number", "Serial number", required=False, max_len=60),
            FormField("value", "Value in dollars", "money"),
            FormField("policy_id", "Policy", "policy", required=False),
            EFFECTIVE,
            NOTES,
        ),
    ),
    RequestForm(
        "commercial",
        "vehicle",
        "Business vehicle",
        "Add or remove a vehicle on your commercial auto policy.",
        (
            FormField(
                "action",
                "What should change",
                "select",
                options=(("add", "Add"), ("remove", "Remove")),
            ),
            *NEW_VEHICLE,
            FormField("garaging_zip", "ZIP code where it is kept", "zip"),
            FormField("policy_id", "Policy", "policy", required=False),
            EFFECTIVE,
            NOTES,
        ),
    ),
    RequestForm(
        "commercial",
        "payroll",
        "Employees and payroll",
        "Headcount or payroll changed since your last audit.",
        (
            FormField("full_time", "Full-time employees", "integer"),
            FormField("part_time", "Part-time employees", "integer"),
            FormField("annual_payroll", "Estimated annual payroll in dollars", "money"),
            FormField("duties", "What new employees do", required=False, max_len=200),
            FormField("policy_id", "Policy", "policy", required=False),
            EFFECTIVE,
            NOTES,
        ),
    ),
    RequestForm(
        "commercial",
        "additional_insured",
        "Additional insured",
        "Add a landlord, lender or client as an additional insured.",
        (
            FormField("name", "Name of the person or company", max_len=160),
            *ADDRESS,
            FormField(
                "relationship",
                "Their relationship to you",
                "select",
                options=(
                    ("landlord", "Landlord"),
                    ("lender", "Lender"),
                    ("client", "Client or general contractor"),
                    ("vendor", "Vendor"),
                    ("other", "Other"),
                ),
            ),
            FormField("email", "Their email (for the certificate)", "email", required=False),
            FormField("policy_id", "Policy", "policy", required=False),
            EFFECTIVE,
            NOTES,
        ),
    ),
    RequestForm(
        "commercial",
        "other",
        "Something else",
        "Any other change to your business insurance.",
        (
            FormField("policy_id", "Policy", "policy", required=False),
            FormField("change", "The change you'd like", "textarea", max_len=2000),
            EFFECTIVE,
        ),
    ),
)

GENERAL_FORM = RequestForm(
    "general",
    "general",
    "General request",
    "Ask for anything that isn't a listed change.",
    (
        FormField("subject", "Subject", max_len=120),
        FormField("policy_id", "Policy it is about", "policy", required=False),
        FormField("message", "Your request", "textarea", max_len=4000),
    ),
)

CONTACT_TOPICS = (
    ("question", "A question about my policy"),
    ("billing", "Billing"),
    ("claim", "A claim"),
    ("documents", "Documents or ID cards"),
    ("website", "Using Client Center"),
    ("other", "Something else"),
)
CONTACT_FORM = RequestForm(
    "contact_us",
    "message",
    "Contact us",
    "Send your agency a message.",
    (
        FormField("topic", "Topic", "select", options=CONTACT_TOPICS),
        FormField("message", "Message", "textarea", max_len=4000),
        FormField(
            "reply_by",
            "Best way to reach you",
            "select",
            options=(("email", "Email"), ("phone", "Phone call"), ("text", "Text message")),
        ),
    ),
)

ALL_FORMS = (*PERSONAL_FORMS, *COMMERCIAL_FORMS, GENERAL_FORM, CONTACT_FORM)
FORMS = {(f.kind, f.subtype): f for f in ALL_FORMS}


def form_for(kind: str, subtype: str) -> RequestForm | None:
    return FORMS.get((kind, subtype))
