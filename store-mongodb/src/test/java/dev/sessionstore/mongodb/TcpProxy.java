package dev.sessionstore.mongodb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy for tests: forwards connections from a local port to a target, and can cut every
 * connection and refuse new ones ({@link #cut()}) until {@link #restore()}. The target can be
 * changed (for a restarted server). Each connection uses two plain daemon threads; fine for tests.
 */
final class TcpProxy implements AutoCloseable {

  private final int port;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile InetSocketAddress target;
  private volatile ServerSocket listener;
  private volatile boolean closed;

  TcpProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.listener = listen(0);
    this.port = listener.getLocalPort();
    startAccepting(listener);
  }

  int port() {
    return port;
  }

  /** How many client connections were accepted so far. */
  int accepted() {
    return accepted.get();
  }

  void retarget(InetSocketAddress target) {
    this.target = target;
  }

  /** Drops every open connection and refuses new ones (the port is closed). */
  synchronized void cut() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    dropAll();
  }

  /** Drops every open connection but keeps accepting new ones. */
  void dropAll() {
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  /** Accepts connections again on the same port. */
  synchronized void restore() throws IOException {
    if (!listener.isClosed()) {
      return;
    }
    IOException last = null;
    for (int i = 0; i < 50; i++) {
      try {
        listener = listen(port);
        startAccepting(listener);
        return;
      } catch (IOException e) {
        last = e;
        try {
          Thread.sleep(20); // the port may take a moment to be free again
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IOException(interrupted);
        }
      }
    }
    throw last;
  }

  @Override
  public void close() {
    closed = true;
    cut();
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return server;
  }

  private void startAccepting(ServerSocket server) {
    Thread acceptor =
        new Thread(
            () -> {
              while (!closed && !server.isClosed()) {
                try {
                  Socket client = server.accept();
                  accepted.incrementAndGet();
                  Socket upstream = new Socket();
                  try {
                    upstream.connect(target, 2000);
                  } catch (IOException e) {
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                  }
                  sockets.add(client);
                  sockets.add(upstream);
                  if (server.isClosed()) {
                    // cut() ran while this connection was being set up, after it dropped the
                    // others.
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                  }
                  pump(client, upstream);
                  pump(upstream, client);
                } catch (IOException e) {
                  if (server.isClosed()) {
                    return;
                  }
                }
              }
            },
            "tcp-proxy-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void pump(Socket from, Socket to) {
    Thread pump =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (SocketException e) {
                // closed by cut() or by the other side
              } catch (IOException e) {
                // same
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
              }
            },
            "tcp-proxy-pump");
    pump.setDaemon(true);
    pump.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
