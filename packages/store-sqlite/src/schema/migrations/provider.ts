import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { MLFLOW_SCHEMA_HEAD } from '../revisions.js';
import { createMlflow390Schema, type InitialDataOptions } from './mlflow-3-9-0.js';

/** One step of graphtrace's schema history, tied to the alembic revisions it goes between. */
export interface SchemaStep {
  /** Kysely migration name; names sort in the order steps apply. */
  name: string;
  /** The revision the step starts from; `null` for an empty database. */
  from: string | null;
  /** The revision the step stamps. */
  to: string;
  up(db: Kysely<any>): Promise<void>;
}

/** graphtrace's steps, oldest first. A future MLflow head appends a step from the previous one. */
export function schemaSteps(init: InitialDataOptions): SchemaStep[] {
  return [
    {
      name: '0001-mlflow-3.9.0-d3e4f5a6b7c8',
      from: null,
      to: MLFLOW_SCHEMA_HEAD,
      up: (db) => createMlflow390Schema(db, init),
    },
  ];
}

/**
 * An in-code MigrationProvider that offers only the steps still to run after `current`.
 * What has run is read from `alembic_version`, the one record MLflow itself trusts, so no
 * bookkeeping table of ours ever lands in an MLflow database.
 */
export class RevisionMigrationProvider implements MigrationProvider {
  readonly #steps: SchemaStep[];
  readonly #current: string | null;

  constructor(steps: SchemaStep[], current: string | null) {
    this.#steps = steps;
    this.#current = current;
  }

  /** Whether a chain of steps leads from `current` to the head. */
  get canReachHead(): boolean {
    return this.#pending() !== undefined;
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    const pending = this.#pending() ?? [];
    return Object.fromEntries(pending.map((s) => [s.name, { up: (db: Kysely<any>) => s.up(db) }]));
  }

  #pending(): SchemaStep[] | undefined {
    if (this.#current === MLFLOW_SCHEMA_HEAD) return [];
    const start = this.#steps.findIndex((s) => s.from === this.#current);
    return start === -1 ? undefined : this.#steps.slice(start);
  }
}
