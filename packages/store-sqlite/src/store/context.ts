import type { IdGenerator } from '@graphtrace/core';
import type { Connection } from './connection.js';

/** What every part of the store works with once the database is open. */
export interface StoreContext {
  conn: Connection;
  /** `sqlite:///…`, for messages. */
  uri: string;
  now: () => number;
  ids: IdGenerator;
  /** Artifact root for new experiments: `<root>/<experiment id>`. */
  artifactRoot: string;
}
