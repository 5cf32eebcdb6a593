import type { Kysely } from 'kysely';

/** One `CREATE [UNIQUE] INDEX name ON table (columns…)`, named exactly as MLflow names it. */
export async function createIndex(
  db: Kysely<any>,
  name: string,
  table: string,
  columns: string[],
  unique = false,
): Promise<void> {
  let builder = db.schema.createIndex(name).on(table).columns(columns);
  if (unique) builder = builder.unique();
  await builder.execute();
}
