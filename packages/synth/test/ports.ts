import { createServer, type AddressInfo, type Server } from 'node:net';

/**
 * Free loopback ports chosen by the OS. The synth suites once used fixed ports (19250-19262), and a
 * second run on the same machine (another checkout, a developer's demo) answered their queries:
 * the restart test then compared its own history with someone else's Prometheus.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<Server>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject).listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function stackPorts(): Promise<{ promPort: number; amPort: number; exporterPort: number }> {
  const [promPort, amPort, exporterPort] = await freePorts(3);
  return { promPort: promPort!, amPort: amPort!, exporterPort: exporterPort! };
}
