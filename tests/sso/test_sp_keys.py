"""The SAML service provider's key pair in the embedded mode (sso.keys): made once in var/,
by whichever process starts first, and the same pair for every process."""

import multiprocessing
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sso import keys

STARTING = 4


def _start(index: int, folder: str) -> None:
    """A process starting up, as a gunicorn worker does: its key is made a little after the
    others', its certificate written a little before theirs (the most unlucky interleaving)."""
    made = keys.key_pair_pem

    def slow_to_make(common_name):
        time.sleep(0.2 * index)
        return made(common_name)

    write_bytes = Path.write_bytes

    def slow_to_write(path, data):
        time.sleep(0.3 * (STARTING - index))
        return write_bytes(path, data)

    keys.key_pair_pem = slow_to_make
    Path.write_bytes = slow_to_write
    keys.key_pair_files(Path(folder) / "sp.key", Path(folder) / "sp.crt", common_name="SP")


def test_processes_starting_together_share_one_matching_key_pair(tmp_path):
    context = multiprocessing.get_context("fork")
    starting = [context.Process(target=_start, args=(i, str(tmp_path))) for i in range(STARTING)]
    for process in starting:
        process.start()
    for process in starting:
        process.join(30)
    assert [process.exitcode for process in starting] == [0] * STARTING

    key = serialization.load_pem_private_key((tmp_path / "sp.key").read_bytes(), password=None)
    certificate = x509.load_pem_x509_certificate((tmp_path / "sp.crt").read_bytes())
    assert certificate.public_key().public_numbers() == key.public_key().public_numbers(), (
        "the certificate the IdP is given must be that of the key we sign with"
    )
    assert (tmp_path / "sp.key").stat().st_mode & 0o777 == 0o600
