"""The `rayzani` command: a thin layer that parses arguments, calls the steps, prints, exits."""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
import time
from pathlib import Path

from rayzani.build.builder import run_builder, write_pages
from rayzani.cache.store import Cache
from rayzani.editing.decide import Decided
from rayzani.load.yaml_io import read_yaml
from rayzani.problems import Problem, ValidationFailed
from rayzani.project import load_project
from rayzani.security.sealing import generate_keys


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-23") from error


def _print_problems(problems: list[Problem], root: Path) -> None:
    for problem in problems:
        print(problem.format(root), file=sys.stderr)
    print(f"{len(problems)} problem(s) found.", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    project = load_project(args.root, args.date)
    if project.problems:
        _print_problems(project.problems, args.root)
        return 1
    portal = project.portal
    records = sum(len(r) for r in portal.submissions.values())
    print(f"OK: {len(portal.drafts)} draft(s), {len(portal.calls)} call(s), {records} record(s).")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    # The store this build reads and keeps its caches in (outside the checkout): one per process.
    project = load_project(args.root, args.date, Cache.for_checkout(args.root))
    try:
        written, unchanged = write_pages(project, args.date)
    except ValidationFailed as failure:
        _print_problems(failure.problems, args.root)
        return 1
    for warning in run_builder(project, args.site_dir):
        print(f"warning: {warning}", file=sys.stderr)
    site = args.site_dir or args.root / "site"
    print(
        f"Built {written + unchanged} page(s) ({written} changed) into {site} "
        f"in {time.perf_counter() - started:.1f} s."
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from rayzani.build.serve import serve

    receiver = "" if args.no_receiver else args.receiver_addr
    return serve(args.root, args.date, args.dev_addr, receiver, _db(args))


def _scores(pairs: list[str]) -> dict[str, float]:
    """`--score relevance=8` as {relevance: 8}; validation checks the criteria and the range."""
    found: dict[str, float] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        try:
            number = float(value)
        except ValueError:
            raise SystemExit(f"--score {pair}: write CRITERION=SCORE, e.g. relevance=8") from None
        found[name.strip()] = int(number) if number.is_integer() else number
    return found


def cmd_decide_export(args: argparse.Namespace) -> int:
    from rayzani.editing.worksheet import export_sheet

    project = load_project(args.root, args.date)
    count, problems = export_sheet(
        project.portal, args.export, target=args.only_target, status=args.status, panel=args.panel,
        lang=args.lang,
    )  # fmt: skip
    if problems:
        _print_problems(problems, args.root)
        return 2
    print(f"{args.export}: {count} row(s) to decide")
    return 0


def cmd_decide_uploads(args: argparse.Namespace) -> int:
    """What the Decide workflow runs: apply the sheets uploaded under a folder, write the reply."""
    from rayzani.editing.uploads import apply_uploads, reply_text

    uploads = apply_uploads(args.root, args.apply_uploads, args.date)
    if not uploads.sheets:
        print(f"{args.apply_uploads}: no worksheet to apply")
        return 0
    if args.reply:
        args.reply.write_text(reply_text(uploads, args.root), encoding="utf-8")
    return _decided(args, uploads.decided, uploads.problems)


def cmd_decide(args: argparse.Namespace) -> int:
    from rayzani.editing.decide import decide, read_batch
    from rayzani.editing.sheet_files import FORMATS
    from rayzani.editing.worksheet_batch import apply_sheet

    if args.export:
        return cmd_decide_export(args)
    if args.apply_uploads:
        return cmd_decide_uploads(args)
    if args.batch and args.batch.suffix.lower() in FORMATS:
        try:
            return _decided(args, *apply_sheet(args.root, args.batch, args.date))
        except ValueError as error:  # not a worksheet file at all
            print(error, file=sys.stderr)
            return 2
    if args.batch:
        try:
            entries = read_batch(args.batch)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
    elif args.target and args.id and args.status:
        entries = [
            {
                "target": args.target,
                "id": args.id,
                "status": args.status,
                "reason": {"fa": args.reason_fa, "en": args.reason_en},
                "legal_basis": args.legal_basis,
                "decided_by": args.by,
                "panel": args.panel,
                "duplicate_of": args.duplicate_of,
                "scores": _scores(args.score or []),
                "date": args.date,
            }
        ]
    else:
        print("Give TARGET ID --status ..., --batch FILE or --export FILE.", file=sys.stderr)
        return 2
    return _decided(args, *decide(args.root, entries, args.date, args.batch))


def _decided(args: argparse.Namespace, done: list[Decided], problems: list[Problem]) -> int:
    if problems:
        _print_problems(problems, args.root)
        print("Nothing was changed.", file=sys.stderr)
        return 1
    for item in done:
        note = " (the earlier answer is kept in its history)" if item.kept_in_history else ""
        print(f"{item.path.relative_to(args.root)}: {'decided' if item.changed else 'unchanged'}{note}")
    return 0


def cmd_certificates(args: argparse.Namespace) -> int:
    from rayzani.analysis.incentives import REGISTER, register_entry
    from rayzani.site.generate import Site
    from rayzani.site.pages.incentives import Incentives

    project = load_project(args.root, args.date)
    if project.problems:
        _print_problems(project.problems, args.root)
        return 1
    issued = Incentives(Site(project.portal, project.settings, args.date, cache=project.cache)).certificates
    if not issued:
        print("No certificate: no consenting participant, or no certificate secret set.", file=sys.stderr)
        return 1
    for cert in issued:
        print(f"{cert.code}  {cert.target}  {cert.participant.name}")
    if args.issue:
        import yaml

        path = args.root / REGISTER
        known = read_yaml(path) if path.is_file() else []
        codes = {e.get("code") for e in known}
        known += [register_entry(c) for c in issued if c.code not in codes]
        path.write_text(yaml.safe_dump(known, allow_unicode=True, sort_keys=False), encoding="utf-8")
        print(f"{REGISTER}: {len(known)} certificate(s) issued.")
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    public, private = generate_keys()
    target = args.root / "keys" / "portal.pub"
    target.parent.mkdir(exist_ok=True)
    target.write_text(public + "\n")
    print(f"Wrote the public key to {target}.")
    # The portal's other secrets are made fresh too: a fork must never keep the example's demo ones.
    print(
        "Store each of these as the CI secret it names; they are saved nowhere. Keep a copy of "
        "RAYZANI_ID_SECRET: participant ids change with it."
    )
    print(f"RAYZANI_PRIVATE_KEY={private}")
    print(f"RAYZANI_CERTIFICATE_SECRET={secrets.token_hex(32)}")
    print(f"RAYZANI_ID_SECRET={secrets.token_hex(32)}")
    return 0


def cmd_intake(args: argparse.Namespace) -> int:
    from rayzani.intake.cli import run_intake

    if args.channel == "receiver":
        from rayzani.receive.store import open_store

        args.open_store = open_store  # intake drains the receiver's store, never imports it
        args.db = _db(args)
    return run_intake(args)


# The receiver's database when --db is not given: beside the portal, never inside build/.
DEFAULT_DB = "receiver.sqlite"


def _db(args: argparse.Namespace) -> str:
    if "://" in args.db:
        return args.db
    path = Path(args.db)
    return str(path if path.is_absolute() else args.root / path)


def cmd_receive(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from rayzani.receive.app import Options, PortalInvalid, PortalState, Receiver, application, server_config
    from rayzani.receive.store import open_store

    os.umask(0o077)  # the database holds comments not yet published: readable by this user only
    try:
        state = PortalState(args.root, None)
    except PortalInvalid as invalid:
        print(invalid, file=sys.stderr)
        print("The repository does not validate; the receiver checks comments against it.", file=sys.stderr)
        return 1
    options = Options(args.rate_limit, args.trust_proxy, args.max_body, tuple(args.allow_origin or ()))
    receiver = Receiver(state, open_store(_db(args)), options)
    uvicorn.Server(server_config(application(receiver), args.host, args.port)).run()
    return 0


def _receive_parser(commands: argparse._SubParsersAction) -> None:
    from rayzani.receive import MAX_BODY, RATE_LIMIT

    receive = commands.add_parser("receive", help="run the web-form receiver (the form_endpoint)")
    receive.add_argument("--db", default=DEFAULT_DB, help="SQLite file, or a postgresql:// URL")
    receive.add_argument("--host", default="127.0.0.1", help="address to listen on")
    receive.add_argument("--port", type=int, default=8001)
    receive.add_argument(
        "--rate-limit", type=int, default=RATE_LIMIT, help="submissions per address per minute (0: off)"
    )
    receive.add_argument(
        "--trust-proxy",
        action="store_true",
        help="take the client's address from X-Forwarded-For (only behind your own reverse proxy)",
    )
    receive.add_argument("--max-body", type=int, default=MAX_BODY, help="largest request body, in bytes")
    receive.add_argument(
        "--allow-origin",
        action="append",
        metavar="ORIGIN",
        help="another origin whose pages may post (besides site_url and form_endpoint)",
    )
    receive.set_defaults(run=cmd_receive)


def _timestamp(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a timestamp like 2026-11-20T00:00:00Z") from error


def _forgejo_parser(channels: argparse._SubParsersAction) -> None:
    forgejo = channels.add_parser(
        "forgejo", help="record comments made with the issue forms on Forgejo or Gitea (token: FORGEJO_TOKEN)"
    )
    forgejo.add_argument("--repo", required=True, help="OWNER/NAME of the repository with the issues")
    forgejo.add_argument(
        "--api-url", required=True, help="the forge's REST API address, e.g. https://forge.example/api/v1"
    )
    forgejo.add_argument("--since", type=_timestamp, help="only issues updated since this time")
    forgejo.add_argument(
        "--notify", action="store_true", help="instead of recording, post published decisions back on issues"
    )
    forgejo.add_argument(
        "--pull-request",
        type=int,
        metavar="NUMBER",
        help="instead of issues, record this pull request's change to a draft as a proposal",
    )
    forgejo.add_argument("--write-pause", type=float, default=0.0, help="seconds to wait after each reply")
    forgejo.add_argument(
        "--account",
        help="login intake writes as, whose markers alone count (default: the token's user, GET /user)",
    )


def _intake_parser(commands: argparse._SubParsersAction) -> None:
    intake = commands.add_parser("intake", help="turn issue forms and web-form exports into records")
    channels = intake.add_subparsers(dest="channel", required=True)
    github = channels.add_parser("github", help="record comments made with the repository's issue forms")
    github.add_argument("--repo", required=True, help="OWNER/NAME of the repository with the issues")
    github.add_argument("--api-url", default="https://api.github.com", help="the forge's REST API address")
    github.add_argument("--since", type=_timestamp, help="only issues updated since this time")
    github.add_argument(
        "--notify", action="store_true", help="instead of recording, post published decisions back on issues"
    )
    github.add_argument(
        "--write-pause",
        type=float,
        default=1.0,
        help="seconds between replies (GitHub's advice against secondary rate limits)",
    )
    github.add_argument(
        "--account",
        help="login intake writes as, whose markers alone count (default: the token's user, GET /user)",
    )
    _forgejo_parser(channels)
    form = channels.add_parser("form", help="import a web-form export (CSV or JSON)")
    form.add_argument("export", type=Path, help="the export file, .csv or .json")
    form.add_argument("--mapping", type=Path, help="column mapping file (see docs/reference.md)")
    form.add_argument("--target", help="draft or call slug for exports without a draft column")
    pull = channels.add_parser("pull-request", help="record a pull request's change to a draft as a comment")
    pull.add_argument(
        "--event",
        type=Path,
        required=True,
        help="the forge's event file for the pull request (GITHUB_EVENT_PATH)",
    )
    pull.add_argument(
        "--forge",
        choices=("github", "forgejo"),
        default="github",
        help="whose event file it is: the prefix of the record's source (default: github)",
    )
    pull.add_argument("--diff", type=Path, help="the PR's unified diff (default: git diff base...head)")
    pull.add_argument("--reply", type=Path, help="write the reply to post on the PR here when it is refused")
    receiver = channels.add_parser("receiver", help="write what the web-form receiver stored into records")
    receiver.add_argument("--db", default=DEFAULT_DB, help="the receiver's SQLite file or postgresql:// URL")
    intake.set_defaults(run=cmd_intake)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="rayzani", description=__doc__)
    main.add_argument(
        "--root", type=Path, default=Path.cwd(), help="the portal repository (default: the current folder)"
    )
    commands = main.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check every draft, call and record")
    validate.add_argument("--date", type=_date, default=dt.date.today(), help="the day to check as")
    validate.set_defaults(run=cmd_validate)

    build = commands.add_parser("build", help="validate, generate the pages and build the site")
    build.add_argument("--site-dir", type=Path, help="where to write the site (default: site/)")
    build.add_argument(
        "--date",
        type=_date,
        default=dt.date.today(),
        help="the day to build as (YYYY-MM-DD), for previews and tests",
    )
    build.set_defaults(run=cmd_build)

    serve = commands.add_parser("serve", help="build, serve locally and rebuild on change")
    serve.add_argument("--date", type=_date, default=dt.date.today())
    serve.add_argument("--dev-addr", default="127.0.0.1:8000")
    serve.add_argument(
        "--receiver-addr", default="127.0.0.1:8001", help="where the local web-form receiver listens"
    )
    serve.add_argument("--db", default=DEFAULT_DB, help="the local receiver's SQLite file")
    serve.add_argument("--no-receiver", action="store_true", help="serve the pages only")
    serve.set_defaults(run=cmd_serve)

    decide = commands.add_parser("decide", help="record a decision in one or more records")
    decide.add_argument("target", nargs="?", help="the draft or call slug")
    decide.add_argument("id", nargs="?", help="the record id")
    decide.add_argument(
        "--status", help="accepted, partially-accepted, rejected, noted, ... (with --export: only those)"
    )
    decide.add_argument("--reason-fa", help="the reason, in Persian (required for an answer)")
    decide.add_argument("--reason-en", help="the reason, in English")
    decide.add_argument("--legal-basis", help="the article of law the decision relies on")
    decide.add_argument("--by", help="the unit that decided")
    decide.add_argument("--panel", help="the slug of the panel that decided (with --export: its remit)")
    decide.add_argument("--duplicate-of", help="for a duplicate: the id of the record it repeats")
    decide.add_argument("--date", type=_date, default=dt.date.today(), help="the decision date")
    decide.add_argument(
        "--score",
        action="append",
        metavar="CRITERION=SCORE",
        help="an idea's score by one of its call's criteria",
    )
    decide.add_argument(
        "--batch", type=Path, help="a filled worksheet (.xlsx, .ods, .csv) or a YAML list of decisions"
    )
    decide.add_argument(
        "--export", type=Path, help="write a worksheet (.xlsx, .ods, .csv) of the records to decide"
    )
    decide.add_argument(
        "--apply-uploads",
        type=Path,
        metavar="FOLDER",
        help="apply every worksheet under FOLDER (decisions/) and remove them, or nothing",
    )
    decide.add_argument("--reply", type=Path, help="with --apply-uploads: write the answer (Markdown) here")
    decide.add_argument("--target", dest="only_target", help="with --export: only this draft's or call's")
    decide.add_argument("--lang", choices=("fa", "en"), default="fa", help="with --export: its language")
    decide.set_defaults(run=cmd_decide)

    certs = commands.add_parser("certificates", help="list participation certificates; --issue records them")
    certs.add_argument("--date", type=_date, default=dt.date.today())
    certs.add_argument("--issue", action="store_true", help="add them to the register of issued certificates")
    certs.set_defaults(run=cmd_certificates)

    keygen = commands.add_parser("keygen", help="make a new key pair for sealing personal data")
    keygen.set_defaults(run=cmd_keygen)
    _intake_parser(commands)
    _receive_parser(commands)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
