/**
 * A PostgreSQL-protocol proxy (node:net) in front of PGlite's socket server that can produce what
 * PGlite cannot: a password login it refuses (an expired credential), a connection that drops as a query
 * arrives, a query that never answers until it is cancelled (a CancelRequest naming its session) or a
 * statement timeout fires, and cancel requests it counts. Everything else passes through unchanged,
 * with one rewrite: the proxy answers the login with a BackendKeyData of its own, so a CancelRequest
 * comes back to it ("Message Flow" and "Message Formats", PostgreSQL documentation).
 *
 * Faults apply to the next statement whose text starts with SELECT (the prediction), never to the
 * `SET statement_timeout` a new connection runs, and each fires once.
 */
import * as net from 'net';

export type QueryFault = 'drop' | 'stall' | { readonly statementTimeoutAfterMs: number };

export interface FaultProxy {
  readonly port: number;
  /** Decides each password login; the default accepts any. */
  acceptPassword: (user: string, password: string) => boolean;
  /** What the next prediction statement meets. */
  nextQuery: QueryFault | undefined;
  /** Logins that reached the password check, in order. */
  readonly logins: { user: string; password: string }[];
  /** CancelRequests that named a session of this proxy. */
  readonly cancels: number;
  /** Prediction statements that reached the proxy (dropped, stalled or passed on). */
  readonly statements: number;
  /** Closes every open connection, as a server that restarts or ends idle sessions does. */
  dropConnections(): Promise<void>;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/** A typed protocol message: type byte, int32 length (itself included), body. */
function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const int32 = (...values: number[]) => {
  const buffer = Buffer.alloc(4 * values.length);
  values.forEach((value, index) => buffer.writeInt32BE(value, 4 * index));
  return buffer;
};

/** ErrorResponse with severity, SQLSTATE and message, as a server sends it. */
function errorResponse(severity: 'ERROR' | 'FATAL', code: string, text: string): Buffer {
  const fields = [`S${severity}`, `V${severity}`, `C${code}`, `M${text}`].map((field) => Buffer.from(`${field}\0`, 'utf8'));
  return message('E', Buffer.concat([...fields, Buffer.from([0])]));
}

const readyForQuery = () => message('Z', Buffer.from('I', 'latin1'));

/** Splits complete typed messages off the front of `buffer`. */
function typedMessages(buffer: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let offset = 0;
  while (buffer.length - offset >= 5) {
    const length = 1 + buffer.readInt32BE(offset + 1);
    if (buffer.length - offset < length) break;
    messages.push(buffer.subarray(offset, offset + length));
    offset += length;
  }
  return { messages, rest: buffer.subarray(offset) };
}

/** The SQL text of a Parse ('P': name, query) or simple Query ('Q': query) message. */
function queryText(msg: Buffer): string | undefined {
  const body = msg.subarray(5);
  if (msg[0] === 0x51 /* Q */) return body.subarray(0, body.indexOf(0)).toString('utf8');
  if (msg[0] === 0x50 /* P */) {
    const nameEnd = body.indexOf(0);
    return body.subarray(nameEnd + 1, body.indexOf(0, nameEnd + 1)).toString('utf8');
  }
  return undefined;
}

interface Session {
  readonly processId: number;
  readonly secretKey: number;
  /** Set while a stalled statement waits: answers it with an error and ReadyForQuery. */
  release?: (code: string, text: string) => void;
}

export async function startFaultProxy(backendPort: number): Promise<FaultProxy> {
  const sessions = new Map<number, Session>();
  const sockets = new Set<net.Socket>();
  let nextProcessId = 7000;
  const state = {
    acceptPassword: (() => true) as FaultProxy['acceptPassword'],
    nextQuery: undefined as QueryFault | undefined,
    logins: [] as { user: string; password: string }[],
    cancels: 0,
    statements: 0,
  };

  function handle(client: net.Socket): void {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    let buffer: Buffer = Buffer.alloc(0);
    let phase: 'startup' | 'password' | 'connected' = 'startup';
    let startup: Buffer = Buffer.alloc(0);
    let user = '';
    let backend: net.Socket | undefined;
    const session: Session = { processId: nextProcessId++, secretKey: (Math.random() * 2 ** 31) | 0 };
    sessions.set(session.processId, session);
    // The session stays known after the client leaves: as in a real server, its statement may still be
    // running, and a CancelRequest may name it.
    const end = () => {
      client.destroy();
      backend?.destroy();
    };
    client.on('close', end);

    function connectBackend(): void {
      backend = net.connect({ host: '127.0.0.1', port: backendPort });
      backend.on('error', end);
      backend.on('close', end);
      let fromBackend: Buffer = Buffer.alloc(0);
      let keySent = false;
      let swallowUntilReady = false;
      backend.on('data', (chunk: Buffer) => {
        const { messages, rest } = typedMessages(Buffer.concat([fromBackend, chunk]));
        fromBackend = rest;
        for (const msg of messages) {
          const type = String.fromCharCode(msg[0]);
          if (type === 'K') continue; // PGlite's own key: replaced by the proxy's below
          if (type === 'Z' && !keySent) {
            keySent = true;
            client.write(message('K', int32(session.processId, session.secretKey)));
          }
          if (session.release || swallowUntilReady) {
            // A stalled statement's real answer never reaches the client.
            swallowUntilReady = type !== 'Z';
            continue;
          }
          client.write(msg);
        }
      });
      backend.write(startup);
      // The answer to a stalled statement is dropped up to its ReadyForQuery; mark that from here.
      session.release = undefined;
      const stall = (fault: 'stall' | { statementTimeoutAfterMs: number }) => {
        swallowUntilReady = true;
        let timer: NodeJS.Timeout | undefined;
        session.release = (code, text) => {
          clearTimeout(timer);
          session.release = undefined;
          client.write(Buffer.concat([errorResponse('ERROR', code, text), readyForQuery()]));
        };
        if (typeof fault === 'object') {
          timer = setTimeout(() => session.release?.('57014', 'canceling statement due to statement timeout'), fault.statementTimeoutAfterMs);
        }
      };
      stallHook = stall;
    }
    let stallHook: ((fault: 'stall' | { statementTimeoutAfterMs: number }) => void) | undefined;

    client.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (phase === 'startup') {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          const packet = buffer.subarray(0, length);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST) {
            client.write('N');
            continue;
          }
          if (code === CANCEL_REQUEST) {
            const target = sessions.get(packet.readInt32BE(8));
            if (target && target.secretKey === packet.readInt32BE(12)) {
              state.cancels++;
              target.release?.('57014', 'canceling statement due to user request');
            }
            client.end();
            return;
          }
          if (code !== PROTOCOL_3) {
            end();
            return;
          }
          startup = Buffer.from(packet);
          const parameters = packet.subarray(8).toString('utf8').split('\0');
          user = parameters[parameters.indexOf('user') + 1] ?? '';
          // AuthenticationCleartextPassword: the server asks for the password.
          client.write(message('R', int32(3)));
          phase = 'password';
          continue;
        }
        const { messages, rest } = typedMessages(buffer);
        buffer = rest;
        if (messages.length === 0) return;
        for (const msg of messages) {
          if (phase === 'password') {
            const password = msg.subarray(5, msg.length - 1).toString('utf8');
            state.logins.push({ user, password });
            if (!state.acceptPassword(user, password)) {
              client.end(errorResponse('FATAL', '28P01', `password authentication failed for user "${user}"`));
              return;
            }
            phase = 'connected';
            connectBackend();
            continue;
          }
          const sql = queryText(msg);
          if (sql !== undefined && /^\s*SELECT\b/i.test(sql)) {
            state.statements++;
            const fault = state.nextQuery;
            state.nextQuery = undefined;
            if (fault === 'drop') {
              end();
              return;
            }
            if (fault !== undefined) stallHook?.(fault);
          }
          backend?.write(msg);
        }
      }
    });
  }

  const server = net.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    get acceptPassword() {
      return state.acceptPassword;
    },
    set acceptPassword(check) {
      state.acceptPassword = check;
    },
    get nextQuery() {
      return state.nextQuery;
    },
    set nextQuery(fault) {
      state.nextQuery = fault;
    },
    logins: state.logins,
    get cancels() {
      return state.cancels;
    },
    get statements() {
      return state.statements;
    },
    dropConnections: async () => {
      const closed = [...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
      for (const socket of sockets) socket.destroy();
      await Promise.all(closed);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
