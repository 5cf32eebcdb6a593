import type { FilterDomain, FilterEntity, FilterOp } from './ast.js';

export type AttributeKind = 'string' | 'number' | 'enum';

export interface AttributeSpec {
  /** Canonical name used in the AST. */
  name: string;
  kind: AttributeKind;
  values?: readonly string[];
}

const STRING_OPS: readonly FilterOp[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
const NUMBER_OPS: readonly FilterOp[] = ['=', '!=', '<', '>', '<=', '>='];
const ENUM_OPS: readonly FilterOp[] = ['=', '!=', 'IN', 'NOT IN'];

export function opsFor(kind: AttributeKind): readonly FilterOp[] {
  return kind === 'number' ? NUMBER_OPS : kind === 'enum' ? ENUM_OPS : STRING_OPS;
}

const TRACE_STATES = ['OK', 'ERROR', 'IN_PROGRESS'] as const;
const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;

/** Attribute names (and their aliases) each search understands. */
const ATTRIBUTES: Record<FilterDomain, Record<string, AttributeSpec>> = {
  traces: {
    status: { name: 'status', kind: 'enum', values: TRACE_STATES },
    state: { name: 'status', kind: 'enum', values: TRACE_STATES },
    timestamp_ms: { name: 'timestamp_ms', kind: 'number' },
    timestamp: { name: 'timestamp_ms', kind: 'number' },
    request_time: { name: 'timestamp_ms', kind: 'number' },
    execution_time_ms: { name: 'execution_time_ms', kind: 'number' },
    execution_duration: { name: 'execution_time_ms', kind: 'number' },
    name: { name: 'name', kind: 'string' },
    run_id: { name: 'run_id', kind: 'string' },
    trace_id: { name: 'trace_id', kind: 'string' },
    request_id: { name: 'trace_id', kind: 'string' },
    client_request_id: { name: 'client_request_id', kind: 'string' },
  },
  runs: {
    status: { name: 'status', kind: 'enum', values: RUN_STATUSES },
    start_time: { name: 'start_time', kind: 'number' },
    created: { name: 'start_time', kind: 'number' },
    end_time: { name: 'end_time', kind: 'number' },
    run_name: { name: 'run_name', kind: 'string' },
    run_id: { name: 'run_id', kind: 'string' },
    user_id: { name: 'user_id', kind: 'string' },
    artifact_uri: { name: 'artifact_uri', kind: 'string' },
  },
};

const PREFIXES: Record<FilterDomain, Record<string, FilterEntity>> = {
  traces: {
    attributes: 'attribute',
    attribute: 'attribute',
    attr: 'attribute',
    trace: 'attribute',
    tags: 'tag',
    tag: 'tag',
    metadata: 'metadata',
    request_metadata: 'metadata',
  },
  runs: {
    attributes: 'attribute',
    attribute: 'attribute',
    attr: 'attribute',
    run: 'attribute',
    tags: 'tag',
    tag: 'tag',
    params: 'param',
    param: 'param',
    parameter: 'param',
    parameters: 'param',
    metrics: 'metric',
    metric: 'metric',
  },
};

export function entityForPrefix(domain: FilterDomain, prefix: string): FilterEntity | undefined {
  return PREFIXES[domain][prefix.toLowerCase()];
}

export function knownPrefixes(domain: FilterDomain): string[] {
  return Object.keys(PREFIXES[domain]);
}

export function attributeSpec(domain: FilterDomain, name: string): AttributeSpec | undefined {
  return ATTRIBUTES[domain][name.toLowerCase()];
}

export function knownAttributes(domain: FilterDomain): string[] {
  return Object.keys(ATTRIBUTES[domain]);
}

/** The value kind of a non-attribute entity: metrics are numbers, the rest strings. */
export function entityKind(entity: FilterEntity): AttributeKind {
  return entity === 'metric' ? 'number' : 'string';
}
