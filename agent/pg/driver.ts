// The `pg` driver as the agent loads it. On loading, pg asks whether it runs on Cloudflare Workers: it
// reads `navigator.userAgent`, and where there is no `navigator` (Node 20; Node 21 and later define one)
// it constructs a fetch `Response` instead, which loads Node's bundled undici and zlib: about 5 MB of
// the agent's idle RSS, measured, for an answer that is always "no" here. For the length of the require
// the agent gives pg the `navigator` Node 21 would (`userAgent` "Node.js/<major>"), then removes it, so
// nothing else in the process sees a global that Node 20 does not have. (Why require: require-package.ts.)

import { requirePackage } from '../require-package.js';

interface WithNavigator {
  navigator?: unknown;
}

function loadPg(): typeof import('pg').default {
  const host = globalThis as WithNavigator;
  const lent = host.navigator === undefined;
  if (lent) {
    Object.defineProperty(host, 'navigator', {
      value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` },
      configurable: true,
      writable: true,
    });
  }
  try {
    return requirePackage('pg');
  } finally {
    if (lent) delete host.navigator;
  }
}

export default loadPg();
