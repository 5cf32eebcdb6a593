import type { Kysely } from 'kysely';
import { varchar } from '../column-types.js';
import { MLFLOW_SCHEMA_HEAD } from '../revisions.js';
import { createGatewayTables } from '../tables/gateway.js';
import { createGenaiTables } from '../tables/genai.js';
import { createLoggedModelTables } from '../tables/logged-models.js';
import { createRegistryTables } from '../tables/registry.js';
import { createTracingTables } from '../tables/tracing.js';
import { createTrackingTables } from '../tables/tracking.js';

export interface InitialDataOptions {
  /** Artifact location of the Default experiment, without the trailing `/0`. */
  defaultArtifactRoot: string;
  /** Creation time of the Default experiment, epoch ms. */
  now: number;
}

/**
 * From an empty file to MLflow 3.9.0's head in one step: every table, index and trigger,
 * the alembic stamp, and the Default experiment (id 0) as MLflow's SqlAlchemyStore inserts it.
 */
export async function createMlflow390Schema(
  db: Kysely<any>,
  init: InitialDataOptions,
): Promise<void> {
  await createTrackingTables(db);
  await createTracingTables(db);
  await createLoggedModelTables(db);
  await createRegistryTables(db);
  await createGenaiTables(db);
  await createGatewayTables(db);

  await db.schema
    .createTable('alembic_version')
    .addColumn('version_num', varchar(32), (c) => c.notNull())
    .addPrimaryKeyConstraint('alembic_version_pkc', ['version_num'])
    .execute();
  await db.insertInto('alembic_version').values({ version_num: MLFLOW_SCHEMA_HEAD }).execute();

  await db
    .insertInto('experiments')
    .values({
      experiment_id: 0,
      name: 'Default',
      artifact_location: appendPath(init.defaultArtifactRoot, '0'),
      lifecycle_stage: 'active',
      creation_time: init.now,
      last_update_time: init.now,
    })
    .execute();
}

/** Joins like MLflow's append_to_uri_path: exactly one `/` between root and segment. */
function appendPath(root: string, segment: string): string {
  return `${root.replace(/\/+$/, '')}/${segment}`;
}
