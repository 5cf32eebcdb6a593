/** How the text of an environment variable becomes an option value. */
export type EnvValueKind = 'boolean' | 'number' | 'integer' | 'string' | 'list' | 'map';

export interface EnvBinding {
  variable: string;
  /** Dot-path of the option it sets. */
  path: string;
  kind: EnvValueKind;
}

const P = 'observability.mlflow';

/**
 * Environment variables, MLflow's own first (so existing deployments keep working), then ours.
 * When two variables set one option, the later one in this list wins.
 */
export const ENV_BINDINGS: readonly EnvBinding[] = [
  { variable: 'MLFLOW_TRACKING_URI', path: `${P}.tracking_uri`, kind: 'string' },
  { variable: 'MLFLOW_EXPERIMENT_NAME', path: `${P}.experiment_name`, kind: 'string' },
  { variable: 'MLFLOW_EXPERIMENT_ID', path: `${P}.experiment_id`, kind: 'string' },
  { variable: 'MLFLOW_TRACKING_TOKEN', path: `${P}.token`, kind: 'string' },
  { variable: 'MLFLOW_TRACKING_USERNAME', path: `${P}.username`, kind: 'string' },
  { variable: 'MLFLOW_TRACKING_PASSWORD', path: `${P}.password`, kind: 'string' },
  { variable: 'MLFLOW_TRACKING_INSECURE_TLS', path: `${P}.insecure_tls`, kind: 'boolean' },
  { variable: 'MLFLOW_TRACKING_SERVER_CERT_PATH', path: `${P}.ca_bundle`, kind: 'string' },
  { variable: 'MLFLOW_HTTP_REQUEST_TIMEOUT', path: `${P}.request_timeout`, kind: 'number' },
  { variable: 'GRAPHTRACE_FLUSH_TIMEOUT', path: `${P}.flush_timeout`, kind: 'number' },
  { variable: 'GRAPHTRACE_ENABLED', path: `${P}.enabled`, kind: 'boolean' },
  {
    variable: 'GRAPHTRACE_SQLITE_SCHEMA_VERSION',
    path: `${P}.sqlite_schema_version`,
    kind: 'string',
  },
  { variable: 'GRAPHTRACE_AUTOLOG', path: `${P}.autolog_enabled`, kind: 'boolean' },
  {
    variable: 'GRAPHTRACE_RECORD_INTERNAL_CHAINS',
    path: `${P}.record_internal_chains`,
    kind: 'string',
  },
  { variable: 'GRAPHTRACE_LOG_PROMPTS', path: `${P}.log_prompts`, kind: 'boolean' },
  { variable: 'GRAPHTRACE_SAMPLING', path: `${P}.sampling`, kind: 'number' },
  { variable: 'GRAPHTRACE_MAX_PAYLOAD_CHARS', path: `${P}.max_payload_chars`, kind: 'integer' },
  { variable: 'GRAPHTRACE_REDACT', path: `${P}.redact`, kind: 'list' },
  { variable: 'GRAPHTRACE_RUN_NAME', path: `${P}.run_name`, kind: 'string' },
  { variable: 'GRAPHTRACE_TAGS', path: `${P}.tags`, kind: 'map' },
  { variable: 'GRAPHTRACE_SESSION', path: `${P}.session`, kind: 'string' },
  { variable: 'GRAPHTRACE_USER', path: `${P}.user`, kind: 'string' },
  { variable: 'GRAPHTRACE_FALLBACK_ENABLED', path: `${P}.fallback.enabled`, kind: 'boolean' },
  {
    variable: 'GRAPHTRACE_FALLBACK_PRECHECK_TIMEOUT',
    path: `${P}.fallback.precheck_timeout`,
    kind: 'number',
  },
  { variable: 'GRAPHTRACE_FALLBACK_URI', path: `${P}.fallback.uri`, kind: 'string' },
  { variable: 'GRAPHTRACE_PRICING_ENABLED', path: `${P}.pricing.enabled`, kind: 'boolean' },
];

/** Names a config file to read when `loadConfig` is given none. */
export const CONFIG_PATH_ENV = 'GRAPHTRACE_CONFIG';

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export type EnvParse = { ok: true; value: unknown } | { ok: false; message: string };

/** Turns the text of a variable into a value of `kind`; the message says what is expected. */
export function parseEnvValue(raw: string, kind: EnvValueKind): EnvParse {
  const text = raw.trim();
  switch (kind) {
    case 'string':
      return { ok: true, value: raw };
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE.has(lower)) return { ok: true, value: true };
      if (FALSE.has(lower)) return { ok: true, value: false };
      return { ok: false, message: 'is not a boolean; use true or false' };
    }
    case 'number':
    case 'integer': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) return { ok: false, message: 'is not a number' };
      if (kind === 'integer' && !Number.isInteger(n)) {
        return { ok: false, message: 'is not a whole number' };
      }
      return { ok: true, value: n };
    }
    case 'list':
      return {
        ok: true,
        value: text
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      };
    case 'map':
      return parseMap(text);
  }
}

// `k=v,k2=v2`, or a JSON object for values that contain commas.
function parseMap(text: string): EnvParse {
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, message: 'is not valid JSON' };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ok: false, message: 'must be a JSON object of strings' };
    }
    return { ok: true, value: parsed };
  }
  const map: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return { ok: false, message: 'must look like key=value,key2=value2' };
    const key = part.slice(0, eq).trim();
    if (key === '__proto__') return { ok: false, message: 'uses the reserved key __proto__' };
    map[key] = part.slice(eq + 1).trim();
  }
  return { ok: true, value: map };
}
