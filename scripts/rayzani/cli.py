"""The `rayzani` command: a thin layer that parses arguments, calls the steps, prints, exits."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from rayzani.builder import load_project, run_builder, write_pages
from rayzani.problems import Problem, ValidationFailed
from rayzani.sealing import generate_keys


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
    project = load_project(args.root)
    if project.problems:
        _print_problems(project.problems, args.root)
        return 1
    portal = project.portal
    records = sum(len(r) for r in portal.submissions.values())
    print(f"OK: {len(portal.drafts)} draft(s), {len(portal.calls)} call(s), {records} record(s).")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    project = load_project(args.root)
    try:
        written, unchanged = write_pages(project, args.date)
    except ValidationFailed as failure:
        _print_problems(failure.problems, args.root)
        return 1
    run_builder(project, args.site_dir)
    site = args.site_dir or args.root / "site"
    print(
        f"Built {written + unchanged} page(s) ({written} changed) into {site} "
        f"in {time.perf_counter() - started:.1f} s."
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from rayzani.serve import serve

    return serve(args.root, args.date, args.dev_addr)


def cmd_keygen(args: argparse.Namespace) -> int:
    public, private = generate_keys()
    target = args.root / "keys" / "portal.pub"
    target.parent.mkdir(exist_ok=True)
    target.write_text(public + "\n")
    print(f"Wrote the public key to {target}.")
    print("Private key (store it as the CI secret RAYZANI_PRIVATE_KEY; it is not saved anywhere):")
    print(private)
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="rayzani", description=__doc__)
    main.add_argument(
        "--root", type=Path, default=Path.cwd(), help="the portal repository (default: the current folder)"
    )
    commands = main.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check every draft, call and record")
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
    serve.set_defaults(run=cmd_serve)

    keygen = commands.add_parser("keygen", help="make a new key pair for sealing personal data")
    keygen.set_defaults(run=cmd_keygen)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
