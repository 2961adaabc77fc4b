"""Command palette: jump to a customer by name, pinyin or phone digits, and run any of
custbook's actions on the screen it was opened from, each shown with its key."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

from custbook.book.search.query import QueryError
from custbook.i18n import _
from custbook.tui.messages import OpenCustomer

if TYPE_CHECKING:
    from custbook.tui.app import CustbookApp

_HITS = 10


class CustomerProvider(Provider):
    async def search(self, query: str) -> Hits:
        app: CustbookApp = self.app  # type: ignore[assignment]
        if not query.strip() or app.locked or not app.runtime.is_open:
            return  # behind a lock screen, nothing of the book shows
        try:
            found = await app.runtime.run(lambda book: book.search(query, limit=_HITS))
        except QueryError:
            return
        for rank, line in enumerate(found):
            record = line.record
            where = " · ".join(filter(None, [record["company"], record["city"]]))
            yield Hit(
                1.0 - rank / (_HITS + 1),  # the search's own order, best first
                Text(f"{record['name']}  {where}"),  # names are not markup
                partial(app.post_message, OpenCustomer(line.id)),
                help=_("Open this customer"),
            )


def screen_actions(
    app: App[None], screen: Screen[object]
) -> list[tuple[str, str, DOMNode, Binding]]:
    """(what it does, its keys, where it runs, the binding) for custbook's own bindings on
    the current screen (those with an id: Textual's built-in ones, untranslated, are left
    out), the keys of one action together (`↓ j`)."""
    found: dict[str, tuple[str, list[str], DOMNode, Binding]] = {}
    for node, binding, enabled, _tooltip in screen.active_bindings.values():
        if binding.id and binding.description and enabled:
            what = str(binding.description)
            keys = binding.key_display or app.get_key_display(binding)
            found.setdefault(what, (what, [], node, binding))[1].append(keys)
    return [(what, " ".join(keys), node, binding) for what, keys, node, binding in found.values()]


class ActionProvider(Provider):
    """The keys of the screen under the palette, as commands (locked: none)."""

    async def search(self, query: str) -> Hits:
        app: CustbookApp = self.app  # type: ignore[assignment]
        if app.locked:
            return
        matcher = self.matcher(query)
        for what, keys, node, binding in screen_actions(app, self.screen):
            score = matcher.match(what)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(what),
                    partial(app.run_action, binding.action, node),
                    help=_("Key: {keys}").format(keys=keys),
                )

    async def discover(self) -> Hits:
        app: CustbookApp = self.app  # type: ignore[assignment]
        if app.locked:
            return
        for what, keys, node, binding in screen_actions(app, self.screen):
            yield DiscoveryHit(
                what,
                partial(app.run_action, binding.action, node),
                help=_("Key: {keys}").format(keys=keys),
            )
