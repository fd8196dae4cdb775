"""The SAML service provider's key pair: a private key and a self-signed certificate, made with
the cryptography library. Settings make one in PRIVACYDESK_VAR_DIR for the embedded mode;
production names its own files (SSO_SAML_KEY_FILE, SSO_SAML_CERT_FILE). Imports no Django."""

import datetime
import fcntl
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

CERTIFICATE_YEARS = 10


def key_pair_pem(common_name: str) -> tuple[bytes, bytes]:
    """A new RSA-2048 private key (PKCS#8 PEM) and its self-signed certificate (PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * CERTIFICATE_YEARS))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


def key_pair_files(key_path: Path, cert_path: Path, *, common_name: str) -> tuple[str, str]:
    """Make the key pair at these paths unless both exist; the key file is readable by its
    owner only. Returns the two paths as strings (what pysaml2 takes)."""
    if key_path.exists() and cert_path.exists():
        return str(key_path), str(cert_path)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    # Processes that start together (gunicorn's workers, the cluster's nodes) make one pair
    # between them: each making its own would leave one's key beside another's certificate,
    # and the IdP could verify nothing we sign.
    with (key_path.parent / f"{key_path.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (key_path.exists() and cert_path.exists()):
            key_pem, cert_pem = key_pair_pem(common_name)
            descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as key_file:
                key_file.write(key_pem)
            cert_path.write_bytes(cert_pem)
    return str(key_path), str(cert_path)
