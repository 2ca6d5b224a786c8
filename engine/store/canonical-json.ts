/**
 * Canonical JSON for hashing audit events: keys sorted by UTF-16 code unit,
 * no whitespace, and no floats. Decimals travel as strings, so a hash never
 * depends on how a runtime prints 0.1 + 0.2.
 */

/** A JSON value that canonicalJson accepts. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Serializes a JSON value canonically; throws on floats, non-plain objects and undefined in arrays. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON allows only safe integers, got ${value}; pass decimals as strings`);
      return Object.is(value, -0) ? '0' : String(value);
    case 'object':
      if (Array.isArray(value)) {
        return `[${value
          .map((v: unknown) => {
            if (v === undefined) throw new TypeError('canonical JSON: undefined in an array');
            return canonicalJson(v);
          })
          .join(',')}]`;
      }
      if (!isPlainObject(value)) throw new TypeError(`canonical JSON: not a plain object (${Object.prototype.toString.call(value)})`);
      return `{${Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
        .join(',')}}`;
    default:
      throw new TypeError(`canonical JSON: cannot encode a ${typeof value}`);
  }
}

/**
 * Makes an outside value (a run summary, a definition) hashable: floats become
 * their shortest decimal string, bigints strings, Dates ISO strings, undefined
 * object fields are dropped. Integers stay numbers.
 */
export function toJsonSafe(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
      return Number.isSafeInteger(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value instanceof Date) return value.toISOString();
      if (Array.isArray(value)) return value.map((v: unknown) => toJsonSafe(v));
      const out: Record<string, JsonValue> = {};
      for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonSafe(v);
      return out;
    }
    default:
      throw new TypeError(`cannot store a ${typeof value} as JSON`);
  }
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
