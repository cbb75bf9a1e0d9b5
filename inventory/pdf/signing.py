"""The service's signature on the PDFs it issues (pyHanko): any PDF reader can check that a handover
record or a certificate is ours and unchanged.

The key and certificate come from settings (PDF_SIGNING_KEY, PDF_SIGNING_CERT: PEM files). Outside
production, when none is set, a self-signed pair is made in the instance folder on first start;
production refuses to start without a real one (config.py)."""

from __future__ import annotations

import asyncio
import io
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask, current_app

from .. import clock
from ..config import ConfigError

FIELD = "ServiceSignature"


def make_development_pair(folder: Path, now: datetime, name: str) -> tuple[Path, Path]:
    """A self-signed key and certificate for development and tests (never production)."""
    key_path, cert_path = folder / "pdf-signing-key.pem", folder / "pdf-signing-cert.pem"
    if key_path.exists() and cert_path.exists():
        return key_path, cert_path
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Development")]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_cert_sign=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def init_app(app: Flask) -> None:
    if not (app.config["PDF_SIGNING_KEY"] and app.config["PDF_SIGNING_CERT"]):
        # config.py has already refused this in production.
        key, cert = make_development_pair(
            Path(app.instance_path), app.config["CLOCK"].now(), "Device-lending inventory (development)"
        )
        app.config["PDF_SIGNING_KEY"], app.config["PDF_SIGNING_CERT"] = str(key), str(cert)
    for name in ("PDF_SIGNING_KEY", "PDF_SIGNING_CERT"):
        if not os.access(app.config[name], os.R_OK):  # fail at start, not at the first handover
            raise ConfigError(f"{name} names a file this process cannot read: {app.config[name]}")


def _signer():
    """The key and certificate, loaded on first use (pyHanko takes a second to import)."""
    from pyhanko.sign import signers

    signer = current_app.extensions.get("pdf_signer")
    if signer is None:
        password = current_app.config["PDF_SIGNING_KEY_PASSWORD"]
        signer = signers.SimpleSigner.load(
            current_app.config["PDF_SIGNING_KEY"],
            current_app.config["PDF_SIGNING_CERT"],
            key_passphrase=password.encode() or None,
        )
        if signer is None:
            raise RuntimeError("PDF_SIGNING_KEY and PDF_SIGNING_CERT could not be read as a PEM key and certificate")
        current_app.extensions["pdf_signer"] = signer
    return signer


def sign(pdf: bytes, *, reason: str) -> bytes:
    """The PDF with the service's signature added (an incremental update: the tagged document is unchanged)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    class SignerOnOurClock(signers.PdfSigner):
        """pyHanko stamps a signature with the wall clock; ours says when by the app's one clock."""

        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
            session.system_time = now
            return session

    now = clock.now()
    meta = signers.PdfSignatureMetadata(field_name=FIELD, reason=reason, name=current_app.config["API_TITLE"])
    signer = SignerOnOurClock(meta, signer=_signer())

    def run() -> bytes:
        return signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf))).getvalue()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()  # the usual case: a worker thread with no event loop
    # pyHanko runs an event loop of its own, which cannot start inside one already running here.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()
