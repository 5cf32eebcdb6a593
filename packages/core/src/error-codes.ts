/**
 * Every code a graphtrace error carries, in one closed list (ERRORS.md is generated from it:
 * `pnpm --filter @graphtrace/core run docs`). Each code has a one-line comment saying when it
 * happens and what to do; `// # …` lines group them for the document.
 * A package that needs a new code adds it here, so `error.code` can be matched exhaustively.
 */
export type GraphtraceErrorCode =
  // # Any store and the tracking API
  /** The experiment, run, trace or other object asked for does not exist: check the id or name. */
  | 'NOT_FOUND'
  /** An object with that name or id exists already: pick another name or use the existing one. */
  | 'ALREADY_EXISTS'
  /** An argument is out of range or malformed; the message names it and the accepted values. */
  | 'INVALID_ARGUMENT'
  /** A search filter does not parse or names an unknown field; the message points at the column. */
  | 'INVALID_FILTER'
  /** An order_by clause does not parse or names an unknown field; the message points at the column. */
  | 'INVALID_ORDER_BY'
  /** A page token is not one this store issued for this search: start the search from the first page. */
  | 'INVALID_PAGE_TOKEN'
  /** The store or server does not support this operation: use a store that does, or skip it. */
  | 'UNSUPPORTED'
  /** The store cannot be reached or refused for a while (down, overloaded, rate-limited): retry later. */
  | 'STORE_UNAVAILABLE'
  /** The store is open read-only (file permissions, unknown schema, readOnly option): writes are refused. */
  | 'READ_ONLY'
  /** An optional package a feature needs (a store for a URI scheme, autolog) is not installed: npm i it. */
  | 'PACKAGE_NOT_INSTALLED'
  /** A stored span's JSON content does not parse or lacks its ids: the database row was written by hand or damaged. */
  | 'INVALID_SPAN_JSON'
  /** A bug in graphtrace or an unexpected failure of a library: run with --debug and report it. */
  | 'INTERNAL'
  // # MLflow server (@graphtrace/store-mlflow)
  /** The server wants credentials: set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and _PASSWORD. */
  | 'UNAUTHENTICATED'
  /** The server knows the user but refuses this request: ask its admin for the permission. */
  | 'PERMISSION_DENIED'
  /** The server's TLS certificate is not trusted: set caBundle (MLFLOW_TRACKING_SERVER_CERT_PATH) or fix the URL. */
  | 'TLS_ERROR'
  // # Autolog (@graphtrace/autolog-langgraph)
  /** autolog() was called before any tracker exists: pass one, or call init() / setup() first. */
  | 'AUTOLOG_NO_TRACKER'
  // # Configuration (@graphtrace/config)
  /** The config file named does not exist: fix the path or run `graphtrace init`. */
  | 'CONFIG_NOT_FOUND'
  /** The config file exists but cannot be read (permissions, a directory): fix the file. */
  | 'CONFIG_READ_FAILED'
  /** The config file is larger than a configuration can be: point at the right file. */
  | 'CONFIG_TOO_LARGE'
  /** The config file is not valid YAML; the message gives line and column. */
  | 'CONFIG_YAML_SYNTAX'
  /** A key appears twice in the same mapping of the config file: keep one. */
  | 'CONFIG_DUPLICATE_KEY'
  /** A key graphtrace does not know (an error in its section, a warning for a near-miss outside it): see the suggestion. */
  | 'CONFIG_UNKNOWN_KEY'
  /** An option has the wrong type (a string where a number belongs…): the message names the type wanted. */
  | 'CONFIG_INVALID_TYPE'
  /** An option's value is out of its range or not one of its choices: the message lists the valid ones. */
  | 'CONFIG_INVALID_VALUE'
  /** The tracking URI is not one graphtrace can open: use sqlite:///file.db, http(s)://host or file://dir. */
  | 'CONFIG_INVALID_URI'
  /** The file's config_version is newer or unknown: upgrade graphtrace or fix the version. */
  | 'CONFIG_UNSUPPORTED_VERSION'
  /** The MLflow 2.9-era and the current form of a section or key are both set: keep the current one only. */
  | 'CONFIG_LEGACY_CONFLICT'
  /** The directory of the SQLite database cannot be written: make it writable or pick another path. */
  | 'CONFIG_UNWRITABLE_SQLITE_DIR'
  /** An environment variable holds a value its option does not accept: fix or unset the variable. */
  | 'CONFIG_INVALID_ENV'
  /** An override passed in code or on the command line is not valid: fix the value given. */
  | 'CONFIG_INVALID_OVERRIDE'
  /** Writing the migrated or generated config file failed (disk, permissions): fix and run again. */
  | 'CONFIG_WRITE_FAILED'
  /** Warning: the file is in the MLflow 2.9-era format; it still loads, `graphtrace config migrate` updates it. */
  | 'CONFIG_LEGACY_FORMAT'
  /** Warning: a legacy section is read for compatibility; `graphtrace config migrate` moves it. */
  | 'CONFIG_LEGACY_SECTION'
  /** Warning: a legacy key is read under its new name; `graphtrace config migrate` renames it. */
  | 'CONFIG_LEGACY_KEY'
  /** Warning: a FileStore URI (file://./mlruns) is read as a sqlite:/// one; import the old runs with the command given. */
  | 'CONFIG_LEGACY_URI'
  /** Warning: the file has no observability.mlflow section, so defaults apply: add one to configure. */
  | 'CONFIG_SECTION_MISSING'
  /** Warning: the experiment is named in two places that disagree; the message says which one wins. */
  | 'CONFIG_EXPERIMENT_CONFLICT'
  // # SQLite store (@graphtrace/store-sqlite)
  /** The DB is stamped with an MLflow schema revision graphtrace cannot use (older, newer, unknown): upgrade one side. */
  | 'SQLITE_SCHEMA_REVISION'
  /** The DB has tables but is not an MLflow tracking DB: graphtrace refuses to touch it; use another file. */
  | 'SQLITE_NOT_MLFLOW'
  /** The DB is stamped with a known revision but tables of it are missing: restore a backup or `mlflow db upgrade`. */
  | 'SQLITE_SCHEMA_INCOMPLETE'
  /** An empty DB was opened read-only, so no schema can be created: open it writable once. */
  | 'SQLITE_SCHEMA_MISSING'
  /** Creating the schema failed and nothing was committed: the message has SQLite's reason. */
  | 'SQLITE_SCHEMA_MIGRATION_FAILED'
  /** Upgrading the schema failed and the file is as it was: the message has SQLite's reason. */
  | 'SQLITE_SCHEMA_UPGRADE_FAILED'
  /** A schema version or revision asked for is not one graphtrace knows: `graphtrace db` lists the known ones. */
  | 'SQLITE_SCHEMA_UNKNOWN_VERSION'
  /** The file is not an SQLite database (another kind of file, encrypted, header lost): point at an MLflow DB. */
  | 'SQLITE_NOTADB'
  /** SQLite finds the file damaged (truncated, overwritten): restore a backup or `sqlite3 file .recover`. */
  | 'SQLITE_CORRUPT'
  /** SQLite failed a write of the trace writer (disk full, I/O error): the message has its reason; free space or fix the disk. */
  | 'SQLITE_WRITE_FAILED'
  // # Dashboard (@graphtrace/dashboard; the HTTP API answers with the status in brackets)
  /** A query parameter is missing or malformed (400): the message and `param` name it. */
  | 'INVALID_QUERY'
  /** A request body is not JSON or a field of it is invalid (400): the message and `param` name it. */
  | 'INVALID_BODY'
  /** The request's Host or Origin is not the loopback address the dashboard serves (403): open http://127.0.0.1:<port>/ or start it with --host. */
  | 'FORBIDDEN_HOST'
  /** A body was sent with a Content-Type other than application/json (415): send JSON. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** The dashboard's port is taken by another process: pick another with --port or stop that process. */
  | 'PORT_IN_USE'
  /** The dashboard could not listen on its host and port (permissions, bad address): the message has why. */
  | 'LISTEN_FAILED'
  /** A dashboard option (e.g. live.maxStreams) is out of range: the message gives the accepted range. */
  | 'INVALID_OPTION'
  /** The dashboard serves as many live streams as it may (503): close tabs; pages poll meanwhile. */
  | 'TOO_MANY_STREAMS'
  /** The dashboard is shutting down and refuses new work (503): reload once it is back. */
  | 'SERVER_CLOSING'
  // # Command line (@graphtrace/cli; exit code 2 for usage errors, 1 otherwise)
  /** The command line is wrong (unknown option, missing argument, bad value): see `graphtrace <command> --help`. */
  | 'USAGE'
  /** The configuration has errors, listed above the message: fix them (`graphtrace config check`). */
  | 'CONFIG_INVALID'
  /** A tracking URI given on the command line is not one graphtrace can open: the message shows the forms. */
  | 'INVALID_URI'
  /** The file to create exists already: pass --force to overwrite it or choose another path. */
  | 'FILE_EXISTS'
  /** A destructive command needs confirmation and there is no terminal to ask: pass --yes. */
  | 'CONFIRMATION_REQUIRED'
  /** The user answered no to a confirmation: nothing was changed. */
  | 'ABORTED'
  /** The SQLite database named does not exist and the command does not create one: check the path. */
  | 'DATABASE_NOT_FOUND'
  /** `graphtrace ui` needs @graphtrace/dashboard, which is not installed: npm i @graphtrace/dashboard. */
  | 'DASHBOARD_NOT_INSTALLED'
  /** Some traces could not be replayed from the spool and stay there: fix the cause and run `graphtrace sync` again. */
  | 'SYNC_FAILED'
  /** Some items of an import, export or copy failed (see the summary): fix the cause and run again. */
  | 'TRANSFER_INCOMPLETE'
  /** Writing an output file failed (disk, permissions): the message names the file. */
  | 'WRITE_FAILED'
  /** `graphtrace doctor` found failing checks, listed above with what to do. */
  | 'CHECKS_FAILED';
