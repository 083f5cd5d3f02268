// The network lab's TLS-inspecting proxy (the tls-intercepted scenario), run on natA as
//   node tls-intercept-proxy.cjs CERT KEY PORT UPSTREAM4 UPSTREAM6 UPSTREAM_PORT
// natA redirects the LAN's TCP 443 here. It terminates TLS with its own certificate (another CA's,
// for the TURN server's name, as a corporate inspection box forges one) and forwards the decrypted
// bytes to coturn's plain TCP port, over the family the client used. It prints one line once it listens.
const { readFileSync } = require('node:fs');
const net = require('node:net');
const tls = require('node:tls');

const [cert, key, port, upstream4, upstream6, upstreamPort] = process.argv.slice(2);
if (!cert || !key || !port || !upstream4 || !upstream6 || !upstreamPort) {
  console.error('usage: tls-intercept-proxy.cjs CERT KEY PORT UPSTREAM4 UPSTREAM6 UPSTREAM_PORT');
  process.exit(2);
}

const server = tls.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (client) => {
  // a dual-stack socket sees an IPv4 client as ::ffff:a.b.c.d
  const v4 = net.isIPv4(client.remoteAddress ?? '') || (client.remoteAddress ?? '').startsWith('::ffff:');
  const upstream = net.connect(Number(upstreamPort), v4 ? upstream4 : upstream6);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
  client.pipe(upstream).pipe(client);
});
// a client that does not speak TLS (plain TURN on 443) is dropped, as an inspection box does
server.on('tlsClientError', () => {});
server.listen({ port: Number(port), host: '::', ipv6Only: false }, () => console.log('listening'));
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
