"""Dumps what the installed MLflow writes into a new SQLite tracking database.

Run by scripts/schema-facts.mjs with each MLflow release's own interpreter:

  python mlflow_schema_facts.py fresh <db> <out.json>
      MLflow's own first use of an empty file (SqlAlchemyStore: initial tables, every
      migration to the head, the Default experiment).
  python mlflow_schema_facts.py walk <db> <out.json> <first revision>
      The initial tables, then one alembic revision at a time; a dump after each revision from
      <first revision> on.

A dump is the sqlite_master rows (type, name, tbl_name, sql, in rowid order, SQLite's own
objects left out) and the rows of every non-empty table but alembic_version and experiments.
"""

import json
import os
import sqlite3
import sys


def dump(path):
    conn = sqlite3.connect(path)
    try:
        objects = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY rowid"
        ).fetchall()
        rows = {}
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT IN ('alembic_version', 'experiments') ORDER BY name"
        ):
            cur = conn.execute(f'SELECT * FROM "{name}"')
            cols = [d[0] for d in cur.description]
            found = [dict(zip(cols, r)) for r in cur.fetchall()]
            if found:
                rows[name] = found
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return {"revision": revision, "objects": objects, "rows": rows}
    finally:
        conn.close()


def fresh(path):
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    store = SqlAlchemyStore(f"sqlite:///{path}", os.path.join(os.path.dirname(path), "mlruns"))
    store.engine.dispose()
    return dump(path)


def walk(path, first):
    from alembic import command
    from alembic.script import ScriptDirectory
    from mlflow.store.db.utils import _get_alembic_config, create_sqlalchemy_engine_with_retry
    from mlflow.store.tracking.dbmodels.initial_models import Base as InitialBase

    url = f"sqlite:///{path}"
    engine = create_sqlalchemy_engine_with_retry(url)
    InitialBase.metadata.create_all(engine)
    config = _get_alembic_config(url)
    script = ScriptDirectory.from_config(config)
    chain = [r.revision for r in script.walk_revisions("base", "heads")][::-1]
    if first not in chain:
        raise SystemExit(f"revision {first} is not in this MLflow's chain")
    dumps = []
    for revision in chain:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        if dumps or revision == first:
            dumps.append(dump(path))
    engine.dispose()
    return dumps


def main():
    mode, path, out = sys.argv[1:4]
    if os.path.exists(path):
        os.remove(path)
    result = fresh(path) if mode == "fresh" else walk(path, sys.argv[4])
    import mlflow

    with open(out, "w") as f:
        json.dump({"mlflow": mlflow.__version__, "result": result}, f)


if __name__ == "__main__":
    main()
