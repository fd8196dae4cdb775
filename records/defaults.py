"""The record of processing as first written: one activity per purpose of the privacy notice.

Seeded into an empty record by records/migrations/0002_seed_processing_activities.py; the DPO
edits it from then on in the back office.
"""

from datamap.purposes import Purpose

HOSTING = {
    "name": "Cloud hosting provider",
    "region": "United Kingdom (London)",
    "safeguards": "Article 28 contract; UK data centres only; ISO 27001; encryption at rest.",
}
EMAIL = {
    "name": "Transactional e-mail provider",
    "region": "United Kingdom",
    "safeguards": "Article 28 contract; UK processing only; TLS in transit.",
}

SECURITY = (
    "Passwords hashed with Argon2; TOTP second factor for privileged roles; role-based access "
    "with MFA for the back office; TLS in transit; encrypted backups; an append-only, "
    "hash-chained audit trail of back-office actions."
)

# The newsletter, webinars and product news go only to people who ticked them on their
# e-mail preferences: consent, withdrawn by unticking (records/migrations/0006 moved the
# activity from legitimate interests to consent where the DPO had not edited it).
MARKETING_PURPOSE = (
    "Send the newsletter, webinar invitations and product news a person asked for on their "
    "e-mail preferences; stop at once when they untick a topic or object to direct marketing."
)
MARKETING_PEOPLE = "Users and client admins who ticked a topic on their e-mail preferences."

ACTIVITIES = (
    {
        "slug": Purpose.ACCOUNTS.value,
        "name": "Account administration and access control",
        "purpose": "Create and manage the accounts of clients' users, authenticate them "
        "(password and second factor) and control what each may do.",
        "legal_basis": "contract",
        "legitimate_interest": "",
        "balancing_summary": "",
        "people_categories": "Users employed by our clients; client admins; our own staff.",
        "data_categories": ["contact", "login"],
        "recipients": "The client that employs the user (its admins see its users).",
        "processors": [HOSTING, EMAIL],
    },
    {
        "slug": Purpose.SECURITY.value,
        "name": "Security monitoring and investigations",
        "purpose": "Watch for suspicious access, lock out repeated failures, investigate and "
        "suspend accounts under a person's review, and keep the audit trail.",
        "legal_basis": "legitimate_interests",
        "legitimate_interest": "security",
        "balancing_summary": "Users expect their employer's data to be protected; only login "
        "and access records are used, kept for short periods, and every suspension is "
        "reviewed by a person. The risk to users is low and the benefit to them high.",
        "people_categories": "Users; people who try to log in; our own staff.",
        "data_categories": ["security", "login"],
        "recipients": "Regulators or law enforcement where the law requires.",
        "processors": [HOSTING],
    },
    {
        "slug": Purpose.USAGE.value,
        "name": "Usage logging and client usage reports",
        "purpose": "Log how the product is used (dates, times, IP address, what was done) and "
        "report usage patterns (frequency and purpose) to the client that employs the user.",
        "legal_basis": "legitimate_interests",
        "legitimate_interest": "goods_and_services",
        "balancing_summary": "Clients pay for the product for their staff and need to know it "
        "is used; the notice tells users so, reports cover frequency and purpose only, and raw "
        "events are kept thirteen months.",
        "people_categories": "Users employed by our clients.",
        "data_categories": ["usage"],
        "recipients": "The client that employs the user (usage reports).",
        "processors": [HOSTING],
    },
    {
        "slug": Purpose.ANALYTICS.value,
        "name": "Aggregated analytics and product development",
        "purpose": "Improve the product from aggregated, non-personal figures; develop and test "
        "with pseudonymised data only.",
        "legal_basis": "legitimate_interests",
        "legitimate_interest": "product_development",
        "balancing_summary": "Figures are aggregated and test data is pseudonymised before "
        "use, so no one is singled out; the intrusion is minimal.",
        "people_categories": "Users employed by our clients.",
        "data_categories": ["usage"],
        "recipients": "None outside the company.",
        "processors": [HOSTING],
    },
    {
        "slug": Purpose.SUPPORT.value,
        "name": "Support enquiries",
        "purpose": "Answer the questions and requests people send to support.",
        "legal_basis": "legitimate_interests",
        "legitimate_interest": "customer_relationships",
        "balancing_summary": "People write to us to be answered; we use what they send only "
        "to answer and keep it one year after we last dealt with it.",
        "people_categories": "Users; clients' staff; members of the public.",
        "data_categories": ["enquiry", "contact"],
        "recipients": "None outside the company.",
        "processors": [HOSTING, EMAIL],
    },
    {
        "slug": Purpose.RIGHTS.value,
        "name": "Rights requests",
        "purpose": "Receive, verify and answer data-protection rights requests within the "
        "statutory deadlines, and keep the record that they were handled.",
        "legal_basis": "legal_obligation",
        "legitimate_interest": "",
        "balancing_summary": "",
        "people_categories": "Users, former users and members of the public who make requests.",
        "data_categories": ["rights_request", "contact"],
        "recipients": "The Information Commissioner's Office, if a complaint is made.",
        "processors": [HOSTING, EMAIL],
    },
    {
        "slug": Purpose.COOKIES.value,
        "name": "Cookies and analytics consent",
        "purpose": "Set performance and functionality cookies only with consent, and keep "
        "proof of each decision.",
        "legal_basis": "consent",
        "legitimate_interest": "",
        "balancing_summary": "",
        "people_categories": "Visitors to the website and users of the product.",
        "data_categories": ["consent"],
        "recipients": "None outside the company.",
        "processors": [HOSTING],
    },
    {
        "slug": Purpose.MARKETING.value,
        "name": "Marketing communications",
        "purpose": MARKETING_PURPOSE,
        "legal_basis": "consent",
        "legitimate_interest": "",
        "balancing_summary": "",
        "people_categories": MARKETING_PEOPLE,
        "data_categories": ["contact"],
        "recipients": "None outside the company.",
        "processors": [HOSTING, EMAIL],
    },
)

# The processor register as first written (records/migrations/0005_seed_processor_register.py).
# The two providers above become register entries by name; Microsoft 365 is the "cloud-based
# SaaS provider such as Microsoft that use geo-regional back up processes" of the notice. The
# agreements' dates and clauses are the DPO's to confirm: the register shows them as missing.
# The EEA has been adequate under the UK's adequacy regulations since the end of the Brexit
# transition period (Data Protection Act 2018, section 17A; 2019 Exit Regulations, Schedule 21).
EEA_ADEQUACY = {"safeguard": "uk_adequacy", "date": "2021-01-01"}
REGISTER = (
    {
        "name": HOSTING["name"],
        "service": "Hosts the product, its database and its files, and keeps their backups.",
        "data_categories": [
            "contact",
            "login",
            "usage",
            "enquiry",
            "consent",
            "security",
            "rights_request",
        ],
        "storage_countries": ["GB"],
        "backup_countries": ["GB"],
        "transfers": {},
        "activities": [spec["slug"] for spec in ACTIVITIES],
    },
    {
        "name": EMAIL["name"],
        "service": "Delivers the e-mails the product sends: invitations, security notices, "
        "answers to rights requests and newsletters.",
        "data_categories": ["contact", "security", "rights_request"],
        "storage_countries": ["GB"],
        "backup_countries": ["GB"],
        "transfers": {},
        "activities": ["accounts", "support", "rights", "marketing"],
    },
    {
        "name": "Microsoft 365",
        "service": "Our staff's e-mail and documents: support enquiries and rights requests "
        "are answered and kept there.",
        "data_categories": ["contact", "enquiry", "rights_request"],
        "storage_countries": ["GB"],
        "backup_countries": ["IE", "NL"],
        "transfers": {"IE": EEA_ADEQUACY, "NL": EEA_ADEQUACY},
        "activities": ["support", "rights"],
    },
)


def register_link(processors, activities) -> None:
    """Link each seeded provider (of the ``processors`` queryset) to its ``activities``. Both
    seeds call it (records 0002 and 0005), with the models they are given: the tests run every
    seed again after a flush, in no fixed order, and the links need both sides."""
    for spec in REGISTER:
        processor = processors.filter(name=spec["name"]).first()
        if processor is not None:
            processor.activities.add(*activities.filter(slug__in=spec["activities"]))
