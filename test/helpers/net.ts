import { createServer } from 'node:net';

/** A free TCP port on `host` (bound, then released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, host, () => {
      const address = s.address();
      if (address === null || typeof address === 'string') {
        s.close();
        reject(new Error('freePort: no TCP address'));
        return;
      }
      s.close(() => resolve(address.port));
    });
  });
}
