import { request, type IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A raw HTTP request: the path is sent as given (no normalisation of `..`) and every header,
 * Host included, is under the test's control. A base address with `?token=` (a `serve` handle's
 * `address`) sends that token as `Authorization: Bearer`, as a script would, unless the test sets
 * its own Authorization or Cookie header.
 */
export function rawRequest(
  baseUrl: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const token = url.searchParams.get('token');
  const own = Object.keys(options.headers ?? {}).some((h) => /^(authorization|cookie)$/i.test(h));
  const auth: Record<string, string> = token && !own ? { Authorization: `Bearer ${token}` } : {};
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { Host: url.host, ...auth, ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function postJson(
  baseUrl: string,
  method: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return rawRequest(baseUrl, {
    method: 'POST',
    path: `/api/call/${method}`,
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  });
}
