"""Read an issue made from an issue form back into its fields, using the form's own YAML.

GitHub (and Forgejo/Gitea, which read the same form YAML) write the submitted form into the
issue body as `### <label>`, a blank line, then the value; an empty optional field is
written `_No response_`, checkboxes as `- [X] <label>`. The form file is the single place
that says which label is which field, so editing a label in the form keeps intake working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rayzani.load.yaml_io import read_yaml
from rayzani.settings import FORM_FOLDERS

NO_RESPONSE = "_No response_"
_FIELD_TYPES = ("input", "textarea", "dropdown", "checkboxes")
_HEADING = re.compile(r"^###\s+(.+?)\s*$")
_CHECKBOX = re.compile(r"^- \[([ xX])\] (.+)$")


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str
    required: bool
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class IssueForm:
    """One issue form: its file name (the `template=` value), labels and fields in order."""

    name: str
    labels: tuple[str, ...]
    fields: tuple[FormField, ...]

    def field(self, field_id: str) -> FormField | None:
        return next((f for f in self.fields if f.id == field_id), None)


class FormMismatch(ValueError):
    """The issue body is not what this form produces; the message says what is wrong."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code  # not-from-form, missing
        self.detail = detail


def load_form(path: Path) -> IssueForm:
    data = read_yaml(path)
    fields = []
    for item in data.get("body") or []:
        if item.get("type") not in _FIELD_TYPES or "id" not in item:
            continue  # markdown blocks are not rendered into the issue
        attributes = item.get("attributes") or {}
        options = attributes.get("options") or ()
        fields.append(
            FormField(
                id=item["id"],
                label=str(attributes["label"]).strip(),
                type=item["type"],
                required=bool((item.get("validations") or {}).get("required", False)),
                options=tuple(o["label"] if isinstance(o, dict) else str(o) for o in options),
            )
        )
    labels = data.get("labels") or ()
    return IssueForm(path.name, tuple([labels] if isinstance(labels, str) else labels), tuple(fields))


def form_paths(folder: Path) -> list[Path]:
    """The issue forms in one folder (both forges read .yml and .yaml; config.yml is no form)."""
    paths = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])
    return [p for p in paths if p.stem != "config"]


def forms_folder(root: Path, forge: str = "github") -> Path:
    """The folder whose forms `forge` shows (its first folder holding any), for intake to read."""
    folders = [root / f for f in FORM_FOLDERS.get(forge, FORM_FOLDERS["github"])]
    return next((f for f in folders if form_paths(f)), folders[0])


def load_forms(root: Path, forge: str = "github") -> dict[str, IssueForm]:
    """Every issue form the forge shows for the repository, by file name."""
    return {p.name: load_form(p) for p in form_paths(forms_folder(root, forge))}


def parse_issue_body(form: IssueForm, body: str) -> dict[str, str | list[str] | None]:
    """Field id to value (None when empty; checked boxes as a list of their labels)."""
    by_label = {f.label: f for f in form.fields}
    chunks: dict[str, list[str]] = {}
    current: str | None = None
    for line in (body or "").replace("\r\n", "\n").split("\n"):
        heading = _HEADING.match(line)
        if heading and heading.group(1) in by_label:
            current = by_label[heading.group(1)].id
            chunks[current] = []
        elif current is not None:
            chunks[current].append(line)
    if not chunks:
        raise FormMismatch("not-from-form")
    values: dict[str, str | list[str] | None] = {}
    for form_field in form.fields:
        text = "\n".join(chunks.get(form_field.id, [])).strip()
        if text == NO_RESPONSE:
            text = ""
        if form_field.type == "checkboxes":
            checked = [m.group(2) for m in map(_CHECKBOX.match, text.splitlines()) if m and m.group(1) != " "]
            values[form_field.id] = checked
            continue
        values[form_field.id] = text or None
        if form_field.required and not text:
            raise FormMismatch("missing", form_field.label)
    return values


def option_value(option: str) -> str:
    """The value of a bilingual dropdown option "شهروند / Individual": its English half as a slug."""
    english = option.rsplit("/", 1)[-1]
    return re.sub("[^a-z0-9]+", "-", english.strip().lower()).strip("-")
