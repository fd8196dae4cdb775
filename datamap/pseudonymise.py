"""The keyed HMAC tokens of the test dataset: the same value gives the same token everywhere,
so joins still work, and nothing is learnt without the key."""

import hashlib
import hmac
import ipaddress
import re

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")

FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Robin",
    "Jamie",
    "Charlie",
    "Riley",
    "Avery",
    "Quinn",
    "Rowan",
    "Sasha",
    "Drew",
    "Ellis",
    "Frankie",
    "Harper",
    "Jesse",
    "Kit",
    "Lee",
    "Max",
    "Noel",
    "Parker",
    "Reese",
    "Sky",
    "Toni",
    "Val",
    "Wren",
    "Ash",
]
LAST_NAMES = [
    "Archer",
    "Baker",
    "Carter",
    "Dawson",
    "Ellison",
    "Fletcher",
    "Garner",
    "Hayes",
    "Irving",
    "Jennings",
    "Keller",
    "Lawson",
    "Mercer",
    "Norris",
    "Oakley",
    "Porter",
    "Quarry",
    "Rhodes",
    "Sawyer",
    "Thorne",
    "Upton",
    "Vance",
    "Walker",
    "Yates",
    "Zeller",
]


class Pseudonymiser:
    def __init__(self, key: bytes, known_names: set[str] = frozenset()):
        self.key = key
        names = sorted((n for n in known_names if len(n) >= 4), key=len, reverse=True)
        self.names = (
            re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE) if names else None
        )

    def token(self, kind: str, value: str) -> str:
        digest = hmac.new(self.key, f"{kind}:{value}".encode(), hashlib.sha256)
        return digest.hexdigest()[:16]

    def email(self, value: str) -> str:
        return f"user-{self.token('email', value.strip().lower())}@example.invalid"

    def name(self, value: str) -> str:
        digest = bytes.fromhex(self.token("name", value.strip().lower()))
        return (
            f"{FIRST_NAMES[digest[0] % len(FIRST_NAMES)]} {LAST_NAMES[digest[1] % len(LAST_NAMES)]}"
        )

    def ip(self, value: str) -> str:
        digest = bytes.fromhex(self.token("ip", value) + self.token("ip6", value))
        try:
            version = ipaddress.ip_address(value).version
        except ValueError:
            version = 4
        if version == 6:
            groups = [digest[i : i + 2].hex() for i in range(0, 12, 2)]
            return "2001:db8:" + ":".join(groups)
        network = ("192.0.2", "198.51.100", "203.0.113")[digest[0] % 3]
        return f"{network}.{digest[1] % 254 + 1}"

    def text(self, value: str) -> str:
        return f"Pseudonymised text {self.token('text', value)}." if value else value

    def scrub(self, value: str) -> str:
        """A string nobody calls personal, with any e-mail, IP or known name inside replaced."""
        value = EMAIL.sub(lambda m: self.email(m[0]), value)
        value = IPV4.sub(lambda m: self.ip(m[0]) if is_ip_address(m[0]) else m[0], value)
        value = IPV6.sub(lambda m: self.ip(m[0]) if is_ip_address(m[0]) else m[0], value)
        if self.names is not None:
            value = self.names.sub(lambda m: self.name(m[0]), value)
        return value

    def scrub_json(self, value):
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub_json(v) for k, v in value.items()}
        return value


def is_ip_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
