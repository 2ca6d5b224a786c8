import type { QueryParamValue } from '../../definition/schema.ts';
import { ReconError } from '../../errors/recon-error.ts';

/**
 * A query's `:name` parameters, found outside quoted text and comments (and
 * never in PostgreSQL's `::type` casts), each replaced with what `placeholder`
 * gives. Every name must be given, and every given name used: a typo in either
 * place is an error rather than a query silently run without its filter.
 */
export function bindNamed(
  sql: string,
  params: Record<string, QueryParamValue>,
  placeholder: (name: string, value: QueryParamValue) => string,
  where: string,
  /** Whether '…' strings take backslash escapes: MySQL's do, PostgreSQL's only as E'…'. */
  backslashQuotes: boolean,
): string {
  let out = '';
  const used = new Set<string>();
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    let end = i + 1;
    if (c === "'" || c === '"' || c === '`') {
      end = quotedEnd(sql, i, c, c !== '`' && (backslashQuotes || (c === "'" && /[eE]/.test(sql[i - 1] ?? ''))));
    } else if (c === '-' && next === '-') {
      end = lineEnd(sql, i);
    } else if (c === '#') {
      // MySQL's line comment; in PostgreSQL '#' is an operator, which no parameter follows anyway.
      end = lineEnd(sql, i);
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      end = close < 0 ? n : close + 2;
    } else if (c === '$') {
      // PostgreSQL's dollar quoting: $$…$$ or $tag$…$tag$.
      const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        end = close < 0 ? n : close + tag[0].length;
      }
    } else if (c === ':' && next === ':') {
      end = i + 2;
    } else if (c === ':' && next !== undefined && /[A-Za-z_]/.test(next) && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      if (!Object.hasOwn(params, name)) {
        throw new ReconError('DEFINITION_INVALID', `${where}: the query uses :${name}, but params gives no value for it (given: ${Object.keys(params).join(', ') || 'none'})`, { parameter: name });
      }
      used.add(name);
      out += placeholder(name, params[name]!);
      i += 1 + name.length;
      continue;
    }
    out += sql.slice(i, end);
    i = end;
  }
  const unused = Object.keys(params).filter((k) => !used.has(k));
  if (unused.length > 0) {
    throw new ReconError('DEFINITION_INVALID', `${where}: params ${unused.map((u) => `"${u}"`).join(', ')} ${unused.length === 1 ? 'is' : 'are'} not used by the query (write :${unused[0]} where the value goes)`, { parameters: unused });
  }
  return out;
}

function quotedEnd(sql: string, start: number, q: string, backslash: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    if (backslash && sql[i] === '\\') {
      i += 2;
      continue;
    }
    if (sql[i] === q) {
      if (sql[i + 1] === q) {
        i += 2; // a doubled quote is one quote character
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

function lineEnd(sql: string, start: number): number {
  const nl = sql.indexOf('\n', start);
  return nl < 0 ? sql.length : nl + 1;
}

/** The query without trailing semicolons and blanks, so it can be wrapped (COPY (…), SELECT * FROM (…) LIMIT 0). */
export function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}
