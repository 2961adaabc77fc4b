"""The encrypted book file: format, key derivation, atomic saves. Knows nothing of customers."""

from custbook.vault.errors import (
    BookDamaged,
    BookExists,
    BookNotFound,
    BookTooLarge,
    NewerVersion,
    NotACustbookFile,
    SaveFailed,
    SaveRefused,
    VaultError,
    WrongPassphrase,
)
from custbook.vault.kdf import DEFAULT_PARAMS, KdfParams
from custbook.vault.store import (
    Vault,
    create_book,
    open_memory_database,
    read_book_header,
    unlock_book,
)

__all__ = [
    "DEFAULT_PARAMS",
    "BookDamaged",
    "BookExists",
    "BookNotFound",
    "BookTooLarge",
    "KdfParams",
    "NewerVersion",
    "NotACustbookFile",
    "SaveFailed",
    "SaveRefused",
    "Vault",
    "VaultError",
    "WrongPassphrase",
    "create_book",
    "open_memory_database",
    "read_book_header",
    "unlock_book",
]
