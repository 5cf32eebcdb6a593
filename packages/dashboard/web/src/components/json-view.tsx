import { useState } from 'preact/hooks';

/** Characters of a string shown before "show more". */
const LONG_STRING = 400;
/** Entries of an object or array shown before "show more". */
const MANY_ENTRIES = 100;

function Scalar({ value }: { value: unknown }) {
  const [full, setFull] = useState(false);
  if (value === null) return <span class="json-null">null</span>;
  if (typeof value === 'string') {
    const long = value.length > LONG_STRING && !full;
    return (
      <span class="json-string">
        "{long ? value.slice(0, LONG_STRING) : value}"
        {long ? (
          <button type="button" class="link-button" onClick={() => setFull(true)}>
            … {(value.length - LONG_STRING).toLocaleString('en-US')} more characters
          </button>
        ) : null}
      </span>
    );
  }
  if (typeof value === 'number') return <span class="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span class="json-boolean">{String(value)}</span>;
  return <span class="json-string">{String(value)}</span>;
}

function Node({
  name,
  value,
  depth,
  expandDepth,
}: {
  name: string | null;
  value: unknown;
  depth: number;
  expandDepth: number;
}) {
  const isArray = Array.isArray(value);
  const isObject = value !== null && typeof value === 'object';
  const [open, setOpen] = useState(depth < expandDepth);
  const [all, setAll] = useState(false);
  const label = name === null ? null : <span class="json-key">{name}: </span>;
  if (!isObject) {
    return (
      <div class="json-row">
        {label}
        <Scalar value={value} />
      </div>
    );
  }
  const entries = isArray
    ? (value as unknown[]).map((v, i) => [String(i), v] as const)
    : Object.entries(value as Record<string, unknown>);
  const [openBracket, closeBracket] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return (
      <div class="json-row">
        {label}
        <span class="json-punct">
          {openBracket}
          {closeBracket}
        </span>
      </div>
    );
  }
  const shown = all ? entries : entries.slice(0, MANY_ENTRIES);
  return (
    <div class="json-node">
      <button type="button" class="json-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="caret">{open ? '▾' : '▸'}</span>
        {label}
        <span class="json-punct">{openBracket}</span>
        {open ? null : (
          <span class="json-summary">
            {isArray ? `${entries.length} items` : `${entries.length} keys`}
            {closeBracket}
          </span>
        )}
      </button>
      {open ? (
        <div class="json-children">
          {shown.map(([k, v]) => (
            <Node
              key={k}
              name={isArray ? null : k}
              value={v}
              depth={depth + 1}
              expandDepth={expandDepth}
            />
          ))}
          {shown.length < entries.length ? (
            <button type="button" class="link-button" onClick={() => setAll(true)}>
              show {entries.length - shown.length} more
            </button>
          ) : null}
          <div class="json-punct">{closeBracket}</div>
        </div>
      ) : null}
    </div>
  );
}

/** A collapsible JSON tree; objects open to `expandDepth` levels. */
export function JsonView({ value, expandDepth = 2 }: { value: unknown; expandDepth?: number }) {
  return (
    <div class="json-view">
      <Node name={null} value={value} depth={0} expandDepth={expandDepth} />
    </div>
  );
}
