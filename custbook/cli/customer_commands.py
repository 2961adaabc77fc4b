"""Commands on customers: add, edit, show, history, undo, archive, restore, erase, contact."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click
from rich.table import Table

from custbook.book import Book, Customer
from custbook.book.customers import CUSTOMER_CHECKS
from custbook.book.describe import change_rows, risk_words, shown, source_text
from custbook.book.insight import insight_json
from custbook.book.jsonview import change_json, customer_json
from custbook.book.rows import CUSTOM_PREFIX
from custbook.book.validation import field_label
from custbook.cli.main import CliState, book_options, cli
from custbook.cli.output import data_console, emit_json, say, warn
from custbook.cli.session import changing, reading
from custbook.errors import InvalidInput
from custbook.i18n import _
from custbook.vault import Vault
from custbook.vault.backups import list_backups

F = TypeVar("F", bound=Callable[..., Any])

# field -> (option name, takes several values)
CUSTOMER_OPTIONS: dict[str, tuple[str, bool]] = {
    field: (f"--{field.replace('_', '-')}", False) for field in CUSTOMER_CHECKS
} | {"phones": ("--phone", True), "emails": ("--email", True), "tags": ("--tag", True)}
CONTACT_OPTIONS: dict[str, tuple[str, bool]] = {
    "name": ("--name", False),
    "title": ("--title", False),
    "phones": ("--phone", True),
    "emails": ("--email", True),
    "wechat": ("--wechat", False),
    "birthday": ("--birthday", False),
    "is_primary": ("--primary", False),  # a flag, see FLAGS
    "notes": ("--notes", False),
}
FLAGS = {"is_primary"}


def field_options(options: dict[str, tuple[str, bool]], *, name_required: bool) -> Callable[[F], F]:
    """One option per field, named after it; several-valued ones may be repeated."""

    def decorate(command: F) -> F:
        for field, (flag, several) in reversed(options.items()):
            helptext = field_label(field)
            if several:
                helptext += " " + _("(repeat for several)")
            if field in FLAGS:
                pair = f"{flag}/--not-{flag.removeprefix('--')}"
                command = click.option(pair, field, default=None, help=helptext)(command)
                continue
            command = click.option(
                flag,
                field,
                multiple=several,
                required=name_required and field == "name",
                help=helptext,
            )(command)
        return command

    return decorate


custom_option = click.option(
    "--custom",
    "custom",
    multiple=True,
    metavar="NAME=VALUE",
    help=_("A custom field (repeat for several; an empty VALUE removes it)."),
)
json_option = click.option("--json", "as_json", is_flag=True, help=_("Print the customer as JSON."))


def given_values(fields: dict[str, Any], custom: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields the person actually gave (an empty string clears a field)."""
    values = {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()}
    values = {k: v for k, v in values.items() if v is not None and v != []}
    for item in custom:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise InvalidInput(_("--custom takes NAME=VALUE, not “{item}”.").format(item=item))
        values[f"{CUSTOM_PREFIX}{name.strip()}"] = value
    return values


def source_of(command: str) -> str:
    return f"cli {command}"


def customer_view(book: Book, customer: Customer) -> dict[str, Any]:
    """The customer JSON with what the figures say today (risk flags, suggested grade)."""
    view = customer_json(customer, str(book.setting("currency")))
    view.update(insight_json(book, customer, book.clock().date()))
    return view


def print_customer(customer: Customer, view: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(view)
        return
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row(_("ID"), str(customer.id))
    if view["risk"]:
        table.add_row(_("Risk"), ", ".join(risk_words().get(r, r) for r in view["risk"]))
    if view["suggested_grade"] != customer["grade"]:
        table.add_row(_("Suggested grade"), view["suggested_grade"])
    for field, value in customer.record.items():
        text = shown(field, value)
        if text and field not in ("id", "custom_fields"):
            table.add_row(field_label(field), text)
    for name, value in customer["custom_fields"].items():
        table.add_row(name, str(value))
    data_console.print(table)
    if customer.contacts:
        contacts = Table(
            _("ID"), _("Contact"), _("Title"), _("Phone"), _("Email"), title=_("Contacts")
        )
        for contact in customer.contacts:
            star = " ★" if contact["is_primary"] else ""
            contacts.add_row(
                str(contact["id"]),
                contact["name"] + star,
                contact["title"] or "",
                shown("phones", contact["phones"]),
                shown("emails", contact["emails"]),
            )
        data_console.print(contacts)


@cli.command(help=_("Add a customer (--name is required; every field has an option)."))
@book_options()
@field_options(CUSTOMER_OPTIONS, name_required=True)
@custom_option
@json_option
@click.pass_obj
def add(state: CliState, custom: tuple[str, ...], as_json: bool, **fields: Any) -> None:
    with changing(state) as (book, _vault):
        customer = book.customers.create(given_values(fields, custom), source=source_of("add"))
        view = customer_view(book, customer)
    say(_("Added customer {id}: {name}").format(id=customer.id, name=customer.name))
    if as_json:
        print_customer(customer, view, as_json=True)


@cli.command(help=_("Change fields of a customer, named by id or exact name."))
@book_options()
@click.argument("who", metavar="ID|NAME")
@field_options(CUSTOMER_OPTIONS, name_required=False)
@custom_option
@click.option("--add-phone", multiple=True, help=_("Add a phone, keeping the others."))
@click.option("--add-email", multiple=True, help=_("Add an email, keeping the others."))
@click.option("--add-tag", multiple=True, help=_("Add a tag, keeping the others."))
@click.option("--remove-tag", multiple=True, help=_("Remove a tag."))
@json_option
@click.pass_obj
def edit(
    state: CliState,
    who: str,
    custom: tuple[str, ...],
    add_phone: tuple[str, ...],
    add_email: tuple[str, ...],
    add_tag: tuple[str, ...],
    remove_tag: tuple[str, ...],
    as_json: bool,
    **fields: Any,
) -> None:
    with changing(state) as (book, _vault):
        customer = book.customers.resolve(who)
        values = given_values(fields, custom)
        _merge_additions(values, customer, add_phone, add_email, add_tag, remove_tag)
        if not values:
            raise InvalidInput(_("Nothing to change: give at least one field option."))
        book.customers.edit(customer.id, values, source=source_of("edit"))
        edited = book.customers.get(customer.id)
        view = customer_view(book, edited)
    changed = book_changes(edited, customer)
    if not changed:
        say(_("Nothing changed: customer {id} already had those values.").format(id=edited.id))
    else:
        say(
            _("Changed {fields} of customer {id}: {name}").format(
                fields=", ".join(changed), id=edited.id, name=edited.name
            )
        )
    if as_json:
        print_customer(edited, view, as_json=True)


def _merge_additions(
    values: dict[str, Any],
    customer: Customer,
    add_phone: tuple[str, ...],
    add_email: tuple[str, ...],
    add_tag: tuple[str, ...],
    remove_tag: tuple[str, ...],
) -> None:
    if add_phone:
        current = values.get("phones", [p["typed"] for p in customer["phones"]])
        values["phones"] = [*current, *add_phone]
    if add_email:
        values["emails"] = [*values.get("emails", customer["emails"]), *add_email]
    if add_tag or remove_tag:
        removed = {t.casefold() for t in remove_tag}
        tags = [*values.get("tags", customer["tags"]), *add_tag]
        values["tags"] = [t for t in tags if t.casefold() not in removed]


def book_changes(after: Customer, before: Customer) -> list[str]:
    return [
        field_label(k)
        for k in after.record
        if k not in ("updated_at",) and after.record[k] != before.record.get(k)
    ]


@cli.command(help=_("Show a customer, named by id or exact name."))
@book_options()
@click.argument("who", metavar="ID|NAME")
@json_option
@click.pass_obj
def show(state: CliState, who: str, as_json: bool) -> None:
    with reading(state) as book:
        customer = book.customers.resolve(who)
        view = customer_view(book, customer)
    print_customer(customer, view, as_json)


@cli.command(help=_("Show the changes made to a customer, newest first."))
@book_options()
@click.argument("who", metavar="ID|NAME")
@click.option("--json", "as_json", is_flag=True, help=_("Print the changes as JSON."))
@click.pass_obj
def history(state: CliState, who: str, as_json: bool) -> None:
    with reading(state) as book:
        customer = book.customers.resolve(who)
        sets = book.history(customer.id)
    if as_json:
        emit_json([change_json(s) for s in sets])
        return
    table = Table(_("When"), _("Made by"), _("Field"), _("Before"), _("After"))
    for change_set in sets:
        for row in change_rows(change_set):
            table.add_row(change_set.made_at.replace("T", " "), source_text(change_set), *row)
    data_console.print(table)


@cli.command(help=_("Undo the newest change not yet undone; repeat to walk further back."))
@book_options()
@click.pass_obj
def undo(state: CliState) -> None:
    with changing(state) as (book, _vault):
        target, _done = book.undo(source=source_of("undo"))
    fields = sorted({field_label(c.field) for c in target.changes if c.field})
    words = {"create": _("created"), "delete": _("deleted")}
    actions = sorted({words[c.action] for c in target.changes if not c.field})
    say(
        _("Undid the change made {when} by {source}: {what}").format(
            when=target.made_at.replace("T", " "),
            source=target.source,
            what=", ".join([*fields, *actions]),
        )
    )


def _archive_command(name: str, helptext: str, archive: bool) -> None:
    @cli.command(name, help=helptext)
    @book_options()
    @click.argument("who", metavar="ID|NAME")
    @click.pass_obj
    def command(state: CliState, who: str) -> None:
        with changing(state) as (book, _vault):
            customer = book.customers.resolve(who)
            action = book.customers.archive if archive else book.customers.restore
            done = action(customer.id, source=source_of(name))
        if (customer["archived_at"] is None) == (done["archived_at"] is None):
            already = (
                _("{id}: {name} was already archived.")
                if archive
                else _("{id}: {name} was not archived.")
            )
            say(already.format(id=done.id, name=done.name))
            return
        message = _("Archived {id}: {name}") if archive else _("Restored {id}: {name}")
        say(message.format(id=done.id, name=done.name))


_archive_command("archive", _("Archive a customer: hidden from lists, kept in full."), True)
_archive_command("restore", _("Bring an archived customer back."), False)


@cli.command(
    help=_(
        "Erase a customer for good (PIPL): removed from every table and from the history. "
        "Cannot be undone; asks first unless --yes."
    )
)
@book_options()
@click.argument("who", metavar="ID|NAME")
@click.option("--yes", is_flag=True, help=_("Do not ask (for scripts)."))
@click.pass_obj
def erase(state: CliState, who: str, yes: bool) -> None:
    with changing(state) as (book, vault):
        customer = book.customers.erasable(who)
        consequence = _(
            "Erasing {name} (customer {id}) removes them and their contacts, interactions, "
            "orders and history for good."
        ).format(name=customer.name, id=customer.id)
        _confirm_erase(customer.name, consequence, yes)
        book.customers.erase(customer.id, source=source_of("erase"))
    say(_("Erased customer {id}: {name}.").format(id=customer.id, name=customer.name))
    _say_backups_holding(vault, customer)


def _confirm_erase(name: str, consequence: str, yes: bool) -> None:
    """Say what an erase does and that it cannot be undone; ask for the name on a terminal."""
    warn(consequence + " " + _("This cannot be undone."))
    if yes:
        return
    if not sys.stdin.isatty():
        raise InvalidInput(_("Not erased: confirm with --yes when not on a terminal."))
    prompt = _("Type the name to confirm")
    typed = click.prompt(prompt, default="", show_default=False, err=True)
    if typed.strip() != name:
        raise InvalidInput(_("Not erased: the name typed does not match."))


def _say_backups_holding(vault: Vault, customer: Customer) -> None:
    created = customer["created_at"]  # None for one only the history remembered
    since = datetime.fromisoformat(created) if created else datetime.min.replace(tzinfo=UTC)
    holding = [b for b in list_backups(vault.path) if b.saved_at >= since.replace(microsecond=0)]
    if holding:
        say(
            _(
                "{n} automatic backups made since this customer was added still hold them; "
                "they go as the backups rotate out (at most about a year)."
            ).format(n=len(holding))
        )


@cli.group(help=_("The people at a company customer."))
def contact() -> None:
    pass


@contact.command("add", help=_("Add a contact person to a customer, named by id or exact name."))
@book_options()
@click.argument("who", metavar="ID|NAME")
@field_options(CONTACT_OPTIONS, name_required=True)
@click.pass_obj
def contact_add(state: CliState, who: str, **fields: Any) -> None:
    with changing(state) as (book, _vault):
        customer = book.customers.resolve(who)
        added = book.customers.add_contact(
            customer.id, given_values(fields), source=source_of("contact add")
        )
    say(_("Added {contact} to {name}.").format(contact=added["name"], name=customer.name))


contact_id_argument = click.argument("contact_id", metavar="CONTACT_ID", type=int)


@contact.command("edit", help=_("Change fields of a contact person (CONTACT_ID from show)."))
@book_options()
@contact_id_argument
@field_options(CONTACT_OPTIONS, name_required=False)
@click.pass_obj
def contact_edit(state: CliState, contact_id: int, **fields: Any) -> None:
    values = given_values(fields)
    if not values:
        raise InvalidInput(_("Nothing to change: give at least one field option."))
    with changing(state) as (book, _vault):
        edited = book.customers.edit_contact(contact_id, values, source=source_of("contact edit"))
    say(_("Changed contact {id}: {name}").format(id=contact_id, name=edited["name"]))


@contact.command("remove", help=_("Take a contact person off a customer (undo brings it back)."))
@book_options()
@contact_id_argument
@click.pass_obj
def contact_remove(state: CliState, contact_id: int) -> None:
    with changing(state) as (book, _vault):
        removed = book.customers.remove_contact(contact_id, source=source_of("contact remove"))
    say(_("Removed contact {id}: {name}").format(id=contact_id, name=removed["name"]))


@contact.command(
    "erase",
    help=_("Erase a contact person for good (PIPL), history included. Cannot be undone."),
)
@book_options()
@contact_id_argument
@click.option("--yes", is_flag=True, help=_("Do not ask (for scripts)."))
@click.pass_obj
def contact_erase(state: CliState, contact_id: int, yes: bool) -> None:
    with changing(state) as (book, _vault):
        person = book.customers.contact(contact_id, or_history=True)
        consequence = _("Erasing {name} (contact {id}) removes them and their history for good.")
        _confirm_erase(person["name"], consequence.format(name=person["name"], id=contact_id), yes)
        book.customers.erase_contact(contact_id, source=source_of("contact erase"))
    say(_("Erased contact {id}: {name}.").format(id=contact_id, name=person["name"]))
