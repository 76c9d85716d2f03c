"""The store layer: the SQLite observation log, its schema, canonical form, CSV import/export and private files.

Imports the engine (and :mod:`kit.words`); imported by views, handout and cli. ``kit.store`` re-exports the
log's public API (:mod:`kit.store.db`).
"""

from kit.store.db import (
    DEMO_ENV_VAR as DEMO_ENV_VAR,
)
from kit.store.db import (
    DEMO_STORE_FILENAME as DEMO_STORE_FILENAME,
)
from kit.store.db import (
    ENV_VAR as ENV_VAR,
)
from kit.store.db import (
    MIGRATIONS as MIGRATIONS,
)
from kit.store.db import (
    SAMPLE_LOG as SAMPLE_LOG,
)
from kit.store.db import (
    SCHEMA_VERSION as SCHEMA_VERSION,
)
from kit.store.db import (
    EpisodeSummary as EpisodeSummary,
)
from kit.store.db import (
    EraseReport as EraseReport,
)
from kit.store.db import (
    ImportReport as ImportReport,
)
from kit.store.db import (
    LogImportError as LogImportError,
)
from kit.store.db import (
    Store as Store,
)
from kit.store.db import (
    StoreError as StoreError,
)
from kit.store.db import (
    StoreRequestError as StoreRequestError,
)
from kit.store.db import (
    canonical_observation as canonical_observation,
)
from kit.store.db import (
    default_store_path as default_store_path,
)
from kit.store.db import (
    demo_store_path as demo_store_path,
)
from kit.store.db import (
    ensure_sample_store as ensure_sample_store,
)
from kit.store.db import (
    open_demo_store as open_demo_store,
)
from kit.store.db import (
    unreadable_store as unreadable_store,
)

__all__ = [
    "Store",
    "StoreError",
    "StoreRequestError",
    "EraseReport",
    "EpisodeSummary",
    "LogImportError",
    "ImportReport",
    "default_store_path",
    "ensure_sample_store",
    "demo_store_path",
    "open_demo_store",
    "DEMO_ENV_VAR",
    "DEMO_STORE_FILENAME",
    "canonical_observation",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ENV_VAR",
    "SAMPLE_LOG",
    "unreadable_store",
]
