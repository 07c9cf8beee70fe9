"""Portal settings: declared once with types and defaults, read from `mkdocs.yml` (extra.rayzani)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from rayzani.problems import Problem

# A published comment that keeps the rules earns 1; an answer that took it up earns more.
DEFAULT_POINTS = {"comment": 1, "accepted": 5, "partially-accepted": 3, "shortlisted": 3}
DEFAULT_LEVELS = {"bronze": 3, "silver": 8, "gold": 15}


@dataclass(frozen=True)
class Settings:
    """Every Rayzani setting. Documented in the README's settings table."""

    # Minimum days from `opens` to `closes` (closes - opens), the seeds' 30-calendar-day rule.
    min_comment_days: int = 30
    # The portal's public key (base64 X25519) that personal data is sealed to.
    public_key: str = "keys/portal.pub"
    # Environment variable holding the private key (base64) that opens sealed data.
    private_key_env: str = "RAYZANI_PRIVATE_KEY"
    # Private key file used when the variable is unset (the demo key in the example).
    private_key_file: str = ""
    # The forge repository that holds this portal ("owner/name"), for comment links.
    repo: str = ""
    # Base URL of the forge's web interface (GitHub, or a self-hosted Forgejo/Gitea).
    forge_url: str = "https://github.com"
    # Where the site's comment form posts (a form service the portal runs); empty hides it.
    form_endpoint: str = ""
    # Comments per page on an article's discussion pages.
    comments_per_page: int = 100
    # Comments shown under each article on the draft page itself.
    inline_comments: int = 5
    # Statistics cells from personal data below this count are shown as "fewer than N".
    suppression_threshold: int = 5
    # Points a participant earns per event: `comment` for each counted named contribution, plus the
    # decision status it reached (see analysis.incentives.points_for); shown on the site.
    points: dict = field(default_factory=lambda: dict(DEFAULT_POINTS))
    # The least points for each level, lowest first.
    levels: dict = field(default_factory=lambda: dict(DEFAULT_LEVELS))
    # Environment variable holding the secret that certificate codes are signed with.
    certificate_secret_env: str = "RAYZANI_CERTIFICATE_SECRET"
    # Secret file used when the variable is unset (the demo secret in the example).
    certificate_secret_file: str = ""
    # Environment variable holding the secret that keys participant ids (`pid:`) made from an
    # email or phone number: without it nobody can link an id back to the number.
    id_secret_env: str = "RAYZANI_ID_SECRET"
    # Secret file used when the variable is unset (the demo secret in the example).
    id_secret_file: str = ""


def read_mkdocs_config(config_path: Path) -> dict[str, Any]:
    from rayzani.load.loader import read_config_yaml  # here: the loader imports these settings

    data = read_config_yaml(config_path)
    return data if isinstance(data, dict) else {}


def load_settings(config_path: Path) -> tuple[Settings, list[Problem]]:
    if not config_path.is_file():
        return Settings(), [
            Problem(config_path, "", "is missing", "run rayzani from the portal's folder, or pass --root")
        ]
    try:
        raw = (read_mkdocs_config(config_path).get("extra") or {}).get("rayzani") or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        from rayzani.load.loader import yaml_problem

        return Settings(), [yaml_problem(config_path, error, "fix the YAML syntax of mkdocs.yml")]
    declared = {f.name: f for f in fields(Settings)}
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in declared:
            problems.append(
                Problem(
                    config_path,
                    f"extra.rayzani.{key}",
                    "is not a Rayzani setting",
                    f"remove it; settings are: {', '.join(declared)}",
                )
            )
            continue
        default = getattr(Settings(), key)
        if value is None:
            continue
        if not isinstance(value, type(default)) or isinstance(value, bool) != isinstance(default, bool):
            problems.append(
                Problem(
                    config_path,
                    f"extra.rayzani.{key}",
                    f"must be {type(default).__name__}, not {value!r}",
                    f"write a {type(default).__name__} like {default!r}",
                )
            )
            continue
        values[key] = value
    # Only named events and levels: the site has bilingual text for these and no others.
    for key, allowed in (("points", tuple(DEFAULT_POINTS)), ("levels", tuple(DEFAULT_LEVELS))):
        for name, weight in dict(values.get(key) or {}).items():
            if name not in allowed or isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
                problems.append(
                    Problem(
                        config_path,
                        f"extra.rayzani.{key}.{name}",
                        f"is {weight!r}; {key} are {', '.join(allowed)}",
                        "give a whole number of points, 0 or more",
                    )
                )
                values.pop(key, None)
    settings = Settings(**values)
    if settings.min_comment_days < 30:
        problems.append(
            Problem(
                config_path,
                "extra.rayzani.min_comment_days",
                "is below the 30 calendar days the publication rule requires",
                "set it to 30 or more",
            )
        )
    if settings.suppression_threshold < 2:
        problems.append(
            Problem(
                config_path,
                "extra.rayzani.suppression_threshold",
                "below 2 would publish single participants' personal data",
                "set it to 5 (the default) or more",
            )
        )
    return settings, problems
