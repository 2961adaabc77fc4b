"""Command palette: jump to a customer by name, pinyin or phone digits."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import Hit, Hits, Provider

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
