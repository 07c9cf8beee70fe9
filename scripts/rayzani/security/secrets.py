"""The portal's secrets: where each one is read from, and the check that no demo secret is in use.

A portal holds three secrets: the private key that opens sealed personal data (its public half
is `public_key`), the secret that signs certificate codes, and the participant-id secret that
keys `pid:` ids. Each is read from an environment variable (CI's secrets, editors' machines),
else from a file named in mkdocs.yml (how the example ships its demo secrets).

The example publishes its demo secrets so that anyone can build it. They are recognised by
their digest wherever they are put (file or variable): a portal at any address but the
example's that uses one fails validation, since everyone already holds that "secret".
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from rayzani.problems import Problem
from rayzani.settings import Settings

# The bundled example's own address (mkdocs.yml `site_url`): the one portal allowed demo secrets.
EXAMPLE_SITE_URL = "https://example.github.io/rayzani/"


@dataclass(frozen=True)
class Secret:
    """One portal secret: the settings naming its variable and its file, and the demo value's digest."""

    label: str
    env_setting: str
    file_setting: str
    demo_sha256: str  # SHA-256 of the example's demo value (stripped text)
    fix: str


PRIVATE_KEY = Secret(
    "private key",
    "private_key_env",
    "private_key_file",
    "18858d16a0722ea9ba6cc0d9d6a86864f9a024b7822701e2e213179676299de7",
    "run `rayzani keygen`, store the private key it prints as the secret {env} "
    "and remove `private_key_file` from mkdocs.yml",
)
CERTIFICATE_SECRET = Secret(
    "certificate-signing secret",
    "certificate_secret_env",
    "certificate_secret_file",
    "88b3549fa36bb369ed8011d5fef7fee8978c38ddcdfd45052ab0e8480245c999",
    "run `rayzani keygen`, store the certificate secret it prints as the secret {env} "
    "and remove `certificate_secret_file` from mkdocs.yml",
)
ID_SECRET = Secret(
    "participant-id secret",
    "id_secret_env",
    "id_secret_file",
    "b2780e509266bfe05c887fc51bbc10e9a81e7778c91d22ed9bf4b5c771c18b20",
    "run `rayzani keygen`, store the participant-id secret it prints as the secret {env} "
    "and remove `id_secret_file` from mkdocs.yml",
)
SECRETS = (PRIVATE_KEY, CERTIFICATE_SECRET, ID_SECRET)
# The public half of the demo key pair: data sealed to it can be opened by anyone.
DEMO_PUBLIC_KEY_SHA256 = "2e777d8e4e070b25698e7be9ec87a2eb2a70e16dbc48d38082cc998bacc6c813"


def _digest(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def read_secret_text(root: Path, settings: Settings, secret: Secret) -> tuple[str | None, str]:
    """(the secret's text or None, the setting it came from): the variable first, then the file."""
    env_name = getattr(settings, secret.env_setting)
    text = os.environ.get(env_name, "").strip()
    if text:
        return text, secret.env_setting
    relative = getattr(settings, secret.file_setting)
    if relative and (root / relative).is_file():
        text = (root / relative).read_text(encoding="utf-8").strip()
    return text or None, secret.file_setting


def read_secret(root: Path, settings: Settings, secret: Secret) -> bytes | None:
    text, _ = read_secret_text(root, settings, secret)
    return text.encode("utf-8") if text else None


def is_example(site_url: str) -> bool:
    return site_url.rstrip("/") == EXAMPLE_SITE_URL.rstrip("/")


def demo_secret_problems(root: Path, config: Path, settings: Settings, site_url: str) -> list[Problem]:
    """Every demo secret (or the demo public key) a portal other than the example relies on."""
    if is_example(site_url):
        return []
    where = f"site_url is {site_url!r}" if site_url else "site_url is not set"
    problems: list[Problem] = []
    public = root / settings.public_key
    if public.is_file() and _digest(public.read_text(encoding="utf-8")) == DEMO_PUBLIC_KEY_SHA256:
        problems.append(
            Problem(
                config,
                "extra.rayzani.public_key",
                f"is the example's demo key, whose private key is published ({where}, not the "
                "example's): anyone could open the personal data sealed to it",
                f"run `rayzani keygen`: it writes a new {settings.public_key}; store the private key "
                f"it prints as the secret {settings.private_key_env}",
            )
        )
    for secret in SECRETS:
        text, setting = read_secret_text(root, settings, secret)
        if text is None or _digest(text) != secret.demo_sha256:
            continue
        from_env = setting == secret.env_setting
        source = f"the variable {getattr(settings, setting)}" if from_env else "this file"
        problems.append(
            Problem(
                config,
                f"extra.rayzani.{setting}",
                f"gives the example's published demo {secret.label} (read from {source}; {where}, "
                "not the example's): anyone holds it",
                secret.fix.format(env=getattr(settings, secret.env_setting)),
            )
        )
    return problems
