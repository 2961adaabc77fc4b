"""Values and changes as a person reads them, for every front end (CLI tables, the app)."""

from __future__ import annotations

from typing import Any

from custbook.book.history import ChangeSet
from custbook.book.validation import field_label, stage_labels
from custbook.i18n import _


def shown(field: str, value: Any) -> str:
    """A stored value as text: phones as typed, lists joined, stages with their Chinese."""
    if value is None or value == [] or value == {}:
        return ""
    if field == "phones":
        return ", ".join(p["typed"] for p in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field == "stage" and value in stage_labels():  # a customer's (a deal's is free text)
        label, chinese = stage_labels()[value]
        return label if label == chinese else f"{label} ({chinese})"
    if field == "kind":
        return _("company") if value == "company" else _("person")
    if field in ("do_not_contact", "is_primary"):
        return _("yes") if value else ""
    return str(value)


def source_text(change_set: ChangeSet) -> str:
    """Who made a change set (its source), or which one it undid."""
    if change_set.kind == "undo":
        return _("undo of {id}").format(id=change_set.undoes)
    suffix = " " + _("(undone)") if change_set.undone_by else ""
    return change_set.source + suffix


def record_title(record: dict[str, Any] | None) -> str:
    """What a whole-record change is called in a table: a name, a title or a subject."""
    record = record or {}
    return str(record.get("name") or record.get("title") or record.get("subject") or "")


def change_rows(change_set: ChangeSet) -> list[tuple[str, str, str]]:
    """(what, before, after) for each change: a field, or a record created or deleted."""
    rows = []
    for change in change_set.changes:
        what = entity_words().get(change.entity, "")  # a customer's own: its name says it
        if change.action == "create":
            label = _("created") + (f" {what}" if what else "")
            rows.append((label, "", record_title(change.after)))
        elif change.action == "delete":
            label = _("deleted") + (f" {what}" if what else "")
            rows.append((label, record_title(change.before), ""))
        else:
            field = change.field or ""
            rows.append(
                (field_label(field), shown(field, change.before), shown(field, change.after))
            )
    return rows


def risk_words() -> dict[str, str]:
    return {
        "payment": _("overdue payment"),
        "cancelled": _("cancelled or refunded orders"),
        "silent": _("silent past its cadence"),
        "falling": _("falling purchases"),
    }


def entity_words() -> dict[str, str]:
    """What each kind of record of a customer's is called (the customer itself: nothing)."""
    return {
        "contact": _("contact"), "interaction": _("interaction"), "order": _("order"),
        "opportunity": _("opportunity"), "reminder": _("reminder"),
    }  # fmt: skip


def stage_word(stage: str | None) -> str:
    """A customer's stage in the reader's language (忠实 for loyal in Chinese)."""
    return stage_labels()[stage][0] if stage in stage_labels() else stage or ""


def kind_words() -> dict[str, str]:
    """Each kind of interaction, as a person says it."""
    return {
        "call": _("call"), "visit": _("visit"), "meeting": _("meeting"), "email": _("email"),
        "message": _("message"), "feedback": _("feedback"), "event": _("event"),
    }  # fmt: skip


def when_text(stamp: str | None) -> str:
    """An ISO time as a person reads it: 2026-08-31 11:05."""
    return (stamp or "")[:16].replace("T", " ")


def order_status_words() -> dict[str, str]:
    return {
        "open": _("open"), "paid": _("paid"), "cancelled": _("cancelled"),
        "refunded": _("refunded"),
    }  # fmt: skip
