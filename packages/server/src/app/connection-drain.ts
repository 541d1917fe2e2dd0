/**
 * The end of a graceful shutdown at the connection level: stop listening without resetting a connection
 * the kernel has already accepted, and close each accepted connection only when no request can be on it.
 *
 * Two things reset a till's request if the listener is simply closed (`server.close()`):
 * - Node (libuv) accepts at most one connection per turn of a busy event loop, so while requests are being
 *   served, connections the kernel has completed wait in its accept queue with their requests already sent.
 *   Closing the listening socket makes the kernel reset every one of them.
 * - `http.Server.close()` also destroys every accepted connection whose request has not been parsed yet,
 *   although its bytes may already be in the socket buffer.
 */

import type { Server as HttpServer } from "node:http";
import { Server as NetServer, type Socket } from "node:net";

interface ConnectionState {
  /** Requests received on the connection. */
  requests: number;
  /** Requests received and not yet answered. */
  open: number;
}

export interface ConnectionDrain {
  /**
   * Closes the listening socket in a turn of the event loop that accepted no connection, after another
   * such turn: the accept queue is then empty, so the close resets nothing a client had already sent.
   */
  stopAccepting(deadline: number): Promise<void>;
  /**
   * Waits until every accepted connection has closed, while requests on them are served. After each poll of
   * the event loop (so bytes that had arrived are read first) it closes the connections that answered all
   * their requests and stay idle: keep-alive connections untouched by the drain. A connection that has not
   * sent its first request yet is waited for until `silentUntil`, then closed.
   */
  settle(silentUntil: number): Promise<void>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function drainConnections(server: HttpServer): ConnectionDrain {
  const connections = new Map<Socket, ConnectionState>();
  let accepted = 0;
  server.on("connection", (socket: Socket) => {
    accepted++;
    connections.set(socket, { requests: 0, open: 0 });
    socket.once("close", () => connections.delete(socket));
  });
  server.on("request", (request, response) => {
    const state = connections.get(request.socket);
    if (!state) return;
    state.requests++;
    state.open++;
    response.once("close", () => state.open--);
  });

  /** Idle: nothing received is unanswered, and the connection is not already closing by itself. */
  const idle = (socket: Socket, state: ConnectionState) =>
    state.open === 0 && !socket.writableEnded && !socket.destroyed && socket.writableLength === 0;

  return {
    async stopAccepting(deadline) {
      for (let quietTurns = 0; quietTurns < 2 && Date.now() < deadline; ) {
        const before = accepted;
        await nextTurn();
        quietTurns = accepted === before ? quietTurns + 1 : 0;
      }
      // net's close, not http's: http.Server.close() would also destroy the accepted connections whose
      // request is still unread.
      if (server.listening) NetServer.prototype.close.call(server);
    },

    async settle(silentUntil) {
      for (let turn = 0; connections.size > 0; turn++) {
        await nextTurn();
        const silentOnesToo = turn >= 1 && Date.now() >= silentUntil;
        for (const [socket, state] of connections) {
          if (idle(socket, state) && (state.requests > 0 || silentOnesToo)) socket.destroy();
        }
        if (connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}
