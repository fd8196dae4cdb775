"""The privacy notice's fixed frame: its sections in the company's order, the tables
generated into each, and the facts that are not the DPO's to edit (the ICO's details, the
browser advice on cookies)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TableSpec:
    title: str
    source: str  # the snapshot's key holding the rows
    columns: tuple[tuple[str, str], ...]  # (row key, heading)


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    tables: tuple[str, ...] = ()
    # Blocks with their own template (cookies/notice/_<block>.html) and text (.text).
    blocks: tuple[str, ...] = ()


TABLES = {
    "information_types": TableSpec(
        "The information we hold",
        "information_types",
        (
            ("name", "Information type"),
            ("description", "Description of information"),
            ("source", "Source of information"),
        ),
    ),
    "retention": TableSpec(
        "How long we keep each kind of information",
        "retention",
        (("information", "Information"), ("kept", "How long we keep it")),
    ),
    "purposes": TableSpec(
        "What we use your data for, and the legal basis for each use",
        "purposes",
        (("name", "Use"), ("purpose", "What we do"), ("legal_basis", "Legal basis")),
    ),
    "legitimate_interests": TableSpec(
        "Our legitimate interests",
        "legitimate_interests",
        (
            ("interest", "Legitimate interest"),
            ("explanation", "Explanation of processing"),
            ("processing", "Where we rely on it"),
            ("balancing", "Why it does not override your interests"),
        ),
    ),
    "recipients": TableSpec(
        "Who receives your data, for each use",
        "recipients",
        (("processing", "Use"), ("recipients", "Recipients")),
    ),
    "service_providers": TableSpec(
        "Our service providers",
        "service_providers",
        (
            ("name", "Service provider"),
            ("service", "What they do for us"),
            ("data", "Data they receive"),
        ),
    ),
    "locations": TableSpec(
        "Where our service providers store and back up your data",
        "service_providers",
        (("name", "Service provider"), ("where", "Where"), ("safeguard", "Safeguards")),
    ),
    "cookie_types": TableSpec(
        "The types of cookies we use",
        "cookie_types",
        (("name", "Type"), ("description", "What they do"), ("consent", "When we use them")),
    ),
}

SECTIONS = (
    Section("uses", "1. How we use your data to operate our products to you"),
    Section("sources", "2. How we obtain and use your data", tables=("information_types",)),
    Section("retention", "3. How long we keep your data for", tables=("retention",)),
    Section(
        "legal_basis",
        "4. Our legal basis for processing your information",
        tables=("purposes", "legitimate_interests"),
    ),
    Section(
        "sharing",
        "5. Who we share your data with",
        tables=("recipients", "service_providers"),
    ),
    Section("storage", "6. Where we store your data", tables=("locations",)),
    Section("automated", "7. Use of automated decision making or profiling"),
    Section("rights", "8. Your rights in relation to the data processing we carry out"),
    Section("complaints", "9. Your right to complain", blocks=("complaints",)),
    Section(
        "cookies", "10. How we use cookies", tables=("cookie_types",), blocks=("cookie_blocking",)
    ),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)

ICO = {
    "name": "Information Commissioner's Office",
    "website": "www.ico.org.uk",
    "website_url": "https://ico.org.uk/",
    "phone": "0303 123 1113",
    "address": "Information Commissioner's Office, Wycliffe House, Water Lane, Wilmslow, SK9 5AF",
}

ABOUT_COOKIES = {
    "name": "www.aboutcookies.org",
    "url": "https://www.aboutcookies.org/",
    "before": "You might want to visit ",
    "after": " for further details on this and on cookies generally.",
}

BROWSER_ADVICE = (
    "Your browser options will let you deny either all or certain cookies, effectively "
    "blocking cookies. You might not be able to access sections of our business product "
    "websites or use their services, though, if you use your browser settings to block all "
    "cookies, including strictly necessary ones."
)


def fixed_facts() -> dict:
    """What the notice's templates and the cookie policy show besides the DPO's prose."""
    return {"ico": ICO, "about_cookies": ABOUT_COOKIES, "browser_advice": BROWSER_ADVICE}
