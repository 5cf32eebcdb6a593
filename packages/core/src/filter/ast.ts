/** The typed form of an MLflow filter string: comparisons joined by AND. */
export type FilterOp = '=' | '!=' | '<' | '>' | '<=' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

export type FilterEntity = 'attribute' | 'tag' | 'metadata' | 'param' | 'metric';

export type FilterValue = string | number | string[];

export interface FilterComparison {
  entity: FilterEntity;
  /** For attributes, the canonical name (e.g. `timestamp_ms`, `status`); otherwise the key as written. */
  key: string;
  op: FilterOp;
  value: FilterValue;
  /** 1-based column of the comparison in the filter text, for messages. */
  column: number;
}

export interface FilterExpression {
  /** All must hold. Empty: everything matches. */
  clauses: FilterComparison[];
}

export interface OrderByTerm {
  entity: FilterEntity;
  key: string;
  ascending: boolean;
}

/** Which search the filter is for: decides the valid entities and attribute names. */
export type FilterDomain = 'traces' | 'runs';
