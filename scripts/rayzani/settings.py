"""Portal settings: declared once with types and defaults (`load.config` reads them from mkdocs.yml)."""

from __future__ import annotations

from dataclasses import dataclass, field

# A published comment that keeps the rules earns 1; an answer that took it up earns more.
DEFAULT_POINTS = {"comment": 1, "accepted": 5, "partially-accepted": 3, "shortlisted": 3}
DEFAULT_LEVELS = {"bronze": 3, "silver": 8, "gold": 15}
# The content editor's (Decap CMS, at /admin/) backends: the forge it commits through, Decap's
# in-browser test repository (demos and tests only), or none (no /admin/ page).
CMS_BACKENDS = ("github", "forgejo", "gitea", "test-repo", "off")
# The forges a portal's repository may live on: the site links to their issue forms, which each
# prefills its own way (GitHub by field id; Forgejo and Gitea by `field:<id>`, the form named by
# its path in the repository).
FORGES = ("github", "forgejo", "gitea")
# Where each forge looks for issue forms, first found first (Forgejo's and Gitea's own order,
# both falling back on GitHub's folder, so a portal may keep one set for every forge).
FORM_FOLDERS = {
    "github": (".github/ISSUE_TEMPLATE",),
    "forgejo": (".forgejo/ISSUE_TEMPLATE", ".gitea/ISSUE_TEMPLATE", ".github/ISSUE_TEMPLATE"),
    "gitea": (".gitea/ISSUE_TEMPLATE", ".github/ISSUE_TEMPLATE"),
}


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
    # Which forge that is (FORGES): how the site's links prefill its issue forms, and its name in them.
    forge: str = "github"
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
    # The content editor at /admin/ (Decap CMS): which backend it saves through (CMS_BACKENDS).
    cms_backend: str = "github"
    # The branch the editor's pull requests go to (github, forgejo), the publication branch.
    cms_branch: str = "main"
    # Gitea's backend has no editorial workflow: it commits straight to this branch, never to
    # `cms_branch`, and an editor opens one pull request from it.
    cms_edit_branch: str = "cms/edits"
    # GitHub: the address of the OAuth proxy that logs editors in (Decap's `base_url`).
    cms_auth_url: str = ""
    # Forgejo and Gitea: the OAuth2 application's client id (PKCE login, no secret needed).
    cms_app_id: str = ""
    # Who issues the participation certificates, named on each one, {fa: ..., en: ...}, when it is
    # not the agency that runs the portal (empty: `agency`; neither set leaves the line out).
    certificate_issuer: dict = field(default_factory=dict)
    # The issuer's logo on certificates and their PDFs: a file under overrides/assets/, given as
    # its path in the site (assets/images/logo.svg); empty shows none.
    certificate_logo: str = ""
    # The trust pages and the footer (privacy notice, accessibility statement, open data). Each is
    # checked against its field table in `load.fields` (TRUST_SETTINGS); an empty one is shown as
    # "not set" on the site rather than invented.
    # The agency that runs the portal: `{fa: name, en: name}`.
    agency: dict = field(default_factory=dict)
    # How to reach it: `{email, phone, address: {fa, en}}` (the address takes letters by post).
    contact: dict = field(default_factory=dict)
    # How long personal data is kept, as the agency words its policy: `{fa, en}`.
    retention: dict = field(default_factory=dict)
    # The accessibility statement: `{reviewed: date, known_issues: [{fa, en}, ...]}`.
    accessibility: dict = field(default_factory=dict)
    # The open data's licence, as a Frictionless `licenses` entry: `{name, title, path}`.
    data_licence: dict = field(default_factory=dict)
