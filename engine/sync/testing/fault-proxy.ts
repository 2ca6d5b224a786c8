/**
 * A TCP proxy on loopback between the sync client and PostgreSQL that drops
 * connections at chosen points of the wire protocol:
 * - 'before-commit': the client's COMMIT never reaches the server (rolled back);
 * - 'after-commit': COMMIT reaches the server, its reply never reaches the client;
 * - 'mid-batch': the batch's INSERT is cut off half-way through its bytes;
 * - 'down': every connection is refused (the server is unreachable).
 * One-shot faults disarm once they fire.
 */
import net from 'node:net';

export type Fault = 'before-commit' | 'after-commit' | 'mid-batch';

// node-postgres sends COMMIT as a simple Query message: 'Q', int32 length 11, "COMMIT\0".
const COMMIT = Buffer.from([0x51, 0, 0, 0, 11, ...Buffer.from('COMMIT\0', 'latin1')]);
const INSERT_EVENTS = Buffer.from('INSERT INTO recon.audit_events', 'latin1');

/** A running proxy. */
export interface FaultProxy {
  port: number;
  /** Arms a one-shot fault. */
  arm(fault: Fault): void;
  /** How many armed faults fired. */
  fired(): number;
  /** Refuse (true) or accept (false) connections; refusing also drops open ones. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/** Starts a proxy to 127.0.0.1:targetPort on a free port. */
export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let armed: Fault | null = null;
  let fired = 0;
  let down = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let dropReply = false;
    const kill = (): void => {
      client.destroy();
      upstream.destroy();
    };
    const fire = (): void => {
      armed = null;
      fired++;
    };
    client.on('data', (chunk: Buffer) => {
      if (armed === 'before-commit' && chunk.includes(COMMIT)) {
        fire();
        kill();
        return;
      }
      if (armed === 'after-commit' && chunk.includes(COMMIT)) {
        fire();
        dropReply = true; // the server commits; the client never hears so
      }
      if (armed === 'mid-batch' && chunk.includes(INSERT_EVENTS)) {
        fire();
        upstream.write(chunk.subarray(0, Math.floor(chunk.length / 2)), () => kill());
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (dropReply) {
        kill();
        return;
      }
      client.write(chunk);
    });
    for (const s of [client, upstream]) {
      s.on('error', () => kill());
      s.on('close', () => {
        sockets.delete(s);
        kill();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    arm: (fault) => {
      armed = fault;
    },
    fired: () => fired,
    setDown: (value) => {
      down = value;
      if (value) for (const s of sockets) s.destroy();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
