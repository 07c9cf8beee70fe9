"""Reading mkdocs.yml: the portal's settings (extra.rayzani), checked against their declarations."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml

from rayzani.load.fields import TRUST_SETTINGS
from rayzani.load.schema import check_mapping
from rayzani.load.yaml_io import read_config_yaml, yaml_problem
from rayzani.problems import Problem
from rayzani.settings import CMS_BACKENDS, DEFAULT_LEVELS, DEFAULT_POINTS, FORGES, Settings


def read_mkdocs_config(config_path: Path) -> dict[str, Any]:
    """mkdocs.yml as a mapping (empty when it holds something else); YAMLError when broken."""
    data = read_config_yaml(config_path)
    return data if isinstance(data, dict) else {}


def load_settings(config_path: Path) -> tuple[Settings, list[Problem]]:
    """The settings under `extra.rayzani`, each checked against its declared type and default."""
    if not config_path.is_file():
        return Settings(), [
            Problem(config_path, "", "is missing", "run rayzani from the portal's folder, or pass --root")
        ]
    try:
        raw = (read_mkdocs_config(config_path).get("extra") or {}).get("rayzani") or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
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
    problems += _certificate_issuer_problems(config_path, values)
    problems += _check_trust_settings(config_path, values)
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
    problems += _cms_problems(config_path, settings)
    if settings.forge not in FORGES:
        problems.append(
            Problem(
                config_path,
                "extra.rayzani.forge",
                f"is {settings.forge!r}, not a forge the site can link to",
                f"write one of {', '.join(FORGES)}",
            )
        )
    return settings, problems


def _cms_problems(config_path: Path, settings: Settings) -> list[Problem]:
    """The content editor's backend, and Gitea's direct commits kept off the publication branch."""
    if settings.cms_backend not in CMS_BACKENDS:
        return [
            Problem(
                config_path,
                "extra.rayzani.cms_backend",
                f"is {settings.cms_backend!r}, not a content-editor backend",
                f"write one of {', '.join(CMS_BACKENDS)}",
            )
        ]
    if settings.cms_backend == "gitea" and settings.cms_edit_branch in ("", settings.cms_branch):
        return [
            Problem(
                config_path,
                "extra.rayzani.cms_edit_branch",
                "is the publication branch: Gitea's editor would publish every save unreviewed",
                "set it to a branch of its own, like cms/edits, and merge it by pull request",
            )
        ]
    return []


def _certificate_issuer_problems(config_path: Path, values: dict[str, Any]) -> list[Problem]:
    """The certificates' issuer: a name per language, a logo the theme ships (a PDF loads nothing else)."""
    problems = []
    issuer = values.get("certificate_issuer") or {}
    for lang, name in dict(issuer).items():
        if lang not in ("fa", "en") or not isinstance(name, str) or not name.strip():
            problems.append(
                Problem(
                    config_path,
                    f"extra.rayzani.certificate_issuer.{lang}",
                    f"is {name!r}; the issuer is named per language, fa and en",
                    "write the agency's name as text under fa: and en:",
                )
            )
            values.pop("certificate_issuer", None)
    logo = values.get("certificate_logo") or ""
    assets = (config_path.parent / "overrides" / "assets").resolve()
    found = (config_path.parent / "overrides" / logo).resolve()
    if logo and (not found.is_relative_to(assets) or not found.is_file()):
        problems.append(
            Problem(
                config_path,
                "extra.rayzani.certificate_logo",
                f"{logo!r} is not a file under overrides/assets/",
                "put the logo under overrides/assets/images/ and give its path from assets/",
            )
        )
        values.pop("certificate_logo", None)
    return problems


def _check_trust_settings(config_path: Path, values: dict[str, Any]) -> list[Problem]:
    """The footer's and trust pages' settings against their field tables; a wrong one is dropped,
    so that the pages say it is not set rather than print half of it."""
    problems: list[Problem] = []
    for key, spec in TRUST_SETTINGS.items():
        if key not in values or not values[key]:
            continue
        if isinstance(spec, dict):
            found = check_mapping(values[key], spec, config_path, f"extra.rayzani.{key}.")
        else:
            wrong = spec(values[key])
            found = (
                [Problem(config_path, f"extra.rayzani.{key}", wrong, "write `fa:` and `en:` texts")]
                if wrong
                else []
            )
        if found:
            problems += found
            values.pop(key)
    return problems
