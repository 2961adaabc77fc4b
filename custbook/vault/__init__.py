"""The encrypted book file: format, key derivation, atomic saves. Knows nothing of customers."""

from custbook.vault.backups import Backup, BackupCheck, BackupState, RetentionPolicy
from custbook.vault.database import open_memory_database
from custbook.vault.errors import (
    BookDamaged,
    BookExists,
    BookNotFound,
    BookTooLarge,
    LockRefused,
    NewerVersion,
    NotACustbookFile,
    OpenElsewhere,
    SaveFailed,
    SaveRefused,
    UnreadableBook,
    VaultError,
    WrongPassphrase,
)
from custbook.vault.kdf import DEFAULT_PARAMS, KdfParams
from custbook.vault.store import (
    Vault,
    create_book,
    read_book_header,
    restore_backup,
    unlock_book,
)

__all__ = [
    "DEFAULT_PARAMS",
    "Backup",
    "BackupCheck",
    "BackupState",
    "BookDamaged",
    "BookExists",
    "BookNotFound",
    "BookTooLarge",
    "KdfParams",
    "LockRefused",
    "NewerVersion",
    "NotACustbookFile",
    "OpenElsewhere",
    "RetentionPolicy",
    "SaveFailed",
    "SaveRefused",
    "UnreadableBook",
    "Vault",
    "VaultError",
    "WrongPassphrase",
    "create_book",
    "open_memory_database",
    "read_book_header",
    "restore_backup",
    "unlock_book",
]
