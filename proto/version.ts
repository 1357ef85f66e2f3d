import { readFileSync } from 'node:fs';

/** Set by the single-file agent bundle's build (scripts/build-agent.mjs), which has no package.json beside it. */
declare const __CROSSPROBE_VERSION__: string | undefined;

/** crossprobe's version: built into the bundle, else from package.json next to the compiled tree. */
export const VERSION: string = (() => {
  if (typeof __CROSSPROBE_VERSION__ === 'string') return __CROSSPROBE_VERSION__;
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      /* try the next */
    }
  }
  return '0.0.0';
})();
