import { readFile } from 'node:fs/promises';
import { request } from 'node:https';

export interface HttpsReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => any;
}

/**
 * One HTTPS request that trusts only the sandbox tenant's CA, with certificate checks on (no
 * rejectUnauthorized: false anywhere). Node's fetch cannot take a CA per request; node:https can.
 */
export async function httpsRequest(
  url: string,
  options: { caPath: string; method?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<HttpsReply> {
  const ca = await readFile(options.caPath, 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, ca });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
