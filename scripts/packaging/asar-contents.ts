/** What a packaged app's app.asar holds, and whether it is enough for the bundle to run. */
import { getRawHeader } from '@electron/asar';
import { NATIVE_FILE } from './native-modules.ts';
import { isBuiltin, isRelative, packageName, type BundleRefs } from './bundle-imports.ts';

/** An archive entry: a file, inside app.asar or unpacked beside it. */
export interface AsarEntry {
  unpacked: boolean;
  size: number;
}

/** Every file of an app.asar by its path ('/'-separated, no leading slash). */
export type AsarIndex = Map<string, AsarEntry>;

interface HeaderNode {
  files?: Record<string, HeaderNode>;
  unpacked?: boolean;
  size?: number;
}

/** Reads the archive's header (no file contents). */
export function asarIndex(archive: string): AsarIndex {
  const index: AsarIndex = new Map();
  const walk = (node: HeaderNode, prefix: string): void => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const path = prefix ? `${prefix}/${name}` : name;
      if (child.files) walk(child, path);
      else index.set(path, { unpacked: child.unpacked === true, size: child.size ?? 0 });
    }
  };
  walk(getRawHeader(archive).header as HeaderNode, '');
  return index;
}

/**
 * The packaged app can run the bundle: out/main is inside, every package the
 * bundle loads resolves from the app's root node_modules (a subpath import to
 * its exact file), and every native file is unpacked.
 */
export function checkPackagedApp(index: AsarIndex, refs: BundleRefs): string[] {
  const problems: string[] = [];
  for (const chunk of refs.keys()) if (!index.has(`out/main/${chunk}`)) problems.push(`out/main/${chunk} is not in app.asar`);
  for (const [chunk, r] of refs) {
    for (const spec of r.specifiers) {
      if (isBuiltin(spec) || isRelative(spec) || spec === 'electron') continue;
      const name = packageName(spec);
      const wanted = spec === name ? `node_modules/${name}/package.json` : `node_modules/${spec}`;
      if (!index.has(wanted)) problems.push(`${chunk} loads ${spec}, but app.asar has no ${wanted}`);
    }
  }
  for (const [path, entry] of index) {
    if (NATIVE_FILE.test(path) && !entry.unpacked) problems.push(`${path} is native code inside app.asar: it must be unpacked`);
  }
  return problems;
}
