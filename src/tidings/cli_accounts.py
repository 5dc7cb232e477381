"""`tidings user …` and `tidings token …`: accounts and their secrets, from the shell."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.engine import Connection, Engine

from tidings import auth
from tidings.models import TokenKind, User
from tidings.store import accounts, sync
from tidings.store.db import transaction

users_app = typer.Typer(help="Accounts: add, list, change password, delete.",
                        no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens and app passwords: create, list, revoke.",
                         no_args_is_help=True)
err = Console(stderr=True)
PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from standard input (one line).")]


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]{message}[/red]", highlight=False)
    return typer.Exit(code)


def read_password(from_stdin: bool) -> str:
    if not from_stdin:
        raise fail("give the password on standard input with --password-stdin "
                   "(it never goes on the command line)", 2)
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        return auth.check_new_password(password)
    except auth.PasswordError as exc:
        raise fail(str(exc), 2) from exc


def resolve_user(conn: Connection, name: str | None) -> User:
    """NAME's account; without a name, the only account there is."""
    if name:
        try:
            return accounts.user_named(conn, name)
        except accounts.UnknownUser as exc:
            raise fail(str(exc)) from exc
    everyone = accounts.list_users(conn)
    if len(everyone) == 1:
        return everyone[0]
    raise fail("say whose: --user NAME (see `tidings user list`)", 2)


def _engine(ctx: typer.Context) -> Engine:
    engine: Engine = ctx.obj["engine"]
    return engine


@users_app.command("add")
def add_user(ctx: typer.Context, name: str, password_stdin: PasswordStdin = False,
             admin: Annotated[bool, typer.Option("--admin")] = False) -> None:
    """Make an account (password from standard input)."""
    password = read_password(password_stdin)
    with transaction(_engine(ctx)) as conn:
        try:
            accounts.create_user(conn, name.strip(), auth.hash_password(password), admin=admin)
        except accounts.DuplicateUser as exc:
            raise fail(str(exc)) from exc
    typer.echo(f"user {name.strip()} added{' (admin)' if admin else ''}")


@users_app.command("list")
def list_users(ctx: typer.Context) -> None:
    """Every account."""
    with transaction(_engine(ctx)) as conn:
        for user in accounts.list_users(conn):
            typer.echo(f"{user.id:>4}  {user.name}{'  (admin)' if user.is_admin else ''}")


@users_app.command("passwd")
def change_password(ctx: typer.Context, name: str, password_stdin: PasswordStdin = False) -> None:
    """Set a new password; every session of the account ends."""
    password = read_password(password_stdin)
    with transaction(_engine(ctx)) as conn:
        user = resolve_user(conn, name)
        accounts.set_password_hash(conn, user.id or 0, auth.hash_password(password))
        accounts.end_other_sessions(conn, user.id or 0)
    typer.echo(f"password of {user.name} changed; their sessions ended")


@users_app.command("delete")
def delete_user(ctx: typer.Context, name: str) -> None:
    """Delete an account and everything of it (subscriptions, stars, tokens, …)."""
    with transaction(_engine(ctx)) as conn:
        user = resolve_user(conn, name)
        accounts.delete_user(conn, user.id or 0)
    typer.echo(f"user {user.name} deleted")


@tokens_app.command("create")
def create_token(ctx: typer.Context, name: str,
                 label: Annotated[str, typer.Option("--label")] = "",
                 app: Annotated[str | None, typer.Option(
                     "--app", help="An app password for a sync app with this label.")] = None,
                 ) -> None:
    """Print a new Bearer token (or app password); only its hash is kept."""
    kind = TokenKind.APP if app is not None else TokenKind.API
    secret = auth.new_secret("tdg_" if kind == TokenKind.API else "")
    with transaction(_engine(ctx)) as conn:
        user = resolve_user(conn, name)
        token = accounts.add_token(conn, user.id or 0, kind, auth.secret_hash(secret),
                                   (app if app is not None else label).strip())
        if kind == TokenKind.APP:  # Fever apps send md5("user:password")
            sync.set_fever_hash(conn, token.id or 0,
                                auth.secret_hash(auth.fever_key(user.name, secret)))
    typer.echo(secret)


@tokens_app.command("list")
def list_tokens(ctx: typer.Context, name: str) -> None:
    """A user's tokens and app passwords (never the secrets)."""
    with transaction(_engine(ctx)) as conn:
        user = resolve_user(conn, name)
        for t in accounts.list_tokens(conn, user.id or 0):
            used = t.last_used_at.isoformat(timespec="minutes") if t.last_used_at else "never"
            typer.echo(f"{t.id:>4}  {t.kind:<4}  {t.label or '-'}  · last used {used}")


@tokens_app.command("revoke")
def revoke_token(ctx: typer.Context, name: str, token_id: int) -> None:
    """Revoke one token of a user by its id (from `tidings token list`)."""
    with transaction(_engine(ctx)) as conn:
        user = resolve_user(conn, name)
        if not accounts.revoke_token(conn, user.id or 0, token_id):
            raise fail(f"{user.name} has no token with id {token_id}")
    typer.echo(f"token {token_id} revoked")


def _open_database(ctx: typer.Context) -> None:
    """Both groups run on the database the settings name (migrated to the current schema)."""
    from tidings.store.db import make_engine, migrate  # noqa: PLC0415

    settings = ctx.obj
    engine = make_engine(settings.effective_database_url)
    migrate(engine)
    ctx.obj = {"settings": settings, "engine": engine}
    ctx.call_on_close(engine.dispose)


users_app.callback()(_open_database)
tokens_app.callback()(_open_database)
